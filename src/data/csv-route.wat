;; CsvExampleGen's record router (loaded by csv-route.ts; compiled to csv-route.wasm by
;; scripts/build-wasm.js): `fast` types plain records and collects their bounds; `route` takes a batch
;; of records of the read buffer, all in this memory: the record's split by its fingerprint, then the
;; record and a line break appended to that split's region. The fingerprint is the first 64 bits of MurmurHash3_x86_128 with seed 0 (fingerprint.ts
;; holds the same in JavaScript, and its test vectors pin both).
(module
  (memory (export "memory") 1)
  ;; Mask of the low n bytes of a word, n in 1..4: a tail word is loaded whole (the bytes after a
  ;; record are in memory: its line break, more data or the padding after the read buffer).
  (func $mask (param $n i32) (result i32)
    (if (result i32) (i32.ge_u (local.get $n) (i32.const 4))
      (then (i32.const -1))
      (else (i32.sub (i32.shl (i32.const 1) (i32.shl (local.get $n) (i32.const 3))) (i32.const 1)))))
  (func $fmix (param $h i32) (result i32)
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
  ;; first 64 bits of MurmurHash3_x86_128(seed 0) of bytes [start, end)
  (func $low64 (export "low64") (param $start i32) (param $end i32) (result i64)
    (local $h1 i32) (local $h2 i32) (local $h3 i32) (local $h4 i32)
    (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $k4 i32)
    (local $len i32) (local $i i32) (local $blocksEnd i32) (local $tail i32)
    (local.set $len (i32.sub (local.get $end) (local.get $start)))
    (local.set $i (local.get $start))
    (local.set $blocksEnd (i32.add (local.get $start) (i32.and (local.get $len) (i32.const -16))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $blocksEnd)))
        (local.set $k1 (i32.mul (i32.rotl (i32.mul (i32.load (local.get $i)) (i32.const 0x239b961b)) (i32.const 15)) (i32.const 0xab0e9789)))
        (local.set $h1 (i32.xor (local.get $h1) (local.get $k1)))
        (local.set $h1 (i32.add (i32.mul (i32.add (i32.rotl (local.get $h1) (i32.const 19)) (local.get $h2)) (i32.const 5)) (i32.const 0x561ccd1b)))
        (local.set $k2 (i32.mul (i32.rotl (i32.mul (i32.load offset=4 (local.get $i)) (i32.const 0xab0e9789)) (i32.const 16)) (i32.const 0x38b34ae5)))
        (local.set $h2 (i32.xor (local.get $h2) (local.get $k2)))
        (local.set $h2 (i32.add (i32.mul (i32.add (i32.rotl (local.get $h2) (i32.const 17)) (local.get $h3)) (i32.const 5)) (i32.const 0x0bcaa747)))
        (local.set $k3 (i32.mul (i32.rotl (i32.mul (i32.load offset=8 (local.get $i)) (i32.const 0x38b34ae5)) (i32.const 17)) (i32.const 0xa1e38b93)))
        (local.set $h3 (i32.xor (local.get $h3) (local.get $k3)))
        (local.set $h3 (i32.add (i32.mul (i32.add (i32.rotl (local.get $h3) (i32.const 15)) (local.get $h4)) (i32.const 5)) (i32.const 0x96cd1c35)))
        (local.set $k4 (i32.mul (i32.rotl (i32.mul (i32.load offset=12 (local.get $i)) (i32.const 0xa1e38b93)) (i32.const 18)) (i32.const 0x239b961b)))
        (local.set $h4 (i32.xor (local.get $h4) (local.get $k4)))
        (local.set $h4 (i32.add (i32.mul (i32.add (i32.rotl (local.get $h4) (i32.const 13)) (local.get $h1)) (i32.const 5)) (i32.const 0x32ac3b17)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (local.set $tail (i32.and (local.get $len) (i32.const 15)))
    (if (i32.gt_u (local.get $tail) (i32.const 12))
      (then
        (local.set $k4 (i32.and (i32.load offset=12 (local.get $i)) (call $mask (i32.sub (local.get $tail) (i32.const 12)))))
        (local.set $h4 (i32.xor (local.get $h4) (i32.mul (i32.rotl (i32.mul (local.get $k4) (i32.const 0xa1e38b93)) (i32.const 18)) (i32.const 0x239b961b))))))
    (if (i32.gt_u (local.get $tail) (i32.const 8))
      (then
        (local.set $k3 (i32.and (i32.load offset=8 (local.get $i)) (call $mask (i32.sub (local.get $tail) (i32.const 8)))))
        (local.set $h3 (i32.xor (local.get $h3) (i32.mul (i32.rotl (i32.mul (local.get $k3) (i32.const 0x38b34ae5)) (i32.const 17)) (i32.const 0xa1e38b93))))))
    (if (i32.gt_u (local.get $tail) (i32.const 4))
      (then
        (local.set $k2 (i32.and (i32.load offset=4 (local.get $i)) (call $mask (i32.sub (local.get $tail) (i32.const 4)))))
        (local.set $h2 (i32.xor (local.get $h2) (i32.mul (i32.rotl (i32.mul (local.get $k2) (i32.const 0xab0e9789)) (i32.const 16)) (i32.const 0x38b34ae5))))))
    (if (i32.gt_u (local.get $tail) (i32.const 0))
      (then
        (local.set $k1 (i32.and (i32.load (local.get $i)) (call $mask (local.get $tail))))
        (local.set $h1 (i32.xor (local.get $h1) (i32.mul (i32.rotl (i32.mul (local.get $k1) (i32.const 0x239b961b)) (i32.const 15)) (i32.const 0xab0e9789))))))
    (local.set $h1 (i32.xor (local.get $h1) (local.get $len)))
    (local.set $h2 (i32.xor (local.get $h2) (local.get $len)))
    (local.set $h3 (i32.xor (local.get $h3) (local.get $len)))
    (local.set $h4 (i32.xor (local.get $h4) (local.get $len)))
    (local.set $h1 (i32.add (i32.add (i32.add (local.get $h1) (local.get $h2)) (local.get $h3)) (local.get $h4)))
    (local.set $h2 (i32.add (local.get $h2) (local.get $h1)))
    (local.set $h3 (i32.add (local.get $h3) (local.get $h1)))
    (local.set $h4 (i32.add (local.get $h4) (local.get $h1)))
    (local.set $h1 (call $fmix (local.get $h1)))
    (local.set $h2 (call $fmix (local.get $h2)))
    (local.set $h3 (call $fmix (local.get $h3)))
    (local.set $h4 (call $fmix (local.get $h4)))
    (local.set $h1 (i32.add (i32.add (i32.add (local.get $h1) (local.get $h2)) (local.get $h3)) (local.get $h4)))
    (local.set $h2 (i32.add (local.get $h2) (local.get $h1)))
    (i64.or (i64.extend_i32_u (local.get $h1)) (i64.shl (i64.extend_i32_u (local.get $h2)) (i64.const 32))))
;; Routes records r = 0, 1, … of the batch at $recs ((start, end) i32 pairs): bucket =
  ;; fingerprint mod $total; the split is the first whose bucket end (i32 at $table + 16 s) is above
  ;; it; the record and a line break go to that split's cursor (i32 at +4), which must stay at or below
  ;; its limit (+8); its row count (+12) goes up by one. Returns the number of records routed: fewer
  ;; than $count when a split's region is full (the caller writes the regions out and calls again).
  (func (export "route") (param $recs i32) (param $count i32) (param $total i64) (param $table i32) (result i32)
    (local $r i32) (local $start i32) (local $end i32) (local $bucket i32) (local $split i32) (local $cursor i32) (local $n i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $start (i32.load (i32.add (local.get $recs) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $recs) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $bucket (i32.wrap_i64 (i64.rem_u (call $low64 (local.get $start) (local.get $end)) (local.get $total))))
        (local.set $split (local.get $table))
        (block $found
          (loop $scan
            (br_if $found (i32.lt_u (local.get $bucket) (i32.load (local.get $split))))
            (local.set $split (i32.add (local.get $split) (i32.const 16)))
            (br $scan)))
        (local.set $n (i32.sub (local.get $end) (local.get $start)))
        (local.set $cursor (i32.load offset=4 (local.get $split)))
        (br_if $done (i32.gt_u (i32.add (i32.add (local.get $cursor) (local.get $n)) (i32.const 1)) (i32.load offset=8 (local.get $split))))
        (memory.copy (local.get $cursor) (local.get $start) (local.get $n))
        (i32.store8 (i32.add (local.get $cursor) (local.get $n)) (i32.const 10))
        (i32.store offset=4 (local.get $split) (i32.add (i32.add (local.get $cursor) (local.get $n)) (i32.const 1)))
        (i32.store offset=12 (local.get $split) (i32.add (i32.load offset=12 (local.get $split)) (i32.const 1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each)))
    (local.get $r))
;; The scan's fast path for plain records (no quote, LF or CRLF line ends) from $pos: types each
  ;; field by its byte-weight sum as csv-scan.ts does (weights: i32 × 256 at $weights, -1 for bytes
  ;; that end a field; column kinds: u8 at $kinds, raised in place), and appends each record's bounds
  ;; to the batch at $recs (at most $max). Leaves [pos, records, lines] at $out and returns 0 when the
  ;; bytes end inside a record, 1 at a record the JavaScript scan must read (a quote, a lone CR, a
  ;; field count other than $ncols, a number shape the sum does not settle, a short text that may be
  ;; inf or nan), 2 when the batch is full.
  (func (export "fast")
    (param $pos i32) (param $len i32) (param $ncols i32) (param $delim i32) (param $weights i32)
    (param $kinds i32) (param $recs i32) (param $max i32) (param $out i32) (result i32)
    (local $count i32) (local $lines i32) (local $start i32) (local $i i32) (local $col i32)
    (local $c i32) (local $w i32) (local $sum i64) (local $fstart i32) (local $content i32)
    (local $known i32) (local $kind i32) (local $first i32) (local $status i32)
    (block $stop
      (loop $records
        (if (i32.ge_u (local.get $count) (local.get $max)) (then (local.set $status (i32.const 2)) (br $stop)))
        (local.set $start (local.get $pos))
        (local.set $i (local.get $pos))
        (local.set $col (i32.const 0))
        (loop $fields
          (local.set $sum (i64.const 0))
          (local.set $fstart (local.get $i))
          (block $structural
            (loop $bytes
              (if (i32.ge_u (local.get $i) (local.get $len)) (then (local.set $status (i32.const 0)) (br $stop)))
              (local.set $c (i32.load8_u (local.get $i)))
              (local.set $w (i32.load (i32.add (local.get $weights) (i32.shl (local.get $c) (i32.const 2)))))
              (br_if $structural (i32.lt_s (local.get $w) (i32.const 0)))
              (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $w))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $bytes)))
          ;; $c ends the field: the delimiter, a quote, LF or CR
          (if (i32.eq (local.get $c) (i32.const 34)) (then (local.set $status (i32.const 1)) (br $stop)))
          (if (i32.eq (local.get $c) (i32.const 13))
            (then
              (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $len)) (then (local.set $status (i32.const 0)) (br $stop)))
              (if (i32.ne (i32.load8_u offset=1 (local.get $i)) (i32.const 10)) (then (local.set $status (i32.const 1)) (br $stop)))))
          (local.set $content (i32.sub (local.get $i) (local.get $fstart)))
          (if (i32.and (i32.lt_u (local.get $col) (local.get $ncols)) (i32.gt_u (local.get $content) (i32.const 0)))
            (then
              (local.set $known (i32.load8_u (i32.add (local.get $kinds) (local.get $col))))
              (if (i32.lt_u (local.get $known) (i32.const 3))
                (then
                  (local.set $first (i32.load8_u (local.get $fstart)))
                  (block $classified
                    ;; digits only: int64 unless long enough to need the exact check
                    (if (i64.eqz (local.get $sum))
                      (then
                        (if (i32.gt_u (local.get $content) (i32.const 18)) (then (local.set $status (i32.const 1)) (br $stop)))
                        (local.set $kind (i32.const 1)) (br $classified)))
                    ;; digits and one dot
                    (if (i32.and (i64.eq (local.get $sum) (i64.const 1)) (i32.gt_u (local.get $content) (i32.const 1)))
                      (then (local.set $kind (i32.const 2)) (br $classified)))
                    ;; a leading sign, then digits (and one dot)
                    (if (i32.or (i32.eq (local.get $first) (i32.const 45)) (i32.eq (local.get $first) (i32.const 43)))
                      (then
                        (if (i32.and (i64.eq (local.get $sum) (i64.const 4096)) (i32.gt_u (local.get $content) (i32.const 1)))
                          (then
                            (if (i32.gt_u (local.get $content) (i32.const 18)) (then (local.set $status (i32.const 1)) (br $stop)))
                            (local.set $kind (i32.const 1)) (br $classified)))
                        (if (i32.and (i64.eq (local.get $sum) (i64.const 4097)) (i32.gt_u (local.get $content) (i32.const 2)))
                          (then (local.set $kind (i32.const 2)) (br $classified)))))
                    ;; any other byte: text, unless short (it may be inf or nan)
                    (if (i64.ge_u (local.get $sum) (i64.const 16777216))
                      (then
                        (if (i32.le_u (local.get $content) (i32.const 16)) (then (local.set $status (i32.const 1)) (br $stop)))
                        (local.set $kind (i32.const 3)) (br $classified)))
                    ;; exponents, spaces, several signs or dots: the exact grammar, in JavaScript
                    (local.set $status (i32.const 1))
                    (br $stop))
                  (if (i32.gt_u (local.get $kind) (local.get $known))
                    (then (i32.store8 (i32.add (local.get $kinds) (local.get $col)) (local.get $kind))))))))
          (if (i32.eq (local.get $c) (local.get $delim))
            (then
              (local.set $col (i32.add (local.get $col) (i32.const 1)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $fields))))
        ;; the record ends at $i (LF, or CR before LF)
        (if (i32.eq (local.get $i) (local.get $start))
          (then
            ;; a blank line
            (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
            (local.set $pos (i32.add (local.get $i) (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 13)))))
            (br $records)))
        (if (i32.ne (i32.add (local.get $col) (i32.const 1)) (local.get $ncols)) (then (local.set $status (i32.const 1)) (br $stop)))
        (i32.store (i32.add (local.get $recs) (i32.shl (local.get $count) (i32.const 3))) (local.get $start))
        (i32.store offset=4 (i32.add (local.get $recs) (i32.shl (local.get $count) (i32.const 3))) (local.get $i))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
        (local.set $pos (i32.add (local.get $i) (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 13)))))
        (br $records)))
    (i32.store (local.get $out) (local.get $pos))
    (i32.store offset=4 (local.get $out) (local.get $count))
    (i32.store offset=8 (local.get $out) (local.get $lines))
    (local.get $status))
)

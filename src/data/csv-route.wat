;; CsvExampleGen's record router (loaded by csv-route.ts; compiled to csv-route.wasm by
;; scripts/build-wasm.js). For a batch of records of the read buffer, all in this memory: the
;; record's split by its fingerprint, then the record and a line break appended to that split's
;; region. The fingerprint is the first 64 bits of MurmurHash3_x86_128 with seed 0 (fingerprint.ts
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
)

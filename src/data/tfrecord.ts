/**
 * TFRecord files: the container of TFX's ExampleGen output (gzipped, `Split-<name>/*.gz`) and of
 * TensorBoard event files. Each record is uint64 length (little endian), masked CRC-32C of the
 * length, the bytes, masked CRC-32C of the bytes (tensorflow/core/lib/io/record_writer.cc). Written
 * here because no maintained npm package reads and writes TFRecord without TensorFlow itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { UserError } from '../util/errors';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as used by TFRecord. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export function tfRecord(payload: Uint8Array): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(payload.length));
  const lengthCrc = Buffer.alloc(4);
  lengthCrc.writeUInt32LE(maskedCrc32c(length));
  const payloadCrc = Buffer.alloc(4);
  payloadCrc.writeUInt32LE(maskedCrc32c(payload));
  return Buffer.concat([length, lengthCrc, Buffer.from(payload), payloadCrc]);
}

/** Gzip by content (magic bytes 1f 8b), whatever the file is called. */
function inflate(bytes: Buffer): Buffer {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes;
}

/** Every record of a TFRecord file (plain or gzipped), checking both CRCs. */
export function readTfRecordFile(file: string): Buffer[] {
  const data = inflate(fs.readFileSync(file));
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 12 > data.length)
      throw new UserError(`${file} ends inside a TFRecord header (byte ${offset}).`, 'the file is truncated or not a TFRecord file.');
    const header = data.subarray(offset, offset + 8);
    const length = Number(data.readBigUInt64LE(offset));
    if (data.readUInt32LE(offset + 8) !== maskedCrc32c(header))
      throw new UserError(
        `${file} is not a TFRecord file (bad length checksum at byte ${offset}).`,
        'pass TFRecord files of tf.Example (TFX ExampleGen output), gzipped or not.',
      );
    const start = offset + 12;
    if (start + length + 4 > data.length) throw new UserError(`${file} ends inside a record (byte ${start}).`, 'the file is truncated.');
    const record = data.subarray(start, start + length);
    if (data.readUInt32LE(start + length) !== maskedCrc32c(record))
      throw new UserError(`${file}: record at byte ${offset} fails its checksum.`, 'the file is corrupt.');
    records.push(record);
    offset = start + length + 4;
  }
  return records;
}

/** Writes records as a TFRecord file, gzipped when `gzip` (TFX's ExampleGen default). */
export function writeTfRecordFile(file: string, records: Iterable<Uint8Array>, options: { gzip?: boolean } = {}): void {
  const body = Buffer.concat(Array.from(records, tfRecord));
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, options.gzip === false ? body : zlib.gzipSync(body));
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * TensorBoard event files (scalars), written directly: TFRecord framing (length, masked CRC-32C of
 * the length, payload, masked CRC-32C of the payload) around `tensorflow.Event` protos. The three
 * protobuf messages involved (Event, Summary, Summary.Value) need five fields, so a few lines of
 * encoder replace a protobuf runtime plus .proto files; `tensorboard --logdir <modelRunDir>` reads
 * the result like Keras' TensorBoard callback output.
 */

// TFRecord framing and its CRC live with the other TFRecord readers and writers.
export { crc32c, maskedCrc32c, tfRecord } from '../data/tfrecord';
import { tfRecord } from '../data/tfrecord';

// ---- protobuf wire format (only what Event needs) ----
function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // int64 negatives are 10-byte two's complement
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

const key = (field: number, wireType: number) => varint((field << 3) | wireType);

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}

function double(field: number, value: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return [...key(field, 1), ...b];
}

function float(field: number, value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return [...key(field, 5), ...b];
}

/** tensorflow.Event { wall_time = 1; step = 2; file_version = 3 | summary = 5 }. */
export function encodeEvent(event: { wallTime: number; step: number; fileVersion?: string; scalars?: Record<string, number> }): Uint8Array {
  const bytes: number[] = [...double(1, event.wallTime), ...key(2, 0), ...varint(Math.trunc(event.step))];
  if (event.fileVersion !== undefined) bytes.push(...lengthDelimited(3, Buffer.from(event.fileVersion, 'utf8')));
  if (event.scalars) {
    // Summary { repeated Value value = 1 }, Value { tag = 1; simple_value = 2 }.
    const summary: number[] = [];
    for (const [tag, value] of Object.entries(event.scalars)) {
      const valueBytes = [...lengthDelimited(1, Buffer.from(tag, 'utf8')), ...float(2, value)];
      summary.push(...lengthDelimited(1, Uint8Array.from(valueBytes)));
    }
    bytes.push(...lengthDelimited(5, Uint8Array.from(summary)));
  }
  return Uint8Array.from(bytes);
}

/** One event file in `logDir`, named as TensorFlow names them so TensorBoard finds it. */
export class EventFileWriter {
  readonly file: string;
  private readonly fd: number;

  constructor(
    readonly logDir: string,
    now = Date.now(),
  ) {
    fs.mkdirSync(logDir, { recursive: true });
    this.file = path.join(logDir, `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}.${process.pid}.v2`);
    this.fd = fs.openSync(this.file, 'a');
    this.write(encodeEvent({ wallTime: now / 1000, step: 0, fileVersion: 'brain.Event:2' }));
  }

  scalars(step: number, values: Record<string, number>, wallTime = Date.now() / 1000): void {
    const finite = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'number' && !Number.isNaN(v)));
    if (Object.keys(finite).length > 0) this.write(encodeEvent({ wallTime, step, scalars: finite }));
  }

  private write(payload: Uint8Array): void {
    fs.writeSync(this.fd, tfRecord(payload));
  }

  close(): void {
    try {
      fs.fsyncSync(this.fd);
    } catch {
      /* not all file systems support fsync */
    }
    fs.closeSync(this.fd);
  }
}

/**
 * The checksum manifest of a pushed model version: Pusher writes it last into the staged version
 * directory (size and SHA-256 of every file), the model server checks it before loading. A version
 * is loaded only when every listed file is there, has its size and its hash: a directory still
 * being copied, or a weights file replaced by garbage of the same size, is never served.
 * One module, imported by both sides.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export const CHECKSUMS_FILE = 'checksums.json';
const FORMAT = 'tfx-ts.checksums';

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  algorithm: z.literal('sha256'),
  files: z.record(z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type ChecksumManifest = z.infer<typeof manifestSchema>;

/** Size and hash of every regular file under `dir` (paths relative, with "/"), the manifest excluded. */
export function computeChecksums(dir: string): ChecksumManifest {
  const files: ChecksumManifest['files'] = {};
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && rel !== CHECKSUMS_FILE) {
        const bytes = fs.readFileSync(path.join(dir, rel));
        files[rel] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      }
    }
  };
  walk('');
  return { format: FORMAT, version: 1, algorithm: 'sha256', files };
}

/** Writes the manifest of `dir` into it (Pusher, on the staged copy, before the rename that publishes it). */
export function writeChecksums(dir: string): ChecksumManifest {
  const manifest = computeChecksums(dir);
  fs.writeFileSync(path.join(dir, CHECKSUMS_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

export type Verification =
  | { state: 'verified' }
  /** No manifest: a version laid out by hand (TF Serving's layout has none); loaded as is. */
  | { state: 'unverified' }
  /** Files missing or shorter than listed: still being copied; try again later. */
  | { state: 'incomplete'; reason: string }
  /** Sizes match but content does not, or the manifest is unreadable: refuse. */
  | { state: 'corrupt'; reason: string };

/** Checks a version directory against its manifest. */
export function verifyChecksums(dir: string): Verification {
  const file = path.join(dir, CHECKSUMS_FILE);
  if (!fs.existsSync(file)) return { state: 'unverified' };
  let manifest: ChecksumManifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) return { state: 'corrupt', reason: `${CHECKSUMS_FILE} is not a valid checksum manifest` };
    manifest = parsed.data;
  } catch (error) {
    return { state: 'incomplete', reason: `${CHECKSUMS_FILE} cannot be read yet (${(error as Error).message.split('\n')[0]})` };
  }
  for (const [rel, expected] of Object.entries(manifest.files)) {
    const full = path.join(dir, ...rel.split('/'));
    if (rel.split('/').includes('..')) return { state: 'corrupt', reason: `${CHECKSUMS_FILE} lists a path outside the version: ${rel}` };
    let size: number;
    try {
      size = fs.statSync(full).size;
    } catch {
      return { state: 'incomplete', reason: `${rel} is missing` };
    }
    if (size < expected.bytes) return { state: 'incomplete', reason: `${rel} has ${size} of ${expected.bytes} bytes` };
    if (size > expected.bytes) return { state: 'corrupt', reason: `${rel} has ${size} bytes, the manifest says ${expected.bytes}` };
    const actual = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    if (actual !== expected.sha256)
      return { state: 'corrupt', reason: `checksum mismatch for ${rel} (sha256 ${actual.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…)` };
  }
  return { state: 'verified' };
}

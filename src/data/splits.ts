import { z } from 'zod';
import { sqlIdent } from './duckdb';

/**
 * Deterministic hash splits (TFX's output_config.split_config).
 *
 * CsvExampleGen: bucket(row) = fingerprint64(key) mod the total number of hash buckets, where
 * fingerprint64 is the first 64 bits of MurmurHash3_x86_128 (seed 0, read little-endian; see
 * fingerprint.ts) and key is the record's bytes as they stand in the file, without the line
 * terminator — or, with a partition feature, that field's value (without enclosing quotes). Splits
 * take consecutive bucket ranges in the order listed. The key and the hash depend only on the input
 * bytes, so the same row lands in the same split on every run, machine and DuckDB version.
 *
 * QueryExampleGen (rows come from SQL, there are no file bytes): bucket = md5(key) read as an
 * unsigned 128-bit integer, key = the partition feature cast to VARCHAR, else every column cast to
 * VARCHAR in column order joined by U+001F, NULL as U+0000.
 */
export const splitSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'split names may use letters, digits, "_" and "-" only'),
  hashBuckets: z.number().int().positive('hashBuckets must be a positive integer (e.g. 2 for train, 1 for eval)'),
});

export const outputConfigSchema = z.object({
  splitConfig: z.object({
    splits: z.array(splitSchema).min(1, 'splitConfig.splits needs at least one split'),
    partitionFeatureName: z.string().min(1).optional(),
  }),
});
export type OutputConfig = z.infer<typeof outputConfigSchema>;

/** Input already split into files (TFX's input_config): each split reads its own glob under inputBase. */
export const inputConfigSchema = z.object({
  splits: z.array(z.object({ name: splitSchema.shape.name, pattern: z.string().min(1) })).min(1, 'inputConfig.splits needs at least one split'),
});
export type InputConfig = z.infer<typeof inputConfigSchema>;

export const DEFAULT_OUTPUT_CONFIG: OutputConfig = {
  splitConfig: {
    splits: [
      { name: 'train', hashBuckets: 2 },
      { name: 'eval', hashBuckets: 1 },
    ],
  },
};

export function checkUniqueSplitNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`split "${name}" is listed twice; split names must be unique.`);
    seen.add(name);
  }
}

/** SQL expression computing the bucket of each row of a relation with the given columns. */
export function bucketExpression(columns: string[], totalBuckets: number, partitionFeatureName?: string): string {
  const key = partitionFeatureName
    ? `coalesce(CAST(${sqlIdent(partitionFeatureName)} AS VARCHAR), chr(0))`
    : `concat_ws(chr(31), ${columns.map((c) => `coalesce(CAST(${sqlIdent(c)} AS VARCHAR), chr(0))`).join(', ')})`;
  return `CAST(md5_number(${key}) % ${totalBuckets} AS INTEGER)`;
}

/** [start, end) bucket ranges for each split. */
export function bucketRanges(config: OutputConfig): { name: string; start: number; end: number }[] {
  let start = 0;
  return config.splitConfig.splits.map((split) => {
    const range = { name: split.name, start, end: start + split.hashBuckets };
    start = range.end;
    return range;
  });
}

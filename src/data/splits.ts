import { z } from 'zod';
import { sqlIdent } from './duckdb';

/**
 * Deterministic hash splits (TFX's output_config.split_config).
 *
 * bucket(row) = md5(key) read as an unsigned 128-bit integer, modulo the total number of hash
 * buckets. key = the partition feature cast to VARCHAR when one is set, else every column cast to
 * VARCHAR in column order joined by U+001F, with NULL written as U+0000. Splits take consecutive
 * bucket ranges in the order listed. md5 is fixed by RFC 1321, so the same row lands in the same
 * split on every run, machine and DuckDB version (unlike DuckDB's internal hash()).
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

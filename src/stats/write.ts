/**
 * Writing statistics JSON. Kept apart from io.ts (reading, validated with zod) so that writing —
 * `tfx-ts stats`, StatisticsGen — does not load the validation schemas.
 */
import { writeFileAtomic } from '../util/atomic';
import type { DatasetFeatureStatisticsList } from './types';

export function writeStatistics(statistics: DatasetFeatureStatisticsList, file: string): void {
  writeFileAtomic(file, statisticsJson(statistics));
}

/**
 * The statistics as JSON text (one-space indent, proto3 JSON's "NaN"/"Infinity" strings). A
 * replacer makes V8 call back into JS for every key (a 5,000-feature file has millions), so it is
 * used only when some number is not finite; otherwise the output is the same without it.
 */
export function statisticsJson(value: unknown): string {
  return `${JSON.stringify(value, hasNonFinite(value) ? jsonNumbers : undefined, 1)}\n`;
}

/** JSON has no NaN/Infinity: write them as proto3 JSON does ("NaN", "Infinity", "-Infinity"). */
export function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

/** True when a number anywhere in the (acyclic, plain JSON-like) value is NaN or ±Infinity. */
function hasNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNonFinite(item)) return true;
    return false;
  }
  for (const key in value) if (hasNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}

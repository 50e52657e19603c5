import { UserError } from '../util/errors';
import type { ColumnValues } from '../transform/ops';
import type { SlicingSpec } from './eval-config';

/** A slice (TFMA SliceKey): feature/value pairs; empty = Overall. */
export type SliceKey = [string, string | number][];

export interface Slice {
  key: SliceKey;
  /** TFMA's display name: "Overall", "trip_start_hour:3", "a_X_b:1_X_2". */
  name: string;
  rows: Uint32Array;
}

export function sliceName(key: SliceKey): string {
  if (key.length === 0) return 'Overall';
  return `${key.map(([f]) => f).join('_X_')}:${key.map(([, v]) => String(v)).join('_X_')}`;
}

/** The slices of every slicing spec, in spec order; rows with a missing value of a sliced feature belong to none of its slices. */
export function computeSlices(specs: SlicingSpec[], numRows: number, column: (feature: string) => ColumnValues): Slice[] {
  const slices: Slice[] = [];
  const seen = new Set<string>();
  const add = (slice: Slice) => {
    if (seen.has(slice.name)) return;
    seen.add(slice.name);
    slices.push(slice);
  };
  for (const spec of specs) {
    const keys = [...(spec.featureKeys ?? []), ...Object.keys(spec.featureValues ?? {}).filter((k) => !(spec.featureKeys ?? []).includes(k))];
    if (keys.length === 0) {
      add({ key: [], name: 'Overall', rows: Uint32Array.from({ length: numRows }, (_, i) => i) });
      continue;
    }
    const columns = keys.map((k) => column(k));
    const groups = new Map<string, { key: SliceKey; rows: number[] }>();
    for (let row = 0; row < numRows; row++) {
      const values = columns.map((c) => c[row]);
      if (values.some((v) => v === null || (typeof v === 'number' && Number.isNaN(v)))) continue;
      const wanted = spec.featureValues;
      if (wanted && keys.some((k, i) => k in wanted && String(wanted[k]) !== String(values[i]))) continue;
      const id = JSON.stringify(values);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { key: keys.map((k, i) => [k, values[i] as string | number]), rows: [] }));
      group.rows.push(row);
    }
    const ordered = [...groups.values()].sort((a, b) => compareKeys(a.key, b.key));
    for (const g of ordered) add({ key: g.key, name: sliceName(g.key), rows: Uint32Array.from(g.rows) });
  }
  return slices;
}

function compareKeys(a: SliceKey, b: SliceKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i][1];
    const y = b[i][1];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

export function requireSliceFeatures(specs: SlicingSpec[], available: string[]): void {
  for (const spec of specs) {
    for (const key of [...(spec.featureKeys ?? []), ...Object.keys(spec.featureValues ?? {})]) {
      if (!available.includes(key)) {
        throw new UserError(
          `Slicing feature "${key}" is neither a column of the eval examples nor a transformed feature.`,
          `slice by one of: ${available.join(', ')}.`,
        );
      }
    }
  }
}

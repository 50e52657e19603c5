/** Reading and writing TFDV Anomalies JSON (ExampleValidator's SchemaDiff.json). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Artifact, splitUri } from '../dsl/artifact';
import { jsonNumbers } from '../stats/io';
import { formatZodError, UserError } from '../util/errors';
import type { Anomalies } from './types';
import { writeFileAtomic } from '../util/atomic';

/** TFX's file name inside each Split-<name> folder of an ExampleAnomalies artifact (JSON instead of binary proto). */
export const ANOMALIES_FILE_NAME = 'SchemaDiff.json';

const reason = z.object({ type: z.string(), shortDescription: z.string().default(''), description: z.string().default('') }).passthrough();
const info = z
  .object({
    path: z.object({ step: z.array(z.string()) }).optional(),
    severity: z.enum(['UNKNOWN', 'WARNING', 'ERROR']).default('ERROR'),
    shortDescription: z.string().default(''),
    description: z.string().default(''),
    reason: z.array(reason).default([]),
  })
  .passthrough();
const anomaliesSchema = z
  .object({
    anomalyNameFormat: z.string().default('SERIALIZED_PATH'),
    anomalyInfo: z.record(info).default({}),
    datasetAnomalyInfo: info.optional(),
    driftSkewInfo: z.array(z.any()).optional(),
  })
  .passthrough();

export function parseAnomalies(value: unknown, source = 'anomalies'): Anomalies {
  const parsed = anomaliesSchema.safeParse(value);
  if (!parsed.success)
    throw new UserError(
      `${source} is not TFDV Anomalies JSON: ${formatZodError(parsed.error)}`,
      'pass the JSON written by `tfx-ts validate` or ExampleValidator.',
    );
  return parsed.data as unknown as Anomalies;
}

export function writeAnomalies(anomalies: Anomalies, file: string): void {
  writeFileAtomic(file, `${JSON.stringify(anomalies, jsonNumbers, 1)}\n`);
}

export function readAnomalies(file: string): Anomalies {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) throw new UserError(`Anomalies file ${absolute} does not exist.`, 'run ExampleValidator or `tfx-ts validate` first.');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new UserError(`${absolute} is not valid JSON: ${(error as Error).message}`);
  }
  return parseAnomalies(json, absolute);
}

/** Every split's anomalies of an ExampleAnomalies artifact, keyed by split name. What views read. */
export function loadAnomalies(artifact: Artifact): Record<string, Anomalies> {
  const out: Record<string, Anomalies> = {};
  for (const split of artifact.splitNames) out[split] = readAnomalies(path.join(splitUri(artifact.uri, split), ANOMALIES_FILE_NAME));
  return out;
}

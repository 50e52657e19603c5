import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';
import { DEFAULT_OUTPUT_CONFIG, inputConfigSchema, outputConfigSchema } from '../../data/splits';
import { resolveInputFiles } from './files';
import { isObjectStoreUri, objectsNamedBy } from '../../io/storage';

const outputs = { examples: { type: standardArtifacts.Examples } };

const csvParameters = z
  .object({
    /** A CSV file, a directory of CSV files, or a glob. */
    inputBase: z.string().min(1, 'inputBase must name a CSV file, directory or glob'),
    inputConfig: inputConfigSchema.optional(),
    outputConfig: outputConfigSchema.default(DEFAULT_OUTPUT_CONFIG),
    /** CSV dialect; DuckDB detects it when omitted. */
    delimiter: z.string().length(1).optional(),
    /** Also write each split as TFX does (gzipped TFRecord of tf.Example), for Python TFX components and tf.data. */
    writeTfExamples: z.boolean().optional(),
  })
  .strict();

/** TFX's CsvExampleGen: CSV in, Parquet examples per split out, on DuckDB. */
export const CsvExampleGen = defineComponent({
  type: 'CsvExampleGen',
  version: '1',
  inputs: {},
  outputs,
  parameters: csvParameters,
  executor: async () => (await import('./executor')).csvExampleGenExecutor,
  fingerprint: async (p) =>
    isObjectStoreUri(p.inputBase)
      ? fingerprintObjects(p.inputBase)
      : fingerprintFiles(
          p.inputBase,
          p.inputConfig?.splits.map((s) => s.pattern),
        ),
});

/**
 * inputBase on object storage: name, size and version (S3 ETag, GCS generation) of every object
 * the executor would download, from one listing, nothing downloaded. Split patterns are applied
 * to the downloaded copy, so all of it counts. A listing that fails is never a cache hit.
 */
async function fingerprintObjects(inputBase: string): Promise<string> {
  try {
    const { objects } = await objectsNamedBy(inputBase);
    return JSON.stringify(objects.map((o) => `${o.uri}:${o.size}:${o.version}`));
  } catch (error) {
    return `unlisted:${inputBase}:${(error as Error).message}:${Date.now()}:${Math.random()}`;
  }
}

const queryParameters = z
  .object({
    /** SQL over read_csv / read_parquet / read_json; the embedded counterpart of BigQueryExampleGen. */
    query: z.string().min(1, 'query must be a SQL SELECT'),
    outputConfig: outputConfigSchema.default(DEFAULT_OUTPUT_CONFIG),
    /** Files the query reads, so the cache notices when they change (optional). */
    inputFiles: z.array(z.string()).optional(),
    /** Also write each split as TFX does (gzipped TFRecord of tf.Example), for Python TFX components and tf.data. */
    writeTfExamples: z.boolean().optional(),
  })
  .strict();

/** QueryExampleGen: a DuckDB SQL query in, Parquet examples per split out. */
export const QueryExampleGen = defineComponent({
  type: 'QueryExampleGen',
  version: '1',
  inputs: {},
  outputs,
  parameters: queryParameters,
  executor: async () => (await import('./executor')).queryExampleGenExecutor,
  fingerprint: async (p) => JSON.stringify((p.inputFiles ?? []).map((f) => statSignature(path.resolve(f)))),
});

/** Like TFX's ExampleGen driver: input files' sizes and mtimes, so edited data is not served from cache. */
function fingerprintFiles(inputBase: string, patterns?: string[]): string {
  try {
    const files = patterns ? patterns.flatMap((p) => resolveInputFiles(path.join(inputBase, p))) : resolveInputFiles(inputBase);
    return JSON.stringify(files.map(statSignature));
  } catch {
    return 'unresolved';
  }
}

function statSignature(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${file}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return `${file}:missing`;
  }
}

const importParameters = z
  .object({
    /** TFX ExampleGen output: a directory of Split-<name>/ folders holding TFRecord files of tf.Example (gzipped or not). */
    inputBase: z.string().min(1, 'inputBase must name a directory of Split-<name>/ folders of TFRecord files'),
  })
  .strict();

/** TFX's ImportExampleGen: examples TFX already made (TFRecord of tf.Example per split) in, our Parquet examples out, splits kept. */
export const ImportExampleGen = defineComponent({
  type: 'ImportExampleGen',
  version: '1',
  inputs: {},
  outputs,
  parameters: importParameters,
  executor: async () => (await import('./import-executor')).importExampleGenExecutor,
  fingerprint: async (p) => {
    try {
      const splits = fs
        .readdirSync(p.inputBase)
        .filter((d) => d.startsWith('Split-'))
        .sort();
      return JSON.stringify(
        splits.flatMap((s) =>
          fs
            .readdirSync(path.join(p.inputBase, s))
            .sort()
            .map((f) => statSignature(path.join(p.inputBase, s, f))),
        ),
      );
    } catch {
      return 'unresolved';
    }
  },
});

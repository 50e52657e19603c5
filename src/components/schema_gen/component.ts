import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';

/**
 * TFX's SchemaGen: infers a Schema (TFDV's infer_schema) from the statistics of every split not
 * excluded — the first split infers, the others relax it (TFDV's update_schema) — and writes
 * `<uri>/schema.pbtxt`.
 */
export const SchemaGen = defineComponent({
  type: 'SchemaGen',
  version: '1',
  inputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  outputs: { schema: { type: standardArtifacts.Schema } },
  parameters: z
    .object({
      /** Infer `shape` for features always present with a fixed number of values (TFX default: true). */
      inferFeatureShape: z.boolean().default(true),
      excludeSplits: z.array(z.string()).default([]),
    })
    .strict(),
  executor: async () => (await import('./executor')).schemaGenExecutor,
});

/** TFX's ImportSchemaGen: a curated schema.pbtxt (or .json) becomes a Schema artifact, copied unchanged. */
export const ImportSchemaGen = defineComponent({
  type: 'ImportSchemaGen',
  version: '1',
  inputs: {},
  outputs: { schema: { type: standardArtifacts.Schema } },
  parameters: z
    .object({
      schemaFile: z.string().min(1, 'schemaFile must name a schema.pbtxt (or .json) file'),
    })
    .strict(),
  executor: async () => (await import('./executor')).importSchemaGenExecutor,
  // The file's content is the input: an edited schema must not be served from cache.
  fingerprint: async (p) => {
    try {
      const file = path.resolve(p.schemaFile);
      return fs.readFileSync(file, 'utf8');
    } catch {
      return 'unreadable';
    }
  },
});

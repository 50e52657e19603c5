import { loadSchema } from '../schema/io';
import type { Schema } from '../schema/types';
import { withInlineStyles } from './css';
import { MimeTypes, SchemaPayload } from '../protocol/mime';
import type { ArtifactView, MimeBundle } from './registry';
import { schemaHtml, schemaViewModel } from './schema-html';

/** SchemaGen's (and ImportSchemaGen's) view: TFDV's schema tables. */
export function schemaBundle(schema: Schema, options: { title?: string; id?: string } = {}): MimeBundle {
  const model = schemaViewModel(schema);
  const payload: SchemaPayload = { ...schema, vegaLite: [], ...(options.title ? { title: options.title } : {}) };
  const text = [
    `Schema: ${model.features.length} features`,
    ...model.features.map(
      (f) =>
        `  ${f.name}: ${f.type}${f.presence ? `, ${f.presence}` : ''}${f.valency ? `, ${f.valency}` : ''}${f.domain !== '-' ? `, domain ${f.domain}` : ''}`,
    ),
  ].join('\n');
  return { [MimeTypes.schema]: payload, 'text/html': withInlineStyles(schemaHtml(model, options)), 'text/plain': text };
}

/** The registered view of Schema artifacts (SchemaGen, ImportSchemaGen): the latest schema. */
export const schemaView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  return schemaBundle(loadSchema(artifact), { title: options.title });
};

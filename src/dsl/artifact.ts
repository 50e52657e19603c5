/**
 * Artifact types and artifacts, with TFX's names. A type's `name` is what the metadata store and
 * the KFP IR call it (`tfx.Examples` → schema title), so all three orchestrators agree on it.
 */
export type PropertyValue = string | number | boolean;
export type PropertyKind = 'string' | 'int' | 'double';

export interface ArtifactType {
  /** TFX's type name, e.g. "Examples"; the IR schema title is `tfx.<name>`. */
  readonly name: string;
  /** Declared properties (MLMD ArtifactType properties). */
  readonly properties: Readonly<Record<string, PropertyKind>>;
}

function artifactType(name: string, properties: Record<string, PropertyKind> = {}): ArtifactType {
  return Object.freeze({ name, properties: Object.freeze(properties) });
}

export const standardArtifacts = {
  Examples: artifactType('Examples', { span: 'int', version: 'int', split_names: 'string' }),
  ExampleStatistics: artifactType('ExampleStatistics', { span: 'int', split_names: 'string' }),
  Schema: artifactType('Schema'),
  ExampleAnomalies: artifactType('ExampleAnomalies', { span: 'int', split_names: 'string' }),
  TransformGraph: artifactType('TransformGraph'),
  TransformCache: artifactType('TransformCache'),
  FeatureSelection: artifactType('FeatureSelection'),
  HyperParameters: artifactType('HyperParameters'),
  Model: artifactType('Model'),
  ModelRun: artifactType('ModelRun'),
  ModelEvaluation: artifactType('ModelEvaluation'),
  ModelBlessing: artifactType('ModelBlessing'),
  PushedModel: artifactType('PushedModel'),
} as const;

export type StandardArtifactName = keyof typeof standardArtifacts;

export function artifactTypeByName(name: string): ArtifactType {
  const bare = name.startsWith('tfx.') ? name.slice(4) : name;
  const type = (standardArtifacts as Record<string, ArtifactType>)[bare];
  if (!type) throw new Error(`Unknown artifact type "${name}". Known types: ${Object.keys(standardArtifacts).join(', ')}.`);
  return type;
}

/** One artifact: a directory (uri) plus properties; `id` is set once the metadata store registered it. */
export class Artifact {
  id?: number;
  properties: Record<string, PropertyValue> = {};
  customProperties: Record<string, PropertyValue> = {};

  constructor(
    readonly type: ArtifactType,
    public uri: string,
  ) {}

  /** Split names as TFX stores them: a JSON list in the `split_names` property. */
  get splitNames(): string[] {
    const raw = this.properties.split_names;
    if (typeof raw !== 'string' || raw === '') return [];
    return JSON.parse(raw) as string[];
  }

  set splitNames(names: string[]) {
    this.properties.split_names = JSON.stringify(names);
  }

  toJSON(): SerializedArtifact {
    return { id: this.id, type: this.type.name, uri: this.uri, properties: this.properties, customProperties: this.customProperties };
  }

  static fromJSON(json: SerializedArtifact): Artifact {
    const artifact = new Artifact(artifactTypeByName(json.type), json.uri);
    artifact.id = json.id;
    artifact.properties = { ...(json.properties ?? {}) };
    artifact.customProperties = { ...(json.customProperties ?? {}) };
    return artifact;
  }
}

export interface SerializedArtifact {
  id?: number;
  type: string;
  uri: string;
  properties?: Record<string, PropertyValue>;
  customProperties?: Record<string, PropertyValue>;
}

/** Path of one split inside an Examples/ExampleStatistics/ExampleAnomalies artifact, as TFX lays it out. */
export function splitUri(artifactUri: string, split: string): string {
  return `${artifactUri.replace(/\/+$/, '')}/Split-${split}`;
}

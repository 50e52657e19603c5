import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Artifact, artifactTypeByName, PropertyValue } from '../../dsl/artifact';
import { componentSpecByType, ExecutorContext, InputsDecl, OutputsDecl } from '../../dsl/component';
import { formatZodError, UserError } from '../../util/errors';
import { resolveRuntimePlaceholders } from '../../dsl/runtime-parameter';
import { buildExecutorContext } from '../executor-context';
import { HTML_VIEW_OUTPUT, htmlViewOutputs, htmlViewPage } from './html-view';

/**
 * The container side of a KFP task: KFP's launcher hands the task an ExecutorInput (JSON through the
 * `{{$}}` placeholder); we turn it into the same ExecutorContext the notebook and the local runner
 * build, run the component's executor, and write the ExecutorOutput file the launcher reads back
 * (artifact metadata such as split_names, which it records and passes to downstream tasks).
 */

const runtimeArtifactSchema = z
  .object({
    name: z.string().optional(),
    type: z.object({ schemaTitle: z.string().optional() }).passthrough().optional(),
    uri: z.string({ required_error: 'every artifact needs a uri' }),
    metadata: z.record(z.unknown()).optional(),
  })
  .passthrough();
const artifactListSchema = z.object({ artifacts: z.array(runtimeArtifactSchema) }).passthrough();

// Passthrough: the launcher adds fields across KFP versions; we read only what we need.
export const executorInputSchema = z
  .object({
    inputs: z
      .object({
        parameterValues: z.record(z.unknown()).optional(),
        artifacts: z.record(artifactListSchema).optional(),
      })
      .passthrough()
      .optional(),
    outputs: z
      .object({
        artifacts: z.record(artifactListSchema).optional(),
        parameters: z.record(z.object({ outputFile: z.string() }).passthrough()).optional(),
        outputFile: z.string({ required_error: 'outputs.outputFile (where the executor output goes) is missing' }),
      })
      .passthrough(),
  })
  .passthrough();

export type ExecutorInput = z.infer<typeof executorInputSchema>;
export type RuntimeArtifact = z.infer<typeof runtimeArtifactSchema>;

/**
 * Metadata of an output its executor left empty (see runExecutorFromInput): 1, since KFP's launcher
 * stores metadata in ML Metadata, where a boolean becomes the integer 1 (metadata/converter.go).
 */
export const ABSENT_ARTIFACT = 'tfx_ts_absent';

function isAbsent(artifact: RuntimeArtifact): boolean {
  const marker = artifact.metadata?.[ABSENT_ARTIFACT];
  return marker === 1 || marker === true || marker === '1';
}

export interface ExecutorOutput {
  artifacts: Record<string, { artifacts: { name?: string; uri: string; metadata: Record<string, unknown> }[] }>;
}

export function parseExecutorInput(text: string): ExecutorInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `--executor-input is not JSON: ${(error as Error).message}.`,
      'KFP passes it through the {{$}} placeholder; when running by hand, pass the JSON (or @file.json).',
    );
  }
  const parsed = executorInputSchema.safeParse(json);
  if (!parsed.success)
    throw new UserError(
      `--executor-input is not a KFP ExecutorInput: ${formatZodError(parsed.error)}.`,
      'it needs inputs.{parameterValues,artifacts} and outputs.{artifacts,outputFile}.',
    );
  return parsed.data;
}

/**
 * Where a URI's files are inside the container, as KFP's launcher mounts them: gs://b/x → /gcs/b/x,
 * s3:// → /s3/, minio:// → /minio/. `mountRoot` moves those mounts (tests use a temp directory).
 */
export function localPathForUri(uri: string, mountRoot = process.env.TFX_TS_KFP_MOUNT_ROOT ?? '/'): string {
  const mounts: Record<string, string> = { 'gs://': 'gcs', 's3://': 's3', 'minio://': 'minio' };
  for (const [scheme, mount] of Object.entries(mounts)) {
    if (uri.startsWith(scheme)) return path.join(mountRoot, mount, uri.slice(scheme.length));
  }
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (path.isAbsolute(uri)) return uri;
  throw new UserError(
    `Artifact URI ${uri} has a storage scheme the KFP launcher does not mount.`,
    'use a pipeline root on gs://, s3:// or minio:// (the launcher mounts those at /gcs, /s3, /minio).',
  );
}

export interface RunExecutorOptions {
  componentType: string;
  componentId?: string;
  pipelineName?: string;
  mountRoot?: string;
  log?: (message: string) => void;
}

export async function runExecutorFromInput(input: ExecutorInput, options: RunExecutorOptions): Promise<ExecutorOutput> {
  const spec = componentSpecByTypeOrExplain(options.componentType);
  const componentId = options.componentId ?? spec.type;
  const log = options.log ?? ((message: string) => console.log(message));
  const toLocal = (uri: string) => localPathForUri(uri, options.mountRoot);

  const inputs: Record<string, Artifact[]> = {};
  for (const [key, decl] of Object.entries(spec.inputs as InputsDecl)) {
    // KFP passes every output its producer declared; one marked absent was left empty by it.
    const given = input.inputs?.artifacts?.[key]?.artifacts?.filter((a) => !isAbsent(a));
    if (!given || given.length === 0) {
      if (!decl.optional)
        throw new UserError(
          `${componentId}: the executor input has no artifact for required input "${key}" (${decl.type.name})${input.inputs?.artifacts?.[key]?.artifacts?.length ? ': its producer published none' : ''}.`,
          'wire it in the pipeline; the compiled task must read it from its producer task.',
        );
      continue;
    }
    inputs[key] = given.map((runtime) => toArtifact(runtime, decl.type.name, `${componentId} input "${key}"`, toLocal(runtime.uri)));
  }

  const outputs: Record<string, Artifact[]> = {};
  const outputUris: Record<string, RuntimeArtifact> = {};
  for (const [key, decl] of Object.entries(spec.outputs as OutputsDecl)) {
    const given = input.outputs.artifacts?.[key]?.artifacts?.[0];
    if (!given)
      throw new UserError(
        `${componentId}: the executor input has no uri for output "${key}".`,
        'compile the pipeline again with this tfx-ts version; every declared output must be in outputDefinitions.',
      );
    const local = toLocal(given.uri);
    fs.mkdirSync(local, { recursive: true });
    outputs[key] = [toArtifact({ ...given, metadata: {} }, decl.type.name, `${componentId} output "${key}"`, local)];
    outputUris[key] = given;
  }

  // Run-time values (RuntimeParameter) go where the compiler left KFP placeholders for them.
  const parsed = spec.parameters.safeParse(resolveRuntimePlaceholders(input.inputs?.parameterValues ?? {}));
  if (!parsed.success) {
    throw new UserError(
      `${componentId}: the task's parameters do not fit ${spec.type}: ${formatZodError(parsed.error)}.`,
      'the image and the compiled spec come from different tfx-ts versions? Rebuild the image and compile again.',
    );
  }

  let lastDecile = -1;
  const context = buildExecutorContext<unknown>({
    inputs,
    outputs,
    parameters: parsed.data,
    componentId,
    pipelineName: options.pipelineName ?? '',
    sinks: {
      progress: (fraction, message) => {
        const decile = Math.floor(fraction * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        log(`[${componentId}] ${decile * 10}%${message ? ` ${message}` : ''}`);
      },
      // A container has no notebook to show a live view in; the KFP UI shows logs only.
      log: (message) => log(`[${componentId}] ${message}`),
    },
  });
  const executor = await spec.executor();
  await executor(context as ExecutorContext<never>);

  const output: ExecutorOutput = { artifacts: {} };
  for (const [key, [artifact]] of Object.entries(outputs)) {
    const runtime = outputUris[key];
    // An executor may leave an output empty (a resolver that found nothing). KFP's launcher records
    // every declared output all the same and hands it downstream, so it is marked absent, and the
    // consumer's entrypoint (above) drops it: the consumer sees no artifact, as in a local run.
    const metadata = artifact ? { ...artifact.customProperties, ...artifact.properties } : { [ABSENT_ARTIFACT]: 1 };
    output.artifacts[key] = { artifacts: [{ ...(runtime.name ? { name: runtime.name } : {}), uri: runtime.uri, metadata }] };
  }
  const view = input.outputs.artifacts?.[HTML_VIEW_OUTPUT]?.artifacts?.[0];
  if (view) {
    // The notebook's views of this task's outputs, as the system.HTML page the KFP UI shows.
    const page = await htmlViewPage(componentId, outputs, htmlViewOutputs(spec.outputs as OutputsDecl), (message) => log(`[${componentId}] ${message}`));
    const file = toLocal(view.uri);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, page);
    output.artifacts[HTML_VIEW_OUTPUT] = { artifacts: [{ ...(view.name ? { name: view.name } : {}), uri: view.uri, metadata: {} }] };
  }
  fs.mkdirSync(path.dirname(input.outputs.outputFile), { recursive: true });
  fs.writeFileSync(input.outputs.outputFile, JSON.stringify(output));
  return output;
}

function componentSpecByTypeOrExplain(type: string) {
  try {
    return componentSpecByType(type);
  } catch (error) {
    throw new UserError(
      `${(error as Error).message}`,
      'custom components must be importable in the container: compile with componentModules so the task passes --component-module <file>.',
    );
  }
}

/** KFP metadata → TFX properties (the type's declared ones) and custom properties (the rest). */
function toArtifact(runtime: RuntimeArtifact, declaredType: string, what: string, localPath: string): Artifact {
  const title = runtime.type?.schemaTitle;
  if (title && title.replace(/^tfx\./, '') !== declaredType) {
    throw new UserError(
      `${what} is a ${title} artifact, but the component expects tfx.${declaredType}.`,
      'the compiled spec does not match this component; compile the pipeline again.',
    );
  }
  const type = artifactTypeByName(declaredType);
  const artifact = new Artifact(type, localPath);
  for (const [key, value] of Object.entries(runtime.metadata ?? {})) {
    const property: PropertyValue = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
    if (key in type.properties) artifact.properties[key] = property;
    else artifact.customProperties[key] = property;
  }
  return artifact;
}

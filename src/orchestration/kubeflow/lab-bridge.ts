import { z } from 'zod';
import { getCurrentInteractiveContext, InteractiveContext } from '../interactive/context';
import { formatZodError, UserError } from '../../util/errors';
import { AUTH_MODES } from './auth';
import { KfpApiError, KfpClient } from './client';
import { compileForDeploy, deploy, DeployOptions, exportPipeline, uploadOrAddVersion } from './deploy';
import { uploadCodePackage } from './code-package';
import { findInlineParameter, InlineComponentError } from './compiler';
import { InvalidPipelineSpecError } from './validate';
import { CPU_PATTERN, MEMORY_PATTERN } from './resources';

/**
 * The notebook kernel's side of the JupyterLab "Deploy to Kubeflow" panel (docs/lab-bridge.md).
 * Each method runs in the user's tslab kernel, where the InteractiveContext knows what ran, and
 * prints exactly one line: `__TFX_TS_BRIDGE__` + {"ok": true, "result": ...} or
 * {"ok": false, "error": {code, message, hint}}. Secrets arrive in the options of one call and are
 * never printed, stored or compiled; only authMode is echoed.
 */
export const BRIDGE_MARKER = '__TFX_TS_BRIDGE__';

export type BridgeErrorCode = 'NO_INTERACTIVE_CONTEXT' | 'INLINE_COMPONENT' | 'INVALID_OPTIONS' | 'UNREACHABLE' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_SPEC' | 'KFP_ERROR';

class BridgeError extends Error {
  constructor(readonly code: BridgeErrorCode, message: string, readonly hint?: string) {
    super(message);
  }
}

const connectionShape = {
  endpoint: z.string({ required_error: 'endpoint is required (e.g. http://127.0.0.1:8888/pipeline)' }).min(1, 'endpoint is empty'),
  namespace: z.string().optional(),
  authMode: z.enum(AUTH_MODES as [string, ...string[]], { errorMap: () => ({ message: `authMode must be one of ${AUTH_MODES.join(', ')}` }) }),
  token: z.string().optional(),
  cookie: z.string().optional(),
  tokenPath: z.string().optional(),
};
const componentSettings = z.object({
  cpu: z.string().regex(CPU_PATTERN, 'cpu must be a Kubernetes CPU quantity such as "2", "0.5" or "500m"').optional(),
  memory: z.string().regex(MEMORY_PATTERN, 'memory must be a Kubernetes memory quantity such as "4Gi" or "512Mi"').optional(),
  gpu: z.number().int('gpu must be a whole number').min(0, 'gpu must not be negative').optional(),
  enableCache: z.boolean().optional(),
}).strict();
const deployShape = {
  ...connectionShape,
  pipelineName: z.string().optional(),
  image: z.string().optional(),
  /** Where the cluster writes artifacts (s3://, minio://, gs://); the code package goes there too. */
  pipelineRoot: z.string().optional(),
  /** Runtime values of the pipeline's RuntimeParameters (describe() lists them). */
  parameters: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
  components: z.record(componentSettings).optional(),
};
const connectionSchema = z.object(connectionShape).strict();
const deploySchema = z.object(deployShape).strict();
// Compiling needs no server, so a half-filled form can still preview the YAML.
const compileSchema = z.object({ ...deployShape, endpoint: z.string().optional(), authMode: connectionShape.authMode.optional() }).strict();
const runSchema = z.object({ ...deployShape, experimentName: z.string().min(1, 'experimentName is empty') }).strict();
const runStatusSchema = z.object({ ...connectionShape, runId: z.string().min(1, 'runId is empty') }).strict();

type DeployBridgeOptions = z.infer<typeof deploySchema>;

function parseOptions<S extends z.ZodTypeAny>(schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw new BridgeError('INVALID_OPTIONS', `Invalid options: ${formatZodError(parsed.error)}.`, 'fill in the panel\'s fields; see docs/lab-bridge.md for the option names.');
  return parsed.data;
}

function currentContext(): InteractiveContext {
  const context = getCurrentInteractiveContext();
  if (!context) {
    throw new BridgeError('NO_INTERACTIVE_CONTEXT', 'This notebook has no InteractiveContext yet.', 'create one and run your components first: const context = new InteractiveContext(); await context.run(exampleGen);');
  }
  return context;
}

function exportFromContext(options: { pipelineName?: string; image?: string; pipelineRoot?: string; components?: Record<string, unknown> }) {
  const context = currentContext();
  const pipeline = exportPipeline(context, { pipelineName: options.pipelineName || undefined, image: options.image || undefined, pipelineRoot: options.pipelineRoot || undefined });
  for (const id of Object.keys(options.components ?? {})) {
    if (!pipeline.components.some((c) => c.id === id)) {
      throw new BridgeError('INVALID_OPTIONS', `Settings were given for component "${id}", which has not run in this notebook.`, `use one of: ${pipeline.components.map((c) => c.id).join(', ')}.`);
    }
  }
  return { context, pipeline };
}

function deployOptions(options: DeployBridgeOptions): DeployOptions {
  return {
    endpoint: options.endpoint,
    namespace: options.namespace || undefined,
    authMode: options.authMode as DeployOptions['authMode'],
    token: options.token,
    cookie: options.cookie,
    tokenPath: options.tokenPath || undefined,
    image: options.image || undefined,
    pipelineName: options.pipelineName || undefined,
    components: options.components,
    parameters: options.parameters,
  };
}

/** Connection problems found before any request (missing token, bad URL) are the user's options. */
function connect(options: z.infer<typeof connectionSchema>): KfpClient {
  try {
    return new KfpClient({ ...options, authMode: options.authMode as DeployOptions['authMode'], namespace: options.namespace || undefined, tokenPath: options.tokenPath || undefined });
  } catch (error) {
    if (error instanceof UserError) throw new BridgeError('INVALID_OPTIONS', messageOf(error), error.hint);
    throw error;
  }
}

async function answer(work: () => Promise<unknown>): Promise<void> {
  let line: object;
  try {
    line = { ok: true, result: await work() };
  } catch (error) {
    line = { ok: false, error: toBridgeError(error) };
  }
  console.log(`${BRIDGE_MARKER}${JSON.stringify(line)}`);
}

function messageOf(error: Error): string {
  return error.message.split('\n  Fix: ')[0];
}

function toBridgeError(error: unknown): { code: BridgeErrorCode; message: string; hint?: string } {
  if (error instanceof BridgeError) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof KfpApiError) return { code: error.code, message: error.summary, hint: error.hintText };
  if (error instanceof InlineComponentError) return { code: 'INLINE_COMPONENT', message: messageOf(error), hint: error.hint };
  if (error instanceof InvalidPipelineSpecError) return { code: 'INVALID_SPEC', message: messageOf(error), hint: error.hint };
  if (error instanceof UserError) return { code: 'INVALID_OPTIONS', message: messageOf(error), ...(error.hint ? { hint: error.hint } : {}) };
  return { code: 'KFP_ERROR', message: (error as Error)?.message ?? String(error) };
}

export const labBridge = {
  /** What ran in this notebook: the pipeline the panel would deploy. */
  describe(): Promise<void> {
    return answer(async () => {
      const context = currentContext();
      // The panel shows one field per RuntimeParameter; its value goes to run({ parameters }).
      const parameters = new Map<string, { name: string; type: string; default: unknown; description?: string; usedBy: string[] }>();
      for (const component of context.components) {
        for (const { parameter, path: at } of component.runtimeParameters) {
          const entry = parameters.get(parameter.name) ?? { name: parameter.name, type: parameter.ptype, default: parameter.default, ...(parameter.description ? { description: parameter.description } : {}), usedBy: [] };
          entry.usedBy.push(`${component.id}.${at.join('.')}`);
          parameters.set(parameter.name, entry);
        }
      }
      return {
        pipelineName: context.pipelineName,
        pipelineRoot: context.pipelineRoot,
        parameters: [...parameters.values()],
        components: context.components.map((component) => {
          const moduleParameter = (component.spec.fileParameters ?? []).find((key) => typeof (component.parameters as Record<string, unknown>)[key] === 'string');
          return {
            id: component.id,
            type: component.type,
            ...(moduleParameter ? { moduleFile: (component.parameters as Record<string, string>)[moduleParameter] } : {}),
            inline: findInlineParameter(component) !== undefined,
          };
        }),
      };
    });
  },

  compile(options: unknown): Promise<void> {
    return answer(async () => {
      const o = parseOptions(compileSchema, options);
      const { pipeline } = exportFromContext(o);
      const { yaml, uploadName, codePackage } = compileForDeploy(pipeline, { image: o.image || undefined, pipelineName: o.pipelineName || undefined, components: o.components });
      // A preview uploads nothing: the spec names the package by digest, Upload/Run send it.
      codePackage?.dispose();
      return { yaml, pipelineName: uploadName, ...(codePackage ? { codePackage: { uri: codePackage.ref.uri, files: codePackage.ref.fileCount, bytes: codePackage.ref.bytes } } : {}) };
    });
  },

  listExperiments(options: unknown): Promise<void> {
    return answer(async () => {
      const client = connect(parseOptions(connectionSchema, options));
      const experiments = await client.listExperiments();
      return { experiments: experiments.map((e) => ({ id: e.experiment_id, name: e.display_name })) };
    });
  },

  upload(options: unknown): Promise<void> {
    return answer(async () => {
      const o = parseOptions(deploySchema, options);
      const client = connect(o);
      const { pipeline } = exportFromContext(o);
      const { yaml, uploadName, codePackage } = compileForDeploy(pipeline, deployOptions(o));
      if (codePackage) await uploadCodePackage(codePackage);
      return uploadOrAddVersion(client, yaml, uploadName, undefined);
    });
  },

  run(options: unknown): Promise<void> {
    return answer(async () => {
      const o = parseOptions(runSchema, options);
      connect(o);
      const { pipeline } = exportFromContext(o);
      const result = await deploy(pipeline, { ...deployOptions(o), experimentName: o.experimentName });
      return { runId: result.runId, runUrl: result.runUrl, pipelineId: result.pipelineId, pipelineVersionId: result.pipelineVersionId };
    });
  },

  runStatus(options: unknown): Promise<void> {
    return answer(async () => {
      const o = parseOptions(runStatusSchema, options);
      const client = connect(o);
      const run = await client.getRun(o.runId);
      return {
        runId: run.run_id,
        state: run.state ?? 'RUNTIME_STATE_UNSPECIFIED',
        tasks: (run.run_details?.task_details ?? []).map((t) => ({ name: t.display_name ?? t.task_id ?? '', state: t.state ?? 'RUNTIME_STATE_UNSPECIFIED' })),
        runUrl: client.runUrl(run.run_id),
      };
    });
  },
};

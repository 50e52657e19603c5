import { z } from 'zod';
import { AUTH_MODES } from './auth';

/**
 * The kernel bridge contract (docs/lab-bridge.md): the JupyterLab panel runs
 * `await require("tfx-ts").labBridge.<method>(<JSON options>)` silently in the notebook's tslab
 * kernel; the bridge prints exactly one line, BRIDGE_MARKER + {"ok": true, "result": ...} or
 * {"ok": false, "error": {code, message, hint}}. Both sides import this module, so the method
 * names, option schemas, result shapes, marker and error codes have one home.
 *
 * Browser-safe on purpose (no Node imports): the lab extension bundles it.
 */

/** Starts the bridge's answer line on stdout. */
export const BRIDGE_MARKER = '__TFX_TS_BRIDGE__';

/** The module the panel requires in the kernel. */
export const BRIDGE_MODULE = 'tfx-ts';

/** Errors the kernel side reports. */
export const KERNEL_ERROR_CODES = [
  'NO_INTERACTIVE_CONTEXT',
  'INLINE_COMPONENT',
  'INVALID_OPTIONS',
  'UNREACHABLE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_SPEC',
  'KFP_ERROR',
  /** openRun: the run has not ended yet. */
  'RUN_NOT_FINISHED',
  /** openRun: a finished task's output is not on object storage. */
  'ARTIFACT_MISSING',
  /** openRun: the kernel cannot reach (or read) the pipeline root's object store. */
  'STORE_UNREACHABLE',
] as const;

/** Errors the panel side reports when the kernel cannot answer. */
export const PANEL_ERROR_CODES = [
  'NO_KERNEL',
  'WRONG_KERNEL',
  'BRIDGE_UNAVAILABLE',
  'KERNEL_ERROR',
  'KERNEL_TIMEOUT',
  'NO_BRIDGE_OUTPUT',
  'BAD_BRIDGE_OUTPUT',
] as const;

export type KernelErrorCode = (typeof KERNEL_ERROR_CODES)[number];
export type PanelErrorCode = (typeof PANEL_ERROR_CODES)[number];
export type BridgeErrorCode = KernelErrorCode | PanelErrorCode;

/** The KFP SDK's validation patterns (set_cpu_limit / set_memory_limit). */
export const CPU_PATTERN = /^([0-9]*\.?[0-9]+|[0-9]+m)$/;
export const MEMORY_PATTERN = /^[0-9]+(\.[0-9]+)?(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki|k)?$/;

const connectionShape = {
  endpoint: z.string({ required_error: 'endpoint is required (e.g. http://127.0.0.1:8888/pipeline)' }).min(1, 'endpoint is empty'),
  namespace: z.string().optional(),
  authMode: z.enum(AUTH_MODES, { errorMap: () => ({ message: `authMode must be one of ${AUTH_MODES.join(', ')}` }) }),
  /** Bearer token (authMode "bearer"); never printed, stored or compiled. */
  token: z.string().optional(),
  /** Cookie header value (authMode "cookie"); never printed, stored or compiled. */
  cookie: z.string().optional(),
  /** Service-account token file (authMode "serviceAccount"). */
  tokenPath: z.string().optional(),
};

/** The panel's per-step settings. */
export const componentResourcesSchema = z
  .object({
    cpu: z.string().regex(CPU_PATTERN, 'cpu must be a Kubernetes CPU quantity such as "2", "0.5" or "500m"').optional(),
    memory: z.string().regex(MEMORY_PATTERN, 'memory must be a Kubernetes memory quantity such as "4Gi" or "512Mi"').optional(),
    gpu: z.number().int('gpu must be a whole number').min(0, 'gpu must not be negative').optional(),
    enableCache: z.boolean().optional(),
  })
  .strict();

const deployShape = {
  ...connectionShape,
  pipelineName: z.string().optional(),
  image: z.string().optional(),
  /** Where the cluster writes artifacts (s3://, minio://, gs://); the code package goes there too. */
  pipelineRoot: z.string().optional(),
  /** Run-time values of the pipeline's RuntimeParameters (DescribeResult.parameters). */
  parameters: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
  components: z.record(componentResourcesSchema).optional(),
};

export const connectionOptionsSchema = z.object(connectionShape).strict();
export const deployOptionsSchema = z.object(deployShape).strict();
/** Compiling needs no server, so a half-filled form can still preview the YAML. */
export const compileOptionsSchema = z.object({ ...deployShape, endpoint: z.string().optional(), authMode: connectionShape.authMode.optional() }).strict();
export const runOptionsSchema = z.object({ ...deployShape, experimentName: z.string().min(1, 'experimentName is empty') }).strict();
export const runStatusOptionsSchema = z.object({ ...connectionShape, runId: z.string().min(1, 'runId is empty') }).strict();
/** Download a finished run's viewable artifacts into the kernel's cache (the cell the panel inserts then shows them). */
export const openRunOptionsSchema = z
  .object({ ...connectionShape, runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'runId is not a KFP run id'), refresh: z.boolean().optional() })
  .strict();

export type ConnectionOptions = z.infer<typeof connectionOptionsSchema>;
export type ComponentResources = z.infer<typeof componentResourcesSchema>;
export type DeployOptions = z.infer<typeof deployOptionsSchema>;
export type CompileOptions = z.infer<typeof compileOptionsSchema>;
export type RunOptions = z.infer<typeof runOptionsSchema>;
export type RunStatusOptions = z.infer<typeof runStatusOptionsSchema>;
export type OpenRunOptions = z.infer<typeof openRunOptionsSchema>;

export interface ComponentInfo {
  id: string;
  type: string;
  moduleFile?: string;
  /** true when a parameter holds a function: such a component cannot ship to a container. */
  inline: boolean;
}

export type RuntimeParameterKind = 'int' | 'float' | 'string' | 'bool';

/**
 * A RuntimeParameter's value as its type: from JSON, from text (a panel field, `--parameter k=v`).
 * The one check both the kernel (coerceRuntimeValue) and the panel's fields use.
 */
export function parseRuntimeValue(
  type: RuntimeParameterKind,
  value: unknown,
): { ok: true; value: number | string | boolean } | { ok: false; expected: string; example: string } {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  switch (type) {
    case 'int':
      return typeof number === 'number' && Number.isInteger(number) ? { ok: true, value: number } : { ok: false, expected: 'an integer', example: '100' };
    case 'float':
      return typeof number === 'number' && Number.isFinite(number) ? { ok: true, value: number } : { ok: false, expected: 'a number', example: '0.5' };
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value };
      return value === 'true' || value === 'false' ? { ok: true, value: value === 'true' } : { ok: false, expected: 'true or false', example: 'true' };
    default:
      return typeof value === 'string' ? { ok: true, value } : { ok: false, expected: 'a string', example: 'text' };
  }
}

/** A RuntimeParameter the notebook's components use: the panel shows one field per entry. */
export interface RuntimeParameterInfo {
  name: string;
  type: RuntimeParameterKind;
  default: string | number | boolean;
  description?: string;
  /** Where it is used: "<component id>.<parameter path>". */
  usedBy: string[];
}

export interface DescribeResult {
  pipelineName: string;
  pipelineRoot: string;
  components: ComponentInfo[];
  parameters: RuntimeParameterInfo[];
}

/** Something the compiler changed or left out (e.g. a Resolver on Kubeflow), about one component when componentId is set. */
export interface CompileWarning {
  componentId?: string;
  message: string;
}

export interface CompileResult {
  yaml: string;
  pipelineName: string;
  /** The panel shows them as notices and marks the components' rows. */
  warnings?: CompileWarning[];
  /** The code package the spec names (uploaded by upload/run, not by compile). */
  codePackage?: { uri: string; files: number; bytes: number };
}

export interface Experiment {
  id: string;
  name: string;
}

export interface ListExperimentsResult {
  experiments: Experiment[];
}

export interface UploadResult {
  pipelineId: string;
  pipelineVersionId: string;
  created: boolean;
}

export interface RunResult {
  runId: string;
  runUrl: string;
  pipelineId: string;
  pipelineVersionId: string;
}

export interface TaskStatus {
  name: string;
  state: string;
}

export interface RunStatusResult {
  runId: string;
  state: string;
  tasks: TaskStatus[];
  runUrl: string;
}

/** A finished run's outputs, downloaded into the kernel's cache by the openRun bridge call. */
export interface OpenRunResult {
  runId: string;
  displayName: string;
  state: string;
  /** The outputs with a notebook view, in task order. */
  outputs: { task: string; output: string; type: string }[];
  /** Tasks whose outputs were not opened (failed, taken from the cache, ...). */
  skippedTasks: { task: string; state: string; reason: string }[];
  fromCache: boolean;
  files: number;
  bytes: number;
  /** The notebook cell that shows the views (openRunCellCode): no secret in it, it reads the cache. */
  cellCode: string;
}

/**
 * The code of the notebook cell the panel inserts after openRun: the views come from the kernel's
 * cache, so the cell holds the run id and endpoint but never a token or cookie.
 */
export function openRunCellCode(runId: string, endpoint: string, moduleName: string = BRIDGE_MODULE): string {
  return [
    `// Kubeflow run ${runId}, opened from the Kubeflow panel (its outputs are in the local run cache).`,
    `await require(${JSON.stringify(moduleName)}).openRun(${JSON.stringify(runId)}, { endpoint: ${JSON.stringify(endpoint)} })`,
  ].join('\n');
}

/** The methods of the bridge, their options and their results. */
export interface BridgeMethods {
  describe: { options: undefined; result: DescribeResult };
  compile: { options: CompileOptions; result: CompileResult };
  listExperiments: { options: ConnectionOptions; result: ListExperimentsResult };
  upload: { options: DeployOptions; result: UploadResult };
  run: { options: RunOptions; result: RunResult };
  runStatus: { options: RunStatusOptions; result: RunStatusResult };
  openRun: { options: OpenRunOptions; result: OpenRunResult };
}

export type BridgeMethod = keyof BridgeMethods;

/** Every method, for both sides to check against (a test fails when the kernel lacks one). */
export const BRIDGE_METHODS: readonly BridgeMethod[] = ['describe', 'compile', 'listExperiments', 'upload', 'run', 'runStatus', 'openRun'];

/** The option schema the kernel checks each method's options against (describe takes none). */
export const BRIDGE_OPTION_SCHEMAS = {
  compile: compileOptionsSchema,
  listExperiments: connectionOptionsSchema,
  upload: deployOptionsSchema,
  run: runOptionsSchema,
  runStatus: runStatusOptionsSchema,
  openRun: openRunOptionsSchema,
} as const;

export interface BridgeErrorBody {
  code: BridgeErrorCode;
  message: string;
  hint?: string;
}

export type BridgeAnswer<R = unknown> = { ok: true; result: R } | { ok: false; error: BridgeErrorBody };

/** Run states after which polling stops. */
export const TERMINAL_RUN_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);

/** The TypeScript the panel executes in the kernel for one call (options embed as a JSON literal, a valid TS expression). */
export function bridgeCode(method: BridgeMethod, options?: unknown, moduleName: string = BRIDGE_MODULE): string {
  const args = options === undefined ? '' : JSON.stringify(options);
  return `await require(${JSON.stringify(moduleName)}).labBridge.${method}(${args})`;
}

/** The one line the kernel prints for an answer. */
export function formatBridgeAnswer(answer: BridgeAnswer): string {
  return `${BRIDGE_MARKER}${JSON.stringify(answer)}`;
}

/**
 * Finds the answer line in what a bridge call wrote to stdout. Returns undefined when there is no
 * marker line; throws BridgeOutputError when the line is there but is not an answer.
 */
export function parseBridgeAnswer(stdout: string): BridgeAnswer | undefined {
  const lines = stdout.split(/\r?\n/);
  // The last marker line wins (a bridge prints exactly one; be lenient).
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i].indexOf(BRIDGE_MARKER);
    if (at === -1) continue;
    const json = lines[i].slice(at + BRIDGE_MARKER.length).trim();
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new BridgeOutputError(`The kernel's answer is not valid JSON: ${json.slice(0, 200)}`);
    }
    if (parsed && typeof parsed === 'object' && typeof (parsed as { ok?: unknown }).ok === 'boolean') return parsed as BridgeAnswer;
    throw new BridgeOutputError(`The kernel's answer has no "ok" field: ${json.slice(0, 200)}`);
  }
  return undefined;
}

/** A marker line that is not a valid answer (code BAD_BRIDGE_OUTPUT). */
export class BridgeOutputError extends Error {
  readonly code: PanelErrorCode = 'BAD_BRIDGE_OUTPUT';
  constructor(message: string) {
    super(message);
    this.name = 'BridgeOutputError';
  }
}

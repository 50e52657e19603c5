/**
 * Types of the kernel bridge (docs/lab-bridge.md is the contract).
 *
 * The panel calls `require("tfx-ts").labBridge.<method>(<options>)` in the notebook's kernel; the
 * bridge prints one line, `__TFX_TS_BRIDGE__{"ok": ..., ...}`, on stdout.
 */

export type AuthMode = 'none' | 'bearer' | 'cookie' | 'serviceAccount';

export interface ConnectionOptions {
  endpoint: string;
  namespace?: string;
  authMode: AuthMode;
  /** Bearer token (authMode "bearer"); kept in memory only. */
  token?: string;
  /** Cookie header value (authMode "cookie"); kept in memory only. */
  cookie?: string;
  /** Service-account token file (authMode "serviceAccount"). */
  tokenPath?: string;
}

export interface ComponentResources {
  cpu?: string;
  memory?: string;
  gpu?: number;
  enableCache?: boolean;
}

export interface DeployOptions extends ConnectionOptions {
  pipelineName?: string;
  image?: string;
  components?: Record<string, ComponentResources>;
}

export interface RunOptions extends DeployOptions {
  experimentName: string;
}

export interface ComponentInfo {
  id: string;
  type: string;
  moduleFile?: string;
  inline: boolean;
}

export interface DescribeResult {
  pipelineName: string;
  pipelineRoot: string;
  components: ComponentInfo[];
}

export interface CompileResult {
  yaml: string;
  pipelineName: string;
  /** What the compiler changed or left out (e.g. a Resolver on Kubeflow), per component. */
  warnings?: { componentId?: string; message: string }[];
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

/** The methods of the bridge, their options and their results. */
export interface BridgeMethods {
  describe: { options: undefined; result: DescribeResult };
  compile: { options: DeployOptions; result: CompileResult };
  listExperiments: { options: ConnectionOptions; result: ListExperimentsResult };
  upload: { options: DeployOptions; result: UploadResult };
  run: { options: RunOptions; result: RunResult };
  runStatus: { options: ConnectionOptions & { runId: string }; result: RunStatusResult };
}

export type BridgeMethod = keyof BridgeMethods;

/** Error codes the bridge itself reports. */
export type BridgeErrorCode =
  | 'NO_INTERACTIVE_CONTEXT'
  | 'INLINE_COMPONENT'
  | 'INVALID_OPTIONS'
  | 'UNREACHABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'INVALID_SPEC'
  | 'KFP_ERROR'
  // Raised on the panel's side of the bridge:
  | 'NO_KERNEL'
  | 'BRIDGE_UNAVAILABLE'
  | 'KERNEL_ERROR'
  | 'KERNEL_TIMEOUT'
  | 'NO_BRIDGE_OUTPUT'
  | 'BAD_BRIDGE_OUTPUT';

/** Run states after which polling stops. */
export const TERMINAL_RUN_STATES: ReadonlySet<string> = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'SKIPPED'
]);

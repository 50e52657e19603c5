import type { z } from 'zod';
import type { InteractiveContext } from './interactive-context';
import { getCurrentInteractiveContext } from './context-registry';
import { formatZodError, UserError } from '../util/errors';
import {
  BridgeAnswer,
  BridgeErrorBody,
  BridgeMethods,
  compileOptionsSchema,
  connectionOptionsSchema,
  DeployOptions as BridgeDeployOptions,
  deployOptionsSchema,
  formatBridgeAnswer,
  KernelErrorCode,
  openRunCellCode,
  openRunOptionsSchema,
  RuntimeParameterInfo,
  runOptionsSchema,
  runStatusOptionsSchema,
} from '../protocol/bridge';
import { KfpApiError, KfpClient } from '../orchestration/kubeflow/client';
import { compileForDeploy, deploy, DeployOptions, uploadOrAddVersion } from '../orchestration/kubeflow/deploy';
import { findInlineParameter, InlineComponentError } from '../orchestration/kubeflow/compiler';
import { uploadCodePackage } from '../orchestration/kubeflow/code-package';
import { InvalidPipelineSpecError } from '../orchestration/kubeflow/validate';
import { fetchRun, OpenRunError } from './open-run';

/**
 * The notebook kernel's side of the JupyterLab "Deploy to Kubeflow" panel (docs/lab-bridge.md;
 * the contract, shared with the panel, is protocol/bridge.ts). Each method runs in the user's
 * tslab kernel, where the InteractiveContext knows what ran, and prints exactly one answer line.
 * Secrets arrive in the options of one call and are never printed, stored or compiled; only
 * authMode is echoed.
 */

class BridgeError extends Error {
  constructor(
    readonly code: KernelErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function parseOptions<S extends z.ZodTypeAny>(schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success)
    throw new BridgeError(
      'INVALID_OPTIONS',
      `Invalid options: ${formatZodError(parsed.error)}.`,
      "fill in the panel's fields; see docs/lab-bridge.md for the option names.",
    );
  return parsed.data;
}

function currentContext(): InteractiveContext {
  const context = getCurrentInteractiveContext();
  if (!context) {
    throw new BridgeError(
      'NO_INTERACTIVE_CONTEXT',
      'This notebook has no InteractiveContext yet.',
      'create one and run your components first: const context = new InteractiveContext(); await context.run(exampleGen);',
    );
  }
  return context;
}

function exportFromContext(options: { pipelineName?: string; image?: string; pipelineRoot?: string; components?: Record<string, unknown> }) {
  const context = currentContext();
  const pipeline = context.exportPipeline({
    pipelineName: options.pipelineName || undefined,
    image: options.image || undefined,
    pipelineRoot: options.pipelineRoot || undefined,
  });
  for (const id of Object.keys(options.components ?? {})) {
    if (!pipeline.components.some((c) => c.id === id)) {
      throw new BridgeError(
        'INVALID_OPTIONS',
        `Settings were given for component "${id}", which has not run in this notebook.`,
        `use one of: ${pipeline.components.map((c) => c.id).join(', ')}.`,
      );
    }
  }
  return { context, pipeline };
}

function deployOptions(options: BridgeDeployOptions): DeployOptions {
  return {
    endpoint: options.endpoint,
    namespace: options.namespace || undefined,
    authMode: options.authMode,
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
function connect(options: z.infer<typeof connectionOptionsSchema>): KfpClient {
  try {
    return new KfpClient({ ...options, namespace: options.namespace || undefined, tokenPath: options.tokenPath || undefined });
  } catch (error) {
    if (error instanceof UserError) throw new BridgeError('INVALID_OPTIONS', messageOf(error), error.hint);
    throw error;
  }
}

async function answer<M extends keyof BridgeMethods>(work: () => Promise<BridgeMethods[M]['result']>): Promise<void> {
  let line: BridgeAnswer;
  try {
    line = { ok: true, result: await work() };
  } catch (error) {
    line = { ok: false, error: toBridgeError(error) };
  }
  console.log(formatBridgeAnswer(line));
}

function messageOf(error: Error): string {
  return error.message.split('\n  Fix: ')[0];
}

function toBridgeError(error: unknown): BridgeErrorBody {
  if (error instanceof OpenRunError) return { code: error.code, message: error.summary, ...(error.hint ? { hint: error.hint } : {}) };
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
    return answer<'describe'>(async () => {
      const context = currentContext();
      // One entry per RuntimeParameter; the panel's values go to run({ parameters }).
      const parameters = new Map<string, RuntimeParameterInfo>();
      for (const component of context.components) {
        for (const { parameter, path: at } of component.runtimeParameters) {
          const entry = parameters.get(parameter.name) ?? {
            name: parameter.name,
            type: parameter.ptype,
            default: parameter.default,
            ...(parameter.description ? { description: parameter.description } : {}),
            usedBy: [],
          };
          entry.usedBy.push(`${component.id}.${at.join('.')}`);
          parameters.set(parameter.name, entry);
        }
      }
      return {
        pipelineName: context.pipelineName,
        pipelineRoot: context.pipelineRoot,
        parameters: [...parameters.values()],
        components: context.components.map((component) => {
          const moduleParameter = (component.spec.fileParameters ?? []).find(
            (key) => typeof (component.parameters as Record<string, unknown>)[key] === 'string',
          );
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
    return answer<'compile'>(async () => {
      const o = parseOptions(compileOptionsSchema, options);
      const { pipeline } = exportFromContext(o);
      const { yaml, uploadName, warnings, codePackage } = compileForDeploy(pipeline, {
        image: o.image || undefined,
        pipelineName: o.pipelineName || undefined,
        components: o.components,
      });
      // A preview uploads nothing: the spec names the package by digest; upload and run send it.
      codePackage?.dispose();
      // The panel shows each warning as a notice and marks the component's row (not only a YAML comment).
      return {
        yaml,
        pipelineName: uploadName,
        ...(warnings.length ? { warnings } : {}),
        ...(codePackage ? { codePackage: { uri: codePackage.ref.uri, files: codePackage.ref.fileCount, bytes: codePackage.ref.bytes } } : {}),
      };
    });
  },

  listExperiments(options: unknown): Promise<void> {
    return answer<'listExperiments'>(async () => {
      const client = connect(parseOptions(connectionOptionsSchema, options));
      const experiments = await client.listExperiments();
      return { experiments: experiments.map((e) => ({ id: e.experiment_id, name: e.display_name })) };
    });
  },

  upload(options: unknown): Promise<void> {
    return answer<'upload'>(async () => {
      const o = parseOptions(deployOptionsSchema, options);
      const client = connect(o);
      const { pipeline } = exportFromContext(o);
      const { yaml, uploadName, codePackage } = compileForDeploy(pipeline, deployOptions(o));
      if (codePackage) await uploadCodePackage(codePackage);
      return uploadOrAddVersion(client, yaml, uploadName, undefined);
    });
  },

  run(options: unknown): Promise<void> {
    return answer<'run'>(async () => {
      const o = parseOptions(runOptionsSchema, options);
      connect(o);
      const { pipeline } = exportFromContext(o);
      const result = await deploy(pipeline, { ...deployOptions(o), experimentName: o.experimentName });
      if (!result.runId || !result.runUrl) throw new BridgeError('KFP_ERROR', 'Kubeflow Pipelines accepted the pipeline but returned no run.');
      return { runId: result.runId, runUrl: result.runUrl, pipelineId: result.pipelineId, pipelineVersionId: result.pipelineVersionId };
    });
  },

  runStatus(options: unknown): Promise<void> {
    return answer<'runStatus'>(async () => {
      const o = parseOptions(runStatusOptionsSchema, options);
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

  /**
   * Downloads a finished run's statistics, schema, anomalies and evaluation into the kernel's run
   * cache (with the panel's secrets, in this silent call only); the panel then inserts and runs
   * `cellCode`, which shows the views from the cache through the notebook's display path.
   */
  openRun(options: unknown): Promise<void> {
    return answer<'openRun'>(async () => {
      const o = parseOptions(openRunOptionsSchema, options);
      const client = connect(o);
      const opened = await fetchRun(o.runId, { ...o, endpoint: client.endpoint, namespace: o.namespace || undefined, tokenPath: o.tokenPath || undefined });
      return {
        runId: opened.runId,
        displayName: opened.displayName,
        state: opened.state,
        outputs: opened.artifacts.map((a) => ({ task: a.task, output: a.output, type: a.type })),
        skippedTasks: opened.skippedTasks,
        fromCache: opened.fromCache,
        files: opened.files,
        bytes: opened.bytes,
        cellCode: openRunCellCode(opened.runId, client.endpoint),
      };
    });
  },
};

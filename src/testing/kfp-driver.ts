import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { PipelineSpec } from '../orchestration/kubeflow/ir';
import type { ExecutorInput, ExecutorOutput, RuntimeArtifact } from '../orchestration/kubeflow/container-entrypoint';

/**
 * What KFP's driver and launcher do for each task of a compiled spec, on the local filesystem: build
 * the ExecutorInput from the IR (constants, pipeline parameters, upstream artifacts with the metadata
 * their executors reported), resolve the `{{$}}` placeholder in the container args, and after the
 * task read its executor output file. Tests use it to run compiled tasks end to end without a cluster.
 */
export interface SimulatedRun {
  spec: PipelineSpec;
  /** Pipeline root URI (gs://..., minio://...) or a local directory. */
  pipelineRoot: string;
  runId: string;
  /** Where executor output files go (KFP uses /tmp/kfp_outputs in the pod). */
  workDir: string;
  /** Runtime pipeline parameters (override root input defaults). */
  parameters?: Record<string, unknown>;
  /**
   * Output URIs as KFP's driver makes them, `<root>/<pipelineInfo.name>/<runId>/<task>/<uuid>/<key>`
   * (backend/src/v2/driver provisionOutputs), instead of the short `<root>/<runId>/<task>/<key>`.
   */
  launcherLayout?: boolean;
}

/** Task names of the root DAG in an order where producers come first. */
export function taskOrder(spec: PipelineSpec): string[] {
  const tasks = spec.root.dag!.tasks;
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const dependency of tasks[name].dependentTasks ?? []) visit(dependency);
    order.push(name);
  };
  Object.keys(tasks).sort().forEach(visit);
  return order;
}

export function outputUri(run: SimulatedRun, taskName: string, outputKey: string): string {
  const root = run.pipelineRoot.replace(/\/+$/, '');
  if (run.launcherLayout) return `${root}/${run.spec.pipelineInfo.name}/${run.runId}/${taskName}/${executionSalt(run, taskName)}/${outputKey}`;
  return `${root}/${run.runId}/${taskName}/${outputKey}`;
}

/** The per-execution uuid KFP's driver puts between task and output (stable per run and task here). */
function executionSalt(run: SimulatedRun, taskName: string): string {
  return createHash('sha256')
    .update(`${run.runId}/${taskName}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
}

export function outputFileOf(run: SimulatedRun, taskName: string): string {
  return path.join(run.workDir, taskName, 'output_metadata.json');
}

/** The ExecutorInput KFP's launcher would send to `taskName`, given the executor outputs of the tasks before it. */
export function executorInputFor(run: SimulatedRun, taskName: string): ExecutorInput {
  const { spec } = run;
  const task = spec.root.dag!.tasks[taskName];
  if (!task) throw new Error(`No task ${taskName} in the spec.`);
  const component = spec.components[task.componentRef.name];
  const parameterValues: Record<string, unknown> = {};
  for (const [key, input] of Object.entries(task.inputs?.parameters ?? {})) {
    if (input.runtimeValue) parameterValues[key] = input.runtimeValue.constant;
    else if (input.componentInputParameter !== undefined) {
      const name = input.componentInputParameter;
      parameterValues[key] = run.parameters?.[name] ?? spec.root.inputDefinitions?.parameters?.[name]?.defaultValue;
    } else throw new Error(`The simulated driver does not resolve ${JSON.stringify(input)}.`);
  }
  const artifacts: Record<string, { artifacts: RuntimeArtifact[] }> = {};
  for (const [key, input] of Object.entries(task.inputs?.artifacts ?? {})) {
    const { producerTask, outputArtifactKey } = input.taskOutputArtifact!;
    const producerOutput = JSON.parse(fs.readFileSync(outputFileOf(run, producerTask), 'utf8')) as ExecutorOutput;
    const produced = producerOutput.artifacts[outputArtifactKey]?.artifacts;
    if (!produced) throw new Error(`Task ${producerTask} reported no artifact ${outputArtifactKey}.`);
    const schemaTitle = component.inputDefinitions!.artifacts![key].artifactType.schemaTitle;
    artifacts[key] = { artifacts: produced.map((a) => ({ name: a.name ?? '', type: { schemaTitle }, uri: a.uri, metadata: throughMlmd(a.metadata) })) };
  }
  const outputs: Record<string, { artifacts: RuntimeArtifact[] }> = {};
  for (const [key, definition] of Object.entries(component.outputDefinitions?.artifacts ?? {})) {
    outputs[key] = { artifacts: [{ name: '', type: { schemaTitle: definition.artifactType.schemaTitle }, uri: outputUri(run, taskName, key), metadata: {} }] };
  }
  return {
    inputs: { parameterValues, artifacts },
    outputs: { artifacts: outputs, outputFile: outputFileOf(run, taskName) },
  };
}

/** The container command line of a task with KFP's placeholders resolved, as the launcher runs it. */
export function resolvedCommandLine(run: SimulatedRun, taskName: string): string[] {
  const { spec } = run;
  const component = spec.components[spec.root.dag!.tasks[taskName].componentRef.name];
  const container = spec.deploymentSpec.executors[component.executorLabel!].container;
  const input = JSON.stringify(executorInputFor(run, taskName));
  return [...(container.command ?? []), ...(container.args ?? [])].map((arg) => arg.split('{{$}}').join(input));
}

/**
 * Artifact metadata as the next task gets it back: the launcher records it in ML Metadata, where a
 * boolean is stored as the integer 1 or 0 (KFP's metadata/converter.go, StructValueToMLMDValue).
 */
function throughMlmd(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, typeof value === 'boolean' ? Number(value) : value]));
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { BaseComponent, ResourceSpec } from '../../dsl/component';
import type { Pipeline } from '../../dsl/pipeline';
import { NotSupportedError, UserError } from '../../util/errors';
import type { IrArtifactSpec, IrComponent, IrContainer, IrParameterSpec, IrTask, ParameterType, PipelineSpec } from './ir';
import { componentKey, executorLabel, kfpPipelineName, uniqueTaskNames } from './names';
import { toIrResources } from './resources';
import { validatePipelineSpec } from './validate';
import { HTML_VIEW_ARTIFACT_TYPE, HTML_VIEW_OUTPUT, htmlViewOutputs } from './html-view';
import type { CodePackageRef } from './code-package';
import { RuntimeParameter, runtimeInputName, runtimePlaceholder } from '../../dsl/runtime-parameter';

export const IR_SCHEMA_VERSION = '2.1.0';
export const SDK_VERSION = `tfx-ts-${(require('../../../package.json') as { version: string }).version}`;
/** The container entrypoint every task runs (see cli/commands/run-executor.ts). */
export const EXECUTOR_COMMAND = ['tfx-ts'];

export interface ComponentOverrides {
  resources?: ResourceSpec;
  enableCache?: boolean;
  /** Split StatisticsGen's work over this many parallel tasks (design in docs/kubeflow.md). */
  shards?: number;
}

export interface CompileOptions {
  /** The container image holding the project (its module files) and tfx-ts. */
  image: string;
  /**
   * The directory that becomes the image's working directory: module files and data inside it are
   * referenced by paths relative to it, so the same spec works on any machine. Default: cwd.
   */
  projectRoot?: string;
  description?: string;
  /** Overrides the pipeline's enableCache for every task (CLI --no-cache). */
  enableCache?: boolean;
  /** Per-component settings by component id (the side panel's per-step resources). */
  components?: Record<string, ComponentOverrides>;
  /** Module files that define custom component types, by type: the container imports them before it runs the type. */
  componentModules?: Record<string, string>;
  /**
   * The uploaded code package (prepareCodePackage): tasks fetch and unpack it before they run, and
   * local paths become paths inside it. Without one, the image must hold the project (--build-image).
   */
  codePackage?: CodePackageRef;
  /**
   * Things that compile but may not work on a cluster, or that compile differently than they run
   * locally (a Resolver left out); componentId names the component.
   */
  onWarning?: (message: string, componentId?: string) => void;
}

/** A component whose parameters hold code: it cannot be shipped to a container. */
export class InlineComponentError extends UserError {
  constructor(
    readonly componentId: string,
    readonly parameter: string,
  ) {
    const name = /[A-Za-z_$][\w$]*$/.exec(parameter)?.[0] ?? 'fn';
    super(
      `Component ${componentId} was built from an inline function (parameter "${parameter}"), which cannot run in a KFP container.`,
      `move the function into a module file next to the notebook, e.g. \`export function ${name}(...) { ... }\` in ${name}.ts, and pass the file's path as the component's module file (moduleFile: "${name}.ts") instead of the function; then run the component again.`,
    );
    this.name = 'InlineComponentError';
  }
}

/**
 * Pipeline → KFP v2 PipelineSpec, in one pass over the components in topological order, as the
 * KFP SDK compiler does: per component one `components.comp-*` (typed inputs and outputs), one
 * `deploymentSpec.executors.exec-*` (image + `tfx-ts run-executor --executor-input {{$}}`), and one
 * `root.dag.tasks` entry (constant parameters, artifacts wired from producer tasks). The result is
 * validated before it is returned.
 */
export function compilePipeline(pipeline: Pipeline, options: CompileOptions): PipelineSpec {
  if (!options || typeof options.image !== 'string' || !options.image.trim()) {
    throw new UserError(
      'Compiling for Kubeflow needs a container image.',
      'pass image: "<registry>/<name>:<tag>" (the image built from the project, see `tfx-ts pipeline create --build-image`).',
    );
  }
  const projectRoot = path.resolve(options.projectRoot ?? process.cwd());
  const overrides = options.components ?? {};
  for (const id of Object.keys(overrides)) {
    if (!pipeline.components.some((c) => c.id === id)) {
      throw new UserError(
        `Settings were given for component "${id}", which is not in the pipeline.`,
        `use one of: ${pipeline.components.map((c) => c.id).join(', ')}.`,
      );
    }
  }
  const compiledComponents = substituteMetadataStoreNodes(pipeline, pipeline.components, options.onWarning);
  const taskNames = uniqueTaskNames(compiledComponents.map((c) => c.id));
  const components: Record<string, IrComponent> = {};
  const executors: Record<string, { container: IrContainer }> = {};
  const tasks: Record<string, IrTask> = {};
  const runtimeParameters = new Map<string, RuntimeParameter>();

  for (const component of compiledComponents) {
    const taskName = taskNames.get(component.id)!;
    const override = overrides[component.id] ?? {};
    if (override.shards !== undefined && override.shards > 1) {
      throw new NotSupportedError(
        `Sharded ${component.type} (${override.shards} shards as a KFP ParallelFor)`,
        'compile without shards: StatisticsGen then runs as one task; the design for mergeable sharded statistics is in docs/kubeflow.md.',
      );
    }
    const parameters = withRuntimePlaceholders(component, shippableParameters(component, projectRoot, options.codePackage));
    for (const { parameter } of component.runtimeParameters) declareRuntimeParameter(runtimeParameters, parameter, component.id);
    components[componentKey(taskName)] = componentDefinition(component, taskName, parameters);
    executors[executorLabel(taskName)] = { container: containerOf(component, pipeline, options, projectRoot, override) };
    tasks[taskName] = {
      taskInfo: { name: component.id },
      componentRef: { name: componentKey(taskName) },
      ...taskInputs(component, taskNames, parameters),
      // proto3 JSON omits false, so the KFP SDK writes `cachingOptions: {}` for a disabled cache.
      cachingOptions: (options.enableCache ?? override.enableCache ?? component.enableCache ?? pipeline.enableCache) ? { enableCache: true } : {},
    };
  }

  const rootParameters: Record<string, IrParameterSpec> = {};
  for (const [key, value] of Object.entries(pipeline.parameters)) {
    rootParameters[key] = { parameterType: parameterType(value), defaultValue: value, isOptional: true };
  }
  for (const [name, parameter] of runtimeParameters) {
    if (rootParameters[name] && rootParameters[name].defaultValue !== parameter.default) {
      throw new UserError(
        `Pipeline parameter ${name} has the default ${JSON.stringify(rootParameters[name].defaultValue)}, but ${parameter} uses another.`,
        'give the RuntimeParameter and the pipeline parameter the same default, or different names.',
      );
    }
    rootParameters[name] = {
      parameterType: RUNTIME_TYPES[parameter.ptype],
      defaultValue: parameter.default,
      isOptional: true,
      ...(parameter.description ? { description: parameter.description } : {}),
    };
  }
  const pipelineName = kfpPipelineName(pipeline.pipelineName);
  const spec: PipelineSpec = {
    pipelineInfo: {
      name: pipelineName,
      ...(pipelineName !== pipeline.pipelineName ? { displayName: pipeline.pipelineName } : {}),
      ...(options.description ? { description: options.description } : {}),
    },
    components,
    deploymentSpec: { executors },
    root: { dag: { tasks }, ...(Object.keys(rootParameters).length ? { inputDefinitions: { parameters: rootParameters } } : {}) },
    ...(isRemoteUri(pipeline.pipelineRoot) ? { defaultPipelineRoot: pipeline.pipelineRoot } : {}),
    schemaVersion: IR_SCHEMA_VERSION,
    sdkVersion: SDK_VERSION,
  };
  return validatePipelineSpec(spec);
}

/** `{ [key]: value }` when the record has entries, `{}` otherwise: the SDK leaves empty sections out. */
function ifAny<K extends string, V extends object>(key: K, value: V): { [P in K]?: V } {
  return (Object.keys(value).length ? { [key]: value } : {}) as { [P in K]?: V };
}

/** `components.comp-*`: typed artifact inputs/outputs and one typed parameter per component parameter. */
function componentDefinition(component: BaseComponent, taskName: string, parameters: Record<string, unknown>): IrComponent {
  const inputArtifacts: Record<string, IrArtifactSpec> = {};
  for (const [key, decl] of Object.entries(component.spec.inputs as Record<string, { type: { name: string }; optional?: boolean }>)) {
    inputArtifacts[key] = { artifactType: artifactType(decl.type.name), ...(decl.optional ? { isOptional: true } : {}) };
  }
  const outputArtifacts: Record<string, IrArtifactSpec> = {};
  for (const [key, decl] of Object.entries(component.spec.outputs as Record<string, { type: { name: string } }>)) {
    if (key === HTML_VIEW_OUTPUT)
      throw new UserError(
        `Component ${component.id} (${component.type}) has an output named "${HTML_VIEW_OUTPUT}", the name of the HTML page tfx-ts adds for the KFP UI.`,
        'rename that output in the component spec.',
      );
    outputArtifacts[key] = { artifactType: artifactType(decl.type.name) };
  }
  // The notebook's views of these outputs, as a page the KFP UI shows (html-view.ts).
  if (htmlViewOutputs(component.spec.outputs).length) outputArtifacts[HTML_VIEW_OUTPUT] = { artifactType: { ...HTML_VIEW_ARTIFACT_TYPE } };
  const parameterDefinitions: Record<string, IrParameterSpec> = {};
  for (const [key, value] of Object.entries(parameters)) parameterDefinitions[key] = { parameterType: parameterType(value) };
  for (const { parameter } of component.runtimeParameters)
    parameterDefinitions[runtimeInputName(parameter.name)] = { parameterType: RUNTIME_TYPES[parameter.ptype] };
  const inputDefinitions = { ...ifAny('artifacts', inputArtifacts), ...ifAny('parameters', parameterDefinitions) };
  return {
    executorLabel: executorLabel(taskName),
    ...ifAny('inputDefinitions', inputDefinitions),
    ...(Object.keys(outputArtifacts).length ? { outputDefinitions: { artifacts: outputArtifacts } } : {}),
  };
}

/** `deploymentSpec.executors.exec-*`: the image, `tfx-ts run-executor` with the executor input, resources. */
function containerOf(component: BaseComponent, pipeline: Pipeline, options: CompileOptions, projectRoot: string, override: ComponentOverrides): IrContainer {
  const resources = toIrResources({ ...component.resources, ...override.resources }, `Component ${component.id}`);
  const moduleFile = options.componentModules?.[component.type];
  return {
    image: options.image,
    command: EXECUTOR_COMMAND,
    args: [
      'run-executor',
      ...(options.codePackage ? ['--code-package', options.codePackage.uri, '--code-sha256', options.codePackage.sha256] : []),
      '--executor-input',
      '{{$}}',
      '--component-type',
      component.type,
      '--component-id',
      component.id,
      '--pipeline-name',
      pipeline.pipelineName,
      ...(moduleFile ? ['--component-module', shippedFile(moduleFile, projectRoot, `${component.id} component module`, options.codePackage)] : []),
    ],
    ...(resources ? { resources } : {}),
  };
}

/** A task's inputs: artifacts from producer tasks (which it then depends on) and constant parameters. */
function taskInputs(component: BaseComponent, taskNames: Map<string, string>, parameters: Record<string, unknown>): Pick<IrTask, 'dependentTasks' | 'inputs'> {
  const artifacts: NonNullable<NonNullable<IrTask['inputs']>['artifacts']> = {};
  const dependentTasks = new Set<string>();
  for (const [key, channel] of Object.entries(component.inputs)) {
    const producerTask = channel?.producer && taskNames.get(channel.producer.id);
    if (!producerTask) continue;
    artifacts[key] = { taskOutputArtifact: { producerTask, outputArtifactKey: channel.outputKey } };
    dependentTasks.add(producerTask);
  }
  const constants: NonNullable<NonNullable<IrTask['inputs']>['parameters']> = Object.fromEntries(
    Object.entries(parameters).map(([key, value]) => [key, { runtimeValue: { constant: value } }]),
  );
  for (const { parameter } of component.runtimeParameters) constants[runtimeInputName(parameter.name)] = { componentInputParameter: parameter.name };
  return {
    ...(dependentTasks.size ? { dependentTasks: [...dependentTasks].sort() } : {}),
    ...ifAny('inputs', { ...ifAny('artifacts', artifacts), ...ifAny('parameters', constants) }),
  };
}

/**
 * Nodes that read the orchestrator's metadata store (a Resolver) cannot run as they are on KFP,
 * whose store is the cluster's ML Metadata, which tfx-ts does not query. Each such node's spec says
 * what it becomes there (`withoutMetadataStore`): a component that finds the same outputs elsewhere
 * at run time, under the node's id so its consumers' wiring stays, or nothing, when every consumer
 * treats the input as optional and runs as on a first run. Either way the user is told.
 */
function substituteMetadataStoreNodes(pipeline: Pipeline, components: BaseComponent[], onWarning?: CompileOptions['onWarning']): BaseComponent[] {
  return components.flatMap((node) => {
    if (!node.spec.withoutMetadataStore) return [node];
    const { replacement, explanation } = node.spec.withoutMetadataStore(node, { pipelineName: pipeline.pipelineName, components });
    for (const consumer of components) {
      for (const [key, channel] of Object.entries(consumer.inputs)) {
        if (channel?.producer !== node) continue;
        const declared = (consumer.spec.inputs as Record<string, { optional?: boolean }>)[key];
        if (replacement ? !(channel.outputKey in replacement.outputs) : !declared?.optional) {
          throw new NotSupportedError(
            `${node.id} (a ${node.type}) on Kubeflow Pipelines, feeding ${consumer.id}.${key}`,
            replacement
              ? `on KFP it runs as ${replacement.type}, which has no output "${channel.outputKey}"; wire only its ${Object.keys(replacement.outputs).join(', ')} output(s), or leave it out of the Kubeflow pipeline.`
              : "it needs the metadata store of the pipeline, which on KFP is the cluster's ML Metadata; wire its output only into optional inputs (such as Evaluator's baselineModel) or leave it out of the Kubeflow pipeline.",
          );
        }
      }
    }
    onWarning?.(explanation, node.id);
    return replacement ? [replacement] : [];
  });
}

const RUNTIME_TYPES: Record<RuntimeParameter['ptype'], ParameterType> = { int: 'NUMBER_INTEGER', float: 'NUMBER_DOUBLE', string: 'STRING', bool: 'BOOLEAN' };

/** One RuntimeParameter name, one definition, across the pipeline. */
function declareRuntimeParameter(declared: Map<string, RuntimeParameter>, parameter: RuntimeParameter, componentId: string): void {
  const other = declared.get(parameter.name);
  if (other && other !== parameter && (other.ptype !== parameter.ptype || other.default !== parameter.default)) {
    throw new UserError(
      `Two RuntimeParameters are named ${parameter.name} (${other} and ${parameter}, in ${componentId}).`,
      'use one RuntimeParameter object for both places, or give them different names.',
    );
  }
  declared.set(parameter.name, parameter);
}

/**
 * Where a component's parameters held a RuntimeParameter, the constant gets KFP's placeholder for
 * the task input `pipelinechannel--<name>` (as the KFP SDK names pipeline parameters a task reads);
 * the container puts the run's value there (container-entrypoint.ts).
 */
function withRuntimePlaceholders(component: BaseComponent, parameters: Record<string, unknown>): Record<string, unknown> {
  if (component.runtimeParameters.length === 0) return parameters;
  const result = structuredClone(parameters);
  for (const { path: at, parameter } of component.runtimeParameters) {
    let holder: Record<string | number, unknown> = result;
    for (const step of at.slice(0, -1)) holder = holder?.[step] as Record<string | number, unknown>;
    const last = at[at.length - 1];
    if (!holder || typeof holder !== 'object' || !(last in holder)) {
      throw new NotSupportedError(
        `${parameter} at ${component.id}.${at.join('.')} (the component's parameter schema moved that value)`,
        'use the RuntimeParameter for a plain value the component keeps as given.',
      );
    }
    holder[last] = runtimePlaceholder(parameter.name);
  }
  return result;
}

/** TFX artifact types keep their TFX names as schema titles, as TFX's own KFP v2 compiler writes them. */
function artifactType(name: string): IrArtifactSpec['artifactType'] {
  return { schemaTitle: `tfx.${name}`, schemaVersion: '0.0.1' };
}

function parameterType(value: unknown): ParameterType {
  if (typeof value === 'string') return 'STRING';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
  if (Array.isArray(value)) return 'LIST';
  return 'STRUCT';
}

export function isRemoteUri(uri: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://');
}

/**
 * Component parameters as JSON constants for the IR. Functions cannot travel (refused). Module
 * files and local paths must reach the pod: with a code package they become paths inside it; without
 * one, paths inside the project (which the project image holds) become project-relative. Any other
 * local path is an error naming the component and parameter: the pod would not find it.
 */
function shippableParameters(component: BaseComponent, projectRoot: string, codePackage?: CodePackageRef): Record<string, unknown> {
  const fileParameters = new Set(component.spec.fileParameters ?? []);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(component.parameters as Record<string, unknown>)) {
    if (value === undefined) continue;
    const inline = findFunction(value, key);
    if (inline) throw new InlineComponentError(component.id, inline);
    checkJson(value, `${component.id}.${key}`);
    if (fileParameters.has(key) && typeof value === 'string') {
      result[key] = shippedFile(value, projectRoot, `${component.id}.${key}`, codePackage);
    } else {
      result[key] = shippedPaths(value, projectRoot, `${component.id}.${key}`, codePackage);
    }
  }
  return result;
}

/** Absolute local paths (at any depth) → where the pod finds them; object storage URIs stay. */
function shippedPaths(value: unknown, projectRoot: string, at: string, codePackage?: CodePackageRef): unknown {
  if (typeof value === 'string' && path.isAbsolute(value)) {
    const absolute = path.normalize(value);
    const packed = codePackage?.paths.get(absolute);
    if (packed) return packed;
    const relative = path.relative(projectRoot, absolute);
    if (!codePackage && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/') || '.';
    throw new UserError(
      `${at} is the local path ${value}, which a Kubeflow task cannot read: it is ${codePackage ? (fs.existsSync(absolute) ? 'not in the code package' : 'missing on this machine, so it was not packed') : `outside the project ${projectRoot} the image holds`}.`,
      'put the data on object storage and pass its URI (s3://, minio://, gs://), or deploy with a pipeline root on object storage so local data up to the package cap travels in the code package.',
    );
  }
  if (Array.isArray(value)) return value.map((item, i) => shippedPaths(item, projectRoot, `${at}[${i}]`, codePackage));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shippedPaths(item, projectRoot, `${at}.${key}`, codePackage)]));
  }
  return value;
}

function shippedFile(file: string, projectRoot: string, what: string, codePackage?: CodePackageRef): string {
  if (!codePackage) return relativeInProject(file, projectRoot, what);
  const absolute = path.resolve(projectRoot, file);
  const packed = codePackage.paths.get(absolute);
  if (!packed)
    throw new UserError(
      `${what}: module file ${absolute} is not in the code package.`,
      'pack the package from the same pipeline you compile (prepareCodePackage, then compilePipeline).',
    );
  return packed;
}

function relativeInProject(file: string, projectRoot: string, what: string): string {
  const absolute = path.resolve(projectRoot, file);
  const relative = path.relative(projectRoot, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UserError(
      `${what}: module file ${absolute} lies outside the project directory ${projectRoot}, so the image would not contain it.`,
      'move the file into the project (or pass projectRoot / --project-root that contains it).',
    );
  }
  if (!fs.existsSync(absolute))
    throw new UserError(`${what}: module file ${absolute} does not exist.`, 'check the path; it is resolved from the project directory.');
  return relative.split(path.sep).join('/');
}

/** The parameter (path) of a component that holds a function, if any. */
export function findInlineParameter(component: BaseComponent): string | undefined {
  for (const [key, value] of Object.entries(component.parameters as Record<string, unknown>)) {
    const found = findFunction(value, key);
    if (found) return found;
  }
  return undefined;
}

function findFunction(value: unknown, at: string): string | undefined {
  if (typeof value === 'function') return at;
  const entries = Array.isArray(value)
    ? value.map((item, i) => [`${at}[${i}]`, item] as const)
    : value && typeof value === 'object'
      ? Object.entries(value).map(([key, item]) => [`${at}.${key}`, item] as const)
      : [];
  for (const [where, item] of entries) {
    const found = findFunction(item, where);
    if (found) return found;
  }
  return undefined;
}

function checkJson(value: unknown, at: string): void {
  if (value === null) {
    throw new UserError(`Parameter ${at} is null, which has no KFP parameter type.`, 'leave the parameter out (undefined) instead of null.');
  }
  if (typeof value === 'bigint' || typeof value === 'symbol' || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new UserError(
      `Parameter ${at} is ${String(value)}, which cannot be written to the pipeline spec.`,
      'use a finite number, a string, a boolean, a list or a plain object.',
    );
  }
  if (Array.isArray(value)) value.forEach((item, i) => item !== null && checkJson(item, `${at}[${i}]`));
  else if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new UserError(
        `Parameter ${at} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain data.`,
        'pass plain objects, lists, strings, numbers and booleans only.',
      );
    }
    for (const [key, item] of Object.entries(value)) if (item !== undefined && item !== null) checkJson(item, `${at}.${key}`);
  }
}

/** YAML as the KFP SDK writes it: a `# PIPELINE DEFINITION` header, then the spec with sorted keys. */
export function pipelineSpecToYaml(spec: PipelineSpec, warnings: string[] = []): string {
  const header = ['# PIPELINE DEFINITION', `# Name: ${spec.pipelineInfo.name}`];
  if (spec.pipelineInfo.description) header.push(`# Description: ${spec.pipelineInfo.description.replace(/\n/g, ' ')}`);
  const inputs = spec.root.inputDefinitions?.parameters ?? {};
  if (Object.keys(inputs).length) {
    header.push('# Inputs:');
    for (const [name, p] of Object.entries(inputs).sort(([a], [b]) => a.localeCompare(b))) {
      const value = typeof p.defaultValue === 'string' ? `'${p.defaultValue}'` : JSON.stringify(p.defaultValue);
      header.push(`#    ${name}: ${PYTHON_TYPE_NAMES[p.parameterType]}${p.defaultValue !== undefined ? ` [Default: ${value}]` : ''}`);
    }
  }
  // Warnings travel with the spec, so whoever reads the YAML (the side panel's preview) sees them.
  for (const warning of warnings) header.push(`# Warning: ${warning.replace(/\n/g, ' ')}`);
  const body = YAML.stringify(spec, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false, indentSeq: false, singleQuote: true });
  return `${header.join('\n')}\n${body}`;
}

/** The header names types as the KFP SDK does (Python's). */
const PYTHON_TYPE_NAMES: Record<ParameterType, string> = {
  STRING: 'str',
  NUMBER_INTEGER: 'int',
  NUMBER_DOUBLE: 'float',
  BOOLEAN: 'bool',
  LIST: 'list',
  STRUCT: 'dict',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus',
};

/** Reads a compiled spec (YAML or JSON; the first YAML document, a second one being the platform spec). */
export function parsePipelineSpecText(text: string, source: string): unknown {
  try {
    const documents = YAML.parseAllDocuments(text);
    if (documents.length === 0) throw new Error('the file is empty');
    const first = documents[0];
    if (first.errors.length) throw first.errors[0];
    return first.toJS();
  } catch (error) {
    throw new UserError(
      `Cannot read the pipeline spec ${source}: ${(error as Error).message}`,
      'pass a YAML or JSON file written by `tfx-ts pipeline compile` (or the KFP SDK).',
    );
  }
}

import { UserError } from '../../util/errors';
import { IrComponent, IrTask, ParameterType, PipelineSpec, pipelineSpecSchema } from './ir';
import { KFP_PIPELINE_NAME, KFP_TASK_NAME } from './names';
import { CPU_PATTERN, MEMORY_PATTERN } from '../../protocol/bridge';

/** A spec KFP would refuse; `problems` lists each one with its path in the spec. */
export class InvalidPipelineSpecError extends UserError {
  constructor(readonly problems: string[]) {
    super(
      `The pipeline spec is not valid KFP IR (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'fix the pipeline (component ids, wiring, resources); compile again with `tfx-ts pipeline compile` to check.',
    );
    this.name = 'InvalidPipelineSpecError';
  }
}

const SUPPORTED_SCHEMA_VERSIONS = ['2.0.0', '2.1.0'];
const PLACEHOLDER = /\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']+)'\]/g;

/**
 * Checks a PipelineSpec the way the KFP SDK and API server would: the structure (strict schema),
 * then every reference (components, executors, producer tasks, input/output keys, placeholders),
 * names, resource quantities, and that the DAG has no cycle. Throws InvalidPipelineSpecError.
 */
export function validatePipelineSpec(input: unknown): PipelineSpec {
  const parsed = pipelineSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidPipelineSpecError(
      parsed.error.issues.map((issue) => {
        const where = issue.path.join('.') || '(spec)';
        const message =
          issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (not in KFP's PipelineSpec)` : issue.message;
        return `${where}: ${message}`;
      }),
    );
  }
  const spec = parsed.data;
  const problems: string[] = [];
  if (!SUPPORTED_SCHEMA_VERSIONS.includes(spec.schemaVersion)) problems.push(`schemaVersion: "${spec.schemaVersion}" is not supported by KFP 2.x (use 2.1.0)`);
  if (!KFP_PIPELINE_NAME.test(spec.pipelineInfo.name)) {
    problems.push(
      `pipelineInfo.name: "${spec.pipelineInfo.name}" must be lowercase letters, digits and "-", starting with a letter or digit, at most 128 characters`,
    );
  }
  for (const [key, component] of Object.entries(spec.components)) {
    if (!component.dag && !component.executorLabel) problems.push(`components.${key}: needs an executorLabel or a dag`);
    if (component.executorLabel && !spec.deploymentSpec.executors[component.executorLabel]) {
      problems.push(`components.${key}.executorLabel: executor "${component.executorLabel}" is not defined in deploymentSpec.executors`);
    }
    if (component.executorLabel) checkPlaceholders(spec, key, component, problems);
    if (component.dag) checkDag(spec, `components.${key}.dag`, component, problems);
  }
  for (const [label, executor] of Object.entries(spec.deploymentSpec.executors)) {
    const resources = executor.container.resources;
    if (!resources) continue;
    const at = `deploymentSpec.executors.${label}.container.resources`;
    for (const key of ['resourceCpuLimit', 'resourceCpuRequest'] as const) {
      const value = resources[key];
      if (value !== undefined && !CPU_PATTERN.test(value)) problems.push(`${at}.${key}: "${value}" is not a CPU quantity (e.g. "2", "0.5", "500m")`);
    }
    for (const key of ['resourceMemoryLimit', 'resourceMemoryRequest'] as const) {
      const value = resources[key];
      if (value !== undefined && !MEMORY_PATTERN.test(value)) problems.push(`${at}.${key}: "${value}" is not a memory quantity (e.g. "4Gi", "512Mi")`);
    }
    const count = resources.accelerator?.resourceCount ?? resources.accelerator?.count;
    if (count !== undefined && !/^[1-9][0-9]*$/.test(count)) problems.push(`${at}.accelerator: count "${count}" must be a positive integer`);
    if (resources.accelerator && !(resources.accelerator.resourceType ?? resources.accelerator.type))
      problems.push(`${at}.accelerator: needs a type (e.g. nvidia.com/gpu)`);
  }
  checkDag(spec, 'root.dag', spec.root, problems);
  if (problems.length) throw new InvalidPipelineSpecError(problems);
  return spec;
}

function checkDag(spec: PipelineSpec, at: string, owner: IrComponent, problems: string[]): void {
  const tasks = owner.dag!.tasks;
  if (Object.keys(tasks).length === 0) problems.push(`${at}.tasks: a pipeline needs at least one task`);
  for (const [name, task] of Object.entries(tasks)) {
    const here = `${at}.tasks.${name}`;
    if (!KFP_TASK_NAME.test(name))
      problems.push(`${here}: task name "${name}" must be lowercase letters, digits and "-" (at most 63), starting and ending with a letter or digit`);
    const component = spec.components[task.componentRef.name];
    if (!component) {
      problems.push(`${here}.componentRef.name: component "${task.componentRef.name}" is not defined in components`);
      continue;
    }
    for (const dependency of task.dependentTasks ?? []) {
      if (!tasks[dependency]) problems.push(`${here}.dependentTasks: "${dependency}" is not a task of this DAG`);
    }
    checkTaskInputs(here, task, component, owner, tasks, problems, spec);
  }
  const cycle = findCycle(tasks);
  if (cycle) problems.push(`${at}: the tasks form a cycle: ${cycle.join(' → ')}`);
}

function checkTaskInputs(
  here: string,
  task: IrTask,
  component: IrComponent,
  owner: IrComponent,
  tasks: Record<string, IrTask>,
  problems: string[],
  spec: PipelineSpec,
): void {
  const declaredArtifacts = component.inputDefinitions?.artifacts ?? {};
  const declaredParameters = component.inputDefinitions?.parameters ?? {};
  const artifacts = task.inputs?.artifacts ?? {};
  const parameters = task.inputs?.parameters ?? {};
  for (const [key, input] of Object.entries(artifacts)) {
    const declared = declaredArtifacts[key];
    if (!declared) {
      problems.push(`${here}.inputs.artifacts.${key}: component "${task.componentRef.name}" has no input artifact "${key}"`);
      continue;
    }
    if (input.taskOutputArtifact) {
      const { producerTask, outputArtifactKey } = input.taskOutputArtifact;
      const producer = tasks[producerTask];
      if (!producer) {
        problems.push(`${here}.inputs.artifacts.${key}: producerTask "${producerTask}" is not a task of this DAG`);
        continue;
      }
      if (!(task.dependentTasks ?? []).includes(producerTask)) problems.push(`${here}.dependentTasks: must list "${producerTask}", whose output it reads`);
      const output = spec.components[producer.componentRef.name]?.outputDefinitions?.artifacts?.[outputArtifactKey];
      if (!output) {
        problems.push(`${here}.inputs.artifacts.${key}: task "${producerTask}" has no output artifact "${outputArtifactKey}"`);
      } else if (output.artifactType.schemaTitle !== declared.artifactType.schemaTitle) {
        problems.push(
          `${here}.inputs.artifacts.${key}: expects ${declared.artifactType.schemaTitle} but "${producerTask}.${outputArtifactKey}" is ${output.artifactType.schemaTitle}`,
        );
      }
    } else if (input.componentInputArtifact && !owner.inputDefinitions?.artifacts?.[input.componentInputArtifact]) {
      problems.push(`${here}.inputs.artifacts.${key}: the enclosing component has no input artifact "${input.componentInputArtifact}"`);
    }
  }
  for (const [key, declared] of Object.entries(declaredArtifacts)) {
    if (!declared.isOptional && !artifacts[key]) problems.push(`${here}.inputs.artifacts: required input artifact "${key}" is not wired`);
  }
  const iteratorInput = task.parameterIterator?.itemInput;
  for (const [key, input] of Object.entries(parameters)) {
    const declared = declaredParameters[key];
    if (!declared) {
      problems.push(`${here}.inputs.parameters.${key}: component "${task.componentRef.name}" has no input parameter "${key}"`);
      continue;
    }
    if (input.runtimeValue && !matchesParameterType(input.runtimeValue.constant, declared.parameterType)) {
      problems.push(`${here}.inputs.parameters.${key}: constant ${JSON.stringify(input.runtimeValue.constant)} is not a ${declared.parameterType}`);
    }
    if (
      input.componentInputParameter !== undefined &&
      input.componentInputParameter !== iteratorInput &&
      !owner.inputDefinitions?.parameters?.[input.componentInputParameter]
    ) {
      problems.push(
        `${here}.inputs.parameters.${key}: componentInputParameter "${input.componentInputParameter}" is not an input parameter of the enclosing component (root.inputDefinitions.parameters)`,
      );
    }
    if (input.taskOutputParameter) {
      const { producerTask, outputParameterKey } = input.taskOutputParameter;
      const producer = tasks[producerTask];
      if (!producer) {
        problems.push(`${here}.inputs.parameters.${key}: producerTask "${producerTask}" is not a task of this DAG`);
      } else {
        if (!(task.dependentTasks ?? []).includes(producerTask)) problems.push(`${here}.dependentTasks: must list "${producerTask}", whose output it reads`);
        if (!spec.components[producer.componentRef.name]?.outputDefinitions?.parameters?.[outputParameterKey]) {
          problems.push(`${here}.inputs.parameters.${key}: task "${producerTask}" has no output parameter "${outputParameterKey}"`);
        }
      }
    }
  }
  for (const [key, declared] of Object.entries(declaredParameters)) {
    if (!declared.isOptional && declared.defaultValue === undefined && !parameters[key]) {
      problems.push(`${here}.inputs.parameters: required input parameter "${key}" has no value`);
    }
  }
}

function matchesParameterType(value: unknown, type: ParameterType): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return typeof value === 'number' && Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

/** Placeholders in args/command must name inputs/outputs the component declares (the launcher fails on others). */
function checkPlaceholders(spec: PipelineSpec, key: string, component: IrComponent, problems: string[]): void {
  const executor = spec.deploymentSpec.executors[component.executorLabel!];
  if (!executor) return;
  for (const text of [...(executor.container.command ?? []), ...(executor.container.args ?? [])]) {
    for (const match of text.matchAll(PLACEHOLDER)) {
      const [, direction, kind, name] = match;
      const definitions = direction === 'inputs' ? component.inputDefinitions : component.outputDefinitions;
      const declared = (definitions as Record<string, Record<string, unknown> | undefined> | undefined)?.[kind]?.[name];
      if (!declared)
        problems.push(
          `deploymentSpec.executors.${component.executorLabel}: placeholder ${match[0]}}} names no ${direction.slice(0, -1)} ${kind.slice(0, -1)} of ${key}`,
        );
    }
  }
}

function findCycle(tasks: Record<string, IrTask>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !tasks[name]) return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of tasks[name].dependentTasks ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(tasks)) {
    const cycle = visit(name);
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

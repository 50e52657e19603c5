import { UserError } from '../util/errors';
import { parseRuntimeValue } from '../protocol/bridge';

/**
 * TFX's `RuntimeParameter`: a parameter value decided when a run starts, not when the pipeline is
 * written. Put one anywhere in a component's parameters (`trainArgs: { numSteps: steps }`); local
 * and notebook runs use its default; on Kubeflow it becomes a pipeline input that `run create
 * --parameter name=value` (or the panel's parameter fields) sets, and the task reads the value at
 * run time.
 */
export type RuntimeParameterType = 'int' | 'float' | 'string' | 'bool';
export type RuntimeValue = number | string | boolean;

export class RuntimeParameter<T extends RuntimeValue = RuntimeValue> {
  readonly name: string;
  readonly ptype: RuntimeParameterType;
  readonly default: T;
  readonly description?: string;

  constructor(options: { name: string; ptype: RuntimeParameterType; default: T; description?: string }) {
    if (!options || typeof options.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.name)) {
      throw new UserError(
        `RuntimeParameter name ${JSON.stringify(options?.name)} is not valid.`,
        'use letters, digits and "_", starting with a letter or "_" (it becomes a KFP pipeline input).',
      );
    }
    if (!['int', 'float', 'string', 'bool'].includes(options.ptype)) {
      throw new UserError(`RuntimeParameter ${options.name}: ptype ${JSON.stringify(options.ptype)} is not one of int, float, string, bool.`);
    }
    if (options.default === undefined) {
      throw new UserError(`RuntimeParameter ${options.name} needs a default.`, 'local and notebook runs use the default; pass default: <value>.');
    }
    this.name = options.name;
    this.ptype = options.ptype;
    this.default = coerceRuntimeValue(this.name, this.ptype, options.default) as T;
    this.description = options.description;
  }

  toString(): string {
    return `RuntimeParameter(${this.name}: ${this.ptype} = ${JSON.stringify(this.default)})`;
  }
}

/** Where in a component's parameters a RuntimeParameter sits (["trainArgs", "numSteps"]). */
export interface RuntimeParameterUse {
  path: (string | number)[];
  parameter: RuntimeParameter;
}

/** The value as the parameter's type (run-time values arrive as JSON or as strings from a command line). */
export function coerceRuntimeValue(name: string, ptype: RuntimeParameterType, value: unknown): RuntimeValue {
  // The panel's parameter fields use the same check (protocol), so both say the same.
  const parsed = parseRuntimeValue(ptype, value);
  if (parsed.ok) return parsed.value;
  throw new UserError(
    `Runtime parameter ${name} must be ${parsed.expected}, got ${JSON.stringify(value)}.`,
    `pass e.g. --parameter ${name}=${parsed.example}.`,
  );
}

/** Replaces every RuntimeParameter in a parameters object by its default, and says where they were. */
export function withRuntimeDefaults(
  value: unknown,
  path: (string | number)[] = [],
  uses: RuntimeParameterUse[] = [],
): { value: unknown; uses: RuntimeParameterUse[] } {
  if (value instanceof RuntimeParameter) {
    uses.push({ path, parameter: value });
    return { value: value.default, uses };
  }
  if (Array.isArray(value)) return { value: value.map((item, i) => withRuntimeDefaults(item, [...path, i], uses).value), uses };
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return { value: Object.fromEntries(Object.entries(value).map(([k, item]) => [k, withRuntimeDefaults(item, [...path, k], uses).value])), uses };
  }
  return { value, uses };
}

/** The component input KFP's SDK gives a pipeline parameter a task reads. */
export function runtimeInputName(name: string): string {
  return `pipelinechannel--${name}`;
}

/** What the compiler writes where a RuntimeParameter was: KFP's own placeholder for that input. */
export function runtimePlaceholder(name: string): string {
  return `{{$.inputs.parameters['${runtimeInputName(name)}']}}`;
}

const PLACEHOLDER = /^\{\{\$\.inputs\.parameters\['pipelinechannel--([A-Za-z_][A-Za-z0-9_]*)'\]\}\}$/;

/**
 * The task side: puts each run-time value where its placeholder is and drops the
 * `pipelinechannel--*` inputs, leaving the parameters the component declares.
 */
export function resolveRuntimePlaceholders(parameterValues: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameterValues)) {
    if (key.startsWith('pipelinechannel--')) values[key.slice('pipelinechannel--'.length)] = value;
    else rest[key] = value;
  }
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = PLACEHOLDER.exec(value);
      if (!match) return value;
      if (!(match[1] in values))
        throw new UserError(
          `The task's parameters refer to runtime parameter ${match[1]}, but the task has no input pipelinechannel--${match[1]}.`,
          'compile the pipeline again with this tfx-ts version.',
        );
      return values[match[1]];
    }
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    return value;
  };
  return substitute(rest) as Record<string, unknown>;
}

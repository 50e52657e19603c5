import type { z } from 'zod';
import { RuntimeParameter, RuntimeParameterUse, withRuntimeDefaults } from './runtime-parameter';

/** Parameter types where any plain number, string or boolean may also be a RuntimeParameter of that type. */
type Runtime<T> = T extends number
  ? T | RuntimeParameter<number>
  : T extends string
    ? T | RuntimeParameter<string>
    : T extends boolean
      ? T | RuntimeParameter<boolean>
      : T extends (infer E)[]
        ? Runtime<E>[]
        : T extends (...args: never[]) => unknown
          ? T
          : T extends object
            ? { [K in keyof T]: Runtime<T[K]> }
            : T;
import { Artifact, ArtifactType } from './artifact';
import { Channel, isChannel } from './channel';
import { formatZodError } from '../util/errors';
import type { MetadataStore } from '../metadata/store';

export interface InputDecl {
  type: ArtifactType;
  optional?: boolean;
}
export interface OutputDecl {
  type: ArtifactType;
}
export type InputsDecl = Record<string, InputDecl>;
export type OutputsDecl = Record<string, OutputDecl>;

/** Per-step resources for container orchestrators (KFP); ignored by local orchestrators. */
export interface ResourceSpec {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  accelerator?: { type: string; count: number };
}

/** What an executor is given. It never learns which orchestrator runs it. */
export interface ExecutorContext<P = Record<string, unknown>> {
  readonly inputs: Readonly<Record<string, Artifact[]>>;
  /** Output artifacts; the executor writes under each `uri` and may set properties. */
  readonly outputs: Readonly<Record<string, Artifact[]>>;
  readonly parameters: P;
  readonly componentId: string;
  readonly pipelineName: string;
  /** Fraction in [0, 1] and a short message; orchestrators show it as a bar or a live display. */
  progress(fraction: number, message?: string): void;
  /** A live view that replaces the previous one (e.g. training curves while a model trains). */
  liveView(view: { mimeBundle: Record<string, unknown> }): void;
  /**
   * Whether anything shows live views (a notebook does; the CLI's local runner and a KFP container
   * do not). Rendering one costs real time (the training curves: ~0.3 s to load vega, ~0.1 s a
   * draw), so executors skip building views nobody sees. Absent means shown.
   */
  readonly liveViewsShown?: boolean;
  log(message: string): void;
  /**
   * Read access to the metadata store for the few nodes that resolve artifacts (Resolver), as
   * TFX's resolver nodes get the metadata handle; absent where no store exists (a KFP container).
   */
  readonly metadata?: MetadataStore;
}

export type Executor<P> = (context: ExecutorContext<P>) => Promise<void>;

export interface ComponentSpec<I extends InputsDecl, O extends OutputsDecl, S extends z.ZodTypeAny> {
  /** TFX's component type name, e.g. "CsvExampleGen". */
  readonly type: string;
  /** Bumped when the executor's results change; part of the cache key. */
  readonly version: string;
  readonly inputs: I;
  readonly outputs: O;
  /** Validates and normalises parameters once, at construction (the edge). */
  readonly parameters: S;
  /** Parameters that name user files (module files): their content joins the cache key. */
  readonly fileParameters?: readonly string[];
  /** Loaded lazily so heavy executor libraries are imported only when the component runs. */
  readonly executor: () => Promise<Executor<z.output<S>>>;
  /** Extra cache-key material, e.g. the size and mtime of ExampleGen's input files. */
  readonly fingerprint?: (parameters: z.output<S>) => Promise<string>;
  /**
   * The inputs as they count for the cache key, when some inputs cannot change the result (the
   * Evaluator ignores a baseline that is the candidate model itself). Default: all of them.
   */
  readonly cacheInputs?: (inputs: Record<string, Artifact[]>) => Record<string, Artifact[]>;
  /**
   * What this node becomes where the orchestrator cannot reach the pipeline's metadata store
   * (Kubeflow: KFP keeps ML Metadata in the cluster). A node that reads the store (a Resolver)
   * answers with a component that finds the same outputs elsewhere at run time, or with none (the
   * node is left out and its consumers run as on a first run), and a sentence saying what happens.
   */
  readonly withoutMetadataStore?: (node: BaseComponent, pipeline: { pipelineName: string; components: readonly BaseComponent[] }) => MetadataStoreSubstitute;
}

export interface MetadataStoreSubstitute {
  /** Runs in the node's place (it takes the node's id, so consumers' wiring stays); none: left out. */
  replacement?: BaseComponent;
  /** What happens instead, for the compile warning. */
  explanation: string;
}

type RequiredKeys<I extends InputsDecl> = { [K in keyof I]: I[K]['optional'] extends true ? never : K }[keyof I];
type OptionalKeys<I extends InputsDecl> = { [K in keyof I]: I[K]['optional'] extends true ? K : never }[keyof I];
export type InputArgs<I extends InputsDecl> = { [K in RequiredKeys<I>]: Channel } & { [K in OptionalKeys<I>]?: Channel };

/** A component instance: typed spec + its input channels + validated parameters (TFX BaseComponent). */
/* eslint-disable @typescript-eslint/no-explicit-any -- `any` defaults let heterogenous components share one pipeline list. */
export class BaseComponent<I extends InputsDecl = any, O extends OutputsDecl = any, S extends z.ZodTypeAny = any> {
  id: string;
  readonly inputs: Partial<Record<keyof I & string, Channel>>;
  readonly outputs: { [K in keyof O]: Channel };
  readonly parameters: z.output<S>;
  /** undefined = follow the pipeline's / run's setting. */
  enableCache?: boolean;
  resources: ResourceSpec = {};
  /** RuntimeParameters found in the arguments: `parameters` holds their defaults, Kubeflow reads them at run time. */
  readonly runtimeParameters: RuntimeParameterUse[];

  constructor(
    readonly spec: ComponentSpec<I, O, S>,
    args: Record<string, unknown>,
  ) {
    this.id = spec.type;
    const inputs: Record<string, Channel> = {};
    const rawParameters: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args ?? {})) {
      if (key in spec.inputs) {
        if (value === undefined || value === null) continue;
        if (!isChannel(value)) {
          throw new Error(`${spec.type}: input "${key}" must be a channel (another component's outputs.<name>), got ${describe(value)}.`);
        }
        const expected = spec.inputs[key].type;
        if (value.type.name !== expected.name) {
          throw new Error(`${spec.type}: input "${key}" expects ${expected.name} artifacts but was given ${value}. Pass a channel of type ${expected.name}.`);
        }
        inputs[key] = value;
      } else if (isChannel(value)) {
        throw new Error(`${spec.type} has no input named "${key}". Its inputs are: ${Object.keys(spec.inputs).join(', ') || '(none)'}.`);
      } else {
        rawParameters[key] = value;
      }
    }
    for (const [key, decl] of Object.entries(spec.inputs)) {
      if (!decl.optional && !inputs[key]) {
        throw new Error(`${spec.type}: required input "${key}" (${decl.type.name}) is missing. Wire it, e.g. { ${key}: upstream.outputs.${key} }.`);
      }
    }
    const { value: withDefaults, uses } = withRuntimeDefaults(rawParameters);
    this.runtimeParameters = uses;
    const parsed = spec.parameters.safeParse(withDefaults);
    if (!parsed.success) throw new Error(`${spec.type}: invalid parameters: ${formatZodError(parsed.error)}`);
    this.parameters = parsed.data;
    this.inputs = inputs as Partial<Record<keyof I & string, Channel>>;
    const outputs: Record<string, Channel> = {};
    for (const [key, decl] of Object.entries(spec.outputs)) outputs[key] = new Channel(decl.type, this, key);
    this.outputs = outputs as { [K in keyof O]: Channel };
  }

  get type(): string {
    return this.spec.type;
  }

  /** TFX's `with_id`: needed when one pipeline holds two components of the same type. */
  withId(id: string): this {
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(id)) {
      throw new Error(`Component id "${id}" is not valid: use letters, digits, "_", "-" or ".", starting with a letter.`);
    }
    this.id = id;
    return this;
  }

  withResources(resources: ResourceSpec): this {
    this.resources = { ...this.resources, ...resources };
    return this;
  }

  withCache(enableCache: boolean): this {
    this.enableCache = enableCache;
    return this;
  }

  /** Components whose outputs this one consumes. */
  get upstream(): BaseComponent[] {
    const result: BaseComponent[] = [];
    for (const channel of Object.values(this.inputs) as Channel[]) {
      if (channel.producer && !result.includes(channel.producer)) result.push(channel.producer);
    }
    return result;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : `${typeof value} ${JSON.stringify(value)}`;
}

export interface ComponentClass<I extends InputsDecl, O extends OutputsDecl, S extends z.ZodTypeAny> {
  /**
   * The instance type leaves the parameter schema out: notebook kernels (tslab) declare every
   * cell variable's type, and a type naming zod, a dependency inside tfx-ts, cannot be declared
   * when tfx-ts is linked or installed without hoisting.
   */
  new (args: InputArgs<I> & Runtime<z.input<S>>): BaseComponent<I, O>;
  readonly spec: ComponentSpec<I, O, S>;
}

/** Registry so a container entrypoint can find a component's executor by its type name. */
const registry = new Map<string, ComponentSpec<InputsDecl, OutputsDecl, z.ZodTypeAny>>();

export function defineComponent<I extends InputsDecl, O extends OutputsDecl, S extends z.ZodTypeAny>(spec: ComponentSpec<I, O, S>): ComponentClass<I, O, S> {
  const existing = registry.get(spec.type);
  if (existing && existing !== (spec as unknown)) {
    throw new Error(`A component of type "${spec.type}" is already defined. Give your component another type name.`);
  }
  registry.set(spec.type, spec as unknown as ComponentSpec<InputsDecl, OutputsDecl, z.ZodTypeAny>);
  const componentClass = class extends BaseComponent<I, O> {
    static readonly spec = spec;
    constructor(args: InputArgs<I> & Runtime<z.input<S>>) {
      super(spec, args as Record<string, unknown>);
    }
  };
  Object.defineProperty(componentClass, 'name', { value: spec.type });
  return componentClass;
}

export function componentSpecByType(type: string): ComponentSpec<InputsDecl, OutputsDecl, z.ZodTypeAny> {
  const spec = registry.get(type);
  if (!spec) throw new Error(`Unknown component type "${type}". Known: ${[...registry.keys()].sort().join(', ')}.`);
  return spec;
}

export function registeredComponentTypes(): string[] {
  return [...registry.keys()].sort();
}

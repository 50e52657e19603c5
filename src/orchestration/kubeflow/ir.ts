import { z } from 'zod';

/**
 * The part of KFP's PipelineSpec IR (api/v2alpha1/pipeline_spec.proto, schemaVersion 2.1.0, in its
 * proto3 JSON / YAML form) that the compiler writes and the validator reads. Objects are strict:
 * the KFP API server parses specs with protojson, which refuses unknown fields, so a misspelt field
 * must fail here too rather than on the cluster.
 */

export const PARAMETER_TYPES = ['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT', 'TASK_FINAL_STATUS'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

const jsonValue: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(jsonValue)]));

const artifactTypeSchema = z
  .object({
    schemaTitle: z.string().min(1, 'schemaTitle must name an artifact type, e.g. tfx.Examples or system.Dataset'),
    schemaVersion: z.string().optional(),
    instanceSchema: z.string().optional(),
  })
  .strict();

const artifactSpecSchema = z
  .object({
    artifactType: artifactTypeSchema,
    isArtifactList: z.boolean().optional(),
    isOptional: z.boolean().optional(),
    description: z.string().optional(),
  })
  .strict();

const parameterSpecSchema = z
  .object({
    parameterType: z.enum(PARAMETER_TYPES, { errorMap: () => ({ message: `parameterType must be one of ${PARAMETER_TYPES.join(', ')}` }) }),
    defaultValue: jsonValue.optional(),
    isOptional: z.boolean().optional(),
    description: z.string().optional(),
  })
  .strict();

const definitionsSchema = z
  .object({
    artifacts: z.record(artifactSpecSchema).optional(),
    parameters: z.record(parameterSpecSchema).optional(),
  })
  .strict();

const outputDefinitionsSchema = z
  .object({
    artifacts: z.record(artifactSpecSchema).optional(),
    parameters: z.record(z.object({ parameterType: parameterSpecSchema.shape.parameterType, description: z.string().optional() }).strict()).optional(),
  })
  .strict();

const taskOutputArtifactSchema = z.object({ producerTask: z.string().min(1), outputArtifactKey: z.string().min(1) }).strict();
const taskOutputParameterSchema = z.object({ producerTask: z.string().min(1), outputParameterKey: z.string().min(1) }).strict();

const artifactInputSchema = z
  .object({
    taskOutputArtifact: taskOutputArtifactSchema.optional(),
    componentInputArtifact: z.string().optional(),
  })
  .strict()
  .refine(
    (a) => Number(Boolean(a.taskOutputArtifact)) + Number(Boolean(a.componentInputArtifact)) === 1,
    'an artifact input needs exactly one of taskOutputArtifact or componentInputArtifact',
  );

const parameterInputSchema = z
  .object({
    componentInputParameter: z.string().optional(),
    taskOutputParameter: taskOutputParameterSchema.optional(),
    runtimeValue: z.object({ constant: jsonValue }).strict().optional(),
    parameterExpressionSelector: z.string().optional(),
  })
  .strict()
  .refine(
    (p) => Number(p.componentInputParameter !== undefined) + Number(Boolean(p.taskOutputParameter)) + Number(Boolean(p.runtimeValue)) === 1,
    'a parameter input needs exactly one of componentInputParameter, taskOutputParameter or runtimeValue',
  );

const taskSchema = z
  .object({
    taskInfo: z.object({ name: z.string().min(1) }).strict(),
    componentRef: z.object({ name: z.string().min(1) }).strict(),
    inputs: z
      .object({ parameters: z.record(parameterInputSchema).optional(), artifacts: z.record(artifactInputSchema).optional() })
      .strict()
      .optional(),
    dependentTasks: z.array(z.string()).optional(),
    cachingOptions: z.object({ enableCache: z.boolean().optional(), cacheKey: z.string().optional() }).strict().optional(),
    parameterIterator: z
      .object({
        items: z.object({ inputParameter: z.string().optional(), raw: z.string().optional() }).strict(),
        itemInput: z.string(),
      })
      .strict()
      .optional(),
    iteratorPolicy: z.object({ parallelismLimit: z.number().int().optional() }).strict().optional(),
    triggerPolicy: z.object({ condition: z.string().optional(), strategy: z.string().optional() }).strict().optional(),
    retryPolicy: z
      .object({
        maxRetryCount: z.number().int().optional(),
        backoffDuration: z.string().optional(),
        backoffFactor: z.number().optional(),
        backoffMaxDuration: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const dagSchema = z
  .object({
    tasks: z.record(taskSchema),
    outputs: z.record(jsonValue).optional(),
  })
  .strict();

const componentSchema = z
  .object({
    executorLabel: z.string().optional(),
    dag: dagSchema.optional(),
    inputDefinitions: definitionsSchema.optional(),
    outputDefinitions: outputDefinitionsSchema.optional(),
  })
  .strict();

const resourcesSchema = z
  .object({
    cpuLimit: z.number().nonnegative().optional(),
    cpuRequest: z.number().nonnegative().optional(),
    memoryLimit: z.number().nonnegative().optional(),
    memoryRequest: z.number().nonnegative().optional(),
    resourceCpuLimit: z.string().optional(),
    resourceCpuRequest: z.string().optional(),
    resourceMemoryLimit: z.string().optional(),
    resourceMemoryRequest: z.string().optional(),
    accelerator: z
      .object({
        count: z.string().optional(),
        resourceCount: z.string().optional(),
        type: z.string().optional(),
        resourceType: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const containerSchema = z
  .object({
    image: z.string().min(1, 'every executor needs a container image'),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z.array(z.object({ name: z.string().min(1), value: z.string() }).strict()).optional(),
    resources: resourcesSchema.optional(),
  })
  .strict();

export const pipelineSpecSchema = z
  .object({
    pipelineInfo: z.object({ name: z.string(), displayName: z.string().optional(), description: z.string().optional() }).strict(),
    deploymentSpec: z.object({ executors: z.record(z.object({ container: containerSchema }).strict()) }).strict(),
    components: z.record(componentSchema),
    root: componentSchema.refine((c) => c.dag !== undefined, 'root must hold the pipeline DAG (root.dag.tasks)'),
    schemaVersion: z.string(),
    sdkVersion: z.string(),
    defaultPipelineRoot: z.string().optional(),
  })
  .strict();

export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type IrComponent = z.infer<typeof componentSchema>;
export type IrTask = z.infer<typeof taskSchema>;
export type IrContainer = z.infer<typeof containerSchema>;
export type IrArtifactSpec = z.infer<typeof artifactSpecSchema>;
export type IrParameterSpec = z.infer<typeof parameterSpecSchema>;

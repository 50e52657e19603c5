/**
 * The pipeline for Kubeflow Pipelines (TFX's kubeflow_v2_runner.py):
 *   tfx-ts pipeline create --pipeline-path kubeflow_runner.ts --endpoint <url>
 *   tfx-ts run create --pipeline-name {{PIPELINE_NAME}} --endpoint <url> [--parameter train_steps=2000]
 * The module files, what they import and data/ travel in a code package uploaded under the
 * pipeline root; every task runs the stock tfx-ts runtime image, fetches the package and runs in it,
 * so module files and data/ are found by the same relative paths there.
 */
import * as path from 'node:path';
import { RuntimeParameter } from 'tfx-ts';
import type { KubeflowRunnerConfig, Pipeline } from 'tfx-ts';
import * as configs from './pipeline/configs';
import { createPipeline as buildPipeline } from './pipeline/pipeline';

/** Artifacts go to a bucket the cluster can write (KFP's pipeline root). */
const PIPELINE_ROOT = `gs://${configs.GCS_BUCKET_NAME}/tfx_pipeline_output/${configs.PIPELINE_NAME}`;

export const kubeflowRunnerConfig: KubeflowRunnerConfig = {
  description: 'Chicago taxi: will the rider tip more than 20% of the fare?',
};

export function createPipeline(): Pipeline {
  return buildPipeline({
    pipelineName: configs.PIPELINE_NAME,
    pipelineRoot: PIPELINE_ROOT,
    // Packed with the code (up to 256 MiB); for big data use a gs:// or s3:// path the cluster can read.
    dataPath: path.join(__dirname, 'data'),
    preprocessingModule: path.join(__dirname, 'models', 'preprocessing.ts'),
    preprocessingFn: configs.PREPROCESSING_FN,
    trainerModule: path.join(__dirname, 'models', 'model.ts'),
    runFn: configs.RUN_FN,
    // Each run may choose: tfx-ts run create ... --parameter train_steps=2000
    trainSteps: new RuntimeParameter({ name: 'train_steps', ptype: 'int', default: configs.TRAIN_NUM_STEPS, description: 'Trainer steps' }),
    evalSteps: configs.EVAL_NUM_STEPS,
    evalAccuracyThreshold: configs.EVAL_ACCURACY_THRESHOLD,
    servingModelDir: configs.KUBEFLOW_SERVING_MODEL_DIR,
    // The baseline: locally the Resolver's latest blessed model; on Kubeflow the latest model the
    // Pusher pushed to servingModelDir, looked up when the run starts (docs/kubeflow.md).
    resources: { Trainer: configs.TRAINER_RESOURCES },
  });
}

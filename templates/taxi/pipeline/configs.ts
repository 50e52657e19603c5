/**
 * Settings of the pipeline, as in TFX's taxi template (configs.py). Edit them here; the local
 * runner and the Kubeflow runner both read this file.
 */

/** The pipeline's name: KFP shows it, and artifacts go under <pipeline root>/<name>. */
export const PIPELINE_NAME = '{{PIPELINE_NAME}}';

/**
 * Kubeflow: the bucket the cluster writes artifacts to (the pipeline root; the code package and
 * pushed models go there too). Tasks run the stock runtime image `<registry>/tfx-ts-runtime:<version>`:
 * set TFX_TS_IMAGE_REGISTRY to the registry you pushed it to (docs/kubeflow.md), or pass --image.
 */
export const GCS_BUCKET_NAME = 'my-gcp-project-kubeflowpipelines-default';

/** Names of the functions Transform and Trainer call in the module files. */
export const PREPROCESSING_FN = 'preprocessingFn';
export const RUN_FN = 'runFn';

export const TRAIN_NUM_STEPS = 1000;
export const EVAL_NUM_STEPS = 150;

/** Evaluator blesses a model only above this accuracy (and not worse than the last blessed one). */
export const EVAL_ACCURACY_THRESHOLD = 0.6;

/**
 * Where blessed models are pushed: a local folder, and on Kubeflow the pipeline root's bucket
 * (a pod's own files are gone when it ends; the Pusher writes the bucket through its API).
 */
export const LOCAL_SERVING_MODEL_DIR = 'serving_model';
export const KUBEFLOW_SERVING_MODEL_DIR = `gs://${GCS_BUCKET_NAME}/serving_model`;

/** Per-step resources on Kubeflow (the seed's set_memory_request / set_cpu_limit / set_gpu_limit). */
export const TRAINER_RESOURCES = { cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' };

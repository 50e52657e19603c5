import * as tf from '@tensorflow/tfjs';

/**
 * Adam over all trainable weights at once. tfjs' AdamOptimizer updates each variable with its own
 * ~12 kernels; a wide & deep model has 20+ variables, so per-kernel overhead dominated its steps
 * (the taxi model ran ~800 kernels per step, two thirds of them optimizer). Here the gradients are
 * concatenated into one vector, Adam runs once on it, and the update is split back. Every element
 * sees the same float32 operations in the same order as tfjs' Adam (moments, bias correction with
 * accumulated beta powers, epsilon, learning rate), so the weights match tfjs' optimizer exactly.
 */
export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class FlatAdam {
  private firstMoment: tf.Tensor1D;
  private secondMoment: tf.Tensor1D;
  private accBeta1: number;
  private accBeta2: number;
  private readonly sizes: number[];

  constructor(
    private readonly variables: tf.Variable[],
    private readonly config: AdamConfig,
  ) {
    this.sizes = variables.map((v) => v.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.firstMoment = tf.keep(tf.zeros([total]));
    this.secondMoment = tf.keep(tf.zeros([total]));
    // tfjs keeps beta^t in float32 scalars, multiplied once per step.
    this.accBeta1 = Math.fround(config.beta1);
    this.accBeta2 = Math.fround(config.beta2);
  }

  /** One step: gradients of `loss` w.r.t. every variable, one Adam update. Returns the loss (kept). */
  minimize(loss: () => tf.Scalar): tf.Scalar {
    const { beta1, beta2, epsilon, learningRate } = this.config;
    const [value, firstMoment, secondMoment] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, this.variables);
      const gradient = tf.concat(this.variables.map((v) => tf.reshape(grads[v.name], [-1])));
      const m = tf.add(tf.mul(this.firstMoment, beta1), tf.mul(gradient, 1 - beta1));
      const v = tf.add(tf.mul(this.secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      const mHat = tf.div(m, tf.sub(1, tf.scalar(this.accBeta1)));
      const vHat = tf.div(v, tf.sub(1, tf.scalar(this.accBeta2)));
      const update = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), -learningRate);
      const pieces = this.sizes.length === 1 ? [update] : tf.split(update, this.sizes);
      this.variables.forEach((variable, i) => variable.assign(tf.add(tf.reshape(pieces[i], variable.shape), variable)));
      return [value, m, v] as [tf.Scalar, tf.Tensor1D, tf.Tensor1D];
    });
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    // Kept: minimize may run inside the caller's tidy, which must not dispose the optimizer state.
    this.firstMoment = tf.keep(firstMoment);
    this.secondMoment = tf.keep(secondMoment);
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(beta2));
    return value;
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
  }
}

/** Adam's settings when the model was compiled with tf.train.adam (or 'adam'); undefined for any other optimizer. */
export function flatAdamConfig(model: tf.LayersModel): AdamConfig | undefined {
  const optimizer = model.optimizer as unknown as { getClassName?: () => string } & Partial<AdamConfig>;
  if (optimizer?.getClassName?.() !== 'Adam') return undefined;
  const config = {
    learningRate: optimizer.learningRate!,
    beta1: optimizer.beta1!,
    beta2: optimizer.beta2!,
    epsilon: optimizer.epsilon ?? tf.backend().epsilon(),
  };
  if (![config.learningRate, config.beta1, config.beta2, config.epsilon].every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
  return config;
}

/** The flat optimizer for a model compiled with tf.train.adam (or 'adam'); undefined for any other optimizer. */
export function flatAdamFor(model: tf.LayersModel): FlatAdam | undefined {
  const config = flatAdamConfig(model);
  if (!config) return undefined;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return new FlatAdam(variables, config);
}

"""preprocessing_fn of TFX's taxi tutorial (taxi_transform.py), the Transform module file of the benchmark."""
import tensorflow as tf
import tensorflow_transform as tft

import taxi_constants as c


def _fill_in_missing(x):
    if not isinstance(x, tf.sparse.SparseTensor):
        return x
    default_value = "" if x.dtype == tf.string else 0
    return tf.squeeze(tf.sparse.to_dense(tf.SparseTensor(x.indices, x.values, [x.dense_shape[0], 1]), default_value), axis=1)


def preprocessing_fn(inputs):
    outputs = {}
    for key in c.NUMERICAL_FEATURES:
        outputs[c.t_name(key)] = tft.scale_to_z_score(_fill_in_missing(inputs[key]))
    for key in c.BUCKET_FEATURES:
        outputs[c.t_name(key)] = tft.bucketize(_fill_in_missing(inputs[key]), c.FEATURE_BUCKET_COUNT)
    for key in c.CATEGORICAL_STRING_FEATURES:
        outputs[c.t_name(key)] = tft.compute_and_apply_vocabulary(
            _fill_in_missing(inputs[key]), top_k=c.VOCAB_SIZE, num_oov_buckets=c.OOV_SIZE)
    for key in c.CATEGORICAL_NUMERICAL_FEATURES:
        outputs[c.t_name(key)] = _fill_in_missing(inputs[key])
    taxi_fare = _fill_in_missing(inputs[c.FARE_KEY])
    tips = _fill_in_missing(inputs[c.LABEL_KEY])
    outputs[c.LABEL_KEY] = tf.where(
        tf.math.is_nan(taxi_fare), tf.cast(tf.zeros_like(taxi_fare), tf.int64),
        tf.cast(tf.greater(tips, tf.multiply(taxi_fare, tf.constant(0.2))), tf.int64))
    return outputs

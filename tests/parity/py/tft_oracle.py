"""tf.Transform's side of tests/parity/transform.test.ts: the taxi preprocessing_fn of TFX's taxi
template (plus one output per analyzer under test), analyzed on our train split and applied to the
train and eval splits, with tft_beam on Beam's DirectRunner.

Request: {"train": parquet, "eval": parquet, "temp": dir}. Our ExampleGen's Parquet is read with
pyarrow and fed as tf.Example-like instances (a missing value is an empty list, as in a tf.Example).
Response: {"rows": {split: {feature: [value per row]}}, "vocabularies": {...}, "seconds": ...}.
Mirrors tests/parity/modules/taxi_preprocessing_parity.ts.
"""
import json
import os
import sys
import time

import apache_beam as beam
import pyarrow.parquet as pq
import tensorflow as tf
import tensorflow_transform as tft
import tensorflow_transform.beam as tft_beam
from tensorflow_transform.tf_metadata import dataset_metadata, schema_utils

NUMERICAL_FEATURES = ["trip_miles", "fare", "trip_seconds"]
BUCKET_FEATURES = ["pickup_latitude", "pickup_longitude", "dropoff_latitude", "dropoff_longitude"]
BUCKET_COUNT = 10
CATEGORICAL_FEATURES = ["trip_start_hour", "trip_start_day", "trip_start_month", "pickup_census_tract",
                        "dropoff_census_tract", "pickup_community_area", "dropoff_community_area"]
CATEGORICAL_MAX = [24, 31, 12, 2000, 2000, 80, 80]
VOCAB_FEATURES = ["payment_type", "company"]
VOCAB_SIZE = 1000
OOV_SIZE = 10


def fill_in_missing(x):
    """TFX taxi template's _fill_in_missing: a VarLen (sparse) feature to a dense vector, '' or 0 where missing."""
    default = "" if x.dtype == tf.string else 0
    dense = tf.sparse.to_dense(tf.SparseTensor(x.indices, x.values, [x.dense_shape[0], 1]), default)
    return tf.squeeze(dense, axis=1)


def is_missing(x):
    present = tf.sparse.to_dense(tf.SparseTensor(x.indices, tf.ones_like(x.values, dtype=tf.int64), [x.dense_shape[0], 1]), 0)
    return tf.equal(tf.squeeze(present, axis=1), 0)


def preprocessing_fn(inputs):
    outputs = {"row_id": inputs["row_id"]}
    for key in NUMERICAL_FEATURES:
        outputs[key + "_xf"] = tft.scale_to_z_score(fill_in_missing(inputs[key]))
    for key in VOCAB_FEATURES:
        outputs[key + "_xf"] = tft.compute_and_apply_vocabulary(
            fill_in_missing(inputs[key]), top_k=VOCAB_SIZE, num_oov_buckets=OOV_SIZE, vocab_filename=key)
    for key in BUCKET_FEATURES:
        outputs[key + "_xf"] = tft.bucketize(fill_in_missing(inputs[key]), BUCKET_COUNT)
    for key, limit in zip(CATEGORICAL_FEATURES, CATEGORICAL_MAX):
        value = fill_in_missing(inputs[key])
        outputs[key + "_xf"] = tf.where(tf.logical_and(value >= 0, value < limit), value, tf.zeros_like(value))
    fare = fill_in_missing(inputs["fare"])
    tips = fill_in_missing(inputs["tips"])
    outputs["tips_xf"] = tf.where(is_missing(inputs["fare"]), tf.zeros_like(fare, dtype=tf.int64),
                                  tf.cast(tf.greater(tips, tf.multiply(fare, tf.constant(0.2))), tf.int64))
    # The float32 inputs of the label, so the test can see where float32 decides a tie at exactly 20%.
    outputs["fare_f32"] = fare
    outputs["tips_f32"] = tips
    seconds = fill_in_missing(inputs["trip_seconds"])
    outputs["fare_mean"] = tf.zeros_like(fare) + tft.mean(fare)
    outputs["fare_var"] = tf.zeros_like(fare) + tft.var(fare)
    outputs["fare_centered"] = fare - tft.mean(fare)
    outputs["trip_seconds_01"] = tft.scale_to_0_1(seconds)
    outputs["trip_miles_z"] = tft.scale_to_z_score(fill_in_missing(inputs["trip_miles"]))
    outputs["company_frequent"] = tft.compute_and_apply_vocabulary(
        fill_in_missing(inputs["company"]), frequency_threshold=50, vocab_filename="company_frequent")
    outputs["payment_top3"] = tft.compute_and_apply_vocabulary(
        fill_in_missing(inputs["payment_type"]), top_k=3, num_oov_buckets=2, vocab_filename="payment_top3")
    outputs["trip_seconds_bucket"] = tft.bucketize(seconds, 4)
    outputs["fare_bucket"] = tft.bucketize(fare, 7)
    return outputs


def read_instances(parquet):
    table = pq.read_table(parquet)
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    spec = {"row_id": tf.io.FixedLenFeature([], tf.int64)}
    for field in table.schema:
        if str(field.type) in ("int64", "int32"):
            spec[field.name] = tf.io.VarLenFeature(tf.int64)
        elif str(field.type) in ("double", "float"):
            spec[field.name] = tf.io.VarLenFeature(tf.float32)
        else:
            spec[field.name] = tf.io.VarLenFeature(tf.string)
    rows = []
    for i in range(table.num_rows):
        row = {"row_id": i}
        for name, values in columns.items():
            v = values[i]
            row[name] = [] if v is None else [v.encode() if isinstance(v, str) else v]
        rows.append(row)
    return rows, spec


def main(request_file, response_file):
    with open(request_file) as f:
        request = json.load(f)
    start = time.time()
    train, spec = read_instances(request["train"])
    evaluation, _ = read_instances(request["eval"])
    metadata = dataset_metadata.DatasetMetadata(schema_utils.schema_from_feature_spec(spec))
    out = os.path.join(request["temp"], "tft")
    with beam.Pipeline(runner="DirectRunner") as pipeline:
        with tft_beam.Context(temp_dir=os.path.join(out, "tmp")):
            (train_t, train_meta), transform_fn = (
                (pipeline | "Train" >> beam.Create(train), metadata) | tft_beam.AnalyzeAndTransformDataset(preprocessing_fn))
            eval_t, _ = ((pipeline | "Eval" >> beam.Create(evaluation), metadata), transform_fn) | tft_beam.TransformDataset()
            for name, rows in (("train", train_t), ("eval", eval_t)):
                (rows | "Json" + name >> beam.Map(lambda r: json.dumps({k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v) for k, v in r.items()}))
                 | "Write" + name >> beam.io.WriteToText(os.path.join(out, name), shard_name_template=""))
            transform_fn | tft_beam.WriteTransformFn(os.path.join(out, "transform_fn"))
    response = {"rows": {}, "vocabularies": {}, "seconds": time.time() - start}
    for name in ("train", "eval"):
        with open(os.path.join(out, name)) as f:
            rows = sorted((json.loads(line) for line in f), key=lambda r: r["row_id"])
        response["rows"][name] = {k: [r[k] for r in rows] for k in rows[0]}
    assets = os.path.join(out, "transform_fn", "transform_fn", "assets")
    for vocab in os.listdir(assets):
        with open(os.path.join(assets, vocab), "rb") as f:
            response["vocabularies"][vocab] = [line.rstrip(b"\n").decode() for line in f]
    with open(response_file, "w") as f:
        json.dump(response, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

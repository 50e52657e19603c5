"""Interop with TFX artifacts, the Python side of tests/parity/interop.test.ts, in one process:
- tf.data reads the gzipped TFRecord tf.Examples our ExampleGen writes (writeTfExamples);
- TFX's own CsvExampleGen (LocalDagRunner, Beam DirectRunner) makes examples for our ImportExampleGen,
  and the records are decoded here with tf.train.Example for comparison;
- TensorBoard's event_processing reads our Trainer's event files.

Request: {"ours": {split: {"file": tfrecord.gz, "features": {name: "int"|"float"|"string"}}},
          "tfxCsvDir": dir, "pipelineRoot": dir, "eventDir": dir}
"""
import glob
import json
import os
import sys
import time

import tensorflow as tf


def column_values(values):
    return [None if len(v) == 0 else v[0] for v in values]


def read_with_tf_data(spec):
    kinds = {"int": tf.int64, "float": tf.float32, "string": tf.string}
    features = {name: tf.io.VarLenFeature(kinds[kind]) for name, kind in spec["features"].items()}
    dataset = tf.data.TFRecordDataset([spec["file"]], compression_type="GZIP").batch(100_000).map(lambda x: tf.io.parse_example(x, features))
    out = {name: [] for name in features}
    for batch in dataset:
        for name, sparse in batch.items():
            dense = tf.sparse.to_dense(sparse, default_value="" if sparse.dtype == tf.string else 0).numpy()
            present = tf.sparse.to_dense(tf.SparseTensor(sparse.indices, tf.ones_like(sparse.values, dtype=tf.int32), sparse.dense_shape)).numpy()
            for row, flags in zip(dense, present):
                if flags.sum() == 0:
                    out[name].append(None)
                else:
                    v = row[0]
                    out[name].append(v.decode() if isinstance(v, bytes) else v.item())
    return out


def decode_tfx_split(split_dir):
    columns = {}
    files = sorted(glob.glob(os.path.join(split_dir, "*")))
    rows = 0
    for record in tf.data.TFRecordDataset(files, compression_type="GZIP"):
        example = tf.train.Example.FromString(record.numpy())
        for name, feature in example.features.feature.items():
            kind = feature.WhichOneof("kind")
            values = list(getattr(feature, kind).value) if kind else []
            col = columns.setdefault(name, [None] * rows)
            col.append(None if not values else (values[0].decode() if kind == "bytes_list" else values[0]))
        rows += 1
        for col in columns.values():
            if len(col) < rows:
                col.append(None)
    return {"rows": rows, "columns": columns, "files": [os.path.basename(f) for f in files]}


def run_tfx_example_gen(csv_dir, pipeline_root):
    """TFX's own CsvExampleGen, run by TFX's LocalDagRunner (InteractiveContext.run only runs inside IPython)."""
    from tfx import v1 as tfx
    example_gen = tfx.components.CsvExampleGen(input_base=csv_dir)
    pipeline = tfx.dsl.Pipeline(
        pipeline_name="interop", pipeline_root=pipeline_root, components=[example_gen],
        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(os.path.join(pipeline_root, "metadata.sqlite")))
    tfx.orchestration.LocalDagRunner().run(pipeline)
    (uri,) = glob.glob(os.path.join(pipeline_root, "CsvExampleGen", "examples", "*"))
    return uri


def read_events(event_dir):
    from tensorboard.backend.event_processing import event_accumulator
    accumulator = event_accumulator.EventAccumulator(event_dir, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    scalars = {tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags.get("scalars", [])}
    return {"scalars": scalars, "tags": {k: v for k, v in tags.items() if isinstance(v, list)}}


def main(request_file, response_file):
    with open(request_file) as f:
        request = json.load(f)
    response = {"seconds": {}}
    start = time.time()
    response["tfData"] = {split: read_with_tf_data(spec) for split, spec in request["ours"].items()}
    response["seconds"]["tfData"] = time.time() - start
    start = time.time()
    uri = run_tfx_example_gen(request["tfxCsvDir"], request["pipelineRoot"])
    response["tfxExamples"] = {"uri": uri, "splits": {}}
    for split_dir in sorted(glob.glob(os.path.join(uri, "Split-*"))):
        response["tfxExamples"]["splits"][os.path.basename(split_dir)[len("Split-"):]] = decode_tfx_split(split_dir)
    response["seconds"]["tfxExampleGen"] = time.time() - start
    response["events"] = read_events(request["eventDir"])
    with open(response_file, "w") as f:
        json.dump(response, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

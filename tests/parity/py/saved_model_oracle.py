"""TensorFlow's side of tests/parity/saved-model.test.ts: load the SavedModel that
`tfx-ts export --saved-model` wrote, feed its serving_default the gzipped tf.Example records our
ExampleGen wrote for the eval split, and return the predictions together with the same records
decoded to JSON rows (so tfx-ts predicts from exactly the values TF saw: tf.Example floats are float32).

Request: {"savedModel": dir, "files": [TFRecord files], "features": {name: "int"|"float"|"string"}, "output": name}
"""
import json
import sys

import tensorflow as tf


def main(request_file: str, response_file: str) -> None:
    with open(request_file) as f:
        request = json.load(f)
    loaded = tf.saved_model.load(request['savedModel'])
    serve = loaded.signatures['serving_default']
    records = [r.numpy() for r in tf.data.TFRecordDataset(request['files'], compression_type='GZIP')]
    predictions = []
    for start in range(0, len(records), 1024):
        out = serve(examples=tf.constant(records[start:start + 1024]))[request['output']]
        predictions.extend(float(p) for p in out.numpy()[:, 0])
    rows = []
    for record in records:
        example = tf.train.Example.FromString(record)
        row = {}
        for name, dtype in request['features'].items():
            feature = example.features.feature.get(name)
            values = None
            if feature is not None:
                values = (list(feature.bytes_list.value) if dtype == 'string' else
                          list(feature.int64_list.value) if dtype == 'int' else list(feature.float_list.value))
            row[name] = None if not values else values[0].decode('utf-8') if dtype == 'string' else values[0]
        rows.append(row)
    inputs = {name: spec.dtype.name for name, spec in serve.structured_input_signature[1].items()}
    with open(response_file, 'w') as f:
        json.dump({'predictions': predictions, 'rows': rows, 'inputs': inputs,
                   'outputs': list(serve.structured_outputs.keys())}, f)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

"""TFMA's side of tests/parity/evaluator.test.ts: tfma.analyze_raw_data on our labels and predictions
(a pandas DataFrame), one run per EvalConfig, in one process.

Request: {"rows": {column: [values]}, "configs": [{"id", "evalConfig": EvalConfig as proto3 JSON}], "out": dir}
Response: {id: {"slices": [{"key": [[feature, value]], "metrics": {name: value}}], "validationOk": bool,
           "failures": [...]}}
"""
import json
import os
import sys
import time

import pandas as pd
import tensorflow_model_analysis as tfma
from google.protobuf import json_format


def value_of(metric):
    if "doubleValue" in metric:
        return metric["doubleValue"]
    if "boundedValue" in metric:
        return metric["boundedValue"]["value"]
    return metric


def main(request_file, response_file):
    with open(request_file) as f:
        request = json.load(f)
    frame = pd.DataFrame(request["rows"])
    response = {"results": {}, "seconds": {}}
    for spec in request["configs"]:
        start = time.time()
        config = json_format.ParseDict(spec["evalConfig"], tfma.EvalConfig())
        out = os.path.join(request["out"], spec["id"])
        result = tfma.analyze_raw_data(frame, config, output_path=out)
        slices = []
        for key, metrics in result.slicing_metrics:
            values = metrics[""][""]
            slices.append({
                "key": [[k, v.decode() if isinstance(v, bytes) else v] for k, v in key],
                "metrics": {name: value_of(m) for name, m in values.items()},
            })
        validation = tfma.load_validation_result(out)
        response["results"][spec["id"]] = {
            "slices": slices,
            "validationOk": validation.validation_ok,
            "failures": [json_format.MessageToDict(f) for f in validation.metric_validations_per_slice],
        }
        response["seconds"][spec["id"]] = time.time() - start
    with open(response_file, "w") as f:
        json.dump(response, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

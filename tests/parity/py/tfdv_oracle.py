"""TFDV's side of tests/parity/tfdv.test.ts, in one process (TFX's Python start-up costs seconds).

Request (JSON): {
  "stats":  {name: csv_path},                      # tfdv.generate_statistics_from_csv
  "schemas": {name: {"stats": name, "ours": pbtxt}},  # tfdv.infer_schema on TFDV's statistics; our pbtxt parsed as a Schema proto
  "validations": [{"id", "schema", "curation", "stats", "previous"?, "serving"?, "environment"?,
                   "ours": {"schema": pbtxt, "stats": json, "previous"?: json, "serving"?: json}}]
}
Response: statistics as proto3 JSON, schemas as dicts, anomalies from TFDV on TFDV's statistics and
from TFDV on our statistics and schema (the same inputs our validator saw), timings.
"""
import hashlib
import json
import os
import sys
import time

import tensorflow_data_validation as tfdv
from google.protobuf import json_format, text_format
from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2


def cached_statistics(csv):
    """generate_statistics_from_csv, cached by the file's bytes and TFDV's version (the result is a pure
    function of both), so re-runs on one machine skip the Beam pipelines. TFX_TS_PARITY_CACHE=off disables it."""
    folder = os.environ.get("TFX_TS_PARITY_CACHE") or os.path.join(os.environ.get("TFX_TS_CACHE") or os.path.expanduser("~/.cache/tfx-ts"), "parity")
    digest = hashlib.sha256(open(csv, "rb").read() + tfdv.__version__.encode()).hexdigest()[:24]
    cached = os.path.join(folder, "tfdv-stats-" + digest + ".pb")
    if folder != "off" and os.path.exists(cached):
        return tfdv.load_stats_binary(cached), True
    stats = tfdv.generate_statistics_from_csv(data_location=csv)
    if folder != "off":
        os.makedirs(folder, exist_ok=True)
        with open(cached + ".tmp", "wb") as f:
            f.write(stats.SerializeToString())
        os.replace(cached + ".tmp", cached)
    return stats, False


def to_dict(message):
    return json_format.MessageToDict(message)


def curate(schema, curation):
    """The tutorial's schema edits, given as data so the TypeScript side applies the same ones."""
    for env in curation.get("defaultEnvironment", []):
        schema.default_environment.append(env)
    for name, envs in curation.get("notInEnvironment", {}).items():
        tfdv.get_feature(schema, name).not_in_environment.extend(envs)
    for kind in ("skew", "drift"):
        for name, comparator in curation.get(kind, {}).items():
            feature = tfdv.get_feature(schema, name)
            target = feature.skew_comparator if kind == "skew" else feature.drift_comparator
            if "infinityNorm" in comparator:
                target.infinity_norm.threshold = comparator["infinityNorm"]
            if "jensenShannonDivergence" in comparator:
                target.jensen_shannon_divergence.threshold = comparator["jensenShannonDivergence"]
    return schema


def load_our_stats(file):
    # ignore_unknown_fields=False: every field we write must be one TFDV's proto knows.
    with open(file) as f:
        return json_format.ParseDict(json.load(f), statistics_pb2.DatasetFeatureStatisticsList(), ignore_unknown_fields=False)


def main(request_file, response_file):
    with open(request_file) as f:
        request = json.load(f)
    response = {"stats": {}, "schemas": {}, "validations": {}, "seconds": {}}
    stats = {}
    for name, csv in request.get("stats", {}).items():
        start = time.time()
        stats[name], hit = cached_statistics(csv)
        response["seconds"]["stats:" + name + (" (cached)" if hit else "")] = time.time() - start
        response["stats"][name] = to_dict(stats[name])
    schemas = {}
    for name, spec in request.get("schemas", {}).items():
        schemas[name] = tfdv.infer_schema(stats[spec["stats"]])
        ours = tfdv.load_schema_text(spec["ours"])  # SchemaGen's pbtxt, loaded as TFDV users load it
        response["schemas"][name] = {"tfdv": to_dict(schemas[name]), "ours": to_dict(ours), "equal": ours == schemas[name]}
    for v in request.get("validations", []):
        schema = curate(schema_pb2.Schema.FromString(schemas[v["schema"]].SerializeToString()), v.get("curation", {}))
        kwargs = {}
        if v.get("environment"):
            kwargs["environment"] = v["environment"]
        theirs = tfdv.validate_statistics(
            stats[v["stats"]], schema,
            previous_statistics=stats[v["previous"]] if v.get("previous") else None,
            serving_statistics=stats[v["serving"]] if v.get("serving") else None, **kwargs)
        ours = v["ours"]
        our_schema = text_format.Parse(open(ours["schema"]).read(), schema_pb2.Schema())
        on_ours = tfdv.validate_statistics(
            load_our_stats(ours["stats"]), our_schema,
            previous_statistics=load_our_stats(ours["previous"]) if ours.get("previous") else None,
            serving_statistics=load_our_stats(ours["serving"]) if ours.get("serving") else None, **kwargs)
        response["validations"][v["id"]] = {
            "tfdv": to_dict(theirs), "tfdvOnOurs": to_dict(on_ours),
            "curatedSchemaEqual": our_schema == schema,
        }
    # Our binary FeatureStats.pb: TFDV reads it, it equals our JSON, and TFDV's Facets view renders it.
    response["binary"] = {}
    for name, spec in request.get("binary", {}).items():
        loaded = tfdv.load_stats_binary(spec["pb"])
        from tensorflow_data_validation.utils import display_util
        html = display_util.get_statistics_html(loaded)
        response["binary"][name] = {
            "equalsJson": loaded == load_our_stats(spec["json"]),
            "numExamples": loaded.datasets[0].num_examples,
            "htmlLength": len(html),
            "htmlHasFacets": "facets-overview" in html,
        }
    with open(response_file, "w") as f:
        json.dump(response, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

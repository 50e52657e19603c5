"""Do TFX and tfx-ts get the same numbers on the taxi pipeline? Reads the two sides' summaries
(written by tfx_taxi.py and tfxts_taxi.ts) and compares their artifacts with TFX's own readers:
statistics (both sides write FeatureStats.pb), schema (schema.pbtxt), anomalies, evaluation.

    python compare_taxi.py <tfx summary.json> <tfx-ts summary.json>   → JSON on stdout
"""
import json
import os
import sys

import tensorflow_data_validation as tfdv
import tensorflow_model_analysis as tfma
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2

SPLITS = ('train', 'eval')


def stats_of(uri: str, split: str):
    return tfdv.load_stats_binary(os.path.join(uri, f'Split-{split}', 'FeatureStats.pb')).datasets[0]


def compare_statistics(a_uri: str, b_uri: str) -> dict:
    """The two sides split the 15,002 rows differently (TFX hashes each example with FarmHash, tfx-ts
    with its documented md5 hash), so per split only the sizes are compared; the values are compared
    over train + eval together, where both sides saw the same rows: per numeric feature the number
    of values and their mean (weighted by values per split). Missing-value counts are not compared:
    TFX's CsvExampleGen writes an empty value list for an empty CSV cell, which TFDV counts as
    present (with 0 values), while tfx-ts's statistics count an empty cell as missing."""
    out = {'split_sizes': {}}
    totals = [{}, {}]
    for split in SPLITS:
        datasets = (stats_of(a_uri, split), stats_of(b_uri, split))
        out['split_sizes'][split] = [d.num_examples for d in datasets]
        for side, d in enumerate(datasets):
            for f in d.features:
                if f.HasField('num_stats'):
                    name = f.path.step[0] if f.path.step else f.name
                    n = f.num_stats.common_stats.tot_num_values
                    count, total = totals[side].get(name, (0, 0.0))
                    totals[side][name] = (count + n, total + f.num_stats.mean * n)
    names = sorted(set(totals[0]) & set(totals[1]))
    means = {n: [totals[s][n][1] / max(totals[s][n][0], 1) for s in (0, 1)] for n in names}
    out['numeric_features'] = [len(totals[0]), len(totals[1])]
    out['value_count_differences'] = {n: [totals[0][n][0], totals[1][n][0]] for n in names if totals[0][n][0] != totals[1][n][0]}
    out['max_relative_mean_difference'] = max(abs(u - v) / max(abs(u), 1e-12) for u, v in means.values())
    out['means_all_rows'] = {n: [round(u, 6), round(v, 6)] for n, (u, v) in means.items()}
    return out


def compare_schema(a_uri: str, b_uri: str) -> dict:
    a = tfdv.load_schema_text(os.path.join(a_uri, 'schema.pbtxt'))
    b = tfdv.load_schema_text(os.path.join(b_uri, 'schema.pbtxt'))
    ta = {f.name: schema_pb2.FeatureType.Name(f.type) for f in a.feature}
    tb = {f.name: schema_pb2.FeatureType.Name(f.type) for f in b.feature}
    return {
        'features': [len(ta), len(tb)],
        'type_differences': {n: [ta.get(n), tb.get(n)] for n in sorted(set(ta) | set(tb)) if ta.get(n) != tb.get(n)},
        'string_domains': [len(a.string_domain), len(b.string_domain)],
    }


def anomalies_tfx(uri: str) -> dict:
    out = {}
    for split in SPLITS:
        anomalies = anomalies_pb2.Anomalies()
        with open(os.path.join(uri, f'Split-{split}', 'SchemaDiff.pb'), 'rb') as f:
            anomalies.ParseFromString(f.read())
        out[split] = sorted(anomalies.anomaly_info.keys())
    return out


def anomalies_ours(uri: str) -> dict:
    out = {}
    for split in SPLITS:
        with open(os.path.join(uri, f'Split-{split}', 'SchemaDiff.json')) as f:
            out[split] = sorted((json.load(f).get('anomalyInfo') or {}).keys())
    return out


def overall_tfx(uri: str) -> dict:
    result = tfma.load_eval_result(uri)
    for slice_key, metrics in result.slicing_metrics:
        if not slice_key:
            values = metrics['']['']
            return {name: next(iter(v.values())) for name, v in values.items()
                    if name in ('example_count', 'binary_accuracy', 'auc')}
    raise ValueError(f'no overall slice in {uri}')


def overall_ours(uri: str) -> dict:
    with open(os.path.join(uri, 'evaluation.json')) as f:
        evaluation = json.load(f)
    overall = next(s for s in evaluation['slices'] if not s['key'])
    return {k: overall['metrics'][k] for k in ('example_count', 'binary_accuracy', 'auc')}


def main(tfx_summary: str, ours_summary: str) -> None:
    with open(tfx_summary) as f:
        a = json.load(f)['artifacts']
    with open(ours_summary) as f:
        b = json.load(f)['artifacts']
    print(json.dumps({
        'statistics': compare_statistics(a['statistics'], b['statistics']),
        'schema': compare_schema(a['schema'], b['schema']),
        'anomalies': {'TFX': anomalies_tfx(a['anomalies']), 'tfx-ts': anomalies_ours(b['anomalies'])},
        # Two different models (TF Keras vs tfjs, different initial weights and hidden units): the
        # metrics should agree in magnitude, not to the digit.
        'evaluation_overall': {'TFX': overall_tfx(a['evaluation']), 'tfx-ts': overall_ours(b['evaluation'])},
        'blessed': [os.path.exists(os.path.join(a['blessing'], 'BLESSED')),
                    os.path.exists(os.path.join(b['blessing'], 'BLESSED'))],
        'pushed': [a['pushed'], b['pushed']],
    }, indent=1))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

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
    out = {}
    for split in SPLITS:
        a, b = stats_of(a_uri, split), stats_of(b_uri, split)
        fa = {f.path.step[0] if f.path.step else f.name: f for f in a.features}
        fb = {f.path.step[0] if f.path.step else f.name: f for f in b.features}
        worst = {'mean': 0.0, 'std_dev': 0.0, 'num_missing': 0}
        for name in set(fa) & set(fb):
            x, y = fa[name], fb[name]
            if x.HasField('num_stats') and y.HasField('num_stats'):
                for key in ('mean', 'std_dev'):
                    u, v = getattr(x.num_stats, key), getattr(y.num_stats, key)
                    worst[key] = max(worst[key], abs(u - v) / max(abs(u), 1e-12))
                ca, cb = x.num_stats.common_stats, y.num_stats.common_stats
            else:
                ca, cb = x.string_stats.common_stats, y.string_stats.common_stats
            worst['num_missing'] = max(worst['num_missing'], abs(ca.num_missing - cb.num_missing))
        out[split] = {
            'num_examples': [a.num_examples, b.num_examples],
            'features': [len(fa), len(fb)],
            'max_relative_difference': {'mean': worst['mean'], 'std_dev': worst['std_dev']},
            'max_num_missing_difference': worst['num_missing'],
        }
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

"""A tfx-ts model bundle (tfjs LayersModel + transform graph + signature) as a TensorFlow SavedModel,
for TF Serving and Python TF. Run by `tfx-ts export --saved-model`; needs TensorFlow and the
`tensorflowjs` package (requirements/tfjs.txt).

    python export_saved_model.py <bundle dir> <output dir>

The Keras model comes from the tensorflowjs converter's own loader (keras_tfjs_loader reads
model.json + weights into a tf.keras model). The transform graph is applied in TensorFlow ops with
the semantics of src/transform/ops.ts (the JavaScript apply): numbers are float64 with NaN for
missing, strings carry a presence mask; only then are the model inputs cast to float32, as the
bundle does. `serving_default` takes serialized tf.Example protos of the raw features, as TFX's taxi
model does (tf.Example marks a missing value by its absence), and returns {<output name>: [n, 1]}.

Exit status 3 with one line on stderr: the bundle uses a transform op this exporter does not cover
(nothing is written then).
"""
import json
import math
import os
import sys

OPS_SUPPORTED = {
    'input', 'constant', 'fill_missing', 'is_missing', 'add', 'sub', 'mul', 'div', 'minimum', 'maximum',
    'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'neg', 'abs', 'where', 'clip', 'scale_to_z_score',
    'scale_to_0_1', 'bucketize', 'apply_buckets', 'compute_and_apply_vocabulary', 'apply_vocabulary',
    'hash_strings', 'eq', 'ne', 'exp', 'floor', 'log', 'log1p', 'sigmoid', 'sqrt',
    'analyzer_mean', 'analyzer_var', 'analyzer_min', 'analyzer_max', 'analyzer_sum', 'analyzer_size',
}


def md5_bucket(strings, buckets: int):
    """hashBucket of src/transform/hash.ts: first 64 bits of md5(utf-8), big-endian, mod buckets.
    TensorFlow has no md5 op (its string hashes are FarmHash and SipHash), so md5 is written here
    in int64 arithmetic masked to 32 bits, vectorized over the batch, one 64-byte block per step."""
    import tensorflow as tf

    mask = tf.constant(0xFFFFFFFF, tf.int64)

    def shl(x, c):  # tf.Tensor has no << / >> operators
        return tf.bitwise.left_shift(x, tf.constant(c, tf.int64))

    def shr(x, c):
        return tf.bitwise.right_shift(x, tf.constant(c, tf.int64))
    length = tf.cast(tf.strings.length(strings), tf.int64)  # bytes
    blocks = (length + 8) // 64 + 1
    max_blocks = tf.maximum(tf.reduce_max(blocks), 1)
    width = max_blocks * 64
    data = tf.cast(tf.io.decode_raw(strings, tf.uint8, fixed_length=tf.cast(width, tf.int32)), tf.int64)
    positions = tf.range(width, dtype=tf.int64)[tf.newaxis, :]
    data = data + tf.where(positions == length[:, tf.newaxis], tf.constant(0x80, tf.int64), 0)
    bits = length * 8
    for k in range(8):
        at = (blocks * 64 - 8 + k)[:, tf.newaxis]
        data = data + tf.where(positions == at, shr(bits[:, tf.newaxis], 8 * k) & 0xFF, 0)
    words = tf.reshape(data, [tf.shape(data)[0], -1, 16, 4])
    words = words[..., 0] | shl(words[..., 1], 8) | shl(words[..., 2], 16) | shl(words[..., 3], 24)
    shifts = [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4
    constants = [int(abs(math.sin(i + 1)) * 2 ** 32) & 0xFFFFFFFF for i in range(64)]
    n = tf.shape(data)[0]
    state0 = [tf.fill([n], tf.constant(v, tf.int64)) for v in (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476)]

    def block(b, a0, b0, c0, d0):
        m = [words[:, b, j] for j in range(16)]
        a, bb, c, d = a0, b0, c0, d0
        for i in range(64):
            if i < 16:
                f, g = (bb & c) | ((bb ^ mask) & d), i
            elif i < 32:
                f, g = (d & bb) | ((d ^ mask) & c), (5 * i + 1) % 16
            elif i < 48:
                f, g = bb ^ c ^ d, (3 * i + 5) % 16
            else:
                f, g = c ^ (bb | (d ^ mask)), (7 * i) % 16
            f = (f + a + constants[i] + m[g]) & mask
            rotated = (shl(f, shifts[i]) | shr(f, 32 - shifts[i])) & mask
            a, d, c, bb = d, c, bb, (bb + rotated) & mask
        live = b < blocks  # strings with fewer blocks keep their digest
        return (b + 1, *[tf.where(live, (x0 + x) & mask, x0) for x0, x in zip((a0, b0, c0, d0), (a, bb, c, d))])

    _, a0, b0, _, _ = tf.while_loop(lambda b, *_: b < max_blocks, block, (tf.constant(0, tf.int64), *state0))

    def swap(x):  # the digest's bytes are little-endian words; read them big-endian
        return shl(x & 0xFF, 24) | shl(shr(x, 8) & 0xFF, 16) | shl(shr(x, 16) & 0xFF, 8) | (shr(x, 24) & 0xFF)

    hi, lo = swap(a0), swap(b0)
    return ((hi % buckets) * ((2 ** 32) % buckets) + lo % buckets) % buckets


def needed_nodes(graph, output_names):
    by_name = {o['name']: o for o in graph['outputs']}
    seen, stack = set(), [by_name[n]['node'] for n in output_names]
    while stack:
        i = stack.pop()
        if i not in seen:
            seen.add(i)
            stack.extend(graph['nodes'][i]['args'])
    return sorted(seen)


def check_supported(graph, output_names):
    nodes = [graph['nodes'][i] for i in needed_nodes(graph, output_names)]
    unsupported = {n['op'] for n in nodes} - OPS_SUPPORTED
    # Columns of strings come out of inputs, fill_missing and nothing else here.
    unsupported |= {f"{n['op']} (giving strings)" for n in nodes if n.get('dtype') == 'string' and n['op'] not in ('input', 'constant', 'fill_missing')}
    unsupported = sorted(unsupported)
    if unsupported:
        sys.stderr.write(f"the transform graph uses op(s) {', '.join(unsupported)}, which the SavedModel export does "
                         f"not translate to TensorFlow yet (supported: {', '.join(sorted(OPS_SUPPORTED))})\n")
        sys.exit(3)


def main(bundle_dir: str, output_dir: str) -> None:
    with open(os.path.join(bundle_dir, 'signature.json')) as f:
        signature = json.load(f)
    with open(os.path.join(bundle_dir, 'transform_graph.json')) as f:
        graph = json.load(f)
    model_inputs = signature['modelInputs']
    check_supported(graph, model_inputs)

    import tensorflow as tf
    from tensorflowjs.converters import keras_tfjs_loader

    model = keras_tfjs_loader.load_keras_model(os.path.join(bundle_dir, 'model.json'))
    output_name = signature['outputs'][0]['name']
    raw_features = signature['inputs']
    f64 = tf.float64

    # ---- the transform graph's ops on float64 columns (NaN = missing) and (string, present) pairs ----
    def is_str(v):
        return isinstance(v, tuple)

    def nan_like(x):
        return tf.fill(tf.shape(x), tf.constant(math.nan, f64))

    def truth(x):  # JS: x !== 0 && x === x
        return tf.logical_and(tf.not_equal(x, 0.0), tf.logical_not(tf.math.is_nan(x)))

    def as01(b):
        return tf.cast(b, f64)

    def num(v, like):
        if isinstance(v, tf.Tensor):
            return v
        return tf.fill(tf.shape(like), tf.constant(float(v), f64))

    # Lookup tables are built once, outside the traced function, and tracked by the module so the
    # SavedModel initializes them when it loads (not on every call).
    tables = {}

    def table_for(node_id, vocabulary):
        if node_id not in tables:
            tables[node_id] = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(tf.constant(vocabulary, tf.string),
                                                    tf.range(len(vocabulary), dtype=tf.int64)), -1)
        return tables[node_id]

    def vocabulary_lookup(node_id, v, vocabulary, oov_buckets, default):
        strings, present = v
        if vocabulary:
            index = table_for(node_id, vocabulary).lookup(strings)
        else:
            index = tf.fill(tf.shape(strings), tf.constant(-1, tf.int64))
        if oov_buckets > 0:
            unknown = tf.cast(len(vocabulary) + md5_bucket(strings, oov_buckets), tf.int64)
        else:
            unknown = tf.fill(tf.shape(strings), tf.constant(default, tf.int64))
        found = tf.where(index >= 0, index, unknown)
        return tf.where(present, tf.cast(found, f64), tf.constant(float(default), f64))

    def bucket_index(x, boundaries):  # bisect_right; missing → -1
        b = tf.constant(boundaries, f64) if boundaries else tf.zeros([0], f64)
        count = tf.reduce_sum(tf.cast(b[tf.newaxis, :] <= x[:, tf.newaxis], f64), axis=1)
        return tf.where(tf.math.is_nan(x), tf.constant(-1.0, f64), count)

    def apply(node, args, like):
        op, attrs, analysis = node['op'], node.get('attrs', {}), node.get('analysis', {})
        if op == 'fill_missing':
            if is_str(args[0]):
                s, present = args[0]
                return (tf.where(present, s, attrs['value']), tf.ones_like(present))
            return tf.where(tf.math.is_nan(args[0]), tf.constant(float(attrs['value']), f64), args[0])
        if op == 'is_missing':
            return as01(tf.logical_not(args[0][1])) if is_str(args[0]) else as01(tf.math.is_nan(args[0]))
        if op in ('hash_strings',):
            s, present = args[0]
            return tf.where(present, tf.cast(md5_bucket(s, attrs['hashBuckets']), f64), tf.constant(-1.0, f64))
        if op == 'compute_and_apply_vocabulary':
            return vocabulary_lookup(node['id'], args[0], analysis['vocabulary'], attrs.get('numOovBuckets', 0), attrs.get('defaultValue', -1))
        if op == 'apply_vocabulary':
            return vocabulary_lookup(node['id'], args[0], attrs['vocabulary'], attrs.get('numOovBuckets', 0), attrs.get('defaultValue', -1))
        if op in ('eq', 'ne') and (is_str(args[0]) or isinstance(args[0], str)):
            def pair(v):
                return v if is_str(v) else (tf.fill(tf.shape(like), v), tf.ones(tf.shape(like), tf.bool))
            (a, pa), (b, pb) = pair(args[0]), pair(args[1])
            both = tf.logical_and(pa, pb)  # JS: null compares false either way
            same = tf.equal(a, b)
            return as01(tf.logical_and(both, same if op == 'eq' else tf.logical_not(same)))
        if op.startswith('analyzer_'):
            return tf.fill(tf.shape(like), tf.constant(float(analysis['value']), f64))
        if op == 'where':
            c, a, b = num(args[0], like), num(args[1], like), num(args[2], like)
            return tf.where(truth(c), a, b)
        x = num(args[0], like) if args else None
        y = num(args[1], like) if len(args) > 1 else None
        if op == 'add':
            return x + y
        if op == 'sub':
            return x - y
        if op == 'mul':
            return x * y
        if op == 'div':
            return x / y
        if op in ('minimum', 'maximum'):
            either = tf.logical_or(tf.math.is_nan(x), tf.math.is_nan(y))
            return tf.where(either, nan_like(x), tf.minimum(x, y) if op == 'minimum' else tf.maximum(x, y))
        if op in ('gt', 'ge', 'lt', 'le'):  # NaN compares false, as in JS
            return as01({'gt': tf.greater, 'ge': tf.greater_equal, 'lt': tf.less, 'le': tf.less_equal}[op](x, y))
        if op == 'eq':
            return as01(tf.equal(x, y))
        if op == 'ne':  # JS: x !== y && x === x && y === y
            return as01(tf.logical_and(tf.not_equal(x, y), tf.logical_not(tf.logical_or(tf.math.is_nan(x), tf.math.is_nan(y)))))
        if op in ('exp', 'floor', 'log', 'log1p', 'sqrt'):
            return {'exp': tf.exp, 'floor': tf.floor, 'log': tf.math.log, 'log1p': tf.math.log1p, 'sqrt': tf.sqrt}[op](x)
        if op == 'sigmoid':  # 1 / (1 + exp(-x)), as the JS does (tf.sigmoid rounds differently at the tails)
            return 1.0 / (1.0 + tf.exp(-x))
        if op == 'and':
            return as01(tf.logical_and(truth(x), truth(y)))
        if op == 'or':
            return as01(tf.logical_or(truth(x), truth(y)))
        if op == 'not':
            return as01(tf.logical_or(tf.equal(x, 0.0), tf.math.is_nan(x)))
        if op == 'neg':
            return -x
        if op == 'abs':
            return tf.abs(x)
        if op == 'clip':
            lo, hi = float(attrs['min']), float(attrs['max'])
            return tf.where(x < lo, tf.constant(lo, f64), tf.where(x > hi, tf.constant(hi, f64), x))
        if op == 'scale_to_z_score':
            std = math.sqrt(analysis['variance'])
            return (x - analysis['mean']) / std if std > 0 else x - analysis['mean']
        if op == 'scale_to_0_1':
            lo, hi = analysis['min'], analysis['max']
            return (x - lo) / (hi - lo) if hi > lo else 1.0 / (1.0 + tf.exp(-x))
        if op == 'bucketize':
            return bucket_index(x, analysis['boundaries'])
        if op == 'apply_buckets':
            return bucket_index(x, attrs['boundaries'])
        raise ValueError(f'op {op}')  # check_supported ran first

    needed = needed_nodes(graph, model_inputs)
    dtypes = {f['name']: f['dtype'] for f in raw_features}
    by_output = {o['name']: o['node'] for o in graph['outputs']}

    def transform(raw):
        like = next(v for v in raw.values() if not is_str(v)) if any(not is_str(v) for v in raw.values()) \
            else tf.zeros(tf.shape(next(iter(raw.values()))[0]), f64)
        values = {}
        for i in needed:
            node = graph['nodes'][i]
            if node['op'] == 'input':
                values[i] = raw[node['attrs']['name']]
            elif node['op'] == 'constant':
                values[i] = node['attrs']['value']
            else:
                values[i] = apply(node, [values[a] for a in node['args']], like)
        return [tf.cast(tf.reshape(num(values[by_output[name]], like), [-1, 1]), tf.float32) for name in model_inputs]

    spec = {f['name']: tf.io.RaggedFeature(tf.string if f['dtype'] == 'string' else tf.int64 if f['dtype'] == 'int'
                                          else tf.float32) for f in raw_features}

    for i in needed:
        node = graph['nodes'][i]
        vocabulary = (node.get('analysis') or {}).get('vocabulary') if node['op'] == 'compute_and_apply_vocabulary' \
            else node['attrs'].get('vocabulary') if node['op'] == 'apply_vocabulary' else None
        if vocabulary:
            table_for(i, vocabulary)

    class Exported(tf.Module):
        def __init__(self):
            super().__init__()
            self.model = model
            self.tables = [tables[i] for i in sorted(tables)]

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name='examples')])
        def serve_tf_examples(self, serialized):
            parsed = tf.io.parse_example(serialized, spec)
            raw = {}
            for name, ragged in parsed.items():
                present = ragged.row_lengths() > 0
                if dtypes[name] == 'string':
                    raw[name] = (ragged.to_tensor(default_value='', shape=[None, 1])[:, 0], present)
                else:
                    first = tf.cast(ragged.to_tensor(default_value=0, shape=[None, 1])[:, 0], f64)
                    raw[name] = tf.where(present, first, nan_like(first))
            return {output_name: self.model(transform(raw), training=False)}

    exported = Exported()
    tf.saved_model.save(exported, output_dir, signatures={'serving_default': exported.serve_tf_examples})
    print(json.dumps({'savedModel': output_dir, 'signature': 'serving_default', 'inputs': [f['name'] for f in raw_features],
                      'output': output_name}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

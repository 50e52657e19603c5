/**
 * Property-based tests of the parsers at tfx-ts's other entry points: schema text format and JSON,
 * the TF Serving request parser (with the raw-feature checks behind it), the KFP executor input,
 * and the JupyterLab kernel-bridge messages. Properties: any input gives a result or one clear
 * error of the entry point's own kind (never a TypeError, RangeError or a stack overflow); what is
 * accepted is read exactly (round trips, and an independent check of every accepted value).
 * Bounded: fixed seeds and run counts.
 */
import fc from 'fast-check';
import { parseExecutorInput } from '../../src/orchestration/kubeflow/container-entrypoint';
import { BRIDGE_OPTION_SCHEMAS, bridgeCode, BridgeAnswer, formatBridgeAnswer, parseBridgeAnswer } from '../../src/protocol/bridge';
import { parseSchema, parseSchemaJson } from '../../src/schema/io';
import { formatSchemaText, parseSchemaText } from '../../src/schema/pbtxt';
import type { Schema } from '../../src/schema/types';
import { parsePredictRequest, predictResponse, predictResponseText, ServingError } from '../../src/serving/rest';
import { applyTransformGraph, RawInputError } from '../../src/transform/apply';
import type { TransformGraph } from '../../src/transform/graph';
import type { ModelSignature } from '../../src/model/bundle';

jest.setTimeout(120_000);
const runs = (n: number) => ({ numRuns: Math.round(n * Number(process.env.TFX_TS_FUZZ_SCALE ?? 1)), seed: 20261202, endOnFailure: true });

/** Only the entry point's own clear error may escape. */
function refusesClearly(run: () => unknown, ...allowed: string[]): void {
  try {
    run();
  } catch (error) {
    const name = (error as Error).name;
    if (!allowed.includes(name)) throw new Error(`unexpected ${name}: ${(error as Error).message.slice(0, 300)}`, { cause: error });
  }
}

// ---------------------------------------------------------------------------------------------
// Schema: text format and JSON

const name = fc.string({
  unit: fc.oneof(fc.constantFrom('"', "'", '\\', '\n', '\t', '#', '{', '}', ':', ' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
  minLength: 1,
  maxLength: 12,
});
const feature = fc.record(
  {
    name,
    type: fc.constantFrom('INT', 'FLOAT', 'BYTES'),
    presence: fc.option(fc.record({ minFraction: fc.double({ min: 0, max: 1, noNaN: true }), minCount: fc.nat({ max: 1e9 }) }), { nil: undefined }),
    valueCount: fc.option(fc.record({ min: fc.nat({ max: 100 }), max: fc.nat({ max: 100 }) }), { nil: undefined }),
  },
  { requiredKeys: ['name', 'type'] },
);

const schemaArb: fc.Arbitrary<Schema> = fc
  .record({
    feature: fc.uniqueArray(feature, { selector: (f) => f.name, minLength: 1, maxLength: 6 }),
    stringDomain: fc.uniqueArray(fc.record({ name, value: fc.array(name, { maxLength: 5 }) }), { selector: (d) => d.name, maxLength: 3 }),
  })
  .map((s) => {
    const schema = { feature: s.feature.map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined))) } as unknown as Schema;
    if (s.stringDomain.length) (schema as { stringDomain?: unknown }).stringDomain = s.stringDomain;
    return schema;
  });

/** Protobuf semantics: an empty repeated field is the same as an absent one. */
const normalized = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (Array.isArray(v) && v.length === 0 ? undefined : v)));

describe('schema parsers', () => {
  it('text format: print then parse gives the same schema (quotes, escapes, unicode, numbers)', () => {
    fc.assert(
      fc.property(schemaArb, (schema) => {
        expect(normalized(parseSchemaText(formatSchemaText(schema), 'x.pbtxt'))).toEqual(normalized(schema));
      }),
      runs(300),
    );
  });

  it('JSON: the same schema back, and parse of the printed text agrees', () => {
    fc.assert(
      fc.property(schemaArb, (schema) => {
        expect(normalized(parseSchemaJson(JSON.parse(JSON.stringify(schema)), 'x.json'))).toEqual(
          normalized(parseSchemaText(formatSchemaText(schema), 'x.pbtxt')),
        );
      }),
      runs(200),
    );
  });

  it('damaged text (random edits of a valid schema) gives a result or one line:column error', () => {
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 20 }),
      insert: fc.string({
        unit: fc.constantFrom(
          '{',
          '}',
          '<',
          '>',
          ':',
          '"',
          "'",
          '\\',
          '[',
          ']',
          ',',
          ';',
          '#',
          '\n',
          '-',
          '.',
          '0',
          '9',
          'e',
          'x',
          'inf',
          'nan',
          'feature',
          'struct_domain',
          'f',
        ),
        maxLength: 6,
      }),
    });
    fc.assert(
      fc.property(schemaArb, fc.array(edit, { minLength: 1, maxLength: 4 }), (schema, edits) => {
        let text = formatSchemaText(schema);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
        }
        refusesClearly(() => parseSchema(text, 'x.pbtxt'), 'UserError');
      }),
      runs(500),
    );
  });

  it('arbitrary JSON and arbitrary text as a .json schema: a schema or one clear error', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => refusesClearly(() => parseSchemaJson(value, 'x.json'), 'UserError')),
      runs(300),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => refusesClearly(() => parseSchema(text, 'x.json'), 'UserError')),
      runs(200),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => refusesClearly(() => parseSchema(text, 'x.pbtxt'), 'UserError')),
      runs(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// TF Serving request parser and the raw-feature checks behind it

const signature: ModelSignature = {
  format: 'tfx-ts.signature',
  version: 1,
  signatureName: 'serving_default',
  problem: 'regression',
  inputs: [
    { name: 'f', dtype: 'float' },
    { name: 'i', dtype: 'int' },
    { name: 's', dtype: 'string' },
  ],
  modelInputs: ['f'],
  outputs: [{ name: 'out', dtype: 'float32', shape: [1] }],
  createdAt: '',
  tfjsVersion: '',
};
const graph: TransformGraph = {
  format: 'tfx-ts.transform_graph',
  version: 1,
  rawFeatures: signature.inputs,
  nodes: signature.inputs.map((f, id) => ({ id, op: 'input', args: [], attrs: { name: f.name }, dtype: f.dtype })),
  outputs: signature.inputs.map((f, id) => ({ name: f.name, node: id, dtype: f.dtype, rawInputs: [f.name] })),
};

const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e30, -1e30, 2 ** 53, 2 ** 53 + 2, 0.5, -0, null, true, '', '1', 'x'),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const instance = fc.record({ f: anyValue, i: anyValue, s: anyValue }, { requiredKeys: [] });
const request = fc.oneof(
  fc.record({ instances: fc.array(instance, { maxLength: 5 }) }),
  fc.record({
    inputs: fc.record(
      { f: fc.array(anyValue, { maxLength: 4 }), i: fc.array(anyValue, { maxLength: 4 }), s: fc.array(anyValue, { maxLength: 4 }) },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ instances: fc.array(instance, { maxLength: 2 }), signature_name: fc.constantFrom('serving_default', 'other') }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** What the parser and apply step must accept, written from TF Serving's and TFX's rules. */
function acceptable(value: unknown, dtype: 'float' | 'int' | 'string'): boolean {
  if (value === null) return true;
  if (dtype === 'string') return typeof value === 'string';
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  return dtype === 'float' || Number.isSafeInteger(value);
}

describe('TF Serving request parser', () => {
  it('any body: 400 ServingError or rows; accepted rows carry exactly the values sent, checked type by type', () => {
    fc.assert(
      fc.property(request, (body) => {
        let rows: Record<string, unknown>[];
        try {
          rows = parsePredictRequest(body, signature).rows;
        } catch (error) {
          expect(error).toBeInstanceOf(ServingError);
          expect((error as ServingError).status).toBe(400);
          return;
        }
        const sent = 'instances' in (body as object) ? (body as { instances: Record<string, unknown>[] }).instances : undefined;
        if (sent) expect(rows).toEqual(sent);
        const valid = rows.every((row) => signature.inputs.every((f) => acceptable(row[f.name], f.dtype)));
        let batch: ReturnType<typeof applyTransformGraph> | undefined;
        try {
          batch = applyTransformGraph(graph, rows);
        } catch (error) {
          expect(error).toBeInstanceOf(RawInputError);
          expect(valid).toBe(false); // refused only when a value breaks the rules
          return;
        }
        expect(valid).toBe(true); // never a silent acceptance of 1e30 as int64, a string as a number, ...
        rows.forEach((row, r) => {
          expect(Number.isNaN((batch!.features.f as Float64Array)[r]) ? null : (batch!.features.f as Float64Array)[r]).toEqual(row.f === null ? null : row.f);
          expect((batch!.features.s as (string | null)[])[r]).toBe(row.s);
        });
      }),
      runs(600),
    );
  });

  it('the response text is exactly JSON.stringify of the response object (NaN and infinities → null)', () => {
    const scores = fc.float32Array({ maxLength: 60 });
    fc.assert(
      fc.property(scores, fc.integer({ min: 1, max: 3 }), fc.constantFrom('row' as const, 'columnar' as const), (values, width, format) => {
        const numRows = Math.floor(values.length / width);
        const predictions = { numRows, width, values: values.subarray(0, numRows * width) };
        expect(predictResponseText(format, predictions)).toBe(JSON.stringify(predictResponse(format, predictions)));
      }),
      runs(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// KFP executor input

const runtimeArtifact = fc.record(
  { name: fc.string(), uri: fc.webUrl(), metadata: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })) },
  { requiredKeys: ['uri'] },
);
const executorInput = fc.record(
  {
    inputs: fc.record(
      {
        parameterValues: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
        artifacts: fc.dictionary(fc.string(), fc.record({ artifacts: fc.array(runtimeArtifact, { maxLength: 2 }) })),
      },
      { requiredKeys: [] },
    ),
    outputs: fc.record(
      { outputFile: fc.string(), artifacts: fc.dictionary(fc.string(), fc.record({ artifacts: fc.array(runtimeArtifact, { maxLength: 2 }) })) },
      { requiredKeys: ['outputFile'] },
    ),
  },
  { requiredKeys: ['outputs'] },
);

describe('KFP executor input parser', () => {
  it('valid inputs are read back exactly; anything else is one UserError', () => {
    fc.assert(
      fc.property(executorInput, (input) => {
        expect(parseExecutorInput(JSON.stringify(input))).toEqual(JSON.parse(JSON.stringify(input)));
      }),
      runs(200),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        (text) => refusesClearly(() => parseExecutorInput(text), 'UserError'),
      ),
      runs(400),
    );
    // Truncated executor input (a cut-off {{$}}): always refused.
    fc.assert(
      fc.property(executorInput, fc.nat(), (input, cut) => {
        const text = JSON.stringify(input);
        const at = cut % text.length;
        refusesClearly(() => parseExecutorInput(text.slice(0, at)), 'UserError');
      }),
      runs(200),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Kernel bridge messages

const bridgeAnswer: fc.Arbitrary<BridgeAnswer> = fc.oneof(
  fc.record({ ok: fc.constant(true as const), result: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    ok: fc.constant(false as const),
    error: fc.record(
      { code: fc.constantFrom('INVALID_OPTIONS', 'KFP_ERROR', 'UNREACHABLE') as fc.Arbitrary<'KFP_ERROR'>, message: fc.string(), hint: fc.string() },
      { requiredKeys: ['code', 'message'] },
    ),
  }),
);
const noiseLine = fc.string({ maxLength: 40 }).filter((l) => !l.includes('__TFX_TS_BRIDGE__') && !/[\r\n]/.test(l));

describe('kernel bridge messages', () => {
  it('an answer printed among other output is found and read back exactly', () => {
    fc.assert(
      fc.property(fc.array(noiseLine, { maxLength: 5 }), bridgeAnswer, (noise, answer) => {
        const stdout = [...noise, formatBridgeAnswer(answer)].join('\n');
        expect(parseBridgeAnswer(stdout)).toEqual(JSON.parse(JSON.stringify(answer)));
      }),
      runs(300),
    );
  });

  it('any kernel output: an answer, none, or a BridgeOutputError', () => {
    const output = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 100 }).map((s) => `__TFX_TS_BRIDGE__${s}`),
      fc.jsonValue().map((v) => `__TFX_TS_BRIDGE__${JSON.stringify(v)}`),
    );
    fc.assert(
      fc.property(output, (text) => refusesClearly(() => parseBridgeAnswer(text), 'BridgeOutputError')),
      runs(400),
    );
  });

  it('the code the panel runs embeds the options as a literal that evaluates back to them', () => {
    fc.assert(
      fc.property(fc.constantFrom('compile' as const, 'run' as const, 'runStatus' as const), fc.jsonValue({ maxDepth: 3 }), (method, options) => {
        const code = bridgeCode(method, options);
        const literal = code.slice(code.indexOf(`.${method}(`) + method.length + 2, -1);
        expect(new Function(`return (${literal});`)()).toEqual(JSON.parse(JSON.stringify(options)));
      }),
      runs(300),
    );
  });

  it('option schemas answer any JSON with a result or issues, never a throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(BRIDGE_OPTION_SCHEMAS)), fc.jsonValue({ maxDepth: 4 }), (schema, value) => {
        expect(typeof schema.safeParse(value).success).toBe('boolean');
      }),
      runs(400),
    );
  });
});

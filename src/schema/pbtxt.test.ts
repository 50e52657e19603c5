import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedData, tempDir, writeFile } from '../testing/fixtures';
import { parseSchema, readSchema, writeSchema } from './io';
import { formatDouble, formatSchemaText, parseSchemaText, TextFormatError } from './pbtxt';

const taxiSchema = path.join(sharedData, 'chicago_taxi', 'user_provided_schema', 'schema.pbtxt');
const penguinSchemas = ['raw', 'user_provided'].map((d) => path.join(sharedData, 'penguins', 'schema', d, 'schema.pbtxt'));

/** The file without its comment lines: what a printer that drops comments must reproduce. */
function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/^\n+/, '')
    .replace(/\n*$/, '\n');
}

describe('schema.pbtxt', () => {
  it("reads TFX's taxi schema and prints it back byte for byte (but for its trailing comment)", () => {
    const text = fs.readFileSync(taxiSchema, 'utf8');
    const schema = parseSchemaText(text, taxiSchema);
    expect(schema.feature).toHaveLength(18);
    const company = schema.feature.find((f) => f.name === 'company')!;
    expect(company).toEqual({ name: 'company', valueCount: { min: 1, max: 1 }, type: 'BYTES', domain: 'company', presence: { minCount: 1 } });
    expect(schema.feature.find((f) => f.name === 'fare')!.presence).toEqual({ minFraction: 1, minCount: 1 });
    expect(schema.stringDomain!.map((d) => [d.name, d.value.length])).toEqual([
      ['company', 50],
      ['payment_type', 7],
    ]);
    expect(formatSchemaText(schema)).toBe(withoutComments(text));
  });

  it.each(penguinSchemas)("reads TFX's penguin schema %s and prints it back unchanged except comments", (file) => {
    const text = fs.readFileSync(file, 'utf8');
    const schema = readSchema(file);
    expect(schema.feature.length).toBeGreaterThanOrEqual(5);
    for (const f of schema.feature) expect(f.shape).toEqual({ dim: [{ size: 1 }] });
    expect(formatSchemaText(schema)).toBe(withoutComments(text));
  });

  it('round-trips through JSON and text with every kind of field', () => {
    const text = `
      default_environment: "TRAINING"
      default_environment: "SERVING"
      feature {
        name: "tips" type: FLOAT
        presence { min_fraction: 0.5 }
        not_in_environment: "SERVING"
        float_domain { min: -1.5 max: 1e+20 disallow_nan: true }
        drift_comparator { infinity_norm { threshold: 0.01 } }
        skew_comparator: { jensen_shannon_divergence < threshold: 0.1 > }
        annotation { tag: "money" extra_metadata { type_url: "x" } }
      }
      feature { name: 'quote\\'s "x"\\n\\303\\251' type: BYTES string_domain { value: ["a", "b"] } ; lifecycle_stage: DEPRECATED }
      feature { name: "n" type: INT int_domain { min: -3 max: 0x10 is_categorical: true } value_count { min: 1 } }
      dataset_constraints { min_examples_count: 100 }
    `;
    const schema = parseSchemaText(text, 'inline.pbtxt');
    expect(schema.defaultEnvironment).toEqual(['TRAINING', 'SERVING']);
    expect(schema.feature[0].floatDomain).toEqual({ min: -1.5, max: 1e20, disallowNan: true });
    expect(schema.feature[0].skewComparator).toEqual({ jensenShannonDivergence: { threshold: 0.1 } });
    expect(schema.feature[1].name).toBe('quote\'s "x"\né');
    expect(schema.feature[1].stringDomain!.value).toEqual(['a', 'b']);
    expect(schema.feature[2].intDomain).toEqual({ min: -3, max: 16, isCategorical: true });
    expect(schema.datasetConstraints).toEqual({ minExamplesCount: 100 });
    const printed = formatSchemaText(schema);
    expect(parseSchemaText(printed, 'printed.pbtxt')).toEqual(schema);
    expect(printed).toContain('max: 1e+20');
    expect(printed).toContain('  annotation {\n    tag: "money"\n    extra_metadata {\n      type_url: "x"\n    }\n  }');
    const dir = tempDir();
    writeSchema(schema, path.join(dir, 'schema.json'));
    writeSchema(schema, path.join(dir, 'schema.pbtxt'));
    expect(readSchema(path.join(dir, 'schema.json'))).toEqual(schema);
    expect(readSchema(path.join(dir, 'schema.pbtxt'))).toEqual(schema);
  });

  it('prints doubles as Python does', () => {
    expect([1, 0.5, 1e-5, 0.0001, 1e16, 123.25, -0].map(formatDouble)).toEqual(['1.0', '0.5', '1e-05', '0.0001', '1e+16', '123.25', '-0.0']);
  });

  describe('malformed input: one error with file:line:column and a fix', () => {
    const cases: [string, string, RegExp][] = [
      [
        'unknown field',
        'feature {\n  name: "a"\n  typ: INT\n}\n',
        /bad\.pbtxt:3:3: unknown field "typ" in Feature[\s\S]*known fields of Feature: name, deprecated/,
      ],
      ['missing brace', 'feature {\n  name: "a"\n', /bad\.pbtxt:3:1: missing "}" at end of input/],
      [
        'bad enum',
        'feature {\n  name: "a"\n  type: INTEGER\n}',
        /bad\.pbtxt:3:9: invalid value "INTEGER" for enum field "type"[\s\S]*use one of: TYPE_UNKNOWN, BYTES, INT, FLOAT, STRUCT/,
      ],
      ['unterminated string', 'feature { name: "a }', /bad\.pbtxt:1:17: unterminated string/],
      ['float for int64', 'feature { name: "a" presence { min_count: 1.5 } }', /bad\.pbtxt:1:43: field "min_count" is an integer/],
      ['singular field twice', 'feature { name: "a" name: "b" }', /bad\.pbtxt:1:21: field "name" of Feature is set twice/],
      ['missing colon', 'feature { name "a" }', /bad\.pbtxt:1:16: expected ":" after name/],
      ['stray character', 'feature { name: "a" } @', /bad\.pbtxt:1:23: unexpected character "@"/],
      ['extension', 'feature { [ext.x] { } }', /bad\.pbtxt:1:11: extensions/],
    ];
    it.each(cases)('%s', (_name, text, message) => {
      expect(() => parseSchemaText(text, 'bad.pbtxt')).toThrow(message);
      expect(() => parseSchemaText(text, 'bad.pbtxt')).toThrow(TextFormatError);
    });

    it('a feature declared twice with conflicting types', () => {
      const text = 'feature { name: "fare" type: FLOAT }\nfeature { name: "fare" type: INT }\n';
      expect(() => parseSchema(text, 'conflict.pbtxt')).toThrow(/declares feature "fare" as FLOAT and as INT[\s\S]*Fix: keep one feature entry per name/);
    });

    it('a domain the schema does not define', () => {
      expect(() => parseSchema('feature { name: "c" type: BYTES domain: "nope" }', 'd.pbtxt')).toThrow(/refers to string_domain "nope"/);
    });

    it('JSON of the wrong shape', () => {
      const dir = tempDir();
      const file = writeFile(dir, 'schema.json', JSON.stringify({ feature: [{ type: 'INT' }] }));
      expect(() => readSchema(file)).toThrow(/is not a TFDV Schema: feature\.0\.name: every feature needs a name/);
      const notJson = writeFile(dir, 'broken.json', '{ "feature": [ ');
      expect(() => readSchema(notJson)).toThrow(/is not valid JSON/);
    });
  });
});

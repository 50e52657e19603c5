/**
 * Property-based tests of the CSV front door (`tfx-ts stats`, StatisticsGen and CsvExampleGen read
 * CSV through it) against an independent oracle, Python's csv module: random headers and rows,
 * ragged rows, quoting (delimiters, doubled quotes and line breaks inside quotes), CRLF, a BOM,
 * invalid UTF-8, NUL bytes and huge fields. Each file is either read exactly as the oracle reads
 * it (same columns, same number of examples) or refused with one clear UserError; a ragged file
 * is never accepted. Bounded: a fixed seed and a fixed number of runs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { generateStatistics } from '../../src/stats/generate';
import { tempDir } from '../../src/testing/fixtures';

jest.setTimeout(180_000);

const PYTHON = process.env.TFX_TS_PYTHON ?? 'python3';
const ORACLE = `
import csv, json, sys
csv.field_size_limit(sys.maxsize)
out = []
for name in sys.argv[1:]:
    try:
        with open(name, newline='', encoding='utf-8-sig') as f:
            rows = [r for r in csv.reader(f, strict=True)]
        # Blank lines are not records (Python's csv reads them as [], TFDV skips them), in a
        # one-column file too.
        rows = [r for r in rows if r != []]
        header, body = rows[0], rows[1:]
        out.append({"header": header, "rows": len(body), "ragged": any(len(r) != len(header) for r in body)})
    except Exception as e:
        out.append({"error": type(e).__name__ + ": " + str(e)})
print(json.dumps(out))
`;

type Oracle = { header: string[]; rows: number; ragged: boolean } | { error: string };

function oracle(files: string[]): Oracle[] {
  return JSON.parse(execFileSync(PYTHON, ['-c', ORACLE, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** A huge quoted field, kept as its length so failure reports stay short. */
interface Huge {
  huge: number;
}
type Cell = string | Huge;

/** One cell as written in the file. */
const cell: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map(String) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((d) => String(d)) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z ]{0,8}$/) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é', '€', '\r\n'), maxLength: 8 }).map(quote) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }).filter((s) => !/[",\r\n]/.test(s) && !s.includes(String.fromCharCode(0))) },
  { weight: 1, arbitrary: fc.integer({ min: 20_000, max: 150_000 }).map((n): Huge => ({ huge: n })) },
);

const columnNames = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { minLength: 1, maxLength: 6 });

interface Case {
  header: string[];
  rows: Cell[][];
  newline: '\n' | '\r\n';
  bom: boolean;
  trailingNewline: boolean;
  /** Damage applied to the bytes: none, a NUL byte, an invalid UTF-8 byte, an unterminated quote. */
  damage: 'none' | 'nul' | 'latin1' | 'openQuote';
  damageAt: number;
}

const csvCase: fc.Arbitrary<Case> = columnNames.chain((header) =>
  fc.record({
    header: fc.constant(header),
    rows: fc.array(
      fc.oneof(
        { weight: 12, arbitrary: fc.array(cell, { minLength: header.length, maxLength: header.length }) },
        // Ragged: one field fewer or more.
        { weight: 1, arbitrary: fc.array(cell, { minLength: Math.max(1, header.length - 1), maxLength: header.length + 1 }) },
      ),
      { minLength: 1, maxLength: 30 },
    ),
    newline: fc.constantFrom('\n' as const, '\r\n' as const),
    bom: fc.boolean(),
    trailingNewline: fc.boolean(),
    damage: fc.constantFrom('none', 'none', 'none', 'nul', 'latin1', 'openQuote') as fc.Arbitrary<Case['damage']>,
    damageAt: fc.nat(),
  }),
);

function render(c: Case): Buffer {
  const text =
    [c.header.join(','), ...c.rows.map((r) => r.map((v) => (typeof v === 'string' ? v : quote('x'.repeat(v.huge)))).join(','))].join(c.newline) +
    (c.trailingNewline ? c.newline : '');
  let bytes = Buffer.concat([c.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
  const at = bytes.length > 4 ? (c.damageAt % (bytes.length - 1)) + 1 : 0;
  if (c.damage === 'nul') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
  if (c.damage === 'latin1') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at)]);
  if (c.damage === 'openQuote') bytes = Buffer.concat([bytes, Buffer.from(`${c.newline}"never closed`)]);
  return bytes;
}

describe('CSV reader vs Python csv (property-based)', () => {
  const dir = tempDir('tfx-ts-fuzz-csv-');
  let n = 0;

  it('reads every file as the oracle does, or refuses it with one clear error; never accepts a ragged file', async () => {
    await fc.assert(
      fc.asyncProperty(csvCase, async (c) => {
        const file = path.join(dir, `case-${n++}.csv`);
        fs.writeFileSync(file, render(c));
        const [expected] = oracle([file]);
        let result: Awaited<ReturnType<typeof generateStatistics>> | undefined;
        let error: Error | undefined;
        try {
          result = await generateStatistics(file);
        } catch (e) {
          error = e as Error;
        }
        if (error) {
          // A refusal must be one clear error (UserError), never a crash or a raw engine message.
          expect(error.name).toBe('UserError');
          expect(error.message).not.toMatch(/Error when sniffing file|Maximum call stack|Cannot read properties/);
          return;
        }
        // Accepted: the oracle must have read it, with the same header and row count, and no ragged row.
        expect('error' in expected).toBe(false);
        const ok = expected as Exclude<Oracle, { error: string }>;
        expect(ok.ragged).toBe(false);
        const dataset = result!.datasets[0];
        expect(dataset.features.map((f) => f.path.step[0])).toEqual(ok.header);
        expect(dataset.numExamples).toBe(ok.rows);
      }),
      { numRuns: Number(process.env.TFX_TS_FUZZ_RUNS ?? 30), seed: 20261202, endOnFailure: true },
    );
  });

  it('always refuses the damaged variants the oracle refuses or finds ragged', async () => {
    // Targeted: each kind of damage at least a few times, whatever the random mix above drew.
    const cases = fc.sample(
      csvCase.map((c) => ({ ...c, rows: [...c.rows, [...c.header.map(() => '1'), '2']] })),
      { numRuns: 8, seed: 7 },
    );
    for (const c of cases) {
      const file = path.join(dir, `ragged-${n++}.csv`);
      fs.writeFileSync(file, render(c));
      await expect(generateStatistics(file)).rejects.toMatchObject({ name: 'UserError' });
    }
  });
});

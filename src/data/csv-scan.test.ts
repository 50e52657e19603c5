import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedData, tempDir, writeFile } from '../testing/fixtures';
import { CsvRouter } from './csv-route';
import { cutRanges, linesBefore, readCsvHeader, scanCsvRange } from './csv-scan';

const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

describe('cutRanges', () => {
  it('cuts a quote-free file at the same places whether it reads the file through or only after each target', () => {
    const header = readCsvHeader(taxiCsv, ',');
    for (const size of [1000, 65_536, 200_000, 5_000_000]) {
      const through = cutRanges(taxiCsv, header.dataStart, size);
      const windows = cutRanges(taxiCsv, header.dataStart, size, true);
      expect(windows).toEqual(through);
      // Ranges tile the data, and each starts just after a line break.
      expect(through[0].start).toBe(header.dataStart);
      expect(through[through.length - 1].end).toBe(fs.statSync(taxiCsv).size);
      const bytes = fs.readFileSync(taxiCsv);
      for (const [k, range] of through.entries()) {
        if (k > 0) expect([through[k - 1].end, bytes[range.start - 1]]).toEqual([range.start, 0x0a]);
      }
    }
  });

  it('counts line breaks before an offset (to name lines of later ranges)', () => {
    const bytes = fs.readFileSync(taxiCsv);
    const offset = 123_457;
    expect(linesBefore(taxiCsv, offset)).toBe(bytes.subarray(0, offset).toString('latin1').split('\n').length - 1);
  });
});

describe('routing records to split files: WebAssembly router and JavaScript give the same bytes', () => {
  const twoSplits = {
    totalBuckets: 3,
    ranges: [
      { start: 0, end: 2 },
      { start: 2, end: 3 },
    ],
  };

  async function both(file: string) {
    const router = await CsvRouter.load();
    expect(router).toBeDefined();
    const header = readCsvHeader(file, ',');
    const range = { file, start: header.dataStart, end: fs.statSync(file).size, firstLine: header.dataLine };
    const dir = tempDir();
    const outputs = (tag: string) => ['train', 'eval'].map((s) => path.join(dir, `${tag}-${s}.csv`));
    const js = scanCsvRange(range, { delimiter: ',', header, splitting: { ...twoSplits, outputs: outputs('js') } });
    const wasm = scanCsvRange(range, { delimiter: ',', header, splitting: { ...twoSplits, outputs: outputs('wasm') }, router });
    expect(wasm).toEqual(js);
    outputs('js').forEach((f, s) => expect(fs.readFileSync(outputs('wasm')[s]).equals(fs.readFileSync(f))).toBe(true));
    return js;
  }

  it('on the taxi sample', async () => {
    const scan = await both(taxiCsv);
    expect(scan.rowsPerSplit[0] + scan.rowsPerSplit[1]).toBe(scan.rows);
  });

  it('past a full region (12 MB: 4 MB regions are written out mid-batch, the read buffer refilled), with quoted line breaks, CRLF and a blank line', async () => {
    const pad = 'p'.repeat(60);
    const rows = Array.from({ length: 150_000 }, (_, i) =>
      i % 7 === 0 ? `${i},"a ""quoted"",\ntext ${pad}",${i * 0.5}` : `${i},plain text ${pad} ${i % 13},${i}`,
    );
    const file = writeFile(tempDir(), 'big.csv', `id,text,v\r\n${rows.join('\r\n')}\r\n\r\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(12_000_000);
    const scan = await both(file);
    expect(scan.rows).toBe(150_000);
  });

  it('on random files mixing every field shape the typing knows (fuzz, 30 seeds)', async () => {
    // Each column has a kind of its own (a few of its values are ones the fast path must hand to the
    // JavaScript scan, as 20-digit integers), late rows borrow another column's kind, and a file mixes
    // in odd fields at a rate of its own (none, rare, frequent): quotes, exponents, spaces, inf, nan…
    const pools = [
      ['0', '7', '-3', '+12', '123456789012345678', '9223372036854775807', '-9223372036854775808', '99999999999999999999', ''],
      ['1.5', '-0.25', '.5', '5.', '+.5', '12.75', '-3.5', ''],
      ['Flash Cab Company LLC', 'Taxi Affiliation Services', 'Chicago Carriage Cab Corp'],
      ['', '', '', '3'],
    ];
    const odd = ['-.', '.', '1e3', '1E-2', '2.5e+10', ' 7 ', '\t8', 'inf', '-Infinity', 'NaN', 'a', 'x y', '-', '+', 'e', '1-2', '1.2.3', '0x1F'];
    const quoted = ['"q"', '"a,b"', '"line\nbreak"', '"say ""hi"""', '"12"', '""', 'a\rb'];
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const draw = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    for (let round = 0; round < 30; round++) {
      seed = round + 1;
      const oddRate = [0, 0.002, 0.05][round % 3];
      const pick = Array.from({ length: 2 + Math.floor(random() * 5) }, () => Math.floor(random() * pools.length));
      const lines: string[] = [];
      for (let r = 0; r < 400 + Math.floor(random() * 400); r++) {
        if (random() < 0.02) lines.push('');
        const field = (p: number) => {
          if (random() < oddRate) return draw(random() < 0.5 ? odd : quoted);
          return draw(pools[r > 300 && random() < 0.05 ? Math.floor(random() * pools.length) : p]);
        };
        lines.push(pick.map(field).join(','));
      }
      const eol = random() < 0.5 ? '\n' : '\r\n';
      const header = pick.map((_, c) => `c${c}`).join(',');
      await both(writeFile(tempDir(), `fuzz-${round}.csv`, `${header}${eol}${lines.join(eol)}${random() < 0.5 ? eol : ''}`));
    }
  });

  it('a record longer than a whole region is written on its own', async () => {
    const long = 'x'.repeat(5_000_000);
    const rows = Array.from({ length: 2_000 }, (_, i) => (i === 1_000 ? `${i},${long}` : `${i},short ${i}`));
    const file = writeFile(tempDir(), 'long.csv', `id,text\n${rows.join('\n')}\n`);
    const scan = await both(file);
    expect(scan.rows).toBe(2_000);
  });
});

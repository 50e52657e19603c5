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

  it('a record longer than a whole region is written on its own', async () => {
    const long = 'x'.repeat(5_000_000);
    const rows = Array.from({ length: 2_000 }, (_, i) => (i === 1_000 ? `${i},${long}` : `${i},short ${i}`));
    const file = writeFile(tempDir(), 'long.csv', `id,text\n${rows.join('\n')}\n`);
    const scan = await both(file);
    expect(scan.rows).toBe(2_000);
  });
});

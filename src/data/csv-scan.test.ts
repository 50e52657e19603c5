import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedData } from '../testing/fixtures';
import { cutRanges, linesBefore, readCsvHeader } from './csv-scan';

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

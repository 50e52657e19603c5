import { digitsToSeparate, formatCount, formatNumber, formatPercent } from './html';
import { displays, parseDisplayed } from './testing-browser';

/** Cell formatting: 4 significant digits, grouping, compact above a million; read back within display precision. */
describe('formatNumber', () => {
  const values = [0, 1, -1, 0.5, 12.345678, -87.679954768, 41.920451512, 1234.5678, 15002, 330834.4, 1393673400, 17031320400, 0.000123, 1e-9, 7e15];
  test.each(values)('%p reads back as itself at display precision', (value) => {
    const text = formatNumber(value);
    expect(text.replace(/[\d.,\-−e+KMBT]/g, '')).toBe('');
    expect(displays(text, value)).toBe(true);
    expect(text.replace(/e[-+]\d+$/, '').replace(/[^\d]/g, '').length).toBeLessThanOrEqual(Math.abs(value) >= 1e4 && Math.abs(value) < 1e6 ? 6 : 5);
  });

  test('non-finite and missing values are spelled out', () => {
    expect([formatNumber(NaN), formatNumber(Infinity), formatNumber(-Infinity), formatNumber(undefined)]).toEqual(['NaN', '∞', '−∞', '–']);
    expect(parseDisplayed(formatNumber(-Infinity))).toBe(-Infinity);
  });
});

describe('formatPercent', () => {
  test.each([0, 0.00004, 0.0307, 0.344, 0.5, 0.99995, 1])('%p', (fraction) => {
    expect(displays(formatPercent(fraction), fraction)).toBe(true);
  });
  test('tiny shares stay visible instead of rounding to zero', () => {
    expect(formatPercent(0.00004)).toBe('<0.1%');
    expect(formatPercent(0.99995)).toBe('>99.9%');
    expect(formatPercent(1)).toBe('100%');
  });
});

test('formatCount groups thousands', () => {
  for (const n of [0, 7, 15002, 1234567]) expect(parseDisplayed(formatCount(n))).toBe(n);
  expect(formatCount(15002)).toBe('15,002');
});

describe('formatNumber with more digits (axes and bucket edges), digitsToSeparate', () => {
  test('the same notation as the table, with the digits that tell neighbours apart', () => {
    expect(formatNumber(17031200000)).toBe('17.03B');
    expect(formatNumber(17031200000, digitsToSeparate(17031800000, 200000))).toBe('17.0312B');
    expect(formatNumber(1360000000, digitsToSeparate(1480000000, 40000000))).toBe('1.36B');
    expect(formatNumber(6000, digitsToSeparate(6000, 1000))).toBe('6,000');
    expect(formatNumber(12345.5, 6)).toBe('12,345.5');
    expect(formatNumber(70.01, digitsToSeparate(700.1, 70.01, 4))).toBe('70.01');
  });
  test('digitsToSeparate: at least the minimum, and a sane default for degenerate input', () => {
    expect(digitsToSeparate(100, 10)).toBe(2);
    expect(digitsToSeparate(100, 10, 4)).toBe(4);
    expect(digitsToSeparate(0, 0)).toBe(4);
    expect(digitsToSeparate(Infinity, 1)).toBe(4);
  });
});

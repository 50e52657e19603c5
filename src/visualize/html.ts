import { randomBytes } from 'node:crypto';
import { escapeHtml } from './registry';

/** Small, dependency-free helpers for the static HTML of views (numbers as people read them). */
export { escapeHtml };

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const significantFormats = new Map<number, Intl.NumberFormat>();
const compactFormats = new Map<number, Intl.NumberFormat>();

function cachedFormat(cache: Map<number, Intl.NumberFormat>, digits: number, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = cache.get(digits);
  if (!format) cache.set(digits, (format = new Intl.NumberFormat('en-US', { ...options, maximumSignificantDigits: digits })));
  return format;
}

/** Default precision of a statistic (tables); axes and bucket edges ask for more when 4 digits cannot tell neighbours apart. */
export const SIGNIFICANT_DIGITS = 4;

/**
 * A statistic for a table cell, a chart axis or a tooltip (the one number format of the views: the
 * statistics axes call it through vega.ts's `tfxNumber` format type): `digits` significant digits
 * (4 by default), thousands grouped below a million, compact above ("1.408B": timestamps and ids
 * would otherwise widen every column), exponent for tiny values. Cells carry the exact value as a tooltip.
 */
export function formatNumber(value: number | undefined | null, digits = SIGNIFICANT_DIGITS): string {
  if (value === undefined || value === null) return '–';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const d = Math.min(21, Math.max(1, Math.round(digits)));
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15) return value.toExponential(Math.max(3, d - 1));
  if (magnitude >= 1e6) return cachedFormat(compactFormats, d, { notation: 'compact' }).format(value);
  if (magnitude >= 1e4 && d <= Math.floor(Math.log10(magnitude)) + 1) return grouped.format(value);
  if (magnitude < 1e-3) return value.toExponential(Math.max(2, d - 2));
  return cachedFormat(significantFormats, d, {}).format(value);
}

/**
 * Significant digits that tell apart numbers up to `magnitude` spaced `step` apart (axis ticks,
 * bucket edges): at least `minimum`, one more than the digits between the two magnitudes.
 */
export function digitsToSeparate(magnitude: number, step: number, minimum = 2): number {
  if (!(magnitude > 0) || !(step > 0) || !Number.isFinite(magnitude) || !Number.isFinite(step)) return Math.max(minimum, SIGNIFICANT_DIGITS);
  return Math.max(minimum, Math.min(15, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step)) + 1));
}

/** An integer count, grouped ("15,002"). */
export function formatCount(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  return grouped.format(value);
}

/** A fraction as a percentage; tiny non-zero shares stay visible ("<0.1%") instead of rounding to 0. */
export function formatPercent(fraction: number | undefined | null): string {
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return '–';
  if (fraction === 0) return '0%';
  const pct = fraction * 100;
  if (pct < 0.1) return '<0.1%';
  if (pct > 99.9 && pct < 100) return '>99.9%';
  return `${pct >= 10 ? pct.toFixed(1).replace(/\.0$/, '') : pct.toFixed(2).replace(/0$/, '').replace(/\.0?$/, '')}%`;
}

/** Element ids must be unique per page: a notebook can show the same view many times. */
export function newViewId(kind: string): string {
  return `tfx-ts-${kind}-${randomBytes(4).toString('hex')}`;
}

/** A table cell holding a number: the full value stays available as a tooltip. */
export function numberCell(stat: string, value: number | undefined | null, text = formatNumber(value), extraClass = ''): string {
  const title = value === undefined || value === null ? '' : ` title="${escapeHtml(String(value))}"`;
  return `<td class="tfx-ts-num${extraClass ? ` ${extraClass}` : ''}" data-stat="${escapeHtml(stat)}"${title}>${escapeHtml(text)}</td>`;
}

export function textCell(stat: string, text: string, className?: string): string {
  return `<td${className ? ` class="${className}"` : ''} data-stat="${escapeHtml(stat)}" title="${escapeHtml(text)}">${escapeHtml(text)}</td>`;
}

/** A colored swatch and name identifying a dataset (split or run) across rows and charts. */
export function datasetChip(name: string, color: string): string {
  return `<span class="tfx-ts-chip"><span class="tfx-ts-swatch" style="background:${escapeHtml(color)}"></span>${escapeHtml(name)}</span>`;
}

/** The outer element every view shares (the stylesheet is scoped to it). */
export function viewElement(kind: string, title: string | undefined, body: string, id = newViewId(kind)): string {
  const heading = title ? `<div class="tfx-ts-title">${escapeHtml(title)}</div>` : '';
  return `<div class="tfx-ts-view tfx-ts-${kind}" id="${id}">${heading}${body}</div>`;
}

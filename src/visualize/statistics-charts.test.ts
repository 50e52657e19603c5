import * as path from 'node:path';
import * as vl from 'vega-lite';
import { generateStatistics } from '../stats/generate';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import { sharedData } from '../testing/fixtures';
import {
  quantileMarks,
  quantilesSpec,
  standardHistogramBars,
  standardHistogramSpec,
  statisticsChartSpecs,
  TOP_VALUES_SHOWN,
  topValueBars,
  topValuesSpec,
} from './statistics-charts';
import { statisticsViewModel } from './statistics-model';
import type { StatisticsViewModel } from '../protocol/view-models';
import { renderSvg } from './vega';

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
let lists: DatasetFeatureStatisticsList[];
let model: StatisticsViewModel;

beforeAll(async () => {
  lists = [
    await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' }),
    await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' }),
  ];
  model = statisticsViewModel([{ statistics: { datasets: lists.flatMap((l) => l.datasets) } }]);
}, 60_000);

/** Marks vega drew in the SVG for the chart's main mark type. */
function markCount(svg: string, mark: 'rect' | 'symbol'): number {
  const group = svg.match(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>(.*?)</g>`, 's'));
  return group ? (group[1].match(/<path/g) ?? []).length : 0;
}

describe('STANDARD histograms', () => {
  test('one bar per stored bucket and dataset; each dataset sits in its own slot of the bucket', () => {
    for (const feature of model.numeric) {
      const bars = standardHistogramBars(feature, model.datasets);
      model.datasets.forEach((d, i) => {
        const buckets = feature.perDataset[i]!.standard;
        const own = bars.filter((b) => b.dataset === d.name);
        expect(own.map((b) => [b.low, b.high, b.count])).toEqual(buckets.map((b) => [b.lowValue, b.highValue, b.sampleCount]));
        const total = buckets.reduce((sum, b) => sum + b.sampleCount, 0);
        for (const bar of own) {
          expect(bar.share).toBeCloseTo(bar.count / total, 12);
          expect(bar.x1).toBeGreaterThan(bar.x0);
          // Finite buckets: the bar stays inside its bucket.
          if (bar.high > bar.low) {
            expect(bar.x0).toBeGreaterThanOrEqual(bar.low - 1e-9);
            expect(bar.x1).toBeLessThanOrEqual(bar.high + 1e-9);
          }
        }
        expect(own.reduce((sum, b) => sum + b.share, 0)).toBeCloseTo(1, 9);
      });
    }
  });

  test('the rendered chart draws every bucket of both splits', async () => {
    const fare = model.numeric.find((f) => f.name === 'fare')!;
    const spec = standardHistogramSpec(fare, model.datasets);
    expect(spec.usermeta.tfxTs).toEqual({ chart: 'standard', feature: 'fare' });
    const svg = await renderSvg(spec);
    expect(markCount(svg, 'rect')).toBe(fare.perDataset.reduce((n, s) => n + s!.standard.length, 0));
    expect(svg).not.toMatch(/NaN/);
  });

  test('a constant feature still gets a visible bar', () => {
    const constant = {
      name: 'constant',
      type: 'INT',
      perDataset: [{ ...model.numeric[0].perDataset[0]!, standard: [{ lowValue: 5, highValue: 5, sampleCount: 10 }] }],
    };
    const [bar] = standardHistogramBars(constant, [model.datasets[0]]);
    expect(bar.x1 - bar.x0).toBeGreaterThan(0);
    expect(bar.x0).toBeLessThan(5);
    expect(bar.x1).toBeGreaterThan(5);
  });
});

describe('QUANTILES', () => {
  test('marks are the stored bucket boundaries, min to max', async () => {
    for (const feature of model.numeric) {
      const marks = quantileMarks(feature, model.datasets);
      model.datasets.forEach((d, i) => {
        const buckets = feature.perDataset[i]!.quantiles;
        const own = marks.filter((m) => m.dataset === d.name);
        expect(own.map((m) => m.value)).toEqual([buckets[0].lowValue, ...buckets.map((b) => b.highValue)]);
        expect(own[0].quantile).toBe(0);
        expect(own[own.length - 1].quantile).toBe(1);
      });
    }
    const tips = model.numeric.find((f) => f.name === 'tips')!;
    const svg = await renderSvg(quantilesSpec(tips, model.datasets));
    expect(markCount(svg, 'symbol')).toBe(quantileMarks(tips, model.datasets).length);
  });
});

describe('top values', () => {
  test('bars are the stored top values (first dataset ranks them), at most TOP_VALUES_SHOWN', async () => {
    for (const feature of model.categorical.filter((f) => f.perDataset.some((s) => s!.topValues.length))) {
      const bars = topValueBars(feature, model.datasets);
      const values = [...new Set(bars.map((b) => b.value))];
      expect(values.length).toBeLessThanOrEqual(TOP_VALUES_SHOWN);
      expect(values.slice(0, Math.min(TOP_VALUES_SHOWN, feature.perDataset[0]!.topValues.length))).toEqual(
        feature.perDataset[0]!.topValues.slice(0, TOP_VALUES_SHOWN).map((t) => t.value),
      );
      model.datasets.forEach((d, i) => {
        const summary = feature.perDataset[i]!;
        for (const bar of bars.filter((b) => b.dataset === d.name)) {
          const stored = summary.topValues.find((t) => t.value === bar.value)!;
          expect(bar.frequency).toBe(stored.frequency);
          expect(bar.share).toBeCloseTo(stored.frequency / summary.totalValues, 12);
        }
      });
    }
    const company = model.categorical.find((f) => f.name === 'company')!;
    const svg = await renderSvg(topValuesSpec(company, model.datasets));
    expect(markCount(svg, 'rect')).toBe(topValueBars(company, model.datasets).length);
    expect(svg).toContain(company.perDataset[0]!.topValues[0].value.slice(0, 10));
  });
});

test('every spec of the view compiles, is tagged with its feature, and carries its data inline', () => {
  const specs = statisticsChartSpecs(model);
  expect(specs).toHaveLength(model.numeric.length * 2 + model.categorical.filter((f) => f.perDataset.some((s) => s!.topValues.length)).length);
  for (const spec of specs) {
    expect(() => vl.compile(spec)).not.toThrow();
    const data = (spec as { data?: { values?: unknown[]; url?: string } }).data;
    expect(data?.url).toBeUndefined();
    expect(Array.isArray(data?.values)).toBe(true);
    expect(model.numeric.map((f) => f.name).concat(model.categorical.map((f) => f.name))).toContain(spec.usermeta.tfxTs.feature);
  }
});

import * as path from 'node:path';
import * as vl from 'vega-lite';
import { generateStatistics } from '../stats/generate';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import { sharedData } from '../testing/fixtures';
import {
  histogramTips,
  quantileMarks,
  singleValue,
  topValueTips,
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
import { compactSvg, marksWithTitles, renderSvg } from './vega';
import { formatCount, formatNumber, formatPercent } from './html';

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
  test('train and eval share bucket edges over their merged range; every dataset keeps its count', () => {
    for (const feature of model.numeric) {
      const bars = standardHistogramBars(feature, model.datasets);
      const edgesOf = (name: string) => bars.filter((b) => b.dataset === name).map((b) => [b.low, b.high]);
      // The same buckets for both splits, covering the merged finite range.
      expect(edgesOf('eval')).toEqual(edgesOf('train'));
      const finite = feature.perDataset.flatMap((s) => s!.standard.flatMap((b) => [b.lowValue, b.highValue])).filter(Number.isFinite);
      const [low, high] = [Math.min(...finite), Math.max(...finite)];
      const own = edgesOf('train');
      if (high > low) {
        expect(own[0][0]).toBeCloseTo(low, 9);
        expect(own[own.length - 1][1]).toBeCloseTo(high, 9);
        expect(own).toHaveLength(Math.max(...feature.perDataset.map((s) => s!.standard.length)));
      }
      model.datasets.forEach((d, i) => {
        const mine = bars.filter((b) => b.dataset === d.name);
        const stored = feature.perDataset[i]!.standard.reduce((sum, b) => sum + b.sampleCount, 0);
        expect(mine.reduce((sum, b) => sum + b.count, 0)).toBeCloseTo(stored, 6);
        expect(mine.reduce((sum, b) => sum + b.share, 0)).toBeCloseTo(1, 9);
        for (const bar of mine) {
          // Each dataset sits in its own slot inside the shared bucket.
          expect(bar.x1).toBeGreaterThan(bar.x0);
          expect(bar.x0).toBeGreaterThanOrEqual(bar.low - 1e-9);
          expect(bar.x1).toBeLessThanOrEqual(bar.high + 1e-9);
        }
      });
    }
  });

  test('a single dataset keeps its stored buckets exactly; shifted ranges are re-spread by overlap', () => {
    const fare = model.numeric.find((f) => f.name === 'fare')!;
    const alone = standardHistogramBars(fare, [model.datasets[0]]);
    const stored = fare.perDataset[0]!.standard.filter((b) => Number.isFinite(b.lowValue) && Number.isFinite(b.highValue));
    alone.forEach((bar, k) => {
      expect(bar.low).toBeCloseTo(stored[k].lowValue, 9);
      expect(bar.high).toBeCloseTo(stored[k].highValue, 9);
      expect(bar.count).toBeCloseTo(stored[k].sampleCount, 9);
    });
    // Two splits over different ranges, 2 buckets each: [0,5):4 [5,10):6 and [5,10):2 [10,15):8.
    // Shared: [0,7.5) [7.5,15). Half of each [5,10) bucket falls on either side of 7.5.
    const summary = (buckets: [number, number, number][]) => ({
      ...fare.perDataset[0]!,
      standard: buckets.map(([lowValue, highValue, sampleCount]) => ({ lowValue, highValue, sampleCount })),
    });
    const shifted = {
      name: 'x',
      type: 'FLOAT',
      perDataset: [
        summary([
          [0, 5, 4],
          [5, 10, 6],
        ]),
        summary([
          [5, 10, 2],
          [10, 15, 8],
        ]),
      ],
    };
    const two = [model.datasets[0], model.datasets[1]];
    const bars = standardHistogramBars(shifted, two);
    expect(bars.map((b) => [b.dataset, b.low, b.high, b.count])).toEqual([
      [two[0].name, 0, 7.5, 7],
      [two[0].name, 7.5, 15, 3],
      [two[1].name, 0, 7.5, 1],
      [two[1].name, 7.5, 15, 9],
    ]);
  });

  test('the log variant keeps the bars and puts the heights on a symlog scale', async () => {
    const fare = model.numeric.find((f) => f.name === 'fare')!;
    const spec = standardHistogramSpec(fare, model.datasets, { log: true }) as unknown as {
      usermeta: unknown;
      layer: { encoding: { y: { scale?: { type: string } } }; data: { values: unknown[] } }[];
    };
    expect(spec.usermeta).toEqual({ tfxTs: { chart: 'log', feature: 'fare' } });
    expect(spec.layer[0].encoding.y.scale!.type).toBe('symlog');
    expect(spec.layer[0].data.values).toEqual(standardHistogramBars(fare, model.datasets));
    const svg = await renderSvg(spec as never);
    expect(markCount(svg, 'rect')).toBe(standardHistogramBars(fare, model.datasets).length);
    expect(svg).not.toMatch(/NaN/);
  });

  test('the rendered chart draws every bucket of both splits', async () => {
    const fare = model.numeric.find((f) => f.name === 'fare')!;
    const spec = standardHistogramSpec(fare, model.datasets);
    expect(spec.usermeta.tfxTs).toEqual({ chart: 'standard', feature: 'fare' });
    const svg = await renderSvg(spec);
    expect(markCount(svg, 'rect')).toBe(standardHistogramBars(fare, model.datasets).length);
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
  const drawn = model.numeric.filter((f) => singleValue(f) === undefined);
  expect(specs).toHaveLength(drawn.length * 3 + model.categorical.filter((f) => f.perDataset.some((s) => s!.topValues.length)).length);
  type Data = { data?: { values?: unknown[]; url?: string }; layer?: Data[] };
  for (const spec of specs) {
    expect(() => vl.compile(spec)).not.toThrow();
    const layers = (spec as Data).layer ?? [];
    for (const { data } of (spec as Data).data ? [spec as Data] : layers) {
      expect(data?.url).toBeUndefined();
      expect(Array.isArray(data?.values)).toBe(true);
    }
    expect(model.numeric.map((f) => f.name).concat(model.categorical.map((f) => f.name))).toContain(spec.usermeta.tfxTs.feature);
  }
});

test('a split with no values of a feature shows "–" for its statistics, not zeros', async () => {
  const { statisticsHtml } = await import('./statistics-html');
  const tract = model.categorical.find((f) => f.name === 'pickup_census_tract')!;
  expect(tract.perDataset.every((s) => s!.count === 0)).toBe(true);
  const html = statisticsHtml({ ...model, numeric: [], other: [], categorical: [tract] }, new Map());
  for (const stat of ['unique', 'avgLength']) {
    const cell = html.match(new RegExp(`data-stat="${stat}">(.*?)</td>`))![1];
    expect(cell.match(/>([^<]*)<\/div>/g)!.map((m) => m.slice(1, -6))).toEqual(['–', '–']);
  }
});

test('feature scores: drift is the L-infinity distance of the shared-bucket shares; non-uniformity 0 for uniform, 1 for one value', async () => {
  const { numericScores, categoricalScores } = await import('./statistics-charts');
  const fare = model.numeric.find((f) => f.name === 'fare')!;
  const summary = (buckets: [number, number, number][]) => ({
    ...fare.perDataset[0]!,
    missingFraction: 0.25,
    standard: buckets.map(([lowValue, highValue, sampleCount]) => ({ lowValue, highValue, sampleCount })),
  });
  const two = [model.datasets[0], model.datasets[1]];
  // Shares [0.5, 0.5] vs [0.2, 0.8]: L-inf 0.3; the first is uniform over its 2 buckets.
  const scores = numericScores(
    {
      name: 'x',
      type: 'FLOAT',
      perDataset: [
        summary([
          [0, 1, 5],
          [1, 2, 5],
        ]),
        summary([
          [0, 1, 2],
          [1, 2, 8],
        ]),
      ],
    },
    two,
  );
  expect(scores.drift).toBeCloseTo(0.3, 12);
  expect(scores.nonUniformity).toBeCloseTo(0, 12);
  expect(scores.missing).toBe(0.25);
  expect(
    numericScores(
      {
        name: 'x',
        type: 'FLOAT',
        perDataset: [
          summary([
            [0, 1, 5],
            [1, 2, 5],
          ]),
        ],
      },
      [two[0]],
    ).drift,
  ).toBe(0);
  const cat = model.categorical.find((f) => f.name === 'payment_type')!;
  const one = { ...cat, perDataset: [{ ...cat.perDataset[0]!, unique: 1, topValues: [{ value: 'Cash', frequency: 10 }], totalValues: 10 }] };
  expect(categoricalScores(one, [two[0]]).nonUniformity).toBe(1);
  const even = {
    ...cat,
    perDataset: [
      {
        ...cat.perDataset[0]!,
        unique: 2,
        topValues: [
          { value: 'a', frequency: 5 },
          { value: 'b', frequency: 5 },
        ],
        totalValues: 10,
      },
    ],
  };
  expect(categoricalScores(even, [two[0]]).nonUniformity).toBeCloseTo(0, 12);
});

describe('tooltips (SVG <title> per bucket, value and quantile)', () => {
  const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => unescapeXml(m[1]));
  const unescapeXml = (text: string) =>
    text
      .replace(/&#xA;/g, '\n')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');

  test("each shared bucket names its range and every split's count and share; counts add up to the split's count", async () => {
    const fare = model.numeric.find((f) => f.name === 'fare')!;
    const bars = standardHistogramBars(fare, model.datasets);
    const tips = histogramTips(bars, model.datasets);
    const svg = await renderSvg(standardHistogramSpec(fare, model.datasets));
    expect(titles(svg)).toEqual(tips.map((t) => t.tip));
    expect(tips).toHaveLength(bars.length / model.datasets.length);
    model.datasets.forEach((d, i) => {
      const counts = tips.map((t) => {
        const line = t.tip.split('\n').find((l) => l.startsWith(`${d.name}: `))!;
        const [, count, share] = line.match(/^.*: ≈?([\d,]+) \((.*)\)$/)!;
        return { count: Number(count.replace(/,/g, '')), share };
      });
      const total = counts.reduce((sum, c) => sum + c.count, 0);
      // Each shown count is rounded (re-spread counts are fractional): within one per bucket.
      expect(Math.abs(total - fare.perDataset[i]!.count)).toBeLessThanOrEqual(tips.length);
      bars.filter((b) => b.dataset === d.name).forEach((b, k) => expect(counts[k].share).toBe(formatPercent(b.share)));
    });
    // The ranges tile the merged extent: first edge the smaller min, last the larger max.
    const [first, last] = [tips[0].tip.split('\n')[0], tips[tips.length - 1].tip.split('\n')[0]];
    expect(first.startsWith(`${formatNumber(Math.min(...fare.perDataset.map((s) => s!.min)))} to `)).toBe(true);
    expect(last.endsWith(`to ${formatNumber(Math.max(...fare.perDataset.map((s) => s!.max)))} (inclusive)`)).toBe(true);
    // The log chart has the same tooltips.
    expect(titles(await renderSvg(standardHistogramSpec(fare, model.datasets, { log: true })))).toEqual(tips.map((t) => t.tip));
  });

  test('top values and quantile points carry their counts and values', async () => {
    const company = model.categorical.find((f) => f.name === 'company')!;
    const bars = topValueBars(company, model.datasets);
    const svg = await renderSvg(topValuesSpec(company, model.datasets));
    const shown = titles(svg);
    expect(shown).toEqual(topValueTips(bars, model.datasets).map((t) => t.tip));
    const top = company.perDataset[0]!.topValues[0];
    expect(shown[0].split('\n')[0]).toBe(top.value);
    expect(shown[0]).toContain(`${model.datasets[0].name}: ${formatCount(top.frequency)} (`);
    const tips = model.numeric.find((f) => f.name === 'tips')!;
    const points = titles(await renderSvg(quantilesSpec(tips, model.datasets)));
    expect(points).toContain(`${model.datasets[1].name}: max ${formatNumber(tips.perDataset[1]!.max)}`);
    expect(points).toContain(`${model.datasets[0].name}: median ${formatNumber(quantileMarks(tips, model.datasets).find((m) => m.quantile === 0.5)!.value)}`);
  });

  test('aria-labels become <title> children; attributes that change nothing are dropped', () => {
    expect(marksWithTitles('<path aria-label="a &amp; b&#xA;c" role="graphics-symbol" aria-roledescription="rect mark" d="M0,0h1" fill="#000"/>')).toBe(
      '<path d="M0,0h1" fill="#000"><title>a &amp; b&#xA;c</title></path>',
    );
    const svg = compactSvg(
      '<svg class="marks"><g><path class="background" aria-hidden="true" d="M0,0h0v0h0Z" pointer-events="none"/><text font-family="x, &quot;y&quot;" opacity="1">1</text><text font-family="x, &quot;y&quot;" opacity="0">2</text></g></svg>',
    );
    expect(svg).toBe('<svg font-family="x, &quot;y&quot;" class="marks"><g><text>1</text><text opacity="0">2</text></g></svg>');
  });
});

describe('one number format: axes say what the tables say', () => {
  /** The axis labels vega drew (x and y), in order. */
  const labels = (svg: string) =>
    [...(svg.match(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/gs) ?? [])].flatMap((g) =>
      [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    );

  test('a timestamp axis is in B (as the table), with the digits that tell its ticks apart; shares in %', async () => {
    const timestamp = model.numeric.find((f) => f.name === 'trip_start_timestamp')!;
    const svg = await renderSvg(standardHistogramSpec(timestamp, model.datasets));
    const shown = labels(svg);
    expect(shown.some((t) => /^\d+(\.\d+)?B$/.test(t))).toBe(true);
    expect(shown.some((t) => /G$/.test(t))).toBe(false);
    expect(shown.filter((t) => t.endsWith('%')).length).toBeGreaterThan(0);
    expect(new Set(shown).size).toBe(shown.length);
    expect(formatNumber(timestamp.perDataset[0]!.min)).toMatch(/B$/);
  });
});

describe('single-valued and all-missing features', () => {
  const one = (value: number, count: number) => ({
    ...model.numeric[0].perDataset[0]!,
    count,
    min: value,
    max: value,
    mean: value,
    median: value,
    stdDev: 0,
    standard: count ? [{ lowValue: value, highValue: value, sampleCount: count }] : [],
    quantiles: [],
  });

  test('one value in every split with values is said in words, with no chart; the empty split is named', async () => {
    const { statisticsHtml } = await import('./statistics-html');
    const feature = { name: 'tract', type: 'INT', perDataset: [one(17031081600, 1), { ...one(0, 0), missingFraction: 1 }] };
    expect(singleValue(feature)).toBe(17031081600);
    expect(singleValue({ ...feature, perDataset: [one(5, 3), one(6, 2)] })).toBeUndefined();
    expect(singleValue(model.numeric.find((f) => f.name === 'fare')!)).toBeUndefined();
    const view = { ...model, numeric: [feature], categorical: [], other: [] };
    expect(statisticsChartSpecs(view)).toEqual([]);
    const html = statisticsHtml(view, new Map());
    expect(html).toContain(`One value in ${model.datasets[0].name}: <strong title="17031081600">17.03B</strong>`);
    expect(html).toContain(`${model.datasets[1].name}: no values (all missing)`);
    expect(html).not.toContain('data-chart="standard"');
    for (const stat of ['mean', 'min', 'max', 'zeros']) {
      const cell = html.match(new RegExp(`data-stat="${stat}">(.*?)</td>`))![1];
      expect(cell.match(/>([^<]*)<\/div>/g)!.map((m) => m.slice(1, -6))[1]).toBe('–');
    }
  });
});

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Channel } from '../../dsl/channel';
import { DuckSession } from '../../data/duckdb';
import { standardArtifacts } from '../../dsl/artifact';
import { InteractiveContext } from '../../notebook/interactive-context';
import { renderArtifacts } from '../../visualize/registry';
import { repoRoot, sharedData, tempDir } from '../../testing/fixtures';
import { CsvExampleGen } from '../example_gen/component';
import { Transform } from '../transform/component';
import { FeatureSelector } from './component';
import { FeatureSelectionResult, SELECTION_FILE } from '../../feature_selection/scores';
import { anovaF, discretize, mutualInformation } from '../../feature_selection/scores';

describe('FeatureSelector on the taxi sample', () => {
  const root = tempDir('tfx-ts-fs-');
  let context: InteractiveContext;
  let transform: InstanceType<typeof Transform>;

  beforeAll(async () => {
    context = new InteractiveContext({ pipelineName: 'fs', pipelineRoot: root });
    const exampleGen = new CsvExampleGen({ inputBase: path.join(sharedData, 'chicago_taxi', 'simple') });
    await context.run(exampleGen);
    transform = new Transform({ examples: exampleGen.outputs.examples, moduleFile: path.join(repoRoot, 'notebooks', 'taxi', 'preprocessing.ts') });
    await context.run(transform);
  }, 60_000);

  const run = async (args: Record<string, unknown>): Promise<FeatureSelectionResult> => {
    const selector = new FeatureSelector({ examples: transform.outputs.transformedExamples, labelKey: 'tips_xf', ...args } as never);
    await context.run(selector);
    return JSON.parse(fs.readFileSync(path.join(context.artifacts(selector.outputs.featureSelection)[0].uri, SELECTION_FILE), 'utf8'));
  };

  it('ranks payment_type first for big tippers and keeps the top k', async () => {
    const result = await run({ k: 5 });
    expect(result.features[0].name).toBe('payment_type_xf');
    expect(result.selected).toHaveLength(5);
    expect(result.features.filter((f) => f.selected).map((f) => f.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(result.features.every((f, i) => i === 0 || result.features[i - 1].score >= f.score)).toBe(true);
  }, 60_000);

  it('matches scikit-learn: mutual_info_score for categories, f_classif for numbers', async () => {
    const mi = await run({ features: ['payment_type_xf', 'trip_start_hour_xf'] });
    const f = await run({ scoreFunction: 'f_classif', features: ['fare_xf', 'trip_miles_xf'] });
    // Debian's pandas has no Parquet engine: hand it the same rows as CSV.
    const parquet = path.join(context.artifacts(transform.outputs.transformedExamples)[0].uri, 'Split-train', 'data.parquet');
    const file = path.join(root, 'train.csv');
    await DuckSession.with((db) => db.run(`COPY (SELECT * FROM read_parquet('${parquet}')) TO '${file}' (HEADER)`));
    const script = [
      'import json, pandas as pd',
      'from sklearn.metrics import mutual_info_score',
      'from sklearn.feature_selection import f_classif',
      `d = pd.read_csv(${JSON.stringify(file)})`,
      'y = d["tips_xf"]',
      'out = {k: mutual_info_score(d[k], y) for k in ["payment_type_xf", "trip_start_hour_xf"]}',
      'F, _ = f_classif(d[["fare_xf", "trip_miles_xf"]], y)',
      'out.update({"F_fare_xf": F[0], "F_trip_miles_xf": F[1]})',
      'print(json.dumps(out))',
    ].join('\n');
    const python = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(python.stderr).toBe('');
    const reference = JSON.parse(python.stdout);
    for (const feature of mi.features) expect(feature.score).toBeCloseTo(reference[feature.name], 10);
    for (const feature of f.features) expect(feature.score / reference[`F_${feature.name}`]).toBeCloseTo(1, 8);
  }, 60_000);

  it('renders a view with the scores and the selection', async () => {
    const selector = new FeatureSelector({ examples: transform.outputs.transformedExamples, labelKey: 'tips_xf', threshold: 0.05 });
    await context.run(selector);
    const bundle = await renderArtifacts(context.artifacts(selector.outputs.featureSelection));
    expect(String(bundle['text/html'])).toContain('data-feature="payment_type_xf" data-selected="true"');
    expect(String(bundle['text/html'])).toContain('<svg');
  });

  it('names bad parameters and columns', async () => {
    const examples = new Channel(standardArtifacts.Examples, undefined, 'examples');
    expect(() => new FeatureSelector({ examples, labelKey: 'y', k: 3, threshold: 0.1 })).toThrow(/give k or threshold, not both/);
    expect(() => new FeatureSelector({ examples, labelKey: 'y', scoreFunction: 'chi2' } as never)).toThrow(/scoreFunction/);
    await expect(run({ labelKey: 'big_tipper' })).rejects.toThrow(/labelKey "big_tipper" is not a column of the train split/);
    await expect(run({ features: ['fare_xf', 'tips'] })).rejects.toThrow(/tips is not a column of the examples/);
  });
});

describe('scores', () => {
  it('computes mutual information of independent and identical variables', () => {
    const a = Int32Array.from([0, 0, 1, 1]);
    const b = Int32Array.from([0, 1, 0, 1]);
    expect(mutualInformation(a, 2, b, 2)).toBeCloseTo(0, 12);
    expect(mutualInformation(a, 2, a, 2)).toBeCloseTo(Math.log(2), 12);
    expect(anovaF(Float64Array.from([1, 1, 5, 5]), a, 2)).toBe(Infinity);
    expect(discretize(Float64Array.from([1, 2, 3, 4, NaN]), 'float', 2).codes[4]).toBe(discretize(Float64Array.from([1, 2, 3, 4, NaN]), 'float', 2).levels - 1);
  });
});

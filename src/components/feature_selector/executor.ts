import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import { DuckSession } from '../../data/duckdb';
import { describeExamples, readExampleColumns, splitFiles } from '../../transform/example-io';
import { UserError } from '../../util/errors';
import { FeatureSelectionResult, scoreFeatures, ScoreFunction, SELECTION_FILE } from '../../feature_selection/scores';

interface FeatureSelectorParameters {
  labelKey: string;
  k?: number;
  threshold?: number;
  scoreFunction: ScoreFunction;
  features?: string[];
  split: string;
  bins: number;
}

export const featureSelectorExecutor: Executor<FeatureSelectorParameters> = async (context) => {
  const p = context.parameters;
  const examples = context.inputs.examples[0];
  const files = splitFiles(examples.uri, p.split);
  const result = await DuckSession.with(async (db) => {
    const available = await describeExamples(db, files);
    const label = available.find((f) => f.name === p.labelKey);
    if (!label)
      throw new UserError(
        `FeatureSelector: labelKey "${p.labelKey}" is not a column of the ${p.split} split.`,
        `columns are: ${available.map((f) => f.name).join(', ')}.`,
      );
    const names = p.features ?? available.map((f) => f.name).filter((n) => n !== p.labelKey);
    const unknown = names.filter((n) => !available.some((f) => f.name === n));
    if (unknown.length)
      throw new UserError(
        `FeatureSelector: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of the examples.`,
        `columns are: ${available.map((f) => f.name).join(', ')}.`,
      );
    const wanted = available.filter((f) => names.includes(f.name) || f.name === p.labelKey);
    const raw = await readExampleColumns(db, files, wanted);
    if (raw.numRows === 0) throw new UserError(`FeatureSelector: the ${p.split} split is empty.`);
    context.progress(0.5, `scoring ${names.length} features with ${p.scoreFunction}`);
    const scores = scoreFeatures(
      wanted.filter((f) => f.name !== p.labelKey).map((f) => ({ name: f.name, dtype: f.dtype, values: raw.columns[f.name] })),
      { name: label.name, dtype: label.dtype, values: raw.columns[label.name] },
      p.scoreFunction,
      p.bins,
    ).sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
    const k = p.threshold === undefined ? Math.min(p.k ?? 10, scores.length) : undefined;
    const keep = (score: number, rank: number) => (p.threshold !== undefined ? score >= p.threshold : rank <= k!);
    const features = scores.map((s, i) => ({ ...s, rank: i + 1, selected: keep(s.score, i + 1) }));
    const out: FeatureSelectionResult = {
      labelKey: p.labelKey,
      scoreFunction: p.scoreFunction,
      split: p.split,
      numExamples: raw.numRows,
      rule: p.threshold !== undefined ? `score >= ${p.threshold}` : `top ${k}`,
      selected: features.filter((f) => f.selected).map((f) => f.name),
      features,
    };
    return out;
  });
  const artifact = context.outputs.featureSelection[0];
  fs.writeFileSync(path.join(artifact.uri, SELECTION_FILE), JSON.stringify(result, null, 1));
  artifact.customProperties.selected_features = JSON.stringify(result.selected);
  artifact.customProperties.score_function = result.scoreFunction;
  context.log(`selected ${result.selected.length} of ${result.features.length} features (${result.rule}): ${result.selected.join(', ')}`);
};

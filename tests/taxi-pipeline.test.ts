import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, sharedData, tempDir } from '../src/testing/fixtures';
import { EvaluationResult } from '../src/evaluator/evaluate';
import { runTaxiSteps } from './taxi-steps';

/**
 * The notebook's steps, in-process, three times on one pipeline root: the first run blesses and
 * pushes; the second is a cached re-run (a no-op); the third trains a new model, evaluated against
 * the first as baseline.
 */
describe('taxi tutorial steps', () => {
  const root = tempDir('tfx-ts-taxi-');
  const options = {
    dataRoot: path.join(sharedData, 'chicago_taxi', 'simple'),
    pipelineRoot: path.join(root, 'pipeline'),
    servingModelDir: path.join(root, 'serving_model'),
    moduleDir: path.join(repoRoot, 'notebooks', 'taxi'),
    trainSteps: 600,
  };
  let first: Awaited<ReturnType<typeof runTaxiSteps>>;
  let second: Awaited<ReturnType<typeof runTaxiSteps>>;
  let third: Awaited<ReturnType<typeof runTaxiSteps>>;
  let versionsAfterSecond: string[];

  beforeAll(async () => {
    first = await runTaxiSteps(options);
    second = await runTaxiSteps(options);
    versionsAfterSecond = fs.readdirSync(path.join(options.servingModelDir, 'taxi'));
    third = await runTaxiSteps({ ...options, retrain: true });
  }, 450_000);

  const evaluation = (run: typeof first) =>
    JSON.parse(fs.readFileSync(path.join(run.context.artifacts(run.evaluator.outputs.evaluation)[0].uri, 'evaluation.json'), 'utf8')) as EvaluationResult;

  it('evaluates the first model without a baseline, blesses it and pushes it', () => {
    const result = evaluation(first);
    const overall = result.slices.find((s) => s.name === 'Overall')!;
    expect(overall.metrics.example_count).toBeGreaterThan(4000);
    expect(overall.metrics.auc as number).toBeGreaterThan(0.8);
    expect(result.baseline).toBeUndefined();
    expect(result.validation.skipped.map((c) => c.metric)).toEqual(['binary_accuracy']);
    const hours = result.slices.filter((s) => s.key[0]?.[0] === 'trip_start_hour');
    expect(hours.length).toBe(24);
    const blessing = first.context.artifacts(first.evaluator.outputs.blessing)[0];
    expect(blessing.customProperties.blessed).toBe(1);
    const pushed = first.context.artifacts(first.pusher.outputs.pushedModel)[0];
    expect(pushed.customProperties.pushed).toBe(1);
    expect(fs.existsSync(path.join(String(pushed.customProperties.pushed_destination), 'model.json'))).toBe(true);
  });

  it('re-runs as a no-op: the baseline found is the cached model itself, so Evaluator and Pusher are cached and no serving version is added', () => {
    const resolved = second.context.artifacts(second.modelResolver.outputs.model);
    expect(resolved).toHaveLength(1);
    expect(resolved[0].id).toBe(first.context.artifacts(first.trainer.outputs.model)[0].id);
    expect(second.context.artifacts(second.trainer.outputs.model)[0].id).toBe(resolved[0].id);
    expect([second.evaluatorRun.state, second.pusherRun.state]).toEqual(['CACHED', 'CACHED']);
    expect(second.context.artifacts(second.evaluator.outputs.blessing)[0].id).toBe(first.context.artifacts(first.evaluator.outputs.blessing)[0].id);
    expect(versionsAfterSecond).toEqual([String(first.context.artifacts(first.pusher.outputs.pushedModel)[0].customProperties.pushed_version)]);
  });

  it('evaluates a newly trained model against the first blessed model as baseline', () => {
    const resolved = third.context.artifacts(third.modelResolver.outputs.model);
    expect(resolved).toHaveLength(1);
    expect(resolved[0].id).toBe(first.context.artifacts(first.trainer.outputs.model)[0].id);
    expect(third.context.artifacts(third.trainer.outputs.model)[0].id).not.toBe(resolved[0].id);
    const result = evaluation(third);
    expect(result.baseline?.modelId).toBe(resolved[0].id);
    const change = result.validation.checks.find((c) => c.kind === 'change')!;
    expect(change.skipped).toBeUndefined();
    expect(typeof change.baselineValue).toBe('number');
  });

  it('renders the evaluation view with the slicing table, charts and MIME payload', () => {
    const bundle = third.views.evaluation;
    const html = String(bundle['text/html']);
    expect(html).toContain('data-slice="trip_start_hour:0"');
    expect(html).toContain('data-chart="roc"');
    expect(html).toContain('data-chart="calibration"');
    // ROC, PR and calibration are SVGs; the chart by slice is HTML, one row per slice.
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    expect(html).toMatch(/class="tfx-ts-bar-row[^"]*" data-slice="trip_start_hour:0"/);
    expect(Object.keys(bundle).sort()).toEqual(['text/html', 'text/plain']);
    expect(String(first.views.modelRun['text/html'])).toContain('<svg');
    expect(String(first.views.transformGraph['text/plain'])).toContain('tips_xf');
  });
});

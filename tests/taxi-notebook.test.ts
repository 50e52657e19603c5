import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EvaluationResult } from '../src/evaluator/evaluate';
import { readEvaluation } from '../src/visualize/evaluation-view';
import * as YAML from 'yaml';
import { executeNotebook, ExecutedNotebook, exportCell, exportedIr, repoRoot } from './notebooks';
import { checkIrWithKfp, checkIrWithKfpSdk, parseWithKfp } from '../src/testing/kfp-check';

/**
 * notebooks/taxi.ipynb under the real tslab kernel, twice on one pipeline root: the first run
 * blesses and pushes a model, the second is a cached re-run (Evaluator and Pusher reuse the first
 * run's results).
 */
describe('notebooks/taxi.ipynb under the real tslab kernel', () => {
  jest.setTimeout(900_000);
  const pipelineRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-taxi-nb-'));
  const env = {
    TFX_TS_PIPELINE_ROOT: pipelineRoot,
    TFX_TS_TAXI_DATA: path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple'),
  };
  let first: ExecutedNotebook;
  let second: ExecutedNotebook;

  beforeAll(() => {
    first = executeNotebook(path.join(repoRoot, 'notebooks', 'taxi.ipynb'), { env });
    // The second run ends with the cell the panel's Compile button runs (the notebook's export for Kubeflow).
    second = executeNotebook(path.join(repoRoot, 'notebooks', 'taxi.ipynb'), { env, appendCells: [exportCell('s3://bucket/taxi')] });
  });

  // Views are HTML only (the data is stored once); each view's root names its kind.
  const join = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));
  const views = (nb: ExecutedNotebook, cell: number, kind: string) =>
    (nb.cells[cell].outputs ?? []).filter((o) => o.data && join(o.data['text/html']).includes(`class="tfx-ts-view tfx-ts-${kind}"`));
  // What the Evaluator wrote, run by run (artifact ids grow: the first run's is the smallest).
  const evaluations = (): EvaluationResult[] => {
    const dir = path.join(pipelineRoot, 'Evaluator', 'evaluation');
    return fs
      .readdirSync(dir)
      .map(Number)
      .sort((a, b) => a - b)
      .map((id) => readEvaluation(path.join(dir, String(id))));
  };
  const cellOf = (nb: ExecutedNotebook, snippet: string) => {
    const [cell] = nb.cellsContaining(snippet);
    expect(cell).toBeDefined();
    return cell;
  };

  it("runs every cell without an error, in the tutorial's order", () => {
    for (const nb of [first, second]) {
      nb.cells.forEach((c, i) => {
        const errors = (c.outputs ?? []).filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
        expect({ cell: i, errors }).toEqual({ cell: i, errors: [] });
      });
    }
    const order = [
      'new CsvExampleGen',
      'new StatisticsGen',
      'new SchemaGen',
      'new ExampleValidator',
      'new Transform',
      'new Trainer',
      'new Evaluator',
      'new Pusher',
      'startModelServer({',
    ];
    const cells = order.map((s) => cellOf(first, s));
    expect([...cells].sort((a, b) => a - b)).toEqual(cells);
  });

  it('shows the data views, the transform graph, live training curves and the evaluation', () => {
    expect(views(first, cellOf(first, 'new StatisticsGen'), 'statistics')).toHaveLength(1);
    // Nothing stored twice: no output carries a JSON copy of what its HTML shows.
    for (const nb of [first, second]) {
      for (const cell of nb.cells) for (const o of cell.outputs ?? []) expect(Object.keys(o.data ?? {}).filter((k) => k.endsWith('+json'))).toEqual([]);
    }
    expect(first.cellText(cellOf(first, 'new Transform'))).toContain('tips_xf');
    const trainer = cellOf(first, 'new Trainer');
    // The live curve is one display replaced in place, ending in its final state.
    const training = views(first, trainer, 'training');
    expect(training).toHaveLength(1);
    expect(join(training[0].data!['text/plain'])).toMatch(/^trained \d+ steps/);
    expect(first.cellText(trainer)).toMatch(/tfjs backend: (wasm|tensorflow|cpu)/);
    expect(views(first, cellOf(first, 'new Evaluator'), 'evaluation')).toHaveLength(1);
    const evaluation = evaluations()[0];
    const overall = evaluation.slices.find((s) => s.name === 'Overall')!;
    expect(overall.metrics.auc).toBeGreaterThan(0.8);
    expect(evaluation.slices.filter((s) => s.name.startsWith('trip_start_hour:'))).toHaveLength(24);
  });

  it("blesses and pushes the first model, and a predict call answers with the Evaluator's scores", () => {
    expect(first.cellText(cellOf(first, 'evaluator.outputs.blessing'))).toContain('BLESSED');
    expect(first.cellText(cellOf(first, 'new Pusher'))).toMatch(/pushed version \d+ to /);
    const serving = first.cellText(cellOf(first, 'startModelServer({'));
    expect(serving).toMatch(/POST \/v1\/models\/taxi:predict → 200/);
    expect(serving.match(/P\(big tip\) = 0\.\d{3}/g)).toHaveLength(5);
    expect(serving).toContain("same scores as the Evaluator's code path: true");
  });

  it("exports through the panel a pipeline Kubeflow's own code accepts, with the Resolver as the pushed-model lookup", () => {
    const exported = exportedIr(second);
    expect(parseWithKfp([exported.file])[0]).toMatchObject({ ok: true });
    expect(checkIrWithKfp(exported.file).kind).toBe('Workflow');
    expect(checkIrWithKfpSdk(exported.file).tasks).toEqual([
      'csv-example-gen',
      'evaluator',
      'example-validator',
      'latest-blessed-model-resolver',
      'pusher',
      'schema-gen',
      'statistics-gen',
      'trainer',
      'transform',
    ]);
    const spec = YAML.parse(exported.yaml);
    for (const task of ['statistics-gen', 'example-validator', 'evaluator'])
      expect([task, spec.components[`comp-${task}`].outputDefinitions.artifacts.html_view]).toEqual([
        task,
        { artifactType: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' } },
      ]);
    // The notebook pushes to a local folder: the warning says a pod's push would be lost.
    expect(exported.warnings).toEqual([
      {
        componentId: 'latest_blessed_model_resolver',
        message: expect.stringMatching(/^latest_blessed_model_resolver \(Resolver\) runs on Kubeflow as a lookup .* which is not object storage/),
      },
    ]);
    expect(exported.yaml).not.toContain(repoRoot);
  });

  it('re-runs as a no-op: the Resolver finds the cached model itself, so the Evaluator and Pusher are cached and no version is added', () => {
    const resolver = second.cellText(cellOf(second, 'new Resolver'));
    expect(resolver).toMatch(/latest blessed model: #\d+/);
    // The Evaluator is cached (comparing a model with itself tells nothing): one evaluation artifact for both runs.
    const all = evaluations();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ validation: { skipped: [{ metric: 'binary_accuracy' }] } });
    const version = (nb: ExecutedNotebook) => /pushed version (\d+) to /.exec(nb.cellText(cellOf(nb, 'new Pusher')))?.[1];
    expect(version(second)).toBeDefined();
    expect(version(second)).toBe(version(first));
  });
});

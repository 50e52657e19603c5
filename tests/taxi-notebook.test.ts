import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executeNotebook, ExecutedNotebook, repoRoot } from './notebooks';

/**
 * notebooks/taxi.ipynb under the real tslab kernel, twice on one pipeline root: the first run
 * blesses and pushes a model, the second evaluates against it as baseline.
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
    second = executeNotebook(path.join(repoRoot, 'notebooks', 'taxi.ipynb'), { env });
  });

  const mime = (nb: ExecutedNotebook, cell: number, type: string) => (nb.cells[cell].outputs ?? []).find((o) => o.data && type in o.data)?.data?.[type];
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
    expect(mime(first, cellOf(first, 'new StatisticsGen'), 'application/vnd.tfx-ts.statistics+json')).toBeDefined();
    expect(first.cellText(cellOf(first, 'new Transform'))).toContain('tips_xf');
    const trainer = cellOf(first, 'new Trainer');
    const training = mime(first, trainer, 'application/vnd.tfx-ts.training+json') as { status: { done: boolean } } | undefined;
    expect(training).toBeDefined();
    // The live curve is one display replaced in place, ending in its final state.
    expect((first.cells[trainer].outputs ?? []).filter((o) => o.data && 'application/vnd.tfx-ts.training+json' in o.data)).toHaveLength(1);
    expect(training!.status.done).toBe(true);
    expect(first.cellText(trainer)).toMatch(/tfjs backend: (wasm|tensorflow|cpu)/);
    const evaluation = mime(first, cellOf(first, 'new Evaluator'), 'application/vnd.tfx-ts.evaluation+json') as {
      slices: { name: string; metrics: Record<string, number> }[];
    };
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

  it('evaluates the second run against the first model as baseline', () => {
    const resolver = second.cellText(cellOf(second, 'new Resolver'));
    expect(resolver).toMatch(/latest blessed model: #\d+/);
    const evaluation = mime(second, cellOf(second, 'new Evaluator'), 'application/vnd.tfx-ts.evaluation+json') as {
      baseline?: { modelId: number };
      validation: { checks: { kind: string; skipped?: boolean }[] };
    };
    expect(evaluation.baseline?.modelId).toBeGreaterThan(0);
    expect(evaluation.validation.checks.find((c) => c.kind === 'change')?.skipped).toBeUndefined();
    expect(mime(first, cellOf(first, 'new Evaluator'), 'application/vnd.tfx-ts.evaluation+json')).toMatchObject({
      validation: { skipped: [{ metric: 'binary_accuracy' }] },
    });
  });
});

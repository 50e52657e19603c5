import * as path from 'node:path';
import * as YAML from 'yaml';
import { executeNotebook, exportCell, exportedIr, repoRoot } from './notebooks';
import { checkIrWithKfp, checkIrWithKfpSdk, parseWithKfp } from '../src/testing/kfp-check';

describe('notebooks/penguin_quickstart.ipynb under the real tslab kernel', () => {
  jest.setTimeout(600_000);

  it('runs every cell and shows the run results, the statistics view, the schema and the anomalies', () => {
    // Last, the cell the panel's Compile button runs: the notebook's pipeline exported for Kubeflow.
    const nb = executeNotebook(path.join(repoRoot, 'notebooks', 'penguin_quickstart.ipynb'), { appendCells: [exportCell('s3://bucket/penguin')] });
    const code = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === 'code');
    for (const { c, i } of code) {
      const errors = (c.outputs ?? []).filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
      expect({ cell: i, errors }).toEqual({ cell: i, errors: [] });
    }
    const [exampleGenCell] = nb.cellsContaining('new CsvExampleGen');
    expect(nb.cellText(exampleGenCell)).toMatch(/CsvExampleGen.*execution 1.*COMPLETE/s);
    expect(nb.cellText(exampleGenCell)).toMatch(/CsvExampleGen\/examples\/1/);

    const [statsCell] = nb.cellsContaining('new StatisticsGen');
    const statsOutputs = nb.cells[statsCell].outputs ?? [];
    const statsView = statsOutputs.find((o) => o.data && [o.data['text/html'] ?? ''].flat().join('').includes('class="tfx-ts-view tfx-ts-statistics"'));
    expect(statsView).toBeDefined();
    const html = String(statsView!.data!['text/html']);
    for (const feature of ['culmen_length_mm', 'body_mass_g', 'species', 'island']) expect(html).toContain(feature);

    const [schemaCell] = nb.cellsContaining('new SchemaGen');
    expect(nb.cellText(schemaCell)).toContain('species');
    const [validatorCell] = nb.cellsContaining('new ExampleValidator');
    expect(nb.cellText(validatorCell)).toMatch(/ExampleValidator.*COMPLETE/s);

    const [lineageCell] = nb.cellsContaining('context.lineage');
    expect(nb.cellText(lineageCell)).toMatch(/ExampleGen again: CACHED/);
    expect(
      (nb.cells[lineageCell].outputs ?? []).some((o) => o.data && [o.data['text/html'] ?? ''].flat().join('').includes('class="tfx-ts-view tfx-ts-lineage"')),
    ).toBe(true);
    expect(nb.cellText(lineageCell)).toMatch(/schema lineage: CsvExampleGen#1 -> StatisticsGen#2 -> SchemaGen#3\n/);

    // What the panel exports goes through Kubeflow's own code: the API server's parser, its Argo compiler, the kfp SDK.
    const exported = exportedIr(nb);
    expect(parseWithKfp([exported.file])[0]).toMatchObject({ ok: true });
    expect(checkIrWithKfp(exported.file).kind).toBe('Workflow');
    expect(checkIrWithKfpSdk(exported.file).tasks).toEqual(['csv-example-gen', 'example-validator', 'schema-gen', 'statistics-gen']);
    const spec = YAML.parse(exported.yaml);
    expect(spec.components['comp-statistics-gen'].outputDefinitions.artifacts.html_view).toEqual({
      artifactType: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' },
    });
    // The data the notebook wrote travels in the code package: no host path in the spec.
    expect(exported.yaml).not.toContain(repoRoot);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckSession, sqlString } from '../../data/duckdb';
import { Pipeline } from '../../dsl/pipeline';
import { LocalDagRunner } from '../../orchestration/local/runner';
import { sharedData, tempDir } from '../../testing/fixtures';
import { CsvExampleGen } from '../example_gen/component';
import { ExampleValidator } from '../example_validator/component';
import { ImportSchemaGen, SchemaGen } from '../schema_gen/component';
import { loadSchema } from '../../schema/io';
import { loadStatistics } from '../../stats/io';
import { loadAnomalies } from '../../validation/io';
import { StatisticsGen } from './component';
import { statisticsGenExecutor } from './executor';
import { Artifact, standardArtifacts } from '../../dsl/artifact';

const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');
const taxiSchema = path.join(sharedData, 'chicago_taxi', 'user_provided_schema', 'schema.pbtxt');

async function run(components: ConstructorParameters<typeof Pipeline>[0]['components'], root = tempDir()) {
  const { results } = await new LocalDagRunner().run(new Pipeline({ pipelineName: 'tfdv-test', pipelineRoot: root, components }));
  return results;
}

describe('StatisticsGen → SchemaGen → ExampleValidator on the taxi sample', () => {
  jest.setTimeout(120_000);

  it('writes TFX layouts: Split-<name>/FeatureStats.json, schema.pbtxt, Split-<name>/SchemaDiff.json', async () => {
    const gen = new CsvExampleGen({ inputBase: taxiCsv });
    const stats = new StatisticsGen({ examples: gen.outputs.examples });
    const schema = new SchemaGen({ statistics: stats.outputs.statistics });
    const curated = new ImportSchemaGen({ schemaFile: taxiSchema });
    const validator = new ExampleValidator({ statistics: stats.outputs.statistics, schema: curated.outputs.schema });
    const results = await run([gen, stats, schema, curated, validator]);
    const byId = new Map(results.map((r) => [r.componentId, r]));

    const statistics = byId.get('StatisticsGen')!.outputs.statistics[0];
    expect(statistics.splitNames).toEqual(['train', 'eval']);
    for (const split of ['train', 'eval']) expect(fs.existsSync(path.join(statistics.uri, `Split-${split}`, 'FeatureStats.json'))).toBe(true);
    const list = loadStatistics(statistics);
    const examples = byId.get('CsvExampleGen')!.outputs.examples[0];
    const [{ n }] = await DuckSession.with((db) =>
      db.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(path.join(examples.uri, 'Split-train', '*.parquet'))})`),
    );
    expect(list.datasets.map((d) => d.name)).toEqual(['train', 'eval']);
    expect(list.datasets[0].numExamples).toBe(n);

    const inferred = byId.get('SchemaGen')!.outputs.schema[0];
    expect(fs.readFileSync(path.join(inferred.uri, 'schema.pbtxt'), 'utf8')).toMatch(/^feature \{/);
    const inferredSchema = loadSchema(inferred);
    expect(inferredSchema.feature.find((f) => f.name === 'fare')!.shape).toEqual({ dim: [{ size: 1 }] });
    // The eval split's values are added to the domains inferred from train (TFDV's update_schema).
    const evalCompanies = list.datasets[1].features.find((f) => f.path.step[0] === 'company')!.stringStats!.rankHistogram.buckets.map((b) => b.label);
    const domain = inferredSchema.stringDomain!.find((d) => d.name === 'company');
    if (domain) for (const c of evalCompanies) expect(domain.value).toContain(c);

    const imported = byId.get('ImportSchemaGen')!.outputs.schema[0];
    expect(fs.readFileSync(path.join(imported.uri, 'schema.pbtxt'), 'utf8')).toBe(fs.readFileSync(taxiSchema, 'utf8'));

    const anomalies = loadAnomalies(byId.get('ExampleValidator')!.outputs.anomalies[0]);
    expect(Object.keys(anomalies)).toEqual(['train', 'eval']);
    expect(anomalies.train.anomalyInfo.company.reason[0].type).toBe('ENUM_TYPE_UNEXPECTED_STRING_VALUES');
    expect(fs.existsSync(path.join(byId.get('ExampleValidator')!.outputs.anomalies[0].uri, 'Split-eval', 'SchemaDiff.json'))).toBe(true);
  });

  it("ImportSchemaGen loads TFX's penguin schemas unchanged", async () => {
    for (const dir of ['raw', 'user_provided']) {
      const file = path.join(sharedData, 'penguins', 'schema', dir, 'schema.pbtxt');
      const [result] = await run([new ImportSchemaGen({ schemaFile: file })]);
      expect(fs.readFileSync(path.join(result.outputs.schema[0].uri, 'schema.pbtxt'), 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    }
  });

  it('bad input: unknown excluded splits, empty splits and malformed schema files fail with a clear error', async () => {
    const gen = new CsvExampleGen({ inputBase: taxiCsv });
    const stats = new StatisticsGen({ examples: gen.outputs.examples, excludeSplits: ['nope'] });
    await expect(run([gen, stats])).rejects.toThrow(/excludeSplits names unknown split\(s\) nope/);

    // An Examples artifact whose eval split holds a Parquet file without rows.
    const examples = new Artifact(standardArtifacts.Examples, tempDir());
    examples.splitNames = ['train', 'eval'];
    await DuckSession.with(async (db) => {
      for (const [split, where] of [
        ['train', 'TRUE'],
        ['eval', 'FALSE'],
      ]) {
        fs.mkdirSync(path.join(examples.uri, `Split-${split}`));
        await db.run(
          `COPY (SELECT * FROM read_csv(${sqlString(taxiCsv)}) WHERE ${where}) TO ${sqlString(path.join(examples.uri, `Split-${split}`, 'data.parquet'))} (FORMAT parquet)`,
        );
      }
    });
    const output = new Artifact(standardArtifacts.ExampleStatistics, tempDir());
    const context = {
      inputs: { examples: [examples] },
      outputs: { statistics: [output] },
      parameters: { excludeSplits: [] },
      componentId: 'StatisticsGen',
      pipelineName: 't',
      progress: () => undefined,
      liveView: () => undefined,
      log: () => undefined,
    };
    await expect(statisticsGenExecutor(context)).rejects.toThrow(/split "eval" has no examples[\s\S]*Fix: give the split more hash buckets/);

    const dir = tempDir();
    const bad = path.join(dir, 'schema.pbtxt');
    fs.writeFileSync(bad, 'feature {\n  name: "x"\n  type: NUMBER\n}\n');
    await expect(run([new ImportSchemaGen({ schemaFile: bad })])).rejects.toThrow(/schema\.pbtxt:3:9: invalid value "NUMBER"/);
  });
});

import * as path from 'node:path';
import { runCli } from '../testing/cli';
import { repoRoot, tempDir, writeFile } from '../testing/fixtures';

const cli = runCli;

function pipelineModule(dir: string): string {
  return writeFile(
    dir,
    'pipeline.ts',
    `
    import { Pipeline } from 'tfx-ts';
    import { WriteExamples, CountChars } from ${JSON.stringify(path.join(repoRoot, 'src/testing/test-components'))};
    export function createPipeline(options: { pipelineRoot?: string } = {}) {
      const write = new WriteExamples({ text: 'from the cli' });
      const count = new CountChars({ examples: write.outputs.examples });
      return new Pipeline({ pipelineName: 'cli-test', pipelineRoot: options.pipelineRoot ?? ${JSON.stringify(path.join(dir, 'default-root'))}, components: [count, write] });
    }
  `,
  );
}

describe('tfx-ts run', () => {
  it('runs a pipeline module, prints each component state and artifact; a second run is all CACHED', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'root');
    const first = await cli('run', pipelineModule(dir), '--pipeline-root', root);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/TestWriteExamples\s+COMPLETE\s+execution 1/);
    expect(first.out).toMatch(/TestCountChars\s+COMPLETE\s+execution 2/);
    expect(first.out).toContain(path.join(root, 'TestCountChars', 'statistics', '2'));
    expect(first.out).toMatch(/2 ran, 0 cached/);
    const second = await cli('run', pipelineModule(dir), '--pipeline-root', root);
    expect(second.out).toMatch(/0 ran, 2 cached/);
    const third = await cli('run', pipelineModule(dir), '--pipeline-root', root, '--no-cache');
    expect(third.out).toMatch(/2 ran, 0 cached/);

    const lineage = await cli('lineage', '2', '--metadata', path.join(root, 'metadata.sqlite'));
    expect(lineage.code).toBe(0);
    expect(lineage.out).toMatch(/execution 1 TestWriteExamples \(TestWriteExamples\) COMPLETE/);
    expect(lineage.out).toMatch(/execution 2 TestCountChars .* in: examples=#1 {2}out: statistics=#2/);
  });

  it('answers bad input with one clear error and exit code 2', async () => {
    const dir = tempDir();
    const missing = await cli('run', path.join(dir, 'nope.ts'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Module file not found: .*nope.ts/);
    const notPipeline = await cli('run', writeFile(dir, 'empty.ts', 'export const x = 1;'));
    expect(notPipeline.code).toBe(2);
    expect(notPipeline.err).toMatch(/does not provide a Pipeline.*export `function createPipeline/s);
    const badId = await cli('lineage', 'abc', '--metadata', 'x.sqlite');
    expect(badId.err).toMatch(/Artifact id "abc" is not a positive integer/);
    const noStore = await cli('lineage', '1', '--metadata', path.join(dir, 'none.sqlite'));
    expect(noStore.err).toMatch(/Metadata store .*none.sqlite does not exist/);
    const unknownFlag = await cli('run', 'x.ts', '--bogus');
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.err).toMatch(/unknown option '--bogus'/);
  });
});

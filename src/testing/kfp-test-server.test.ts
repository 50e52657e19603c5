import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Pipeline } from '../dsl/pipeline';
import { CsvExampleGen } from '../components/example_gen/component';
import { compilePipeline, pipelineSpecToYaml } from '../orchestration/kubeflow/compiler';
import { KfpClient } from '../orchestration/kubeflow/client';
import { repoRoot, tempDir } from './fixtures';

/** The UI tests start the server as a separate process: its CLI and control endpoints. */
describe('kfp-test-server CLI', () => {
  it('starts, prints its URL, serves the API behind auth, and lets another process move run states', async () => {
    const child = spawn(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(repoRoot, 'src', 'testing', 'kfp-test-server.ts'), '--port', '0', '--path-prefix', '/pipeline', '--bearer', 'ui-test-token'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = readline.createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          const match = /^KFP_TEST_SERVER_URL=(.+)$/.exec(line);
          if (match) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pipeline$/);
      const client = new KfpClient({ endpoint: url, token: 'ui-test-token' });
      const gen = new CsvExampleGen({ inputBase: 'data' });
      const yaml = pipelineSpecToYaml(
        compilePipeline(new Pipeline({ pipelineName: 'ui', pipelineRoot: 'gs://b/r', components: [gen] }), { image: 'img', projectRoot: tempDir() }),
      );
      const pipeline = await client.uploadPipeline(yaml, { name: 'ui' });
      const run = await client.createRun({ displayName: 'r', pipelineId: pipeline.pipeline_id });
      const origin = new URL(url).origin;
      const moved = await fetch(`${origin}/__test__/runs/${run.run_id}/state`, {
        method: 'POST',
        body: JSON.stringify({ state: 'RUNNING', tasks: [{ name: 'CsvExampleGen', state: 'RUNNING' }] }),
      });
      expect(moved.status).toBe(200);
      expect((await client.getRun(run.run_id)).run_details?.task_details?.[0]).toMatchObject({ display_name: 'CsvExampleGen', state: 'RUNNING' });
      const bad = await fetch(`${origin}/__test__/runs/${run.run_id}/state`, { method: 'POST', body: JSON.stringify({ state: 'DONE' }) });
      expect([bad.status, (await bad.json()).message]).toEqual([400, expect.stringMatching(/DONE is not a KFP runtime state/)]);
      const received = (await (await fetch(`${origin}/__test__/received`)).json()) as { received: { path: string }[] };
      expect(received.received.map((r) => r.path)).toEqual([
        '/pipeline/apis/v2beta1/pipelines/upload',
        '/pipeline/apis/v2beta1/runs',
        '/pipeline/apis/v2beta1/runs/' + run.run_id,
      ]);
      await expect(new KfpClient({ endpoint: url }).listPipelines()).rejects.toThrow(/401/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});

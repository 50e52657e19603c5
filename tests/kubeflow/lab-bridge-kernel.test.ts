/**
 * The kernel bridge in a real tslab kernel, called the way the JupyterLab panel calls it
 * (docs/lab-bridge.md): after the notebook ran components, one cell per bridge method whose only
 * marker line on stdout is the answer. The KFP test server runs as its own process (its CLI).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { executeNotebook, kernelAvailable, repoRoot } from '../notebooks';
import { sharedData } from '../../src/testing/fixtures';

const TOKEN = 'kernel-SECRET-token-6502';
const MARKER = '__TFX_TS_BRIDGE__';

function cell(source: string) {
  return { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source };
}

(kernelAvailable() ? describe : describe.skip)('labBridge in a tslab kernel', () => {
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    server = spawn(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(repoRoot, 'src', 'testing', 'kfp-test-server.ts'), '--port', '0', '--path-prefix', '/pipeline', '--bearer', TOKEN],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: server.stdout! }).on('line', (line) => {
        const match = /^KFP_TEST_SERVER_URL=(.+)$/.exec(line);
        if (match) resolve(match[1]);
      });
      server.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
    });
  });
  afterAll(() => {
    server.kill('SIGTERM');
  });

  it('describe, compile, upload, run and runStatus answer with one marker line each', () => {
    jest.setTimeout(600_000);
    // Inside the repository (scratch space .jupyter-test/), so tslab resolves tfx-ts as a user's notebook would.
    fs.mkdirSync(path.join(repoRoot, '.jupyter-test'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(repoRoot, '.jupyter-test', 'bridge-'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.copyFileSync(path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'eval.csv'), path.join(dir, 'data', 'eval.csv'));
    const connection = JSON.stringify({ endpoint: url, authMode: 'bearer', token: TOKEN });
    const bridge = (method: string, options?: string) => `await require("tfx-ts").labBridge.${method}(${options ?? ''})`;
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      cells: [
        cell(bridge('describe')),
        cell(
          "import { InteractiveContext, CsvExampleGen, StatisticsGen } from 'tfx-ts';\nconst context = new InteractiveContext({ pipelineName: 'kernel_taxi', pipelineRoot: 'out' });\nconst exampleGen = new CsvExampleGen({ inputBase: 'data' });\nawait context.run(exampleGen);\nawait context.run(new StatisticsGen({ examples: exampleGen.outputs.examples }));",
        ),
        cell(bridge('describe')),
        cell(bridge('compile', JSON.stringify({ ...JSON.parse(connection), image: 'gcr.io/p/kernel:1' }))),
        cell(bridge('upload', connection)),
        cell(bridge('run', JSON.stringify({ ...JSON.parse(connection), experimentName: 'from-lab' }))),
        cell(
          `(globalThis as any).runId = (await (await fetch(${JSON.stringify(`${url}/apis/v2beta1/runs?namespace=kubeflow`)}, { headers: { authorization: 'Bearer ${TOKEN}' } })).json() as any).runs[0].run_id;\nawait fetch(${JSON.stringify(`${new URL(url).origin}/__test__/runs/`)} + (globalThis as any).runId + '/state', { method: 'POST', body: JSON.stringify({ state: 'RUNNING', tasks: [{ name: 'CsvExampleGen', state: 'SUCCEEDED' }] }) });\nconsole.log('moved');`,
        ),
        cell(`${bridge('runStatus', `{ ...${connection}, runId: (globalThis as any).runId }`)}`),
        cell(bridge('listExperiments', JSON.stringify({ endpoint: url, authMode: 'none' }))),
      ],
    };
    const file = path.join(dir, 'bridge.ipynb');
    fs.writeFileSync(file, JSON.stringify(notebook));
    let nb: ReturnType<typeof executeNotebook>;
    try {
      nb = executeNotebook(file, { timeoutSeconds: 300 });
    } finally {
      if (!process.env.KEEP_BRIDGE_NOTEBOOK) fs.rmSync(dir, { recursive: true, force: true });
    }

    const answers = nb.cells.map((c) => {
      const stdout = (c.outputs ?? [])
        .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
        .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
        .join('');
      const markers = stdout.split('\n').filter((line) => line.startsWith(MARKER));
      return markers.map((line) => JSON.parse(line.slice(MARKER.length)));
    });
    for (const i of [0, 2, 3, 4, 5, 7, 8]) expect([i, answers[i].length]).toEqual([i, 1]);
    expect(answers[0][0]).toMatchObject({ ok: false, error: { code: 'NO_INTERACTIVE_CONTEXT' } });
    expect(answers[2][0]).toEqual({
      ok: true,
      result: {
        pipelineName: 'kernel_taxi',
        pipelineRoot: expect.stringMatching(/\.jupyter-test\/bridge-\w+\/out$/),
        components: [
          { id: 'CsvExampleGen', type: 'CsvExampleGen', inline: false },
          { id: 'StatisticsGen', type: 'StatisticsGen', inline: false },
        ],
        parameters: [],
      },
    });
    expect(answers[3][0]).toMatchObject({
      ok: true,
      result: { pipelineName: 'kernel_taxi', yaml: expect.stringMatching(/image: gcr\.io\/p\/kernel:1[\s\S]*constant: data\n/) },
    });
    expect(answers[4][0]).toMatchObject({ ok: true, result: { created: true } });
    expect(answers[5][0]).toMatchObject({ ok: true, result: { runId: expect.any(String), runUrl: expect.stringMatching(/\/#\/runs\/details\//) } });
    expect(answers[7][0]).toMatchObject({
      ok: true,
      result: { runId: answers[5][0].result.runId, state: 'RUNNING', tasks: [{ name: 'CsvExampleGen', state: 'SUCCEEDED' }] },
    });
    expect(answers[8][0]).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // The executed notebook holds the cells' source (the panel never writes it: it sends silent requests),
    // but no output of any cell repeats the token.
    const outputs = JSON.stringify(nb.cells.map((c) => c.outputs));
    expect(outputs).not.toContain('SECRET');
  }, 600_000);
});

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBridgeAnswer } from '../src/protocol/bridge';

/**
 * Executes a notebook headless with the real tslab kernel (nbconvert + nbclient from Debian's
 * Jupyter), in the notebook's own folder, and returns the executed notebook.
 */
export const repoRoot = path.resolve(__dirname, '..');
export const jupyterPath = path.join(repoRoot, '.jupyter-test', 'share', 'jupyter');

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: NotebookOutput[];
}
export interface ExecutedNotebook {
  cells: NotebookCell[];
  /** All text of a cell's outputs (stdout, stderr, text/plain, text/html). */
  cellText(index: number): string;
  /** Cells whose source contains the snippet. */
  cellsContaining(snippet: string): number[];
  file: string;
}

export function kernelAvailable(): boolean {
  return fs.existsSync(path.join(jupyterPath, 'kernels', 'tslab', 'kernel.json')) && fs.existsSync('/usr/bin/jupyter');
}

export function executeNotebook(
  notebook: string,
  options: { timeoutSeconds?: number; env?: Record<string, string>; appendCells?: string[] } = {},
): ExecutedNotebook {
  if (options.appendCells?.length) {
    // A copy beside the original (same folder: relative module files and data resolve the same), removed afterwards.
    const source = JSON.parse(fs.readFileSync(notebook, 'utf8')) as { cells: unknown[] };
    source.cells.push(...options.appendCells.map((code) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: code })));
    const copy = path.join(path.dirname(path.resolve(notebook)), `.${path.basename(notebook, '.ipynb')}-${process.pid}-${Date.now()}.ipynb`);
    fs.writeFileSync(copy, JSON.stringify(source));
    try {
      return executeNotebook(copy, { ...options, appendCells: undefined });
    } finally {
      fs.rmSync(copy, { force: true });
    }
  }
  if (!kernelAvailable()) {
    throw new Error(
      `The tslab kernelspec is not registered under ${jupyterPath}: run the tests through \`npm test\`, which runs \`tfx-ts setup --prefix .jupyter-test --test-deps\` first.`,
    );
  }
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-nb-'));
  const runtime = path.join(outDir, 'runtime');
  fs.mkdirSync(runtime);
  const result = spawnSync(
    '/usr/bin/jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=tslab',
      `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 600}`,
      '--output-dir',
      outDir,
      '--output',
      'executed.ipynb',
      path.resolve(notebook),
    ],
    {
      cwd: path.dirname(path.resolve(notebook)),
      // Without JEST_WORKER_ID: the kernel is a user's process, loading module files through tsx.
      env: { ...withoutJestMarkers(process.env), JUPYTER_PATH: jupyterPath, JUPYTER_DATA_DIR: jupyterPath, JUPYTER_RUNTIME_DIR: runtime, ...options.env },
      encoding: 'utf8',
      timeout: ((options.timeoutSeconds ?? 600) + 60) * 1000,
    },
  );
  const file = path.join(outDir, 'executed.ipynb');
  if (result.status !== 0 || !fs.existsSync(file)) {
    throw new Error(`nbconvert failed for ${notebook} (exit ${result.status}):\n${(result.stderr ?? '').split('\n').slice(-60).join('\n')}`);
  }
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: NotebookCell[] };
  const join = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  return {
    cells: parsed.cells,
    file,
    cellText: (index) =>
      (parsed.cells[index].outputs ?? []).map((o) => [join(o.text), join(o.data?.['text/plain']), join(o.data?.['text/html'])].join('\n')).join('\n'),
    cellsContaining: (snippet) => parsed.cells.flatMap((c, i) => (join(c.source).includes(snippet) ? [i] : [])),
  };
}

function withoutJestMarkers(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.JEST_WORKER_ID;
  return copy;
}

/**
 * The cell the JupyterLab panel's Compile button runs in the kernel (labBridge.compile): the
 * notebook's pipeline as it ran, exported for Kubeflow with a bucket pipeline root.
 */
export function exportCell(pipelineRoot: string, image = 'registry.example.com/tfx-ts-runtime:0.1.0'): string {
  return `await require("tfx-ts").labBridge.compile(${JSON.stringify({ image, pipelineRoot })});`;
}

/** The exported IR of the notebook's last cell (exportCell), written to a file for Kubeflow's own checks. */
export function exportedIr(nb: ExecutedNotebook): { file: string; yaml: string; warnings: { componentId?: string; message: string }[] } {
  const last = nb.cells[nb.cells.length - 1];
  const stdout = (last.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');
  const answer = parseBridgeAnswer(stdout);
  if (!answer?.ok) throw new Error(`The export cell did not compile: ${stdout.slice(0, 2000)}`);
  const result = answer.result as { yaml: string; warnings?: { componentId?: string; message: string }[] };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-nb-export-')), 'pipeline.yaml');
  fs.writeFileSync(file, result.yaml);
  return { file, yaml: result.yaml, warnings: result.warnings ?? [] };
}

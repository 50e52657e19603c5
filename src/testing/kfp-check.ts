import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as YAML from 'yaml';

/**
 * Kubeflow Pipelines' own code as the judge of a compiled IR, for tests: tools/kfp-check (KFP 2.14.3's
 * API-server spec parser and Argo compiler, see tools/kfp-check/main.go) and the kfp Python SDK.
 *
 *   checkIrWithKfp('pipeline.yaml')            // parses as the API server, compiles to an Argo Workflow
 *   checkIrWithKfpSdk('pipeline.yaml')         // kfp.components.load_component_from_file
 *
 * The binary comes from $KFP_CHECK_BIN (scripts/test-setup/40-kfp-check.sh), else from
 * tools/kfp-check/build.sh (cached; the first build takes minutes).
 */

const repoRoot = path.resolve(__dirname, '..', '..');
let cachedBin: string | undefined;

export function kfpCheckBin(): string {
  if (process.env.KFP_CHECK_BIN) return process.env.KFP_CHECK_BIN;
  cachedBin ??= execFileSync('bash', [path.join(repoRoot, 'tools', 'kfp-check', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return cachedBin;
}

export interface KfpParseResult {
  file: string;
  ok: boolean;
  error?: string;
}

/** The API server's upload check on each file (template.New + pipeline name rules). */
export function parseWithKfp(files: string[]): KfpParseResult[] {
  const result = spawnSync(kfpCheckBin(), ['parse', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`kfp-check parse failed (${result.status}): ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as KfpParseResult);
}

export interface KfpCompileOptions {
  /** A run's runtime_config.parameters. */
  parameters?: Record<string, unknown>;
  pipelineRoot?: string;
  cacheDisabled?: boolean;
}

/** The Argo Workflow KFP would run, as a plain object. */
export type ArgoWorkflow = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: {
    entrypoint?: string;
    templates: { name: string; container?: { image?: string; command?: string[]; args?: string[] } }[];
    arguments?: { parameters?: { name: string; value?: string }[] };
  };
};

/**
 * Parses the IR as the KFP API server does on upload and compiles it, as on run creation, into an
 * Argo Workflow with KFP's argocompiler, which Argo's own validation then checks. Throws with
 * kfp-check's message (which stage refused it and why).
 */
export function checkIrWithKfp(yamlPath: string, options: KfpCompileOptions = {}): ArgoWorkflow {
  const args = ['compile'];
  if (options.parameters) args.push('--parameters', JSON.stringify(options.parameters));
  if (options.pipelineRoot) args.push('--pipeline-root', options.pipelineRoot);
  if (options.cacheDisabled) args.push('--cache-disabled');
  args.push(yamlPath);
  const result = spawnSync(kfpCheckBin(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`KFP refused ${path.basename(yamlPath)}: ${(result.stderr || result.stdout).trim()}`);
  return YAML.parse(result.stdout) as ArgoWorkflow;
}

/** The `lab` venv's Python (kfp 2.17.3): $TFX_TS_VENV_LAB (scripts/test-setup/10-python.sh), else scripts/venv.sh. */
export function labPython(): string {
  const venv =
    process.env.TFX_TS_VENV_LAB ??
    execFileSync('bash', [path.join(repoRoot, 'scripts', 'venv.sh'), 'lab'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return path.join(venv, 'bin', 'python');
}

/**
 * The kfp SDK's reading of an IR file: `kfp.components.load_component_from_file` (what
 * `kfp.Client.upload_pipeline` users and the SDK's own loaders go through), returning the pipeline
 * name and task names it found. Throws with the SDK's message.
 */
export function checkIrWithKfpSdk(yamlPath: string): { name: string; tasks: string[]; inputs: string[] } {
  const script = [
    'import json, sys',
    'from kfp import components',
    'c = components.load_component_from_file(sys.argv[1])',
    'spec = c.pipeline_spec',
    'print(json.dumps({"name": c.name, "tasks": sorted(spec.root.dag.tasks.keys()), "inputs": sorted(spec.root.input_definitions.parameters.keys())}))',
  ].join('\n');
  const result = spawnSync(labPython(), ['-c', script, yamlPath], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the kfp SDK refused ${path.basename(yamlPath)}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(result.stdout) as { name: string; tasks: string[]; inputs: string[] };
}

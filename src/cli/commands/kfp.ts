import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { registerRunExecutorCommand } from './run-executor';
import { AUTH_MODES, AuthMode } from '../../protocol/auth';
import { KfpClient, KfpPipeline, KfpRun, TERMINAL_RUN_STATES } from '../../orchestration/kubeflow/client';
import { assertShippable, defaultImage, versionName } from '../../orchestration/kubeflow/deploy';
import { buildCodePackage, BuiltCodePackage, DEFAULT_CODE_PACKAGE_MAX_BYTES, uploadCodePackage } from '../../orchestration/kubeflow/code-package';
import { isObjectStoreUri } from '../../io/storage';
import type { PipelineSpec } from '../../orchestration/kubeflow/ir';
import { kfpPipelineName } from '../../orchestration/kubeflow/names';
import type { LoadedKubeflowRunner } from '../../orchestration/kubeflow/runner-config';
// The compiler (with its YAML library) and the runner loader load when a command needs them.
const loadKubeflowRunner = async (file: string) => (await import('../../orchestration/kubeflow/runner-config')).loadKubeflowRunner(file);
import { copyTemplate, listTemplates } from '../template-copy';
import { DATASETS, downloadDataset } from '../dataset-download';
import { writeFileAtomic } from '../../util/atomic';

/**
 * Kubeflow Pipelines as TFX's CLI drives it (seeds 000/001): `template copy`, `pipeline
 * create|update|compile|list|delete`, `run create|list|status|terminate|delete`, `datasets download`, and the
 * container entrypoint `run-executor`.
 */
export function registerKfpCommands(program: Command): void {
  registerRunExecutorCommand(program);
  registerPipelineCommands(program);
  registerRunSubcommands(program);
  registerTemplateCommands(program);
  registerDatasetCommands(program);
}

interface ConnectionFlags {
  endpoint?: string;
  namespace?: string;
  authMode?: string;
  token?: string;
  cookie?: string;
  tokenPath?: string;
}

function withConnection(command: Command): Command {
  return command
    .option('--endpoint <url>', 'KFP API endpoint, e.g. http://localhost:8080 or https://<host>/pipeline (default: $KFP_ENDPOINT)')
    .option('--namespace <namespace>', 'Kubeflow profile namespace (multi-user Kubeflow)')
    .option('--auth-mode <mode>', `${AUTH_MODES.join(' | ')} (default: from the credentials given)`)
    .option('--token <token>', 'bearer token; prefer $KFP_TOKEN (command lines are visible to other users)')
    .option('--cookie <name=value>', 'Kubeflow dashboard session cookie, e.g. authservice_session=...')
    .option('--token-path <file>', 'service-account token file (default: $KF_PIPELINES_SA_TOKEN_PATH)');
}

function connect(flags: ConnectionFlags): KfpClient {
  const endpoint = flags.endpoint ?? process.env.KFP_ENDPOINT;
  if (!endpoint)
    throw new UserError(
      'No KFP endpoint given.',
      'pass --endpoint <url> (or set KFP_ENDPOINT), e.g. http://localhost:8080 after `kubectl port-forward -n kubeflow svc/ml-pipeline-ui 8080:80`.',
    );
  if (flags.authMode && !AUTH_MODES.includes(flags.authMode as AuthMode)) {
    throw new UserError(`Unknown --auth-mode "${flags.authMode}".`, `use one of: ${AUTH_MODES.join(', ')}.`);
  }
  return new KfpClient({
    endpoint,
    namespace: flags.namespace,
    authMode: flags.authMode as AuthMode | undefined,
    token: flags.token,
    cookie: flags.cookie,
    tokenPath: flags.tokenPath,
  });
}

interface CompileFlags {
  pipelinePath?: string;
  image?: string;
  projectRoot?: string;
  outputFile?: string;
  cache: boolean;
  buildImage?: boolean;
  codePackage?: boolean;
  maxPackageSize?: string;
}

interface Compiled {
  runner: LoadedKubeflowRunner;
  spec: PipelineSpec;
  yaml: string;
  outputFile: string;
  name: string;
  codePackage?: BuiltCodePackage;
}

/** Loads the runner module, writes the Dockerfile when asked, compiles, validates and writes the spec. */
async function compileRunner(flags: CompileFlags, step: (message: string) => void): Promise<Compiled> {
  if (!flags.pipelinePath) throw new UserError('No pipeline file given.', 'pass --pipeline-path <project>/kubeflow_runner.ts.');
  step(`Loading ${flags.pipelinePath}`);
  const runner = await loadKubeflowRunner(flags.pipelinePath);
  const projectRoot = flags.projectRoot ? path.resolve(flags.projectRoot) : runner.projectRoot;
  const name = runner.pipeline.pipelineName;
  // The code travels in a package under the pipeline root unless the image holds the project.
  const packaged = !flags.buildImage && flags.codePackage !== false && isObjectStoreUri(runner.pipeline.pipelineRoot);
  const image = flags.image ?? runner.config.image ?? (flags.buildImage ? `${kfpPipelineName(name)}:latest` : packaged ? defaultImage() : undefined);
  if (!image) {
    throw new UserError(
      `No container image for pipeline ${name}.`,
      'use a pipeline root on object storage (the code then travels in a package and tasks run the stock tfx-ts runtime image), set `export const kubeflowRunnerConfig = { image: "<registry>/<name>:<tag>" }`, pass --image, or use --build-image.',
    );
  }
  assertShippable(runner.pipeline.components);
  if (flags.buildImage) {
    const moduleFiles = runner.pipeline.components.flatMap((component) =>
      (component.spec.fileParameters ?? [])
        .map((key) => (component.parameters as Record<string, unknown>)[key])
        .filter((value): value is string => typeof value === 'string')
        .map((value) => path.relative(projectRoot, path.resolve(projectRoot, value)).split(path.sep).join('/')),
    );
    const { writeBuildFiles } = await import('../../orchestration/kubeflow/dockerfile');
    const build = writeBuildFiles(projectRoot, { moduleFiles });
    step(
      `${build.written ? 'Wrote' : 'Using'} ${build.dockerfile}; build and push the image with:\n    docker build -t ${image} ${projectRoot} && docker push ${image}`,
    );
    for (const warning of build.warnings) step(`warning: ${warning}`);
  }
  step(`Compiling ${name} (${runner.pipeline.components.length} components) for image ${image}`);
  const { compilePipeline, pipelineSpecToYaml } = await import('../../orchestration/kubeflow/compiler');
  const maxBytes = flags.maxPackageSize === undefined ? DEFAULT_CODE_PACKAGE_MAX_BYTES : Number(flags.maxPackageSize) * 1024 * 1024;
  if (!Number.isFinite(maxBytes) || maxBytes <= 0)
    throw new UserError(`--max-package-size "${flags.maxPackageSize}" is not a positive number of MiB.`, 'pass e.g. --max-package-size 512.');
  const codePackage = packaged
    ? buildCodePackage(runner.pipeline, { projectRoot, pipelineRoot: runner.pipeline.pipelineRoot, componentModules: runner.config.componentModules, maxBytes })
    : undefined;
  if (codePackage) step(`Packed ${codePackage.ref.fileCount} files (${(codePackage.ref.bytes / 1024).toFixed(0)} KiB) as ${codePackage.ref.uri}`);
  const spec = compilePipeline(runner.pipeline, {
    image,
    projectRoot,
    codePackage: codePackage?.ref,
    description: runner.config.description,
    enableCache: flags.cache === false ? false : undefined,
    components: runner.config.components,
    componentModules: runner.config.componentModules,
    onWarning: (message) => step(`warning: ${message}`),
  });
  const yaml = pipelineSpecToYaml(spec);
  const outputFile = path.resolve(flags.outputFile ?? path.join(projectRoot, `${kfpPipelineName(name)}.yaml`));
  writeFileAtomic(outputFile, yaml);
  step(`Wrote the validated KFP v2 spec (${Object.keys(spec.root.dag!.tasks).length} tasks) to ${outputFile}`);
  return { runner, spec, yaml, outputFile, name, codePackage };
}

function stepper(total: number): (message: string) => void {
  let n = 0;
  return (message) => {
    if (message.startsWith('warning:') || message.startsWith('Wrote ') || message.startsWith('Using ')) console.log(`      ${message}`);
    else console.log(`[${Math.min(++n, total)}/${total}] ${message}`);
  };
}

function registerPipelineCommands(program: Command): void {
  const pipeline = program.command('pipeline').description('Compile pipelines to KFP v2 IR and manage them on Kubeflow Pipelines');

  const compileOptions = (command: Command) =>
    command
      .option('--pipeline-path <file>', 'the runner module (kubeflow_runner.ts) exporting createPipeline() and kubeflowRunnerConfig')
      .option('--image <image>', 'container image for every task (default: kubeflowRunnerConfig.image)')
      .option('--project-root <dir>', "directory shipped as the image working directory (default: the runner file's directory)")
      .option('-o, --output-file <file>', 'where the compiled YAML goes (default: <project>/<pipeline-name>.yaml)')
      .option('--no-cache', 'disable caching for every task')
      .option('--no-code-package', 'do not pack module files and local data (the image must hold the project)')
      .option('--max-package-size <MiB>', `cap of the code package (default ${DEFAULT_CODE_PACKAGE_MAX_BYTES / 1024 / 1024})`);

  compileOptions(pipeline.command('compile').description('Compile a pipeline module to KFP v2 IR YAML (validated) without uploading'))
    .argument('[pipeline-module]', 'same as --pipeline-path')
    .option('--build-image', 'also write a Dockerfile for the project image')
    .action(async (moduleArg: string | undefined, flags: CompileFlags) => {
      const compiled = await compileRunner({ ...flags, pipelinePath: flags.pipelinePath ?? moduleArg }, stepper(2));
      if (compiled.codePackage) {
        // The spec names the package by digest; `pipeline create|update` upload it with the spec.
        compiled.codePackage.dispose();
        console.log(`      the code package is uploaded by \`tfx-ts pipeline create|update\` (or deploy()), not by compile`);
      }
    });

  withConnection(compileOptions(pipeline.command('create').description('Compile a pipeline and upload it to Kubeflow Pipelines')))
    .option('--build-image', 'write a Dockerfile for the project image and use that image (build and push it with docker)')
    .action(async (flags: CompileFlags & ConnectionFlags) => {
      const step = stepper(3);
      const client = connect(flags);
      const compiled = await compileRunner(flags, step);
      const existing = await client.findPipelineByName(compiled.name);
      if (existing) {
        throw new UserError(
          `Pipeline ${compiled.name} already exists on ${client.endpoint} (id ${existing.pipeline_id}).`,
          `upload a new version with \`tfx-ts pipeline update --pipeline-path ${flags.pipelinePath} --endpoint ${client.endpoint}\`.`,
        );
      }
      if (compiled.codePackage) await uploadCodePackage(compiled.codePackage, (m) => console.log(`      ${m}`));
      step(`Uploading ${compiled.name} to ${client.endpoint}`);
      const created = await client.uploadPipeline(compiled.yaml, { name: compiled.name, description: compiled.runner.config.description });
      console.log(`Pipeline ${compiled.name} created: id ${created.pipeline_id}`);
      console.log(`  ${client.endpoint}/#/pipelines/details/${created.pipeline_id}`);
      console.log(`Next: tfx-ts run create --pipeline-name ${compiled.name} --endpoint ${client.endpoint}`);
    });

  withConnection(compileOptions(pipeline.command('update').description('Compile a pipeline and upload it as a new version of the existing pipeline')))
    .option('--build-image', 'rewrite the generated Dockerfile and use the project image')
    .action(async (flags: CompileFlags & ConnectionFlags) => {
      const step = stepper(3);
      const client = connect(flags);
      const compiled = await compileRunner(flags, step);
      const existing = await client.findPipelineByName(compiled.name);
      if (!existing) {
        throw new UserError(
          `Pipeline ${compiled.name} does not exist on ${client.endpoint} yet.`,
          `create it first: tfx-ts pipeline create --pipeline-path ${flags.pipelinePath} --endpoint ${client.endpoint}`,
        );
      }
      if (compiled.codePackage) await uploadCodePackage(compiled.codePackage, (m) => console.log(`      ${m}`));
      step(`Uploading a new version of ${compiled.name} (id ${existing.pipeline_id})`);
      const version = await client.uploadPipelineVersion(compiled.yaml, {
        pipelineId: existing.pipeline_id,
        name: versionName(compiled.name),
        description: compiled.runner.config.description,
      });
      console.log(`Pipeline ${compiled.name} updated: version ${version.display_name ?? version.name} (id ${version.pipeline_version_id})`);
      console.log(`  ${client.endpoint}/#/pipelines/details/${existing.pipeline_id}/version/${version.pipeline_version_id}`);
    });

  withConnection(pipeline.command('list').description('List the pipelines on Kubeflow Pipelines')).action(async (flags: ConnectionFlags) => {
    const client = connect(flags);
    const pipelines = await client.listPipelines();
    if (pipelines.length === 0) {
      console.log(`No pipelines on ${client.endpoint}${client.namespace ? ` in namespace ${client.namespace}` : ''}.`);
      return;
    }
    for (const p of pipelines) console.log(`${(p.display_name ?? p.name ?? '').padEnd(32)} ${p.pipeline_id}  ${p.created_at ?? ''}`);
  });

  withConnection(pipeline.command('delete').description('Delete a pipeline and all its versions from Kubeflow Pipelines'))
    .option('--pipeline-name <name>', 'the pipeline to delete')
    .option('--pipeline-path <file>', 'or: the runner module whose pipeline to delete')
    .action(async (flags: ConnectionFlags & { pipelineName?: string; pipelinePath?: string }) => {
      const client = connect(flags);
      const name = flags.pipelineName ?? (flags.pipelinePath ? (await loadKubeflowRunner(flags.pipelinePath)).pipeline.pipelineName : undefined);
      if (!name) throw new UserError('Which pipeline?', 'pass --pipeline-name <name> (see `tfx-ts pipeline list`) or --pipeline-path <runner file>.');
      const found = await requirePipeline(client, name);
      const versions = await client.deletePipeline(found.pipeline_id);
      console.log(`Deleted pipeline ${name} (id ${found.pipeline_id}) and its ${versions} version(s).`);
    });
}

async function requirePipeline(client: KfpClient, name: string): Promise<KfpPipeline> {
  const found = await client.findPipelineByName(name);
  if (!found)
    throw new UserError(
      `No pipeline named ${name} on ${client.endpoint}${client.namespace ? ` in namespace ${client.namespace}` : ''}.`,
      'see `tfx-ts pipeline list`; create it with `tfx-ts pipeline create`.',
    );
  return found;
}

/** `run create|list|status` live beside the local runner's `run <module>` (subcommands win when named). */
function registerRunSubcommands(program: Command): void {
  const run = program.commands.find((c) => c.name() === 'run') ?? program.command('run').description('Runs on Kubeflow Pipelines');

  withConnection(run.command('create').description('Start a run of the latest version of a pipeline on Kubeflow Pipelines'))
    .requiredOption('--pipeline-name <name>', 'the uploaded pipeline')
    .option('--experiment-name <name>', 'experiment to run in, created if missing (default: the pipeline name)')
    .option('--run-name <name>', 'display name of the run')
    .option('--parameter <key=value...>', 'pipeline parameter values (JSON values or plain strings)')
    .option('--service-account <name>', 'Kubernetes service account the run uses')
    .option('--wait', 'follow the run until it ends, printing task states')
    .option('--poll-interval <seconds>', 'seconds between status checks with --wait', '5')
    .action(
      async (
        flags: ConnectionFlags & {
          pipelineName: string;
          experimentName?: string;
          runName?: string;
          parameter?: string[];
          serviceAccount?: string;
          wait?: boolean;
          pollInterval: string;
        },
      ) => {
        const client = connect(flags);
        const parameters = parseParameters(flags.parameter ?? []);
        const pollSeconds = Number(flags.pollInterval);
        if (!Number.isFinite(pollSeconds) || pollSeconds < 0)
          throw new UserError(`--poll-interval "${flags.pollInterval}" is not a number of seconds.`, 'pass e.g. --poll-interval 5.');
        const pipeline = await requirePipeline(client, flags.pipelineName);
        const [latest] = await client.listPipelineVersions(pipeline.pipeline_id);
        if (!latest) throw new UserError(`Pipeline ${flags.pipelineName} has no versions.`, 'upload one with `tfx-ts pipeline update`.');
        const experiment = await client.getOrCreateExperiment(flags.experimentName ?? flags.pipelineName);
        const created = await client.createRun({
          displayName: flags.runName ?? `${flags.pipelineName} ${new Date().toISOString().replace('T', ' ').replace(/\..*/, '')}`,
          pipelineId: pipeline.pipeline_id,
          pipelineVersionId: latest.pipeline_version_id,
          experimentId: experiment.experiment_id,
          parameters,
          serviceAccount: flags.serviceAccount,
        });
        console.log(
          `Run ${created.run_id} created for ${flags.pipelineName} (version ${latest.display_name ?? latest.name}) in experiment ${experiment.display_name}.`,
        );
        console.log(`  ${client.runUrl(created.run_id)}`);
        if (flags.wait) await follow(client, created.run_id, pollSeconds * 1000);
      },
    );

  withConnection(run.command('list').description('List runs on Kubeflow Pipelines'))
    .option('--pipeline-name <name>', 'only runs of this pipeline')
    .option('--experiment-name <name>', 'only runs in this experiment')
    .action(async (flags: ConnectionFlags & { pipelineName?: string; experimentName?: string }) => {
      const client = connect(flags);
      let experimentId: string | undefined;
      if (flags.experimentName) {
        const experiment = await client.findExperimentByName(flags.experimentName);
        if (!experiment)
          throw new UserError(
            `No experiment named ${flags.experimentName}.`,
            'runs are created in the experiment named after the pipeline unless --experiment-name says otherwise.',
          );
        experimentId = experiment.experiment_id;
      }
      const pipelineId = flags.pipelineName ? (await requirePipeline(client, flags.pipelineName)).pipeline_id : undefined;
      const runs = (await client.listRuns({ experimentId })).filter((r) => !pipelineId || r.pipeline_version_reference?.pipeline_id === pipelineId);
      if (runs.length === 0) {
        console.log('No runs.');
        return;
      }
      for (const r of runs) console.log(`${r.run_id}  ${(r.state ?? '').padEnd(10)} ${(r.display_name ?? '').padEnd(40)} ${r.created_at ?? ''}`);
    });

  withConnection(run.command('status').description('Show the state of a run and its tasks'))
    .option('--run-id <id>', 'the run (default: the latest run of --pipeline-name)')
    .option('--pipeline-name <name>', 'the pipeline whose latest run to show')
    .action(async (flags: ConnectionFlags & { runId?: string; pipelineName?: string }) => {
      const client = connect(flags);
      let runId = flags.runId;
      if (!runId) {
        if (!flags.pipelineName) throw new UserError('Which run?', 'pass --run-id <id> (see `tfx-ts run list`) or --pipeline-name <name> for its latest run.');
        const pipeline = await requirePipeline(client, flags.pipelineName);
        const latest = (await client.listRuns()).find((r) => r.pipeline_version_reference?.pipeline_id === pipeline.pipeline_id);
        if (!latest)
          throw new UserError(
            `Pipeline ${flags.pipelineName} has no runs yet.`,
            `start one: tfx-ts run create --pipeline-name ${flags.pipelineName} --endpoint ${client.endpoint}`,
          );
        runId = latest.run_id;
      }
      printRun(client, await client.getRun(runId));
    });

  // TFX's CLI: `tfx run terminate --run_id` and `tfx run delete --run_id`.
  withConnection(run.command('terminate').description('Stop a run on Kubeflow Pipelines'))
    .requiredOption('--run-id <id>', 'the run to stop (see `tfx-ts run list`)')
    .action(async (flags: ConnectionFlags & { runId: string }) => {
      const client = connect(flags);
      await client.terminateRun(flags.runId);
      const run = await client.getRun(flags.runId);
      console.log(`Run ${flags.runId} (${run.display_name}) is being stopped: ${run.state ?? 'RUNTIME_STATE_UNSPECIFIED'}.`);
      console.log(`  ${client.runUrl(flags.runId)}`);
    });

  withConnection(run.command('delete').description('Delete a run from Kubeflow Pipelines'))
    .requiredOption('--run-id <id>', 'the run to delete (see `tfx-ts run list`)')
    .action(async (flags: ConnectionFlags & { runId: string }) => {
      const client = connect(flags);
      await client.deleteRun(flags.runId);
      console.log(`Deleted run ${flags.runId}.`);
    });
}

function printRun(client: KfpClient, run: KfpRun): void {
  console.log(`Run ${run.run_id} (${run.display_name}): ${run.state ?? 'RUNTIME_STATE_UNSPECIFIED'}`);
  for (const task of run.run_details?.task_details ?? []) console.log(`  ${(task.display_name ?? task.task_id ?? '').padEnd(24)} ${task.state ?? ''}`);
  if (run.error?.message) console.log(`  error: ${run.error.message}`);
  console.log(`  ${client.runUrl(run.run_id)}`);
}

/** Polls until the run ends, printing each task state change once. */
async function follow(client: KfpClient, runId: string, intervalMs: number): Promise<void> {
  const seen = new Map<string, string>();
  let runState = '';
  for (;;) {
    const run = await client.getRun(runId);
    const runChanged = Boolean(run.state && run.state !== runState);
    if (runChanged && !TERMINAL_RUN_STATES.has(run.state!)) console.log(`  run ${run.state}`);
    for (const task of run.run_details?.task_details ?? []) {
      const name = task.display_name ?? task.task_id ?? '?';
      if (task.state && seen.get(name) !== task.state) {
        seen.set(name, task.state);
        console.log(`    ${name.padEnd(24)} ${task.state}`);
      }
    }
    // The final state comes after the task lines that led to it.
    if (runChanged && TERMINAL_RUN_STATES.has(run.state!)) console.log(`  run ${run.state}`);
    runState = run.state ?? runState;
    if (run.state && TERMINAL_RUN_STATES.has(run.state)) {
      if (run.state !== 'SUCCEEDED')
        throw new UserError(
          `Run ${runId} ended ${run.state}${run.error?.message ? `: ${run.error.message}` : ''}.`,
          `see its logs in the KFP UI: ${client.runUrl(runId)}`,
        );
      console.log(`Run ${runId} succeeded: ${client.runUrl(runId)}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function parseParameters(pairs: string[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UserError(`--parameter "${pair}" is not key=value.`, 'pass e.g. --parameter epochs=10 --parameter optimizer=adam.');
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A plain string.
    }
    parameters[pair.slice(0, at)] = value;
  }
  return parameters;
}

function registerTemplateCommands(program: Command): void {
  const template = program.command('template').description("Project templates (TFX's `tfx template`)");
  template
    .command('list')
    .description('List the templates')
    .action(() => {
      for (const model of listTemplates()) console.log(model);
    });
  template
    .command('copy')
    .description('Copy a template into a new project directory')
    .requiredOption('--model <model>', `the template (${listTemplates().join(', ') || 'taxi'})`)
    .requiredOption('--pipeline-name <name>', 'name of the pipeline')
    .requiredOption('--destination-path <dir>', 'a new or empty directory')
    .action((flags: { model: string; pipelineName: string; destinationPath: string }) => {
      const files = copyTemplate({ model: flags.model, pipelineName: flags.pipelineName, destination: flags.destinationPath });
      const destination = path.resolve(flags.destinationPath);
      console.log(`Copied the ${flags.model} template to ${destination} (${files.length} files):`);
      for (const file of files) console.log(`  ${file}`);
      console.log('Next steps:');
      console.log(`  cd ${destination} && npm install`);
      console.log(`  tfx-ts datasets download ${flags.model} --destination data`);
      console.log('  tfx-ts run local_runner.ts');
      console.log('  tfx-ts pipeline create --pipeline-path kubeflow_runner.ts --endpoint <url> --build-image');
    });
}

function registerDatasetCommands(program: Command): void {
  const datasets =
    program.commands.find((c) => c.name() === 'datasets') ?? program.command('datasets').description('Sample data sets for the templates and tutorials');
  datasets
    .command('download')
    .description("Download a sample data set (the taxi template's data/data.csv)")
    .argument('<name>', `the data set (${Object.keys(DATASETS).join(', ')})`)
    .option('--destination <dir>', 'directory for data.csv', 'data')
    .option('--url <url>', 'download from this URL instead (a mirror)')
    .option('--from <file>', 'copy a file you already have instead of downloading')
    .action(async (name: string, flags: { destination: string; url?: string; from?: string }) => {
      const result = await downloadDataset(name, flags);
      console.log(`Wrote ${result.file}: ${result.rows} rows, ${(result.bytes / 1e6).toFixed(1)} MB from ${result.source}`);
      console.log(DATASETS[name].notice);
    });
}

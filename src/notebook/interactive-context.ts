import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { Artifact } from '../dsl/artifact';
import type { BaseComponent } from '../dsl/component';
import { Channel } from '../dsl/channel';
import { MetadataStore, LineageGraph } from '../metadata/store';
import { escapeHtml, MimeBundle, renderArtifacts, ViewOptions } from '../visualize/registry';
import { registerStandardViews } from '../visualize/standard-views';
import { launchComponent, LaunchResult } from '../orchestration/launcher';
import { displayBundle, inNotebook, LiveDisplay } from './display';
import { progressHtml, resultHtml, resultText } from './progress-view';
import { UserError } from '../util/errors';
import { Pipeline, validatePipelineName } from '../dsl/pipeline';
import { assertShippable } from '../orchestration/kubeflow/deploy';
import type { KubeflowRunnerConfig } from '../orchestration/kubeflow/runner-config';
import { setCurrentInteractiveContext } from './context-registry';
import { openRun, OpenedRun, OpenRunOptions } from './open-run';

export interface InteractiveContextOptions {
  pipelineName?: string;
  /** Default: a fresh temporary directory, as TFX's InteractiveContext. */
  pipelineRoot?: string;
  /** Default: `<pipelineRoot>/metadata.sqlite`. */
  metadataPath?: string;
  /** Base directory for relative module files (default: the current directory, i.e. the notebook's). */
  baseDir?: string;
}

export interface RunOptions {
  enableCache?: boolean;
}

export interface ToPipelineOptions {
  pipelineName?: string;
  /** Where the pipeline's artifacts go when it runs elsewhere (gs://, s3://, minio://). Default: the context's pipeline root. */
  pipelineRoot?: string;
  enableCache?: boolean;
}

export interface ExportOptions extends ToPipelineOptions {
  /** Container image for deploy() to Kubeflow; carried in the pipeline's runnerConfigs.kubeflow. */
  image?: string;
}

/**
 * TFX's InteractiveContext for tslab notebooks: run one component per cell, see its outputs inline,
 * then export exactly what ran as a pipeline.
 */
export class InteractiveContext {
  readonly pipelineName: string;
  readonly pipelineRoot: string;
  readonly metadataPath: string;
  readonly baseDir: string;
  readonly store: MetadataStore;
  private readonly runContextId: number;
  private readonly pipelineContextId: number;
  /** Latest result per component, in the order components first ran. */
  private readonly results = new Map<BaseComponent, LaunchResult>();

  constructor(options: InteractiveContextOptions = {}) {
    this.pipelineName =
      options.pipelineName ??
      `interactive-${new Date()
        .toISOString()
        .replace(/[-:T.Z]/g, '')
        .slice(0, 14)}`;
    this.pipelineRoot = path.resolve(options.pipelineRoot ?? fs.mkdtempSync(path.join(os.tmpdir(), `tfx-ts-${this.pipelineName}-`)));
    fs.mkdirSync(this.pipelineRoot, { recursive: true });
    this.metadataPath = path.resolve(options.metadataPath ?? path.join(this.pipelineRoot, 'metadata.sqlite'));
    this.baseDir = path.resolve(options.baseDir ?? process.cwd());
    this.store = new MetadataStore(this.metadataPath);
    this.pipelineContextId = this.store.context('pipeline', this.pipelineName);
    this.runContextId = this.store.context('run', `${this.pipelineName}.interactive.${Date.now()}.${process.pid}`);
    registerStandardViews();
    setCurrentInteractiveContext(this);
  }

  /** Runs one component now; its inputs come from the latest runs of their producers in this context. */
  async run(component: BaseComponent, options: RunOptions = {}): Promise<LaunchResult> {
    const inputs: Record<string, Artifact[]> = {};
    for (const [key, channel] of Object.entries(component.inputs) as [string, Channel][]) {
      inputs[key] = this.resolve(channel, `${component.id}.${key}`);
    }
    const live = new LiveDisplay();
    // One display per run for live views (training curves), replaced in place on each update.
    const liveView = new LiveDisplay();
    const notebook = inNotebook();
    let lastDraw = 0;
    const draw = (fraction: number, message?: string, force = false) => {
      const now = Date.now();
      if (!force && now - lastDraw < 200) return;
      lastDraw = now;
      live.update({ 'text/html': progressHtml(component.id, fraction, message) });
    };
    if (notebook) draw(0, 'starting', true);
    const result = await launchComponent({
      component,
      inputs,
      store: this.store,
      pipelineName: this.pipelineName,
      pipelineRoot: this.pipelineRoot,
      contextIds: [this.pipelineContextId, this.runContextId],
      enableCache: options.enableCache ?? component.enableCache ?? true,
      baseDir: this.baseDir,
      reporter: {
        onProgress: (_c, fraction, message) => notebook && draw(fraction, message),
        onLiveView: (_c, view) => notebook && liveView.update(view.mimeBundle),
        onLog: (_c, message) => console.log(`[${component.id}] ${message}`),
      },
    }).catch((error) => {
      if (notebook)
        live.update({
          'text/html': `<div class="tfx-ts-error"><b>${escapeHtml(component.id)} failed</b><pre>${escapeHtml((error as Error).message)}</pre></div>`,
        });
      throw error;
    });
    this.results.set(component, result);
    // tslab prints a cell's last value as text: keep that to one line next to the HTML summary.
    Object.defineProperty(result, inspect.custom, { value: () => `${result.componentId}: execution ${result.executionId} ${result.state}`, enumerable: false });
    if (notebook) live.update({ 'text/html': resultHtml(result), 'text/plain': resultText(result) });
    else console.log(resultText(result));
    return result;
  }

  private resolve(channel: Channel, what: string): Artifact[] {
    const producer = channel.producer;
    if (!producer) throw new UserError(`Input ${what} has no producer.`);
    const result = this.results.get(producer);
    if (!result) {
      throw new UserError(
        `Input ${what} comes from ${producer.id}, which has not run in this context.`,
        `run it first: await context.run(${lowerFirst(producer.id)}).`,
      );
    }
    const artifacts = result.outputs[channel.outputKey];
    if (!artifacts) throw new UserError(`${producer.id} has no output "${channel.outputKey}".`);
    return artifacts;
  }

  /** Artifacts currently behind a channel (after its producer ran). */
  artifacts(channel: Channel): Artifact[] {
    return this.resolve(channel, channel.toString());
  }

  /**
   * Shows an output inline (statistics, schema, anomalies, evaluation, ...). Returns nothing, as
   * TFX's show(), so tslab does not print a value after the view; `render` returns the bundle.
   */
  async show(channel: Channel, options: ViewOptions = {}): Promise<void> {
    const bundle = await this.render(channel, options);
    if (!displayBundle(bundle))
      console.log(
        String(
          bundle['text/plain'] ??
            `${channel}: ${this.artifacts(channel)
              .map((a) => a.uri)
              .join(', ')}`,
        ),
      );
  }

  /** The MIME bundle `show` displays (custom MIME type for JupyterLab + static text/html). */
  async render(channel: Channel, options: ViewOptions = {}): Promise<MimeBundle> {
    const artifacts = this.resolve(channel, channel.toString());
    return renderArtifacts(artifacts, { title: `${channel.producer?.id ?? ''}.${channel.outputKey}`, ...options });
  }

  /** Executions and artifacts upstream of an artifact (or of a channel's latest artifact). */
  lineage(target: Artifact | Channel | number): LineageGraph {
    const id = typeof target === 'number' ? target : target instanceof Channel ? this.resolve(target, target.toString())[0].id : target.id;
    if (id === undefined) throw new UserError('This artifact is not registered in the metadata store.');
    return this.store.lineage(id);
  }

  /** Shows the lineage of an artifact inline: a graph of the executions and artifacts upstream of it. */
  async showLineage(target: Artifact | Channel | number): Promise<void> {
    const { lineageBundle } = await import('../visualize/lineage');
    const bundle = await lineageBundle(this.lineage(target), { title: 'Lineage' });
    if (!displayBundle(bundle)) console.log(String(bundle['text/plain'] ?? ''));
  }

  /**
   * Looks at a finished Kubeflow run from the notebook: downloads its statistics, schema,
   * anomalies and evaluation from the pipeline root (s3://, minio://, gs://) into a local cache and
   * shows them inline with the same views as `show`. `options` are deploy()'s connection options
   * (endpoint, namespace, authMode, token, ...); a run already in the cache needs none.
   */
  openRun(runId: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
    return openRun(runId, options);
  }

  /** Components in the order they first ran (what `toPipeline` turns into a pipeline). */
  get components(): BaseComponent[] {
    return [...this.results.keys()];
  }

  result(component: BaseComponent): LaunchResult | undefined {
    return this.results.get(component);
  }

  /** A Pipeline of exactly the components that ran here, in the order they ran (producers first). */
  toPipeline(options: ToPipelineOptions = {}): Pipeline {
    const components = this.components;
    if (components.length === 0) {
      throw new UserError(
        'The InteractiveContext has not run any component yet, so there is nothing to export.',
        'run the components first, e.g. await context.run(exampleGen), then export.',
      );
    }
    const pipelineName = options.pipelineName ?? this.pipelineName;
    validatePipelineName(pipelineName);
    return new Pipeline({ pipelineName, pipelineRoot: options.pipelineRoot ?? this.pipelineRoot, components, enableCache: options.enableCache });
  }

  /**
   * TFX's export for Kubeflow: toPipeline() plus the Kubeflow runner config deploy() reads (the
   * image, and this notebook's directory as the project root module files are relative to).
   * Refuses components built from inline functions, which cannot travel to a container.
   */
  exportPipeline(options: ExportOptions = {}): Pipeline {
    const pipeline = this.toPipeline(options);
    assertShippable(pipeline.components);
    const kubeflow: KubeflowRunnerConfig = { image: options.image, projectRoot: this.baseDir };
    pipeline.runnerConfigs.kubeflow = kubeflow;
    return pipeline;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

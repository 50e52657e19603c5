/**
 * The deploy controller (no DOM): validates the form, compiles / uploads / runs the target
 * notebook's pipeline through the bridge, follows the started run, and keeps the notebook's recent
 * runs and per-component resources. Views render from its `changed` signal and call its methods.
 *
 * State it keeps trustworthy: every notice belongs to the action (or field) that caused it and is
 * cleared when that action succeeds, when another notebook becomes active and when the kernel
 * restarts; the run badge shows the state KFP reports, never a guess.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import type {
  ComponentResources,
  DeployOptions,
  Experiment,
  RunStatusResult,
  RuntimeParameterInfo
} from '../protocol';
// The same Kubernetes quantity patterns and RuntimeParameter check the kernel validates options with.
import { CPU_PATTERN, MEMORY_PATTERN, parseRuntimeValue, TERMINAL_RUN_STATES } from '../protocol';
import { emptyNotebookState, type DeployModel, type INotebookDeployState, type IRecentRun } from './model';
import { errorNotice, type INotice } from './notices';
import { POLL_INTERVAL_MS, RunMonitor, type IRunMonitorUpdate } from './run-monitor';
import type { NotebookTarget, ResetReason } from './target';

export type Action = 'compile' | 'upload' | 'run';

/** What changed, so a view can skip work that is not its own. */
export type ChangeKind = 'busy' | 'notice' | 'fields' | 'experiments' | 'yaml' | 'run' | 'recent' | 'notebookState' | 'open';

/** Time limits of the bridge calls (the kernel answers after talking to KFP). */
export const ACTION_TIMEOUTS_MS = {
  listExperiments: 60_000,
  compile: 120_000,
  upload: 120_000,
  run: 120_000,
  // Downloading a run's statistics, schema, anomalies and evaluation from object storage.
  openRun: 300_000
};

/** The field key of one RuntimeParameter's input, e.g. `parameter:train_steps`. */
export function parameterField(name: string): string {
  return `parameter:${name}`;
}

/** Why a parameter value (as typed) does not fit its type, with the fix; null when fine (empty means the default). */
export function parameterError(info: Pick<RuntimeParameterInfo, 'name' | 'type' | 'default'>, raw: string): string | null {
  const value = info.type === 'string' ? raw : raw.trim();
  if (value === '') {
    return null;
  }
  const parsed = parseRuntimeValue(info.type, value);
  if (parsed.ok) {
    return null;
  }
  return `"${value}" is not ${parsed.expected} (${info.name} is ${info.type}): type e.g. ${parsed.example}, or clear the field for the default ${JSON.stringify(info.default)}.`;
}

/** Runs whose outputs can be opened in the notebook (finished; a failed run opens what its finished tasks wrote). */
export function canOpenRun(state: string): boolean {
  const s = String(state).toUpperCase();
  return s === 'SUCCEEDED' || s === 'FAILED';
}

/** The run being opened in the notebook, and how the last opening went. */
export interface IOpenRunState {
  runId: string;
  busy: boolean;
  notice: INotice | null;
}


/** The field key of one component's resource input, e.g. `component:Trainer:cpu`. */
export function resourceField(componentId: string, key: 'cpu' | 'memory' | 'gpu'): string {
  return `component:${componentId}:${key}`;
}

/** Why a resource value is invalid, or null when it is fine (empty means the cluster default). */
export function resourceError(key: 'cpu' | 'memory' | 'gpu', value: string): string | null {
  const v = value.trim();
  if (!v) {
    return null;
  }
  if (key === 'cpu' && !CPU_PATTERN.test(v)) {
    return `"${v}" is not a CPU quantity: use cores ("2", "0.5") or millicores ("500m").`;
  }
  if (key === 'memory' && !MEMORY_PATTERN.test(v)) {
    return `"${v}" is not a memory quantity: use bytes with a unit ("4Gi", "512Mi").`;
  }
  if (key === 'gpu' && !/^[0-9]+$/.test(v)) {
    return `"${v}" is not a GPU count: use a whole number ("1").`;
  }
  return null;
}

const ACTION_LABELS: Record<Action, { busy: string; name: string }> = {
  compile: { busy: 'Compiling…', name: 'Compile' },
  upload: { busy: 'Uploading…', name: 'Upload' },
  run: { busy: 'Starting the run…', name: 'Run' }
};

/** The run followed in the action bar. */
export interface ITrackedRun {
  run: IRecentRun;
  status: RunStatusResult | null;
  error: unknown;
  polling: boolean;
}

export class DeployController {
  constructor(options: {
    model: DeployModel;
    target: NotebookTarget;
    pollIntervalMs?: number;
    saveDelayMs?: number;
  }) {
    this.model = options.model;
    this.target = options.target;
    this._pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS;
    this._saveDelayMs = options.saveDelayMs ?? 300;
    this.target.reset.connect(this._onReset, this);
    this.target.pipelineChanged.connect(this._onPipelineChanged, this);
    this.model.settingsChanged.connect(this._onSettingsChanged, this);
    this._loadNotebookState();
  }

  readonly model: DeployModel;
  readonly target: NotebookTarget;

  get changed(): ISignal<this, ChangeKind> {
    return this._changed;
  }

  /** The action in flight, if any. */
  get busy(): Action | null {
    return this._busy;
  }

  get busyText(): string {
    return this._busy ? ACTION_LABELS[this._busy].busy : '';
  }

  /** The outcome of the last action (next to the buttons). */
  get notice(): INotice | null {
    return this._notice;
  }

  /** Compile warnings, each possibly about one component (that row is marked). */
  get warnings(): readonly { componentId?: string; message: string }[] {
    return this._warnings;
  }

  /** Invalid fields and why (field key → message); empty when the form is fine. */
  get fieldErrors(): Readonly<Record<string, string>> {
    return this._fieldErrors;
  }

  get experiments(): readonly Experiment[] {
    return this._experiments;
  }

  /** Loading the experiments: '' when idle, else a line to show next to the experiment field. */
  get experimentsStatus(): string {
    return this._experimentsStatus;
  }

  /** The error of loading experiments, shown next to the experiment field. */
  get experimentsNotice(): INotice | null {
    return this._experimentsNotice;
  }

  /** The last compiled YAML. */
  get yaml(): { text: string; pipelineName: string } | null {
    return this._yaml;
  }

  get trackedRun(): ITrackedRun | null {
    return this._tracked;
  }

  get notebookState(): Readonly<INotebookDeployState> {
    return this._state;
  }

  /** Why the actions cannot be used now (target's reason, or one in flight), or null. */
  get blockedReason(): string | null {
    return this.target.blockedReason ?? (this._busy ? `${ACTION_LABELS[this._busy].busy}` : null);
  }

  /** The experiment runs go to; '' when "new experiment" is chosen and not named yet. */
  get experimentName(): string {
    return this._newExperiment !== null ? this._newExperiment.trim() : this.model.values.experimentName;
  }

  /** True when the user is naming a new experiment. */
  get isNewExperiment(): boolean {
    return this._newExperiment !== null;
  }

  selectExperiment(name: string): void {
    this._newExperiment = null;
    void this.model.set('experimentName', name);
    this._clearField('experiment');
    this._changed.emit('experiments');
  }

  /** Start naming a new experiment (the name may follow with setNewExperimentName). */
  newExperiment(name = ''): void {
    this._newExperiment = name;
    this._changed.emit('experiments');
  }

  setNewExperimentName(name: string): void {
    this._newExperiment = name;
    if (name.trim()) {
      this._clearField('experiment');
    }
  }

  setPipelineName(name: string): void {
    this._state = { ...this._state, pipelineName: name.trim() };
    this._scheduleSave();
  }

  /** Set one component's resources (as typed); invalid values are marked on their field at once. */
  setResources(componentId: string, resources: ComponentResources, raw: { cpu?: string; memory?: string; gpu?: string } = {}): void {
    this._state = { ...this._state, components: { ...this._state.components, [componentId]: resources } };
    let changed = false;
    for (const key of ['cpu', 'memory', 'gpu'] as const) {
      const field = resourceField(componentId, key);
      const value = raw[key] ?? (resources[key] === undefined ? '' : String(resources[key]));
      const error = resourceError(key, value);
      if ((this._fieldErrors[field] ?? null) !== error) {
        changed = true;
        this._fieldErrors = { ...this._fieldErrors };
        if (error) {
          this._fieldErrors[field] = error;
        } else {
          delete this._fieldErrors[field];
        }
      }
    }
    if (changed) {
      this._changed.emit('fields');
    }
    this._scheduleSave();
  }

  /** The pipeline's RuntimeParameters (from the kernel) with the values typed for the next run. */
  get parameters(): { info: RuntimeParameterInfo; value: string }[] {
    return (this.target.pipeline?.parameters ?? []).map(info => ({ info, value: this._state.parameters?.[info.name] ?? '' }));
  }

  /** Set one parameter's value (as typed); a value that does not fit the type is marked on its field at once. */
  setParameter(name: string, raw: string): void {
    this._state = { ...this._state, parameters: { ...this._state.parameters, [name]: raw } };
    const info = this.target.pipeline?.parameters?.find(p => p.name === name);
    const error = info ? parameterError(info, raw) : null;
    const field = parameterField(name);
    if ((this._fieldErrors[field] ?? null) !== error) {
      this._fieldErrors = { ...this._fieldErrors };
      if (error) {
        this._fieldErrors[field] = error;
      } else {
        delete this._fieldErrors[field];
      }
      this._changed.emit('fields');
      if (Object.keys(this._fieldErrors).length === 0 && this._notice?.code === 'INVALID_FIELDS') {
        this._setNotice(null);
      }
    }
    this._scheduleSave();
  }

  /** The values the next run gets: the typed ones that fit their type (empty fields keep the default). */
  parameterValues(): Record<string, string | number | boolean> {
    const values: Record<string, string | number | boolean> = {};
    for (const { info, value } of this.parameters) {
      const raw = info.type === 'string' ? value : value.trim();
      if (raw === '') {
        continue;
      }
      const parsed = parseRuntimeValue(info.type, raw);
      if (parsed.ok) {
        values[info.name] = parsed.value;
      }
    }
    return values;
  }

  /** A field was edited: its error (if any) goes until the next check. */
  fieldEdited(field: string): void {
    this._clearField(field);
  }

  /** Check what an action needs before asking the kernel; marks the invalid fields. */
  validate(action: Action): Record<string, string> {
    const errors: Record<string, string> = {};
    const v = this.model.values;
    if (action !== 'compile') {
      if (!v.endpoint.trim()) {
        errors.endpoint = 'Upload and Run need the URL of the Kubeflow Pipelines API, e.g. https://kubeflow.example.com/pipeline.';
      } else if (!/^https?:\/\/[^\s/]+/i.test(v.endpoint.trim())) {
        errors.endpoint = `"${v.endpoint.trim()}" is not an http(s) URL.`;
      }
      if (v.authMode === 'bearer' && !this.model.secrets.token) {
        errors.token = 'Enter the bearer token (kept in memory for this session only).';
      }
      if (v.authMode === 'cookie' && !this.model.secrets.cookie) {
        errors.cookie = 'Enter the cookie (kept in memory for this session only).';
      }
    }
    if (action === 'run' && !this.experimentName) {
      errors.experiment = 'Name the new experiment, or pick an existing one.';
    }
    for (const [id, res] of Object.entries(this._state.components)) {
      for (const key of ['cpu', 'memory', 'gpu'] as const) {
        const value = res?.[key];
        const error = value === undefined ? null : resourceError(key, String(value));
        if (error) {
          errors[resourceField(id, key)] = error;
        }
      }
    }
    // Keep the as-typed resource errors (their values never reach the saved state).
    for (const [field, message] of Object.entries(this._fieldErrors)) {
      if (field.startsWith('component:') && !(field in errors)) {
        errors[field] = message;
      }
    }
    for (const { info, value } of this.parameters) {
      const error = parameterError(info, value);
      if (error) {
        errors[parameterField(info.name)] = error;
      }
    }
    this._fieldErrors = errors;
    this._changed.emit('fields');
    return errors;
  }

  /** Compile, upload or run the target notebook's pipeline. */
  async act(action: Action): Promise<void> {
    if (this._busy) {
      return;
    }
    const bridge = this.target.bridge();
    const blocked = this.target.blockedReason;
    if (!bridge || blocked) {
      this._setNotice({ kind: 'error', code: 'NOT_READY', title: `${ACTION_LABELS[action].name} is not possible yet`, message: blocked ?? 'The notebook has no kernel.' });
      return;
    }
    const errors = this.validate(action);
    const count = Object.keys(errors).length;
    if (count > 0) {
      this._setNotice({
        kind: 'error',
        code: 'INVALID_FIELDS',
        title: count === 1 ? 'Fix the marked field' : `Fix the ${count} marked fields`,
        message: Object.values(errors)[0]
      });
      return;
    }
    const kernel = this.target.kernel;
    const path = this.target.path;
    this._busy = action;
    this._notice = null;
    this._changed.emit('busy');
    this._changed.emit('notice');
    const options = this.deployOptions();
    // A reset (notebook switch, kernel restart) while the call runs makes its outcome void.
    const stillCurrent = () => this.target.kernel === kernel && this.target.path === path;
    try {
      if (action === 'compile') {
        const result = await bridge.call('compile', options, ACTION_TIMEOUTS_MS.compile);
        if (!stillCurrent()) {
          return;
        }
        this._yaml = { text: result.yaml, pipelineName: result.pipelineName };
        this._warnings = result.warnings ?? [];
        this._changed.emit('yaml');
        this._setNotice({
          kind: this._warnings.length > 0 ? 'warning' : 'success',
          code: 'COMPILED',
          title: `Compiled ${result.pipelineName}`,
          message:
            `${result.yaml.split('\n').length} lines of KFP v2 YAML (Compiled pipeline, below).` +
            (this._warnings.length > 0 ? ` ${this._warnings.map(w => w.message).join(' ')}` : '')
        });
      } else if (action === 'upload') {
        const result = await bridge.call('upload', options, ACTION_TIMEOUTS_MS.upload);
        if (!stillCurrent()) {
          return;
        }
        this._setNotice({
          kind: 'success',
          code: 'UPLOADED',
          title: result.created ? 'Uploaded a new pipeline' : 'Uploaded a new pipeline version',
          message: `Pipeline ${result.pipelineId}, version ${result.pipelineVersionId}.`
        });
      } else {
        const experimentName = this.experimentName;
        const result = await bridge.call('run', { ...options, experimentName }, ACTION_TIMEOUTS_MS.run);
        if (!stillCurrent()) {
          return;
        }
        if (this._newExperiment !== null) {
          this._newExperiment = null;
          void this.model.set('experimentName', experimentName);
          if (!this._experiments.some(e => e.name === experimentName)) {
            this._experiments = [...this._experiments, { id: '', name: experimentName }];
          }
          this._changed.emit('experiments');
        }
        const run: IRecentRun = {
          runId: result.runId,
          runUrl: result.runUrl,
          pipelineName: options.pipelineName ?? this.target.pipeline?.pipelineName ?? '',
          experimentName,
          endpoint: options.endpoint,
          state: 'PENDING',
          createdAt: new Date().toISOString()
        };
        this._state = { ...this._state, recentRuns: [run, ...this._state.recentRuns.filter(r => r.runId !== run.runId)] };
        this._scheduleSave();
        this._changed.emit('recent');
        this._setNotice({ kind: 'success', code: 'RUN_STARTED', title: 'Run started', message: `Run ${result.runId} in experiment ${experimentName}.` });
        this.follow(run);
      }
      // Success: the connection works, so an earlier experiments error is stale too.
      if (action !== 'compile' && this._experimentsNotice) {
        this._experimentsNotice = null;
        this._changed.emit('experiments');
      }
    } catch (e) {
      if (stillCurrent()) {
        this._setNotice(errorNotice(ACTION_LABELS[action].name, e));
      }
    } finally {
      this._busy = null;
      this._changed.emit('busy');
    }
  }

  /** Load the experiments of the endpoint (explicit: the user asked, so errors are shown). */
  async listExperiments(): Promise<void> {
    const bridge = this.target.bridge();
    if (!bridge) {
      this._experimentsNotice = { kind: 'error', code: 'NO_KERNEL', title: 'No kernel', message: 'Open the notebook that ran the pipeline and start its kernel.' };
      this._changed.emit('experiments');
      return;
    }
    if (!this.model.values.endpoint.trim()) {
      this._experimentsStatus = 'Enter the KFP endpoint to load the experiments.';
      this._changed.emit('experiments');
      return;
    }
    const seq = ++this._experimentsSeq;
    this._experimentsStatus = 'Loading experiments…';
    this._experimentsNotice = null;
    this._changed.emit('experiments');
    try {
      const result = await bridge.call('listExperiments', this.model.connection(), ACTION_TIMEOUTS_MS.listExperiments);
      if (seq !== this._experimentsSeq) {
        return;
      }
      this._experiments = result.experiments ?? [];
      this._experimentsLoaded = true;
      this._experimentsStatus =
        this._experiments.length === 0 ? 'No experiments on the server yet; a run creates the one you name.' : '';
    } catch (e) {
      if (seq !== this._experimentsSeq) {
        return;
      }
      this._experimentsStatus = '';
      this._experimentsNotice = errorNotice('Loading experiments', e);
    }
    this._changed.emit('experiments');
  }

  /** The options of a compile/upload/run call: settings, secrets for this call, the notebook's resources. */
  deployOptions(): DeployOptions {
    const v = this.model.values;
    const options: DeployOptions = { ...this.model.connection() };
    if (this._state.pipelineName) {
      options.pipelineName = this._state.pipelineName;
    }
    if (v.image.trim()) {
      options.image = v.image.trim();
    }
    const ran = new Set((this.target.pipeline?.components ?? []).map(c => c.id));
    const components: Record<string, ComponentResources> = {};
    for (const [id, res] of Object.entries(this._state.components)) {
      // Only components this kernel ran: the bridge refuses settings for others.
      if (res && Object.keys(res).length > 0 && (ran.size === 0 || ran.has(id))) {
        components[id] = res;
      }
    }
    if (Object.keys(components).length > 0) {
      options.components = components;
    }
    const parameters = this.parameterValues();
    if (Object.keys(parameters).length > 0) {
      options.parameters = parameters;
    }
    return options;
  }

  /** The run being opened in the notebook (or the last one), with its outcome. */
  get openRunState(): IOpenRunState | null {
    return this._open;
  }

  /**
   * "Open in notebook": the kernel downloads the finished run's statistics, schema, anomalies and
   * evaluation into its cache (bridge openRun, with this session's secrets), then a new cell below
   * the active one runs `openRun` and shows the views; the cell holds no secret.
   */
  async openInNotebook(run: IRecentRun): Promise<void> {
    if (this._open?.busy) {
      return;
    }
    const bridge = this.target.bridge();
    const connection = this.model.connection();
    const fail = (notice: INotice) => {
      this._open = { runId: run.runId, busy: false, notice };
      this._changed.emit('open');
    };
    if (!bridge || this.target.status !== 'ready') {
      fail({ kind: 'error', code: 'NOT_READY', title: 'Cannot open the run', message: this.target.blockedReason ?? 'Start the notebook kernel first: it downloads the run.' });
      return;
    }
    if (run.endpoint && connection.endpoint && run.endpoint.replace(/\/+$/, '') !== connection.endpoint.replace(/\/+$/, '')) {
      // The session's token belongs to the endpoint in the form: never send it to another server.
      fail({
        kind: 'error',
        code: 'OTHER_ENDPOINT',
        title: 'This run is on another endpoint',
        message: `It ran on ${run.endpoint}; the panel is connected to ${connection.endpoint}. Pick that endpoint (or its profile) above, then open the run.`
      });
      return;
    }
    if (!connection.endpoint) {
      connection.endpoint = run.endpoint;
    }
    const kernel = this.target.kernel;
    const path = this.target.path;
    this._open = { runId: run.runId, busy: true, notice: null };
    this._changed.emit('open');
    try {
      const result = await bridge.call('openRun', { ...connection, runId: run.runId }, ACTION_TIMEOUTS_MS.openRun);
      if (this.target.kernel !== kernel || this.target.path !== path) {
        return;
      }
      await this.target.runCell(result.cellCode);
      const views = result.outputs.map(o => o.type.replace(/^Example/, '').replace(/^Model/, '').toLowerCase());
      const skipped = result.skippedTasks.length > 0 ? ` Not opened: ${result.skippedTasks.map(t => `${t.task} (${t.reason})`).join('; ')}.` : '';
      this._open = {
        runId: run.runId,
        busy: false,
        notice: {
          kind: result.skippedTasks.length > 0 ? 'warning' : 'success',
          code: 'RUN_OPENED',
          title: 'Opened in the notebook',
          message: `${result.outputs.length} views (${[...new Set(views)].join(', ')}) in a new cell below the active one${result.fromCache ? ', from the kernel\'s run cache' : ''}.${skipped}`
        }
      };
      this._changed.emit('open');
    } catch (e) {
      if (this.target.kernel === kernel && this.target.path === path) {
        fail(errorNotice('Opening the run', e));
      }
    }
  }

  /** Follow a run (the one just started, or one of the recent runs) until it ends. */
  follow(run: IRecentRun): void {
    const bridge = this.target.bridge();
    if (!bridge) {
      this._setNotice({ kind: 'error', code: 'NO_KERNEL', title: 'Cannot follow the run', message: 'The notebook has no kernel to ask KFP through.' });
      return;
    }
    this._monitor?.stop();
    const monitor = new RunMonitor(bridge, this.model.connection(), run.runId, this._pollIntervalMs);
    this._monitor = monitor;
    this._tracked = { run, status: null, error: null, polling: true };
    this._changed.emit('run');
    monitor.updated.connect((_, update) => this._onRunUpdate(monitor, update));
    monitor.start();
  }

  /** Save pending per-notebook state now. */
  flush(): void {
    if (this._saveTimer === undefined) {
      return;
    }
    clearTimeout(this._saveTimer);
    this._saveTimer = undefined;
    void this.model.saveNotebookState(this._statePath, this._state);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.flush();
    this._monitor?.stop();
    this.target.reset.disconnect(this._onReset, this);
    this.target.pipelineChanged.disconnect(this._onPipelineChanged, this);
    this.model.settingsChanged.disconnect(this._onSettingsChanged, this);
    Signal.clearData(this);
  }

  /** Resolves when the active notebook's remembered state is loaded (tests, first render). */
  get stateLoaded(): Promise<void> {
    return this._stateLoaded;
  }

  private _onRunUpdate(monitor: RunMonitor, update: IRunMonitorUpdate): void {
    if (monitor !== this._monitor || !this._tracked) {
      return;
    }
    const tracked = { ...this._tracked, polling: !update.done, error: update.error ?? null };
    if (update.status) {
      tracked.status = update.status;
      const state = String(update.status.state).toUpperCase();
      const recent = this._state.recentRuns.find(r => r.runId === monitor.runId);
      if (recent && (recent.state !== state || (update.status.runUrl && recent.runUrl !== update.status.runUrl))) {
        this._state = {
          ...this._state,
          recentRuns: this._state.recentRuns.map(r =>
            r.runId === monitor.runId ? { ...r, state, runUrl: update.status?.runUrl || r.runUrl } : r
          )
        };
        tracked.run = this._state.recentRuns.find(r => r.runId === monitor.runId) ?? tracked.run;
        this._scheduleSave();
        this._changed.emit('recent');
      }
      // "Run started" is news only until KFP reports a state; the badge says the rest.
      if (this._notice?.code === 'RUN_STARTED') {
        this._notice = null;
        this._changed.emit('notice');
      }
    }
    this._tracked = tracked;
    this._changed.emit('run');
  }

  private _onReset(_: NotebookTarget, reason: ResetReason): void {
    this._experimentsSeq++;
    this._notice = null;
    this._warnings = [];
    this._yaml = null;
    this._fieldErrors = {};
    this._experimentsNotice = null;
    this._experimentsStatus = '';
    this._open = null;
    if (reason === 'notebook') {
      this.flush();
      this._monitor?.stop();
      this._monitor = null;
      this._tracked = null;
      this._experimentsLoaded = false;
      this._loadNotebookState();
    } else if (this._tracked && this._tracked.polling) {
      // The run goes on on the cluster; follow it through the new kernel once it is there.
      this._monitor?.stop();
      this._tracked = { ...this._tracked, polling: false };
    }
    for (const kind of ['notice', 'yaml', 'fields', 'experiments', 'run', 'open'] as ChangeKind[]) {
      this._changed.emit(kind);
    }
  }

  private _onPipelineChanged(): void {
    // Compile warnings belong to the pipeline they were computed for.
    if (this._warnings.length > 0 && !this.target.pipeline) {
      this._warnings = [];
      this._changed.emit('yaml');
    }
    // Saved parameter values are checked against the parameters the kernel now declares.
    const parameterErrors: Record<string, string> = {};
    for (const { info, value } of this.parameters) {
      const error = parameterError(info, value);
      if (error) {
        parameterErrors[parameterField(info.name)] = error;
      }
    }
    const others = Object.fromEntries(Object.entries(this._fieldErrors).filter(([k]) => !k.startsWith('parameter:')));
    const next = { ...others, ...parameterErrors };
    if (JSON.stringify(next) !== JSON.stringify(this._fieldErrors)) {
      this._fieldErrors = next;
      this._changed.emit('fields');
    }
    if (this.target.pipeline && !this._experimentsLoaded && this.model.values.endpoint.trim()) {
      this._experimentsLoaded = true;
      void this.listExperiments();
    }
  }

  private _onSettingsChanged(): void {
    this._changed.emit('experiments');
  }

  private _setNotice(notice: INotice | null): void {
    this._notice = notice;
    this._changed.emit('notice');
  }

  private _clearField(field: string): void {
    if (field in this._fieldErrors) {
      this._fieldErrors = { ...this._fieldErrors };
      delete this._fieldErrors[field];
      this._changed.emit('fields');
      if (Object.keys(this._fieldErrors).length === 0 && this._notice?.code === 'INVALID_FIELDS') {
        this._setNotice(null);
      }
    }
  }

  private _loadNotebookState(): void {
    const path = this.target.path;
    this._statePath = path;
    this._state = emptyNotebookState();
    this._changed.emit('notebookState');
    this._changed.emit('recent');
    this._stateLoaded = this.model.loadNotebookState(path).then(state => {
      if (this._statePath !== path || this._disposed) {
        return;
      }
      this._state = state;
      this._changed.emit('notebookState');
      this._changed.emit('recent');
    });
  }

  private _scheduleSave(): void {
    if (this._saveTimer !== undefined) {
      clearTimeout(this._saveTimer);
    }
    this._saveTimer = setTimeout(() => this.flush(), this._saveDelayMs);
  }

  private _pollIntervalMs: number;
  private _saveDelayMs: number;
  private _busy: Action | null = null;
  private _notice: INotice | null = null;
  private _warnings: { componentId?: string; message: string }[] = [];
  private _fieldErrors: Record<string, string> = {};
  private _experiments: Experiment[] = [];
  private _experimentsLoaded = false;
  private _experimentsSeq = 0;
  private _experimentsStatus = '';
  private _experimentsNotice: INotice | null = null;
  private _newExperiment: string | null = null;
  private _yaml: { text: string; pipelineName: string } | null = null;
  private _monitor: RunMonitor | null = null;
  private _tracked: ITrackedRun | null = null;
  private _state: INotebookDeployState = emptyNotebookState();
  private _open: IOpenRunState | null = null;
  private _statePath = '';
  private _stateLoaded: Promise<void> = Promise.resolve();
  private _saveTimer: ReturnType<typeof setTimeout> | undefined;
  private _disposed = false;
  private _changed = new Signal<this, ChangeKind>(this);
}

/** True for run states after which a run does not change any more. */
export function isTerminal(state: string): boolean {
  return TERMINAL_RUN_STATES.has(String(state).toUpperCase());
}

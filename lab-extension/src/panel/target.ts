/**
 * The notebook the deploy panel works on, as a model (no DOM): which notebook is active, its
 * session and kernel, the kernel's language, and what the kernel's InteractiveContext ran (the
 * bridge's describe result), with signals for each change. Views render from these signals; the
 * deploy controller asks it for the bridge of the current kernel.
 *
 * The shapes below are the few members of JupyterLab's INotebookTracker / NotebookPanel /
 * ISessionContext it reads, so a NotebookPanel fits as is and unit tests pass small fakes.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import { BridgeClient, BridgeError, type BridgeKernel } from '../bridge/client';
import type { BridgeMethod, BridgeMethods, DescribeResult } from '../protocol';
import { errorNotice, type INotice } from './notices';

/** The kernel surface used: bridge calls and the language it runs. */
export interface IKernelLike extends BridgeKernel {
  readonly info: Promise<{ language_info?: { name?: string } }>;
}

/** The members of ISessionContext read here. */
export interface ISessionLike {
  readonly session: { readonly kernel: IKernelLike | null } | null | undefined;
  readonly kernelDisplayName: string;
  readonly kernelDisplayStatus: string;
  readonly statusChanged: ISignal<any, string>;
  readonly kernelChanged: ISignal<any, unknown>;
}

/** The members of NotebookPanel read here. */
export interface INotebookLike {
  readonly context: { readonly path: string };
  readonly title: { readonly label: string };
  readonly sessionContext: ISessionLike;
}

/** The members of INotebookTracker read here. */
export interface INotebookSource {
  readonly currentWidget: INotebookLike | null;
  readonly currentChanged: ISignal<any, unknown>;
}

/** What runs bridge calls in one kernel (BridgeClient; a fake in unit tests). */
export interface IBridge {
  call<M extends BridgeMethod>(
    method: M,
    options?: BridgeMethods[M]['options'],
    timeoutMs?: number
  ): Promise<BridgeMethods[M]['result']>;
}

export type BridgeFactory = (kernel: IKernelLike) => IBridge;

/** Inserts a code cell below the active one in a notebook and runs it (NotebookActions in the app). */
export type CellRunner = (notebook: INotebookLike, code: string) => Promise<void>;

/**
 * Where the target stands:
 * - `no-notebook`: no notebook is active;
 * - `no-kernel`: the notebook has no running kernel;
 * - `wrong-kernel`: the kernel is not TypeScript/JavaScript (tslab), so tfx-ts cannot be loaded;
 * - `ready`: a kernel the bridge can be asked in.
 */
export type TargetStatus = 'no-notebook' | 'no-kernel' | 'wrong-kernel' | 'ready';

/** Why the target was reset: another notebook became active, or its kernel (re)started. */
export type ResetReason = 'notebook' | 'kernel';

/** Kernel languages in which `require("tfx-ts")` can work. */
export const BRIDGE_LANGUAGES = ['typescript', 'javascript'];

/** Time limit of describe (the kernel answers from memory). */
export const DESCRIBE_TIMEOUT_MS = 30_000;

export class NotebookTarget {
  constructor(options: {
    notebooks: INotebookSource;
    /** Emitted when a cell of some notebook ran (NotebookActions.executed). */
    cellExecuted?: ISignal<any, { notebook: { parent: unknown } }>;
    bridgeFactory?: BridgeFactory;
    /** Delay before describing again after cells ran (they may have run components). */
    describeDelayMs?: number;
    /** How a cell is added to the notebook and run ("Open in notebook"). */
    cellRunner?: CellRunner;
  }) {
    this._cellRunner = options.cellRunner ?? null;
    this._notebooks = options.notebooks;
    this._cellExecuted = options.cellExecuted ?? null;
    this._bridgeFactory = options.bridgeFactory ?? (kernel => new BridgeClient(kernel));
    this._describeDelayMs = options.describeDelayMs ?? 800;
    this._notebooks.currentChanged.connect(this._onCurrentChanged, this);
    this._cellExecuted?.connect(this._onCellExecuted, this);
    this._onCurrentChanged();
  }

  /** The target notebook, kernel or kernel status changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The describe result (or its error) changed. */
  get pipelineChanged(): ISignal<this, void> {
    return this._pipelineChanged;
  }

  /** Another notebook became active, or the kernel started again: earlier results are void. */
  get reset(): ISignal<this, ResetReason> {
    return this._reset;
  }

  get notebook(): INotebookLike | null {
    return this._notebook;
  }

  get path(): string {
    return this._notebook?.context.path ?? '';
  }

  get kernel(): IKernelLike | null {
    return this._notebook?.sessionContext.session?.kernel ?? null;
  }

  /** The kernel's language once known ('' before). */
  get language(): string {
    return this._language;
  }

  get status(): TargetStatus {
    if (!this._notebook) {
      return 'no-notebook';
    }
    if (!this.kernel) {
      return 'no-kernel';
    }
    if (this._language && !BRIDGE_LANGUAGES.includes(this._language)) {
      return 'wrong-kernel';
    }
    return 'ready';
  }

  /** What the kernel's InteractiveContext ran; null before describe answered or after a reset. */
  get pipeline(): DescribeResult | null {
    return this._pipeline;
  }

  /** Why there is no pipeline (describe's error), if describe failed. */
  get pipelineNotice(): INotice | null {
    return this._pipelineNotice;
  }

  /** True while describe is in flight. */
  get describing(): boolean {
    return this._describing;
  }

  /** Notices about the target itself (no notebook, no kernel, wrong kernel, no pipeline). */
  get notices(): INotice[] {
    const notebook = this._notebook;
    const notices: INotice[] = [];
    switch (this.status) {
      case 'no-notebook':
        notices.push({
          kind: 'info',
          code: 'NO_NOTEBOOK',
          title: 'No notebook is active',
          message:
            'Open (or click into) the TypeScript notebook that ran your pipeline. This panel deploys what that notebook\'s InteractiveContext ran.'
        });
        break;
      case 'no-kernel':
        notices.push({
          kind: 'warning',
          code: 'NO_KERNEL',
          title: 'The notebook has no running kernel',
          message: `Start a TypeScript (tslab) kernel for ${notebook?.context.path} and run its pipeline cells; the panel asks that kernel what to deploy.`
        });
        break;
      case 'wrong-kernel':
        notices.push({
          kind: 'warning',
          code: 'WRONG_KERNEL',
          title: `The notebook's kernel runs ${this._language}`,
          message:
            'Deploying needs the TypeScript kernel (tslab) in which the pipeline ran: change the kernel (Kernel › Change Kernel…) and run the notebook.'
        });
        break;
      case 'ready':
        if (this._pipelineNotice) {
          notices.push(this._pipelineNotice);
        }
        break;
    }
    return notices;
  }

  /**
   * Why Compile / Upload / Run cannot be used now, or null when they can: they need a ready
   * kernel whose InteractiveContext ran at least one component.
   */
  get blockedReason(): string | null {
    switch (this.status) {
      case 'no-notebook':
        return 'Open the notebook that ran the pipeline.';
      case 'no-kernel':
        return 'Start the notebook\'s kernel and run its cells.';
      case 'wrong-kernel':
        return 'Switch the notebook to the TypeScript (tslab) kernel.';
      default:
        break;
    }
    if (!this._pipeline) {
      // A notice on screen says why (even while the pipeline is read again): the reason matches it.
      if (!this._pipelineNotice) {
        return 'Reading the notebook\'s pipeline…';
      }
      return this._pipelineNotice.code === 'NO_INTERACTIVE_CONTEXT'
        ? 'Run the notebook\'s InteractiveContext cells first.'
        : 'The notebook\'s pipeline could not be read (see above).';
    }
    if (this._pipeline.components.length === 0) {
      return 'Run at least one component with context.run(…) first.';
    }
    return null;
  }

  /** The bridge of the current kernel (one client per kernel), or null without a kernel. */
  bridge(): IBridge | null {
    const kernel = this.kernel;
    if (!kernel || this.status === 'wrong-kernel') {
      return null;
    }
    if (!this._bridge || this._bridgeKernel !== kernel) {
      this._bridge = this._bridgeFactory(kernel);
      this._bridgeKernel = kernel;
    }
    return this._bridge;
  }

  /** Add a code cell below the active cell of the target notebook and run it in its kernel. */
  async runCell(code: string): Promise<void> {
    const notebook = this._notebook;
    if (!notebook || !this._cellRunner) {
      throw new Error('No notebook to add the cell to: open the notebook that ran the pipeline.');
    }
    await this._cellRunner(notebook, code);
  }

  /** The panel is shown or hidden: a hidden panel describes only when shown again. */
  setActive(active: boolean): void {
    this._active = active;
    if (active && this._stale) {
      void this.describe();
    }
  }

  /** Ask the kernel what its InteractiveContext ran. */
  async describe(): Promise<void> {
    this._stale = false;
    const seq = ++this._describeSeq;
    // Only a TypeScript/JavaScript kernel can load tfx-ts: know the language before asking.
    await this._languageKnown;
    if (seq !== this._describeSeq) {
      return; // a newer describe (or a reset) came while waiting
    }
    const bridge = this.status === 'ready' ? this.bridge() : null;
    if (!bridge) {
      this._setPipeline(null, null);
      return;
    }
    const kernel = this.kernel;
    this._describing = true;
    this._pipelineChanged.emit();
    try {
      const result = await bridge.call('describe', undefined, DESCRIBE_TIMEOUT_MS);
      if (seq === this._describeSeq && this.kernel === kernel) {
        this._describing = false;
        this._setPipeline(result, null);
      }
    } catch (e) {
      if (seq === this._describeSeq && this.kernel === kernel) {
        this._describing = false;
        const notice = errorNotice('Reading the notebook\'s pipeline', e);
        if (e instanceof BridgeError && e.code === 'NO_INTERACTIVE_CONTEXT') {
          notice.kind = 'warning';
          notice.title = 'This notebook has no pipeline yet';
        }
        this._setPipeline(null, notice);
      }
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._describeTimer !== undefined) {
      clearTimeout(this._describeTimer);
    }
    this._connectSession(null);
    this._notebooks.currentChanged.disconnect(this._onCurrentChanged, this);
    this._cellExecuted?.disconnect(this._onCellExecuted, this);
    Signal.clearData(this);
  }

  private _setPipeline(pipeline: DescribeResult | null, notice: INotice | null): void {
    this._pipeline = pipeline;
    this._pipelineNotice = notice;
    this._pipelineChanged.emit();
    // blockedReason and notices depend on the pipeline too.
    this._changed.emit();
  }

  private _onCurrentChanged(): void {
    const notebook = this._notebooks.currentWidget;
    if (notebook === this._notebook) {
      return;
    }
    this._notebook = notebook;
    this._connectSession(notebook?.sessionContext ?? null);
    this._describeSeq++;
    this._describing = false;
    this._pipeline = null;
    this._pipelineNotice = null;
    this._readLanguage();
    this._reset.emit('notebook');
    this._pipelineChanged.emit();
    this._changed.emit();
    this._markStale();
  }

  private _connectSession(session: ISessionLike | null): void {
    if (this._session === session) {
      return;
    }
    if (this._session) {
      this._session.statusChanged.disconnect(this._onKernelStatus, this);
      this._session.kernelChanged.disconnect(this._onKernelChanged, this);
    }
    this._session = session;
    this._lastStatus = '';
    if (session) {
      session.statusChanged.connect(this._onKernelStatus, this);
      session.kernelChanged.connect(this._onKernelChanged, this);
    }
  }

  /** A new kernel (changed or started): the old pipeline is gone with the old kernel. */
  private _forgetKernel(): void {
    this._describeSeq++;
    this._describing = false;
    this._pipeline = null;
    this._pipelineNotice = null;
    this._reset.emit('kernel');
    this._pipelineChanged.emit();
  }

  private _onKernelChanged(): void {
    this._forgetKernel();
    this._readLanguage();
    this._changed.emit();
    this._markStale();
  }

  private _onKernelStatus(_: unknown, status: string): void {
    const previous = this._lastStatus;
    this._lastStatus = status;
    if (status === 'restarting' || status === 'autorestarting') {
      // The InteractiveContext dies with the process: nothing of the old pipeline is valid now.
      this._forgetKernel();
    }
    this._changed.emit();
    // A (re)started kernel has an empty InteractiveContext: read it again once the kernel is idle.
    if (status === 'idle' && (previous === 'starting' || previous === 'restarting' || previous === 'autorestarting')) {
      this._markStale();
    }
  }

  private _onCellExecuted(_: unknown, args: { notebook: { parent: unknown } }): void {
    if (!this._notebook || args.notebook.parent !== this._notebook) {
      return;
    }
    // The cells may have run new components: describe again (debounced).
    if (this._describeTimer !== undefined) {
      clearTimeout(this._describeTimer);
    }
    this._describeTimer = setTimeout(() => {
      this._describeTimer = undefined;
      this._markStale();
    }, this._describeDelayMs);
  }

  private _readLanguage(): void {
    const kernel = this.kernel;
    this._language = '';
    this._languageOf = kernel;
    if (!kernel) {
      this._languageKnown = Promise.resolve();
      return;
    }
    this._languageKnown = kernel.info
      .then(info => {
        if (this._languageOf === kernel && !this._disposed) {
          this._language = (info.language_info?.name ?? '').toLowerCase();
          this._changed.emit();
          if (this.status !== 'ready') {
            this._setPipeline(null, null);
          }
        }
      })
      .catch(() => undefined);
  }

  private _markStale(): void {
    this._stale = true;
    if (this._active) {
      void this.describe();
    }
  }

  private _notebooks: INotebookSource;
  private _cellExecuted: ISignal<any, { notebook: { parent: unknown } }> | null;
  private _bridgeFactory: BridgeFactory;
  private _cellRunner: CellRunner | null;
  private _describeDelayMs: number;
  private _notebook: INotebookLike | null = null;
  private _session: ISessionLike | null = null;
  private _lastStatus = '';
  private _language = '';
  private _languageOf: IKernelLike | null = null;
  private _languageKnown: Promise<void> = Promise.resolve();
  private _bridge: IBridge | null = null;
  private _bridgeKernel: IKernelLike | null = null;
  private _pipeline: DescribeResult | null = null;
  private _pipelineNotice: INotice | null = null;
  private _describing = false;
  private _describeSeq = 0;
  private _describeTimer: ReturnType<typeof setTimeout> | undefined;
  private _active = false;
  private _stale = true;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _pipelineChanged = new Signal<this, void>(this);
  private _reset = new Signal<this, ResetReason>(this);
}

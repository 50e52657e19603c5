/**
 * What the deploy panel remembers, and where:
 *
 * - connection and defaults (endpoint, namespace, auth mode, token path, image, experiment) in
 *   the settings registry (schema/plugin.json), so they survive reloads and can be edited in the
 *   settings editor;
 * - per notebook (pipeline name override, per-component resources, recent runs) in the state DB;
 * - secrets (bearer token, cookie) in memory only: never in settings, state, or the notebook.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IStateDB } from '@jupyterlab/statedb';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Signal, type ISignal } from '@lumino/signaling';

import { AUTH_MODES as PROTOCOL_AUTH_MODES, AUTH_MODE_LABELS, type AuthMode, type ComponentResources, type ConnectionOptions } from '../protocol';
import { PLUGIN_ID } from '../tokens';

/** Persisted settings of the deploy panel (see schema/plugin.json). */
export interface IDeploySettings {
  endpoint: string;
  namespace: string;
  authMode: AuthMode;
  tokenPath: string;
  image: string;
  experimentName: string;
  maxRecentRuns: number;
}

export const DEFAULT_SETTINGS: IDeploySettings = {
  endpoint: '',
  namespace: '',
  authMode: 'none',
  tokenPath: '',
  image: '',
  experimentName: 'Default',
  maxRecentRuns: 10
};

/** The auth modes the kernel's KFP client accepts, with the labels the panel shows. */
export const AUTH_MODES: { value: AuthMode; label: string }[] = PROTOCOL_AUTH_MODES.map(value => ({ value, label: AUTH_MODE_LABELS[value] }));

/** A run started from this notebook. */
export interface IRecentRun {
  runId: string;
  runUrl: string;
  pipelineName: string;
  experimentName: string;
  endpoint: string;
  state: string;
  /** ISO time the run was created. */
  createdAt: string;
}

/** What is remembered per notebook (state DB). */
export interface INotebookDeployState {
  pipelineName: string;
  components: Record<string, ComponentResources>;
  recentRuns: IRecentRun[];
}

function emptyNotebookState(): INotebookDeployState {
  return { pipelineName: '', components: {}, recentRuns: [] };
}

/** Secrets, in memory only. */
export interface ISecrets {
  token: string;
  cookie: string;
}

/**
 * The panel's model: settings, per-notebook state and in-memory secrets.
 */
export class DeployModel {
  constructor(
    private readonly _settings: ISettingRegistry.ISettings | null,
    private readonly _state: IStateDB | null
  ) {
    this._values = { ...DEFAULT_SETTINGS };
    if (_settings) {
      this._readSettings();
      _settings.changed.connect(this._onSettingsChanged, this);
    }
  }

  /** Emitted when settings change from outside the panel (e.g. the settings editor). */
  get settingsChanged(): ISignal<this, void> {
    return this._settingsChanged;
  }

  get values(): Readonly<IDeploySettings> {
    return this._values;
  }

  /**
   * Set one setting and persist it (secrets are not settings).
   *
   * Saves are chained: `ISettings.set` writes the whole user object, so two overlapping saves
   * would each drop the other's key.
   */
  async set<K extends keyof IDeploySettings>(key: K, value: IDeploySettings[K]): Promise<void> {
    if (this._values[key] === value) {
      return;
    }
    this._values = { ...this._values, [key]: value };
    const settings = this._settings;
    if (!settings) {
      return;
    }
    this._saving++;
    this._saveChain = this._saveChain
      .then(() => settings.set(key, value as any))
      .catch(e => console.error(`tfx-ts: could not save setting ${key}`, e));
    try {
      await this._saveChain;
    } finally {
      this._saving--;
    }
  }

  readonly secrets: ISecrets = { token: '', cookie: '' };

  /** The connection options for a bridge call, secrets included for this call only. */
  connection(): ConnectionOptions {
    const v = this._values;
    const options: ConnectionOptions = { endpoint: v.endpoint.trim(), authMode: v.authMode };
    if (v.namespace.trim()) {
      options.namespace = v.namespace.trim();
    }
    if (v.authMode === 'bearer' && this.secrets.token) {
      options.token = this.secrets.token;
    } else if (v.authMode === 'cookie' && this.secrets.cookie) {
      options.cookie = this.secrets.cookie;
    } else if (v.authMode === 'serviceAccount' && v.tokenPath.trim()) {
      options.tokenPath = v.tokenPath.trim();
    }
    return options;
  }

  /** Load what is remembered for one notebook. */
  async loadNotebookState(path: string): Promise<INotebookDeployState> {
    if (!this._state || !path) {
      return emptyNotebookState();
    }
    try {
      const saved = (await this._state.fetch(stateKey(path))) as unknown as
        | Partial<INotebookDeployState>
        | undefined;
      return { ...emptyNotebookState(), ...(saved ?? {}) };
    } catch {
      return emptyNotebookState();
    }
  }

  /** Save what is remembered for one notebook. */
  async saveNotebookState(path: string, state: INotebookDeployState): Promise<void> {
    if (!this._state || !path) {
      return;
    }
    const trimmed: INotebookDeployState = {
      ...state,
      recentRuns: state.recentRuns.slice(0, Math.max(1, this._values.maxRecentRuns))
    };
    try {
      await this._state.save(stateKey(path), trimmed as unknown as ReadonlyPartialJSONObject);
    } catch (e) {
      console.error('tfx-ts: could not save the notebook deploy state', e);
    }
  }

  dispose(): void {
    this._settings?.changed.disconnect(this._onSettingsChanged, this);
  }

  private _readSettings(): void {
    const composite = (this._settings?.composite ?? {}) as Partial<IDeploySettings>;
    const next: IDeploySettings = { ...DEFAULT_SETTINGS };
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof IDeploySettings)[]) {
      const value = composite[key];
      if (value !== undefined && value !== null) {
        (next as any)[key] = value;
      }
    }
    this._values = next;
  }

  private _onSettingsChanged(): void {
    // While our own saves are in flight the panel's values are the newest.
    if (this._saving > 0) {
      return;
    }
    const before = JSON.stringify(this._values);
    this._readSettings();
    if (JSON.stringify(this._values) !== before) {
      this._settingsChanged.emit();
    }
  }

  private _values: IDeploySettings;
  private _saving = 0;
  private _saveChain: Promise<unknown> = Promise.resolve();
  private _settingsChanged = new Signal<this, void>(this);
}

function stateKey(path: string): string {
  return `${PLUGIN_ID}:notebook:${path}`;
}

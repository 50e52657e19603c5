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

/**
 * A named connection (Elyra's "runtime configuration"): where and how to reach one KFP, and the
 * image its components run in. Never a secret: tokens and cookies stay in memory.
 */
export interface IEndpointProfile {
  name: string;
  endpoint: string;
  namespace: string;
  authMode: AuthMode;
  tokenPath: string;
  image: string;
}

/** The settings a profile holds. */
export const PROFILE_KEYS = ['endpoint', 'namespace', 'authMode', 'tokenPath', 'image'] as const;

/** Persisted settings of the deploy panel (see schema/plugin.json). */
export interface IDeploySettings {
  endpoint: string;
  namespace: string;
  authMode: AuthMode;
  tokenPath: string;
  image: string;
  experimentName: string;
  maxRecentRuns: number;
  /** Saved connections, picked in the panel's Profile field. */
  profiles: IEndpointProfile[];
  /** The profile last picked or saved ('' when the fields were typed without one). */
  activeProfile: string;
}

export const DEFAULT_SETTINGS: IDeploySettings = {
  endpoint: '',
  namespace: '',
  authMode: 'none',
  tokenPath: '',
  image: '',
  experimentName: 'Default',
  maxRecentRuns: 10,
  profiles: [],
  activeProfile: ''
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
  /** Run-time values of the pipeline's RuntimeParameters, as typed ('' or absent: the default). */
  parameters: Record<string, string>;
}

export function emptyNotebookState(): INotebookDeployState {
  return { pipelineName: '', components: {}, recentRuns: [], parameters: {} };
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

  /** The saved profiles, by name. */
  get profiles(): readonly IEndpointProfile[] {
    return this._values.profiles;
  }

  /**
   * The active profile when the connection fields still hold its values; null once a field was
   * edited (the panel then offers to save the change).
   */
  get activeProfile(): IEndpointProfile | null {
    const profile = this._values.profiles.find(p => p.name === this._values.activeProfile);
    return profile && PROFILE_KEYS.every(k => profile[k] === this._values[k]) ? profile : null;
  }

  /** Save the current connection fields as a profile (replacing one of the same name) and make it active. */
  async saveProfile(name: string): Promise<IEndpointProfile> {
    const trimmed = name.trim();
    if (!trimmed) {
      throw new Error('Name the profile, e.g. "staging cluster".');
    }
    const v = this._values;
    const profile: IEndpointProfile = { name: trimmed, endpoint: v.endpoint, namespace: v.namespace, authMode: v.authMode, tokenPath: v.tokenPath, image: v.image };
    const profiles = v.profiles.filter(p => p.name !== trimmed).concat(profile);
    profiles.sort((a, b) => a.name.localeCompare(b.name));
    // set() takes the values at once and saves in order: the panel shows them before the saves end.
    const saved = Promise.all([this.set('profiles', profiles), this.set('activeProfile', trimmed)]);
    this._settingsChanged.emit();
    await saved;
    return profile;
  }

  /** Put a profile's values into the connection settings. Secrets of the previous connection are forgotten. */
  async applyProfile(name: string): Promise<void> {
    const profile = this._values.profiles.find(p => p.name === name);
    if (!profile) {
      throw new Error(`No profile named "${name}".`);
    }
    if (this._values.activeProfile !== name || !this.activeProfile) {
      // A token for one cluster must not be sent to another.
      this.secrets.token = '';
      this.secrets.cookie = '';
    }
    const saved = Promise.all([...PROFILE_KEYS.map(k => this.set(k, profile[k])), this.set('activeProfile', name)]);
    this._settingsChanged.emit();
    await saved;
  }

  /** Delete a profile; the connection fields keep their values. */
  async deleteProfile(name: string): Promise<void> {
    const saved = Promise.all([
      this.set('profiles', this._values.profiles.filter(p => p.name !== name)),
      this._values.activeProfile === name ? this.set('activeProfile', '') : Promise.resolve()
    ]);
    this._settingsChanged.emit();
    await saved;
  }

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

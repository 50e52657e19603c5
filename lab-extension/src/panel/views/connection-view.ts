/**
 * Connection and pipeline fields: endpoint, namespace, authentication (secrets in memory only),
 * experiment, pipeline name and image. Values go to the settings (DeployModel) as typed; invalid
 * fields are marked inline from the controller's fieldErrors.
 */
import { InputDialog } from '@jupyterlab/apputils';
import { closeIcon, refreshIcon, saveIcon } from '@jupyterlab/ui-components';

import { h, replaceChildren } from '../../dom';
import type { AuthMode } from '../../protocol';
import type { ChangeKind, DeployController } from '../controller';
import { AUTH_MODES, type IDeploySettings } from '../model';
import { field, markField, renderNotice, selectWrap, textInput } from './notice';

const NEW_EXPERIMENT = '__tfx_ts_new_experiment__';
const NO_PROFILE = '';

type Row = { node: HTMLElement; error: HTMLElement };

export class ConnectionView {
  readonly node: HTMLElement;

  constructor(private readonly _controller: DeployController) {
    const model = _controller.model;
    this._endpoint = textInput('tfx-ts-endpoint', 'KFP endpoint', { type: 'url', placeholder: 'https://kubeflow.example.com/pipeline' });
    this._namespace = textInput('tfx-ts-namespace', 'Namespace', { placeholder: 'kubeflow-user (optional)' });
    this._authMode = h('select', { id: 'tfx-ts-auth-mode', class: 'tfx-DeployPanel-select', 'aria-label': 'Authentication' });
    for (const mode of AUTH_MODES) {
      this._authMode.appendChild(h('option', { value: mode.value }, mode.label));
    }
    this._token = textInput('tfx-ts-token', 'Bearer token', { type: 'password', placeholder: 'token (kept in memory only)' });
    this._cookie = textInput('tfx-ts-cookie', 'Cookie', { type: 'password', placeholder: 'authservice_session=… (kept in memory only)' });
    this._tokenPath = textInput('tfx-ts-token-path', 'Service-account token path', { placeholder: '/var/run/secrets/kubeflow/pipelines/token' });
    this._experiment = h('select', { id: 'tfx-ts-experiment', class: 'tfx-DeployPanel-select', 'aria-label': 'Experiment' });
    this._newExperiment = textInput('tfx-ts-new-experiment', 'New experiment name', { placeholder: 'new experiment name' });
    this._pipelineName = textInput('tfx-ts-pipeline-name', 'Pipeline name', { placeholder: 'from the notebook' });
    this._image = textInput('tfx-ts-image', 'Image', { placeholder: 'default tfx-ts image' });
    const loadExperiments = h('button', {
      class: 'jp-Button jp-mod-minimal tfx-DeployPanel-iconButton',
      type: 'button',
      title: 'Load the experiments from KFP',
      'aria-label': 'Load experiments',
      onclick: () => void this._controller.listExperiments()
    });
    refreshIcon.element({ container: loadExperiments, tag: 'span' });

    // Named endpoint profiles (Elyra's runtime configurations): pick one to fill the connection.
    this._profile = h('select', { id: 'tfx-ts-profile', class: 'tfx-DeployPanel-select', 'aria-label': 'Profile' });
    this._profile.addEventListener('change', () => {
      const name = this._profile.value;
      if (name !== NO_PROFILE) {
        void model.applyProfile(name).then(() => this._controller.fieldEdited('endpoint'));
      }
    });
    const saveProfile = h('button', {
      class: 'jp-Button jp-mod-minimal tfx-DeployPanel-iconButton',
      type: 'button',
      title: 'Save endpoint, namespace, authentication and image as a profile (never the token)',
      'aria-label': 'Save profile',
      onclick: () => void this._saveProfile()
    });
    saveIcon.element({ container: saveProfile, tag: 'span' });
    this._deleteProfile = h('button', {
      class: 'jp-Button jp-mod-minimal tfx-DeployPanel-iconButton',
      type: 'button',
      title: 'Delete this profile (the fields keep their values)',
      'aria-label': 'Delete profile',
      onclick: () => {
        const name = model.values.activeProfile;
        if (name) {
          void model.deleteProfile(name);
        }
      }
    });
    closeIcon.element({ container: this._deleteProfile, tag: 'span' });

    this._rows = {
      profile: field('tfx-ts-profile', 'Profile', h('div', { class: 'tfx-DeployPanel-inline' }, selectWrap(this._profile), saveProfile, this._deleteProfile)),
      endpoint: field('tfx-ts-endpoint', 'KFP endpoint', this._endpoint),
      namespace: field('tfx-ts-namespace', 'Namespace', this._namespace),
      authMode: field('tfx-ts-auth-mode', 'Authentication', selectWrap(this._authMode)),
      token: field('tfx-ts-token', 'Bearer token', this._token, 'Kept in memory for this session only; never saved.'),
      cookie: field('tfx-ts-cookie', 'Cookie', this._cookie, 'Kept in memory for this session only; never saved.'),
      tokenPath: field('tfx-ts-token-path', 'Token file', this._tokenPath, 'Empty: KF_PIPELINES_SA_TOKEN_PATH in the kernel\'s environment.'),
      experiment: field('tfx-ts-experiment', 'Experiment', h('div', { class: 'tfx-DeployPanel-inline' }, selectWrap(this._experiment), loadExperiments)),
      newExperiment: field('tfx-ts-new-experiment', 'New experiment', this._newExperiment),
      pipelineName: field('tfx-ts-pipeline-name', 'Pipeline name', this._pipelineName),
      image: field('tfx-ts-image', 'Image', this._image)
    };
    this._experimentStatus = h('div', { class: 'tfx-DeployPanel-help', 'aria-live': 'polite' });
    this._experimentNotice = h('div', { class: 'tfx-DeployPanel-notices' });
    // Experiment problems show next to the experiment field (the cause), not under the buttons.
    this._rows.experiment.node.append(this._experimentStatus, this._experimentNotice);

    this.node = h(
      'div',
      { class: 'tfx-DeployPanel-form' },
      h('section', { class: 'tfx-DeployPanel-section' }, h('h3', null, 'Connection'), this._rows.profile.node, this._rows.endpoint.node, this._rows.namespace.node, this._rows.authMode.node, this._rows.token.node, this._rows.cookie.node, this._rows.tokenPath.node),
      h('section', { class: 'tfx-DeployPanel-section' }, h('h3', null, 'Pipeline'), this._rows.experiment.node, this._rows.newExperiment.node, this._rows.pipelineName.node, this._rows.image.node)
    );

    // Settings are saved as typed (debounced) and when a field is left.
    const persist = (el: HTMLInputElement, key: keyof Pick<IDeploySettings, 'endpoint' | 'namespace' | 'tokenPath' | 'image'>, fieldKey = key) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const save = () => {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        void model.set(key, el.value.trim());
        this._renderProfiles();
      };
      el.addEventListener('input', () => {
        this._controller.fieldEdited(fieldKey);
        if (timer !== undefined) {
          clearTimeout(timer);
        }
        timer = setTimeout(save, 400);
      });
      el.addEventListener('change', save);
    };
    persist(this._endpoint, 'endpoint');
    persist(this._namespace, 'namespace');
    persist(this._tokenPath, 'tokenPath');
    persist(this._image, 'image');
    this._authMode.addEventListener('change', () => {
      void model.set('authMode', this._authMode.value as AuthMode);
      this._renderProfiles();
      this._showAuthFields();
    });
    this._token.addEventListener('input', () => {
      model.secrets.token = this._token.value;
      this._controller.fieldEdited('token');
    });
    this._cookie.addEventListener('input', () => {
      model.secrets.cookie = this._cookie.value;
      this._controller.fieldEdited('cookie');
    });
    this._experiment.addEventListener('change', () => {
      if (this._experiment.value === NEW_EXPERIMENT) {
        this._controller.newExperiment(this._newExperiment.value);
        this._newExperiment.focus();
      } else {
        this._controller.selectExperiment(this._experiment.value);
      }
    });
    this._newExperiment.addEventListener('input', () => this._controller.setNewExperimentName(this._newExperiment.value));
    this._pipelineName.addEventListener('change', () => this._controller.setPipelineName(this._pipelineName.value));

    _controller.changed.connect(this._onChanged, this);
    model.settingsChanged.connect(this._fill, this);
    _controller.target.pipelineChanged.connect(this._renderPipelineName, this);
    this._fill();
    this._renderPipelineName();
  }

  dispose(): void {
    this._controller.changed.disconnect(this._onChanged, this);
    this._controller.model.settingsChanged.disconnect(this._fill, this);
    this._controller.target.pipelineChanged.disconnect(this._renderPipelineName, this);
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'fields') {
      this._renderErrors();
    } else if (kind === 'experiments') {
      this._renderExperiments();
    } else if (kind === 'notebookState') {
      this._renderPipelineName();
    }
  }

  /** Put the settings' values into the fields (not into a field being edited). */
  private _fill(): void {
    const v = this._controller.model.values;
    const set = (el: HTMLInputElement | HTMLSelectElement, value: string) => {
      if (document.activeElement !== el && el.value !== value) {
        el.value = value;
      }
    };
    set(this._endpoint, v.endpoint);
    set(this._namespace, v.namespace);
    set(this._authMode, v.authMode);
    set(this._tokenPath, v.tokenPath);
    set(this._image, v.image);
    // Picking another profile forgets the secrets (model.applyProfile): show that.
    set(this._token, this._controller.model.secrets.token);
    set(this._cookie, this._controller.model.secrets.cookie);
    this._renderProfiles();
    this._renderExperiments();
    this._showAuthFields();
  }

  /** The Profile field: the saved profiles; the active one marked "(changed)" once a field differs from it. */
  private _renderProfiles(): void {
    const model = this._controller.model;
    const active = model.values.activeProfile;
    const unchanged = model.activeProfile;
    const options = [h('option', { value: NO_PROFILE }, model.profiles.length ? 'No profile' : 'No profile saved')];
    for (const p of model.profiles) {
      const changed = p.name === active && !unchanged;
      options.push(h('option', { value: p.name, title: `${p.endpoint || 'no endpoint'} · ${p.namespace || 'no namespace'} · ${p.authMode}` }, changed ? `${p.name} (changed)` : p.name));
    }
    replaceChildren(this._profile, options);
    this._profile.value = model.profiles.some(p => p.name === active) ? active : NO_PROFILE;
    this._deleteProfile.disabled = this._profile.value === NO_PROFILE;
  }

  private async _saveProfile(): Promise<void> {
    const model = this._controller.model;
    const result = await InputDialog.getText({
      title: 'Save endpoint profile',
      label: 'Profile name (endpoint, namespace, authentication and image; never the token)',
      text: model.values.activeProfile || '',
      placeholder: 'e.g. staging cluster',
      okLabel: 'Save'
    });
    if (result.button.accept && result.value?.trim()) {
      await model.saveProfile(result.value);
    }
  }

  private _showAuthFields(): void {
    const mode = this._authMode.value as AuthMode;
    this._rows.token.node.hidden = mode !== 'bearer';
    this._rows.cookie.node.hidden = mode !== 'cookie';
    this._rows.tokenPath.node.hidden = mode !== 'serviceAccount';
  }

  private _renderPipelineName(): void {
    const c = this._controller;
    this._pipelineName.placeholder = c.target.pipeline?.pipelineName || 'from the notebook';
    if (document.activeElement !== this._pipelineName) {
      this._pipelineName.value = c.notebookState.pipelineName;
    }
  }

  private _renderExperiments(): void {
    const c = this._controller;
    const selected = c.model.values.experimentName;
    const names = c.experiments.map(e => e.name);
    if (selected && !names.includes(selected)) {
      names.unshift(selected);
    }
    replaceChildren(this._experiment, names.map(name => h('option', { value: name }, name)), h('option', { value: NEW_EXPERIMENT }, 'New experiment…'));
    this._experiment.value = c.isNewExperiment || !selected ? NEW_EXPERIMENT : selected;
    this._rows.newExperiment.node.hidden = this._experiment.value !== NEW_EXPERIMENT;
    this._experimentStatus.textContent = c.experimentsStatus;
    this._experimentStatus.hidden = !c.experimentsStatus;
    replaceChildren(this._experimentNotice, c.experimentsNotice ? renderNotice(c.experimentsNotice) : null);
  }

  private _renderErrors(): void {
    const errors = this._controller.fieldErrors;
    for (const [key, row] of Object.entries(this._rows)) {
      const fieldKey = key === 'newExperiment' ? 'experiment' : key;
      markField(row, key === 'experiment' && !this._rows.newExperiment.node.hidden ? undefined : errors[fieldKey]);
    }
    const first = this.node.querySelector<HTMLElement>('.tfx-mod-invalid input, .tfx-mod-invalid select');
    if (first && !this.node.contains(document.activeElement)) {
      first.focus();
    }
  }

  private _rows: Record<string, Row>;
  private _profile: HTMLSelectElement;
  private _deleteProfile: HTMLButtonElement;
  private _endpoint: HTMLInputElement;
  private _namespace: HTMLInputElement;
  private _authMode: HTMLSelectElement;
  private _token: HTMLInputElement;
  private _cookie: HTMLInputElement;
  private _tokenPath: HTMLInputElement;
  private _experiment: HTMLSelectElement;
  private _newExperiment: HTMLInputElement;
  private _pipelineName: HTMLInputElement;
  private _image: HTMLInputElement;
  private _experimentStatus: HTMLElement;
  private _experimentNotice: HTMLElement;
}

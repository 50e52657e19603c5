/**
 * DeployModel's endpoint profiles (Elyra's runtime configurations) against a settings object that
 * behaves like JupyterLab's ISettings (composite values, set(), changed signal): saved, picked,
 * marked changed, deleted; secrets never in them and forgotten when another cluster is picked.
 */
import { Signal } from '@lumino/signaling';

import { DeployModel } from './model';

/** The part of ISettings the model uses; `user` is what JupyterLab would write to disk. */
class FakeSettings {
  user: Record<string, unknown> = {};
  changed = new Signal<this, void>(this);
  get composite(): Record<string, unknown> {
    return { ...this.user };
  }
  async set(key: string, value: unknown): Promise<void> {
    await Promise.resolve();
    this.user = { ...this.user, [key]: JSON.parse(JSON.stringify(value)) };
    this.changed.emit();
  }
}

function model(settings = new FakeSettings()): { model: DeployModel; settings: FakeSettings } {
  return { model: new DeployModel(settings as any, null), settings };
}

describe('endpoint profiles', () => {
  test('save the connection as a profile, without secrets, and pick it back', async () => {
    const { model: m, settings } = model();
    await m.set('endpoint', 'https://staging.example.com/pipeline');
    await m.set('namespace', 'team-a');
    await m.set('authMode', 'bearer');
    m.secrets.token = 'secret-token';
    const saved = await m.saveProfile('  staging ');
    expect(saved).toEqual({ name: 'staging', endpoint: 'https://staging.example.com/pipeline', namespace: 'team-a', authMode: 'bearer', tokenPath: '', image: '' });
    expect(m.activeProfile?.name).toBe('staging');
    expect(JSON.stringify(settings.user)).not.toContain('secret-token');

    await m.set('endpoint', 'http://127.0.0.1:8888');
    await m.set('authMode', 'none');
    // The fields no longer match the profile: the panel shows it as changed.
    expect(m.activeProfile).toBeNull();
    expect(m.values.activeProfile).toBe('staging');
    await m.saveProfile('local');
    expect(m.profiles.map(p => p.name)).toEqual(['local', 'staging']);

    await m.applyProfile('staging');
    expect(m.values).toMatchObject({ endpoint: 'https://staging.example.com/pipeline', namespace: 'team-a', authMode: 'bearer', activeProfile: 'staging' });
    // Another cluster: the token typed for the previous one is not sent there.
    expect(m.secrets.token).toBe('');
    expect(settings.user).toMatchObject({ endpoint: 'https://staging.example.com/pipeline', activeProfile: 'staging' });
  });

  test('a profile of the same name is replaced; deleting keeps the fields', async () => {
    const { model: m } = model();
    await m.set('endpoint', 'http://a');
    await m.saveProfile('cluster');
    await m.set('endpoint', 'http://b');
    await m.saveProfile('cluster');
    expect(m.profiles).toEqual([expect.objectContaining({ name: 'cluster', endpoint: 'http://b' })]);
    await m.deleteProfile('cluster');
    expect(m.profiles).toEqual([]);
    expect(m.values.activeProfile).toBe('');
    expect(m.values.endpoint).toBe('http://b');
  });

  test('profiles from the settings editor are read; bad input says what to do', async () => {
    const settings = new FakeSettings();
    settings.user = { profiles: [{ name: 'prod', endpoint: 'https://prod/pipeline', namespace: '', authMode: 'cookie', tokenPath: '', image: 'reg/img:1' }] };
    const { model: m } = model(settings);
    expect(m.profiles.map(p => p.name)).toEqual(['prod']);
    await m.applyProfile('prod');
    expect(m.values.image).toBe('reg/img:1');
    await expect(m.saveProfile('  ')).rejects.toThrow(/Name the profile/);
    await expect(m.applyProfile('nope')).rejects.toThrow(/No profile named "nope"/);
  });
});

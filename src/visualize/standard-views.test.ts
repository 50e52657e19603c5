import { standardArtifacts, Artifact } from '../dsl/artifact';
import { hasView, registerView, renderArtifacts } from './registry';
import { registerStandardViews } from './standard-views';

describe('registerStandardViews', () => {
  it('registers nothing on import, every standard view when called, and keeps a view the user registered', async () => {
    expect(hasView('ExampleStatistics')).toBe(false);
    registerView('Schema', async () => ({ 'text/html': '<p>mine</p>' }));
    registerStandardViews();
    for (const type of [
      'ExampleStatistics',
      'Schema',
      'ExampleAnomalies',
      'TransformGraph',
      'Model',
      'ModelRun',
      'ModelEvaluation',
      'ModelBlessing',
      'FeatureSelection',
    ]) {
      expect(hasView(type)).toBe(true);
    }
    const schema = new Artifact(standardArtifacts.Schema, '/nowhere');
    expect(await renderArtifacts([schema])).toEqual({ 'text/html': '<p>mine</p>' });
  });
});

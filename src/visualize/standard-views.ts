import { anomaliesView } from './anomalies-view';
import { blessingView, evaluationView } from './evaluation-view';
import { featureSelectionView } from './feature-selection-view';
import { modelRunView, modelView } from './model-view';
import { ArtifactView, hasView, registerView } from './registry';
import { schemaView } from './schema-view';
import { statisticsView } from './statistics-view';
import { transformGraphView } from './transform-view';

/**
 * Registers the views of the standard artifact types, so `context.show(channel)` renders them.
 * Called explicitly by whoever shows artifacts (InteractiveContext's constructor); nothing
 * registers on import. A type that already has a view (the user's registerView) keeps it, so
 * calling this again is harmless.
 */
export function registerStandardViews(): void {
  const standard: [string, ArtifactView][] = [
    ['ExampleStatistics', statisticsView],
    ['Schema', schemaView],
    ['ExampleAnomalies', anomaliesView],
    ['TransformGraph', transformGraphView],
    ['Model', modelView],
    ['ModelRun', modelRunView],
    ['ModelEvaluation', evaluationView],
    ['ModelBlessing', blessingView],
    ['FeatureSelection', featureSelectionView],
  ];
  for (const [typeName, view] of standard) if (!hasView(typeName)) registerView(typeName, view);
}

/**
 * Registers the views of the standard artifact types. Imported by src/index.ts for its side
 * effect, so `context.show(statisticsGen.outputs.statistics)` renders them.
 */
import { anomaliesView } from './anomalies-view';
import { schemaView } from './schema-view';
import { statisticsView } from './statistics-view';
import { registerView } from './registry';

registerView('ExampleStatistics', statisticsView);
registerView('Schema', schemaView);
registerView('ExampleAnomalies', anomaliesView);

/**
 * `tfx-ts/tfdv`: TensorFlow Data Validation — statistics, schema inference, validation, the file
 * formats (TFDV's JSON and schema.pbtxt), and the views and report of them.
 */
export { generateStatistics, statisticsOfRelation } from '../stats/generate';
export type { GenerateOptions, StatisticsInput } from '../stats/generate';
export { loadStatistics, loadSplitStatistics, readStatistics, writeStatistics, parseStatisticsList } from '../stats/io';
export type * from '../stats/types';
export { inferSchema } from '../schema/infer';
export { readSchema, writeSchema, loadSchema, parseSchema } from '../schema/io';
export { parseSchemaText, formatSchemaText } from '../schema/pbtxt';
export type * from '../schema/types';
export { validateStatistics, updateSchema } from '../validation/validate';
export { loadAnomalies, readAnomalies, writeAnomalies } from '../validation/io';
export type * from '../validation/types';
export { statisticsBundle } from '../visualize/statistics-view';
export type { LabeledStatistics } from '../visualize/statistics-model';
export { schemaBundle } from '../visualize/schema-view';
export { anomaliesBundle } from '../visualize/anomalies-view';
export type { SplitAnomalies } from '../visualize/anomalies-view';
export { buildReport } from '../visualize/report';
export type { ReportInput } from '../visualize/report';

/**
 * `tfx-ts/transform`: TensorFlow Transform — the `tft` analyzers a preprocessingFn calls, the one
 * applyTransformGraph that Transform, Trainer, Evaluator and serving share, and TransformOutput.
 */
export { tft, Column } from '../transform/tft';
export type { Tft, PreprocessingFn, PreprocessingInputs, ColumnLike, VocabularyOptions } from '../transform/tft';
export { applyTransformGraph, RawInputError } from '../transform/apply';
export type { RawRow, RawColumns, TransformedBatch } from '../transform/apply';
export type { TransformGraph, DType } from '../transform/graph';
export { TransformOutput } from '../transform/transform-output';
export { readExampleRows } from '../transform/example-io';

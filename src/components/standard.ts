import { Evaluator } from './evaluator/component';
import { CsvExampleGen, QueryExampleGen } from './example_gen/component';
import { ExampleValidator } from './example_validator/component';
import { FeatureSelector } from './feature_selector/component';
import { Pusher } from './pusher/component';
import { Resolver } from './resolver/component';
import { PushedModelResolver } from './resolver/pushed-model';
import { ImportSchemaGen, SchemaGen } from './schema_gen/component';
import { StatisticsGen } from './statistics_gen/component';
import { Trainer } from './trainer/component';
import { Transform } from './transform/component';

/**
 * Every standard component. defineComponent records each type as its module loads, so the
 * container entrypoint's CLI command imports this module before it looks a task's type up
 * (componentSpecByType); the orchestrator itself never names a component.
 */
export const STANDARD_COMPONENTS = [
  CsvExampleGen,
  QueryExampleGen,
  StatisticsGen,
  SchemaGen,
  ImportSchemaGen,
  ExampleValidator,
  Transform,
  FeatureSelector,
  Trainer,
  Evaluator,
  Resolver,
  PushedModelResolver,
  Pusher,
] as const;

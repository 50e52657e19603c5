"""One side of bench/tfx/taxi.ts: TFX's own Chicago taxi pipeline in TFX's InteractiveContext
(Beam DirectRunner in process, Keras), one component after the other, timed per component.
Writes a JSON summary (times, and the numbers compared with tfx-ts).

    python tfx_taxi.py <pipeline root> <summary.json> [cold|cached]

"cached" (a second run on the same root) leaves out the Resolver and the Evaluator's baseline: the
Resolver would return the cold run's blessed model, i.e. the cached candidate itself, and TFX 1.16's
legacy launcher fails registering an execution with one artifact as two inputs (MLMD
AlreadyExistsError on the Event table, then an AssertionError in metadata.register_execution).

The module file is TFX's own, used where pip installed it (not copied):
tfx/examples/chicago_taxi_pipeline/taxi_utils_native_keras.py of TFX 1.16.0 (preprocessing_fn and
run_fn: wide & deep Keras model, batch 40, hidden units 100-70-49-34). The components and their
arguments are those of taxi_pipeline_native_keras.py beside it (Trainer 1000 train / 150 eval
steps); the eval config is bench/tfx/eval-config.json, which tfx-ts reads too.
"""
import builtins
import json
import os
import resource
import sys
import time

# TFX 1.16's taxi module builds its model with tf.keras the Keras 2 way; on TF 2.16 tf.keras is
# Keras 3 unless this is set (then it is tf-keras 2.16, which requirements/tfx.txt pins).
os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

import psutil

import tensorflow_model_analysis as tfma
from google.protobuf import json_format
from tfx.components import (CsvExampleGen, Evaluator, ExampleValidator, Pusher,
                            SchemaGen, StatisticsGen, Trainer, Transform)
from tfx.dsl.components.common import resolver
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import \
    LatestBlessedModelStrategy
from tfx.examples.chicago_taxi_pipeline import taxi_utils_native_keras
from tfx.orchestration.experimental.interactive.interactive_context import \
    InteractiveContext
from tfx.orchestration import metadata
from tfx.proto import pusher_pb2, trainer_pb2
from tfx.types import Channel
from tfx.types.standard_artifacts import Model, ModelBlessing

# The interpreter's start-up and the imports (TF, Beam, TFX), from the process's creation.
_startup_seconds = time.time() - psutil.Process().create_time()


def main(pipeline_root: str, summary_path: str, phase: str = 'cold') -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    repo_root = os.path.dirname(os.path.dirname(here))
    data_root = os.path.join(os.path.dirname(repo_root), 'shared', 'data', 'chicago_taxi', 'simple')
    module_file = taxi_utils_native_keras.__file__
    with open(os.path.join(here, 'eval-config.json')) as f:
        eval_config = json_format.ParseDict(json.load(f), tfma.EvalConfig())

    # InteractiveContext.run is a no-op outside IPython (notebook_utils.requires_ipython checks this
    # flag, which IPython sets): this script stands in for the notebook kernel.
    builtins.__IPYTHON__ = True
    context = InteractiveContext(pipeline_name='taxi', pipeline_root=pipeline_root)
    times = []

    def run(component):
        t = time.perf_counter()
        result = context.run(component)
        times.append({'component': component.id, 'seconds': time.perf_counter() - t,
                      'state': _state(context, result.execution_id)})
        return result

    example_gen = CsvExampleGen(input_base=data_root)
    run(example_gen)
    statistics_gen = StatisticsGen(examples=example_gen.outputs['examples'])
    run(statistics_gen)
    schema_gen = SchemaGen(statistics=statistics_gen.outputs['statistics'], infer_feature_shape=True)
    run(schema_gen)
    example_validator = ExampleValidator(statistics=statistics_gen.outputs['statistics'],
                                         schema=schema_gen.outputs['schema'])
    run(example_validator)
    transform = Transform(examples=example_gen.outputs['examples'], schema=schema_gen.outputs['schema'],
                          module_file=module_file)
    run(transform)
    trainer = Trainer(module_file=module_file, examples=transform.outputs['transformed_examples'],
                      transform_graph=transform.outputs['transform_graph'], schema=schema_gen.outputs['schema'],
                      train_args=trainer_pb2.TrainArgs(num_steps=1000),
                      eval_args=trainer_pb2.EvalArgs(num_steps=150))
    run(trainer)
    baseline = {}
    if phase == 'cold':
        model_resolver = resolver.Resolver(
            strategy_class=LatestBlessedModelStrategy, model=Channel(type=Model),
            model_blessing=Channel(type=ModelBlessing)).with_id('latest_blessed_model_resolver')
        run(model_resolver)
        baseline = {'baseline_model': model_resolver.outputs['model']}
    evaluator = Evaluator(examples=example_gen.outputs['examples'], model=trainer.outputs['model'],
                          eval_config=eval_config, **baseline)
    run(evaluator)
    pusher = Pusher(model=trainer.outputs['model'], model_blessing=evaluator.outputs['blessing'],
                    push_destination=pusher_pb2.PushDestination(
                        filesystem=pusher_pb2.PushDestination.Filesystem(
                            base_directory=os.path.join(pipeline_root, 'serving_model'))))
    run(pusher)

    def uri(component, key):
        return component.outputs[key].get()[0].uri

    pushed_model = pusher.outputs['pushed_model'].get()[0]
    with open(summary_path, 'w') as f:
        json.dump({
            'side': 'TFX',
            'startupSeconds': _startup_seconds,
            'components': times,
            # ru_maxrss is in KiB on Linux; children: Beam/TF do not fork here (in-process DirectRunner).
            'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            'artifacts': {
                'statistics': uri(statistics_gen, 'statistics'),
                'schema': uri(schema_gen, 'schema'),
                'anomalies': uri(example_validator, 'anomalies'),
                'evaluation': uri(evaluator, 'evaluation'),
                'blessing': uri(evaluator, 'blessing'),
                'pushedModel': pushed_model.uri,
                'pushed': pushed_model.get_int_custom_property('pushed') == 1,
            },
        }, f, indent=2)


def _state(context, execution_id: int) -> str:
    # TFX's legacy launcher records 'complete' or 'cached' in the execution's 'state' property.
    with metadata.Metadata(context.metadata_connection_config) as m:
        execution = m.store.get_executions_by_id([execution_id])[0]
    return execution.properties['state'].string_value.upper()


if __name__ == '__main__':
    main(*sys.argv[1:4])

"""TFDV's generate_statistics_from_csv on one file (Beam DirectRunner, in-process), for bench/tfx/stats.ts.
Usage: python tfdv_stats.py <file.csv> <output.pb>"""
import sys

import tensorflow_data_validation as tfdv
from apache_beam.options.pipeline_options import PipelineOptions

stats = tfdv.generate_statistics_from_csv(
    data_location=sys.argv[1], output_path=sys.argv[2],
    pipeline_options=PipelineOptions(["--runner=DirectRunner"]))
print(stats.datasets[0].num_examples)

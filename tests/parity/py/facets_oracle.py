"""TFDV's side of tests/parity/facets.test.ts: tfdv.visualize_statistics on our FeatureStats.pb.
visualize_statistics displays get_statistics_html's output (IPython.display.HTML); the HTML is what
a notebook gets, so this returns it as is, for one dataset and for a comparison (lhs vs rhs).

Request: {"lhs": our .pb, "rhs": our .pb}   Response: {"single": html, "comparison": html}
"""
import json
import sys

import tensorflow_data_validation as tfdv
from tensorflow_data_validation.utils import display_util


def main(request_file: str, response_file: str) -> None:
    with open(request_file) as f:
        request = json.load(f)
    lhs = tfdv.load_stats_binary(request['lhs'])
    rhs = tfdv.load_stats_binary(request['rhs'])
    with open(response_file, 'w') as f:
        json.dump({
            'single': display_util.get_statistics_html(lhs),
            'comparison': display_util.get_statistics_html(lhs, rhs, lhs_name='train', rhs_name='eval'),
        }, f)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

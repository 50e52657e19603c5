"""Baseline for bench/serve: the same 64-32-1 MLP in scikit-learn behind Python's ThreadingHTTPServer,
answering TF Serving-shaped single-row predicts ({"instances": [{"f0": ..., ..., "f19": ...}]}).

usage: .venv/bench/bin/python sklearn_server.py <csv>   (prints "port <n>" when ready)
"""
import json
import sys
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)
FEATURES = [f"f{i}" for i in range(20)]
data = pd.read_csv(sys.argv[1], nrows=20000)
model = MLPClassifier(hidden_layer_sizes=(64, 32), batch_size=256, max_iter=1, random_state=0)
model.fit(data[FEATURES].to_numpy(dtype=np.float32), data["label"].to_numpy())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without TCP_NODELAY every keep-alive response
    # waits ~40 ms for a delayed ACK, which would measure TCP, not scikit-learn.
    disable_nagle_algorithm = True

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        x = np.array([[row[f] for f in FEATURES] for row in body["instances"]], dtype=np.float32)
        out = json.dumps({"predictions": model.predict_proba(x)[:, 1:].tolist()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
server.serve_forever()

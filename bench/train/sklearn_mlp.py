"""scikit-learn side of bench/train: the same DNN as bench/train/model.ts, timed around fit() only.

usage: .venv/bench/bin/python sklearn_mlp.py <csv> <repeat>   (prints one JSON line)
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)
csv, repeat = sys.argv[1], int(sys.argv[2])
data = pd.read_csv(csv)
X = data[[f"f{i}" for i in range(20)]].to_numpy(dtype=np.float32)
y = data["label"].to_numpy()
seconds = []
cpu_seconds = []
accuracy = None
for run in range(repeat):
    model = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", learning_rate_init=1e-3,
                          batch_size=256, max_iter=2, shuffle=True, random_state=run, tol=0.0, n_iter_no_change=10**9)
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(X, y)
    seconds.append(time.perf_counter() - started)
    cpu_seconds.append(time.process_time() - cpu_started)
    accuracy = float(model.score(X, y))
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "examples": int(2 * len(y)), "train_accuracy": accuracy, "sklearn": sklearn.__version__, "numpy": np.__version__}))

"""scikit-learn side of bench/train's taxi section: an MLP with the taxi model's hidden layers
(100-70-50-25, Adam 0.005, batch 40) on the same transformed features as tfx-ts's Trainer — the
three z-scores plus a one-hot encoding of the 13 categorical features (the wide part's inputs,
4,346 columns, sparse) — for the same number of examples (4 passes ≈ 1,000 steps of 40). Timed
around fit() only.

usage: .venv/bench/bin/python sklearn_taxi.py <train.csv> <eval.csv> <features.json> <repeat> <seed>   (prints one JSON line)
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)
train_csv, eval_csv, features_json, repeat, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
spec = json.load(open(features_json))


def features(frame):
    numeric = sp.csr_matrix(frame[spec["numeric"]].to_numpy(dtype=np.float32))
    blocks = [numeric]
    for name, size in spec["categorical"]:
        ids = frame[name].to_numpy().astype(np.int64)
        blocks.append(sp.csr_matrix((np.ones(len(ids), dtype=np.float32), (np.arange(len(ids)), ids)), shape=(len(ids), size)))
    return sp.hstack(blocks, format="csr"), frame[spec["label"]].to_numpy().astype(np.int64)


X, y = features(pd.read_csv(train_csv))
X_eval, y_eval = features(pd.read_csv(eval_csv))
epochs = spec["epochs"]
seconds = []
cpu_seconds = []
accuracy = None
for run in range(repeat):
    model = MLPClassifier(hidden_layer_sizes=(100, 70, 50, 25), activation="relu", solver="adam", learning_rate_init=0.005,
                          batch_size=40, max_iter=epochs, shuffle=True, random_state=seed + run, tol=0.0, n_iter_no_change=10**9)
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(X, y)
    seconds.append(time.perf_counter() - started)
    cpu_seconds.append(time.process_time() - cpu_started)
    accuracy = float(model.score(X_eval, y_eval))
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "examples": int(epochs * X.shape[0]), "columns": int(X.shape[1]), "eval_accuracy": accuracy, "sklearn": sklearn.__version__}))

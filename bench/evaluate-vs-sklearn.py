#!/usr/bin/env python3
"""`tandem evaluate` vs scikit-learn on the same labelled rows: throughput.

The titanic example (1,309 rows) repeated to 65,450 rows is evaluated by
- Tandem: `target/release/tandem evaluate --model <titanic bundle> --data <file> --json
  --no-record`, timed from the outside: process start, bundle load, reading the CSV,
  predicting every row, every metric (a cold command, as a user runs it);
- scikit-learn: bench/mlflow_peer.py's pipeline (fitted once, not timed),
  then `pd.read_csv`, `predict_proba` and the same metrics with sklearn.metrics (accuracy,
  balanced accuracy, macro and weighted F1, log loss, ROC AUC, average precision, Brier,
  confusion matrix, calibration curve), timed in-process (Python's start and imports excluded:
  in Tandem's favour for sklearn).
Best of 3 each; writes bench/results/evaluate-vs-sklearn.json.

    cargo build --release -p tandem-cli && tests/parity/prepare.sh && python3 bench/evaluate-vs-sklearn.py
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.calibration import calibration_curve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from mlflow_peer import FIELDS, titanic_pipeline  # noqa: E402  (the serving benchmark's peer)
REPEAT = 50
RUNS = 3


def tandem_binary():
    for build in ("release", "debug"):
        path = ROOT / "target" / build / "tandem"
        if path.exists():
            return path, build
    sys.exit("build tandem first: cargo build --release -p tandem-cli")


def titanic_bundle():
    summary = json.loads((ROOT / "target/parity/titanic/summary.json").read_text())
    run_dir = Path(summary["run_dir"])
    return (run_dir if run_dir.is_absolute() else ROOT / run_dir) / "artifacts/model/model.tandem"


def sklearn_model(df):
    return titanic_pipeline().fit(df[FIELDS], df["survived"])


def sklearn_evaluate(model, path):
    df = pd.read_csv(path)
    probs = model.predict_proba(df[FIELDS])
    classes = list(model.classes_)
    y = np.array([classes.index(v) for v in df["survived"]])
    predicted = probs.argmax(axis=1)
    return {
        "accuracy": metrics.accuracy_score(y, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, predicted),
        "f1_macro": metrics.f1_score(y, predicted, average="macro"),
        "f1_weighted": metrics.f1_score(y, predicted, average="weighted"),
        "log_loss": metrics.log_loss(y, y_proba=probs),
        "roc_auc": metrics.roc_auc_score(y, probs[:, 1]),
        "pr_auc": metrics.average_precision_score(y, probs[:, 1]),
        "brier": metrics.brier_score_loss(y, probs[:, 1]),
        "confusion": metrics.confusion_matrix(y, predicted).tolist(),
        "calibration": [v.tolist() for v in calibration_curve(y, probs[:, 1], n_bins=10)],
    }


def best(fn):
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    binary, build = tandem_binary()
    source = pd.read_csv(ROOT / "examples/data/titanic.csv")
    data = ROOT / "target/bench/evaluate/titanic-x50.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    pd.concat([source] * REPEAT, ignore_index=True).to_csv(data, index=False)
    rows = len(source) * REPEAT
    cmd = [str(binary), "evaluate", "--model", str(titanic_bundle()), "--data", str(data), "--json", "--no-record"]
    t_tandem, out = best(lambda: subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    evaluation = json.loads(out)["evaluation"]
    assert evaluation["scored"] == rows, evaluation["rejected"][:3]
    model = sklearn_model(source)
    t_sklearn, _ = best(lambda: sklearn_evaluate(model, data))
    result = {
        "rows": rows,
        "tandem_build": f"target/{build}",
        "runs": f"best of {RUNS}",
        "tandem_seconds": round(t_tandem, 4),
        "sklearn_seconds": round(t_sklearn, 4),
        "tandem_rows_per_second": round(rows / t_tandem),
        "sklearn_rows_per_second": round(rows / t_sklearn),
        "throughput_ratio": round(t_sklearn / t_tandem, 2),
        "note": "Tandem timed as a cold command (process start and bundle load included); "
                "scikit-learn in-process, imports and fitting excluded.",
    }
    out_file = ROOT / "bench/results/evaluate-vs-sklearn.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

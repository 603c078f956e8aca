#!/usr/bin/env python3
"""The Python package vs the scikit-learn pipeline, side by side in one process (issue 17).

The model: titanic, trained by `tandem train` (its default nodes: mean-imputed standardized
age, one-hot sex and class, TF-IDF of the name, MLP(32)); the peer: the same preprocessing and
network as scikit-learn writes them (bench/mlflow_peer.py's ColumnTransformer + MLPClassifier
(32)), fitted on the same training rows.

- batch: `Model.predict(df)` vs `pipeline.predict_proba(df)` on the same 1,000,000-row pandas
  DataFrame (titanic's 1,309 rows repeated; `pd.read_csv`'s dtypes), best of 3 each; Tandem's
  predictions are checked against `tandem predict` on the same rows (labels equal,
  probabilities within 1e-12) before anything is reported;
- one row: `Model.predict_one(dict)` (dict in, dict out), `Model.predict(dict)` (a one-row
  DataFrame out), median of 2,000 calls, and `pipeline.predict_proba(one-row DataFrame)`,
  median of 500 (10 ms each).

    scripts/build-python --release && cargo build --release -p tandem-cli
    python3 bench/python-vs-sklearn.py [--rows N]

Writes bench/results/python-vs-sklearn.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from mlflow_peer import FIELDS, fitted_peer, train_tandem  # noqa: E402

TANDEM = ROOT / "target" / "release" / "tandem"


def best_of(n, f):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def median_call(f, calls=2000):
    f()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def check_against_cli(bundle, frame, got, tmp):
    data, out = tmp / "rows.csv", tmp / "out.csv"
    frame.to_csv(data, index=False)
    subprocess.run([str(TANDEM), "predict", "--model", str(bundle), "--input", str(data), "--output", str(out)],
                   check=True, capture_output=True)
    want = pd.read_csv(out, keep_default_na=False)
    assert list(got["label"]) == list(want["prediction"]), "labels differ from tandem predict"
    for c in ("no", "yes"):
        gap = float(np.max(np.abs(got[f"probability_{c}"].to_numpy() - want[f"probability_{c}"].to_numpy())))
        assert gap <= 1e-12, f"probability_{c} differs from tandem predict by {gap}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    import sklearn
    import tandem_infer

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bundle = train_tandem(TANDEM, tmp / "runs")
        model = tandem_infer.Model.load(bundle)
        peer, df, _ = fitted_peer()
        frame = pd.concat([df[FIELDS]] * (args.rows // len(df) + 1), ignore_index=True).iloc[:args.rows]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tandem_s, got = best_of(3, lambda: model.predict(frame))
            peer_s, _ = best_of(3, lambda: peer.predict_proba(frame))
            check_against_cli(bundle, frame, got, tmp)
            one = df[FIELDS].iloc[0].to_dict()
            one_frame = pd.DataFrame([one])
            latency = {
                "tandem_predict_one_us": median_call(lambda: model.predict_one(one)) * 1e6,
                "tandem_predict_dict_to_dataframe_us": median_call(lambda: model.predict(one)) * 1e6,
                "sklearn_predict_proba_one_row_us": median_call(lambda: peer.predict_proba(one_frame), 500) * 1e6,
            }
    result = {
        "machine": f"{os.cpu_count()} cores",
        "rows": args.rows,
        "batch": {
            "tandem_s": round(tandem_s, 3), "sklearn_s": round(peer_s, 3),
            "tandem_rows_per_s": round(args.rows / tandem_s), "sklearn_rows_per_s": round(args.rows / peer_s),
            "speedup": round(peer_s / tandem_s, 2),
            "checked": "labels equal to tandem predict, probabilities within 1e-12",
        },
        "one_row": {k: round(v, 1) for k, v in latency.items()},
        "versions": {"tandem_infer": tandem_infer.__version__, "scikit-learn": sklearn.__version__,
                     "pandas": pd.__version__, "python": sys.version.split()[0]},
    }
    result["one_row"]["speedup_predict_one"] = round(
        latency["sklearn_predict_proba_one_row_us"] / latency["tandem_predict_one_us"], 1)
    out = ROOT / "bench" / "results" / "python-vs-sklearn.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

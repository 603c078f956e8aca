#!/usr/bin/env python3
"""Explaining one prediction: `tandem explain` (native) vs shap's Exact explainer on the
scikit-learn peer, same raw fields, same background rows.

The example model (titanic spec: name, sex, age, passengerClass) explains 200 held-out
passengers against the bundle's 32 background rows:
- Tandem: `target/release/tandem explain --model <bundle> --input <rows> --output <file>`, timed
  from the outside; per instance = (time for 200 rows - time for 1 row) / 199, and the 1-row
  command as a cold start (process, bundle load, one explanation);
- shap 0.51: `shap.explainers.Exact` with an `Independent` masker over the same 32 background
  rows (raw fields coded as numbers, as shap's maskers need) and a model function that decodes
  them into a DataFrame for bench/mlflow_peer.py's scikit-learn pipeline (`predict_proba`),
  timed in-process per instance (imports and fitting excluded: in shap's favour).
Both compute exact Shapley values over the 4 raw fields (16 coalitions x 32 rows). Best of 3;
writes bench/results/explain-vs-shap.json.

    cargo build --release -p tandem-cli && tests/parity/prepare.sh && python3 bench/explain-vs-shap.py
"""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shap

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from mlflow_peer import FIELDS, titanic_pipeline  # noqa: E402
RUNS = 3
ROWS = 200
SHAP_ROWS = 20


def tandem_binary():
    for build in ("release", "debug"):
        path = ROOT / "target" / build / "tandem"
        if path.exists():
            return path, build
    sys.exit("build tandem first: cargo build --release -p tandem-cli")


def bundle():
    summary = json.loads((ROOT / "target/parity/titanic_spec/summary.json").read_text())
    run_dir = Path(summary["run_dir"])
    return (run_dir if run_dir.is_absolute() else ROOT / run_dir) / "artifacts/model/model.tandem"


def best(fn):
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    binary, build = tandem_binary()
    model = bundle()
    info = json.loads(subprocess.run([binary, "inspect", model], capture_output=True, check=True, text=True).stdout)
    background = pd.DataFrame(info["background"]["rows"], columns=info["background"]["fields"])[FIELDS]
    data = pd.read_csv(ROOT / "examples/data/titanic.csv")
    rows = data[FIELDS].iloc[::max(1, len(data) // ROWS)].head(ROWS).reset_index(drop=True)
    out = {"machine": subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip(), "tandem_build": build}

    with tempfile.TemporaryDirectory() as d:
        many, one = Path(d) / "rows.csv", Path(d) / "one.csv"
        rows.to_csv(many, index=False)
        rows.head(1).to_csv(one, index=False)
        run = lambda f: subprocess.run([binary, "explain", "--model", model, "--input", f, "--output", Path(d) / "e.jsonl"], check=True, capture_output=True)
        t_one = best(lambda: run(one))
        t_many = best(lambda: run(many))
    out["tandem_cold_one_ms"] = t_one * 1000
    out["tandem_per_instance_ms"] = (t_many - t_one) / (ROWS - 1) * 1000

    # The peer: the scikit-learn pipeline fitted on the training rows (not timed).
    pipeline = titanic_pipeline().fit(data[FIELDS], data["survived"])
    yes = list(pipeline.classes_).index("yes")
    both = pd.concat([background, rows], ignore_index=True).astype(object).where(lambda x: x.notna(), None)
    values = [sorted({repr(v) for v in both[f]}) for f in FIELDS]
    lookup = [{repr(v): v for v in both[f]} for f in FIELDS]
    code = lambda df: np.array([[values[j].index(repr(v)) for j, v in enumerate(r)] for r in df.astype(object).where(df.notna(), None).itertuples(index=False)], dtype=float)

    def f(codes):
        frame = pd.DataFrame([[lookup[j][values[j][int(c)]] for j, c in enumerate(r)] for r in codes], columns=FIELDS)
        frame["age"] = frame["age"].astype(float)
        return pipeline.predict_proba(frame)[:, yes]

    explainer = shap.explainers.Exact(f, shap.maskers.Independent(code(background), max_samples=len(background)))
    x = code(rows.head(SHAP_ROWS))
    explainer(x[:1])  # warm up
    t_shap = best(lambda: [explainer(x[i:i + 1]) for i in range(SHAP_ROWS)])
    out["shap_per_instance_ms"] = t_shap / SHAP_ROWS * 1000
    out["ratio_tandem_over_shap"] = out["tandem_per_instance_ms"] / out["shap_per_instance_ms"]
    out["fields"] = len(FIELDS)
    out["background_rows"] = len(background)
    (ROOT / "bench/results/explain-vs-shap.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()

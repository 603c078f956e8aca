#!/usr/bin/env python3
"""Batch scoring and training on a file larger than a laptop wants in memory: Tandem vs a
pandas + scikit-learn pipeline on the same generated CSV (issue 16).

The data: cps1985 (534 real rows, examples/data) resampled to N rows (10,000,000 by
default) with noise: each row a random real row, education and experience moved by up to one
and two years, age kept consistent (education + experience + 6 + noise), the wage scaled by
exp(N(0, 0.1)); categories as drawn. Written once to target/bench/cps-<N>.csv (~0.5 GB).

Scoring (each a separate process, timed from the outside, peak RSS from wait4):
- Tandem: `target/release/tandem predict --model <cps1985 spec's bundle> --input F --output
  out.csv` (streams the file through chunks on every core);
- pandas + scikit-learn, as people write it: `pd.read_csv(F)`, `pipeline.predict`, and
  `to_csv` of the row numbers and predictions; the pipeline is the spec's preprocessing
  (SimpleImputer + StandardScaler, SimpleImputer + OneHotEncoder) + Ridge, fitted on cps1985
  beforehand (not timed);
- the same in 200,000-row chunks (`read_csv(chunksize=)`), the bounded-memory way to write it.

Training (`--train`, on `--train-rows` rows, the same 10,000,000 by default): `tandem train
--spec` (cps1985's features, 3 epochs; a file this size trains as a stream: three passes,
training rows spilled to disk) vs `pipeline.fit` on `pd.read_csv(F)`, time and peak RSS.

    cargo build --release -p tandem-cli && python3 bench/etl-vs-pandas.py [--rows N] [--train]

Writes bench/results/etl-vs-pandas.json.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "target" / "bench"
TANDEM = ROOT / "target" / "release" / "tandem"
NUMERIC = ["education", "experience", "age"]
CATEGORICAL = ["ethnicity", "region", "gender", "occupation", "sector", "union", "married"]


def generate(rows: int) -> Path:
    path = OUT / f"cps-{rows}.csv"
    if path.exists():
        return path
    base = pd.read_csv(ROOT / "examples/data/cps1985.csv")
    rng = np.random.default_rng(0)
    tmp = path.with_suffix(".part")
    first = True
    for start in range(0, rows, 1_000_000):
        n = min(1_000_000, rows - start)
        pick = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
        pick["education"] = np.clip(pick["education"] + rng.integers(-1, 2, n), 2, 20)
        pick["experience"] = np.clip(pick["experience"] + rng.integers(-2, 3, n), 0, 60)
        pick["age"] = pick["education"] + pick["experience"] + 6 + rng.integers(0, 2, n)
        pick["wage"] = (pick["wage"] * np.exp(rng.normal(0, 0.1, n))).round(2)
        pick.to_csv(tmp, mode="w" if first else "a", header=first, index=False)
        first = False
    tmp.rename(path)
    return path


def run(cmd, **kw):
    """Run `cmd`; wall seconds and peak RSS (MB) of that process alone."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[:3]} failed: {err}")
    return wall, usage.ru_maxrss / 1024


PEER = """
import sys, joblib, pandas as pd
model, src, out, chunk = joblib.load(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
cols = {cols!r}
if chunk == 0:
    df = pd.read_csv(src)
    pd.DataFrame({{"row": range(1, len(df) + 1), "prediction": model.predict(df[cols])}}).to_csv(out, index=False)
else:
    first, n = True, 0
    for df in pd.read_csv(src, chunksize=chunk):
        pred = model.predict(df[cols])
        pd.DataFrame({{"row": range(n + 1, n + len(df) + 1), "prediction": pred}}).to_csv(
            out, mode="w" if first else "a", header=first, index=False)
        first, n = False, n + len(df)
""".format(cols=NUMERIC + CATEGORICAL)

def pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), NUMERIC),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])
    return make_pipeline(pre, Ridge())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--train-rows", type=int, default=None,
                    help="rows of the training comparison (default: --rows)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    import joblib
    data = generate(args.rows)
    size_mb = data.stat().st_size / 1e6

    runs = OUT / "etl-runs"
    summary = subprocess.run(
        [str(TANDEM), "train", "--spec", str(ROOT / "examples/cps1985/tandem.toml"),
         "--runs-dir", str(runs), "--quiet", "--json"],
        check=True, capture_output=True, text=True).stdout
    bundle = json.loads(summary)["model"]
    base = pd.read_csv(ROOT / "examples/data/cps1985.csv")
    sk = pipeline().fit(base[NUMERIC + CATEGORICAL], base["wage"])
    sk_path = OUT / "cps1985-ridge.joblib"
    joblib.dump(sk, sk_path)

    results = {"rows": args.rows, "file_mb": round(size_mb, 1), "cores": os.cpu_count()}
    t_wall, t_rss = run([str(TANDEM), "predict", "--model", bundle, "--input", str(data),
                         "--output", str(OUT / "etl-tandem.csv")])
    p_wall, p_rss = run([sys.executable, "-c", PEER, str(sk_path), str(data),
                         str(OUT / "etl-pandas.csv"), "0"])
    c_wall, c_rss = run([sys.executable, "-c", PEER, str(sk_path), str(data),
                         str(OUT / "etl-pandas-chunked.csv"), "200000"])
    lines = sum(1 for _ in open(OUT / "etl-tandem.csv")) - 1
    assert lines == args.rows, (lines, args.rows)
    results["predict"] = {
        "tandem": {"seconds": round(t_wall, 2), "rows_per_s": round(args.rows / t_wall),
                   "peak_rss_mb": round(t_rss)},
        "pandas_sklearn": {"seconds": round(p_wall, 2), "rows_per_s": round(args.rows / p_wall),
                           "peak_rss_mb": round(p_rss)},
        "pandas_sklearn_chunked": {"seconds": round(c_wall, 2),
                                   "rows_per_s": round(args.rows / c_wall),
                                   "peak_rss_mb": round(c_rss)},
        "speedup_vs_pandas": round(p_wall / t_wall, 2),
        "speedup_vs_chunked": round(c_wall / t_wall, 2),
    }
    print(json.dumps(results["predict"], indent=2), flush=True)
    if args.train:
        train_rows = args.train_rows or args.rows
        data = generate(train_rows)
        spec = OUT / "cps-big.toml"
        text = (ROOT / "examples/cps1985/tandem.toml").read_text()
        assert 'path = "../data/cps1985.csv"' in text
        text = text.replace('path = "../data/cps1985.csv"', f'path = "{data}"')
        spec.write_text(text)
        tt_wall, tt_rss = run([str(TANDEM), "train", "--spec", str(spec), "--runs-dir",
                               str(runs), "--quiet", "--max-epochs", "3"])
        fit = ("import sys, pandas as pd\nsys.path.insert(0, %r)\n" % str(ROOT / "bench") +
               "import importlib.util as u\n"
               "s = u.spec_from_file_location('b', %r); b = u.module_from_spec(s); s.loader.exec_module(b)\n" % __file__ +
               "df = pd.read_csv(%r)\nb.pipeline().fit(df[b.NUMERIC + b.CATEGORICAL], df['wage'])\n" % str(data))
        pt_wall, pt_rss = run([sys.executable, "-c", fit])
        results["train"] = {
            "rows": train_rows,
            "tandem": {"seconds": round(tt_wall, 2), "peak_rss_mb": round(tt_rss),
                       "note": "spec's features, 3 epochs; streamed above 256 MiB"},
            "pandas_sklearn": {"seconds": round(pt_wall, 2), "peak_rss_mb": round(pt_rss),
                               "note": "read_csv + ColumnTransformer + Ridge fit"},
        }
        print(json.dumps(results["train"], indent=2), flush=True)
    out = ROOT / "bench/results/etl-vs-pandas.json"
    if not args.train and out.exists():
        # A predict-only run keeps the last training comparison.
        previous = json.loads(out.read_text())
        if "train" in previous:
            results["train"] = previous["train"]
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

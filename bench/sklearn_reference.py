#!/usr/bin/env python3
"""scikit-learn reference scores on Tandem's exact train/validation split.

Reimplements Tandem's split rule (train-native/src/split.rs: per class in sorted order,
SplitMix64-seeded Fisher-Yates shuffle of the class's rows, first round(n * 0.2) held out)
and fits the preprocessing Tandem's first node set mirrors:
  numeric:     SimpleImputer(mean) + StandardScaler
  categorical: SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown="ignore")
  text:        dropped
followed by LogisticRegression (classification) or Ridge (regression).

Rerun:  python3 bench/sklearn_reference.py > bench/results/sklearn_reference.json
"""
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data"
MASK = (1 << 64) - 1

DATASETS = {
    "iris": ("target", "classification"),
    "breast_cancer": ("target", "classification"),
    "titanic": ("survived", "classification"),
    "cps1985": ("wage", "regression"),
}


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next() % (i + 1)
            items[i], items[j] = items[j], items[i]


def split(groups, fraction=0.2, seed=0):
    rng = SplitMix64(seed)
    train, valid = [], []
    for g in range(max(groups) + 1):
        rows = [i for i, x in enumerate(groups) if x == g]
        rng.shuffle(rows)
        # Rust's f64::round rounds half away from zero; Python's round() is banker's.
        n_val = int(math.floor(len(rows) * fraction + 0.5))
        valid += rows[:n_val]
        train += rows[n_val:]
    return sorted(train), sorted(valid)


def is_missing(cell):
    return cell.strip() in ("", "NA", "N/A", "null", "NULL", "None")


def column_kind(cells):
    present = [c for c in cells if not is_missing(c)]
    try:
        [float(c) for c in present]
        return "numeric"
    except ValueError:
        pass
    distinct = set(c.strip() for c in present)
    if len(distinct) <= 50 and len(distinct) <= 0.5 * max(len(present), 1):
        return "categorical"
    return "text"


def main():
    out = {"sklearn_version": sklearn.__version__, "split": "80/20, seed 0, stratified (Tandem rule)", "results": {}}
    for name, (label, task) in DATASETS.items():
        with open(DATA / f"{name}.csv", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        li = header.index(label)
        y_raw = [r[li].strip() for r in body]
        if task == "classification":
            classes = sorted(set(y_raw))
            groups = [classes.index(v) for v in y_raw]
        else:
            groups = [0] * len(body)
        train, valid = split(groups)
        numeric, categorical = [], []
        for j, h in enumerate(header):
            if j == li:
                continue
            kind = column_kind([r[j] for r in body])
            if kind == "numeric":
                numeric.append(j)
            elif kind == "categorical":
                categorical.append(j)

        def matrix(idx):
            X = np.empty((len(idx), len(numeric) + len(categorical)), dtype=object)
            for a, i in enumerate(idx):
                for b, j in enumerate(numeric):
                    c = body[i][j]
                    X[a, b] = np.nan if is_missing(c) else float(c)
                for b, j in enumerate(categorical):
                    c = body[i][j].strip()
                    X[a, len(numeric) + b] = np.nan if is_missing(c) else c
            return X

        nn = len(numeric)
        pre = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), list(range(nn))),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore")),
             list(range(nn, nn + len(categorical)))),
        ])
        Xtr, Xva = matrix(train), matrix(valid)
        if task == "classification":
            ytr = np.array([y_raw[i] for i in train])
            yva = np.array([y_raw[i] for i in valid])
            model = make_pipeline(pre, LogisticRegression(max_iter=5000))
            model.fit(Xtr, ytr)
            acc = float((model.predict(Xva) == yva).mean())
            out["results"][name] = {"model": "LogisticRegression", "validation_accuracy": acc,
                                    "train_rows": len(train), "validation_rows": len(valid)}
        else:
            ytr = np.array([float(y_raw[i]) for i in train])
            yva = np.array([float(y_raw[i]) for i in valid])
            model = make_pipeline(pre, Ridge())
            model.fit(Xtr, ytr)
            rmse = float(np.sqrt(((model.predict(Xva) - yva) ** 2).mean()))
            out["results"][name] = {"model": "Ridge", "validation_rmse": rmse,
                                    "train_rows": len(train), "validation_rows": len(valid)}
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

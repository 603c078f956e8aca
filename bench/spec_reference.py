#!/usr/bin/env python3
"""scikit-learn reference for the pipeline specs in examples/*/tandem.toml.

Each spec is rebuilt by hand as a scikit-learn ColumnTransformer with the same nodes, fitted
on exactly the rows Tandem learns from (the split rule of train-native/src/split.rs,
reimplemented in bench/sklearn_reference.py: the training and validation rows, which Tandem's
default ensemble shares out between its networks; scikit-learn needs no rows held out) and
scored on Tandem's test rows:

  titanic  (LogisticRegression):
    title  = regex ',\\s*([^.]+)\\.' on name -> SimpleImputer(most_frequent)
             -> OneHotEncoder(min_frequency=10, handle_unknown="infrequent_if_exist")
    name   -> TfidfVectorizer(min_df=2, max_features=100)
    sex, passengerClass -> SimpleImputer(most_frequent) -> OneHotEncoder(handle_unknown="ignore")
    age    -> SimpleImputer(median) -> StandardScaler, plus MissingIndicator
  cps1985  (Ridge):
    education, experience, age -> SimpleImputer(mean) -> StandardScaler
    7 categoricals -> SimpleImputer(most_frequent) -> OneHotEncoder(handle_unknown="ignore")

Run:  python3 bench/spec_reference.py            (prints JSON)
tests/py/test_spec_examples.py runs it and compares with `tandem train --spec`.
"""
import csv
import json
import re
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sklearn_reference import DATA, SplitMix64, is_missing  # noqa: E402

TITLE = re.compile(r",\s*([^.]+)\.")


def split3(groups, validation, test, seed=0):
    """Tandem's stratified three-way split (validation first, then test, rest train)."""
    rng = SplitMix64(seed)
    train, valid, tst = [], [], []
    for g in range(max(groups) + 1):
        rows = [i for i, x in enumerate(groups) if x == g]
        rng.shuffle(rows)
        n_val = int(np.floor(len(rows) * validation + 0.5))
        n_test = int(np.floor(len(rows) * test + 0.5))
        valid += rows[:n_val]
        tst += rows[n_val:n_val + n_test]
        train += rows[n_val + n_test:]
    return sorted(train), sorted(valid), sorted(tst)


def read(name, label):
    with open(DATA / f"{name}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = [r for r in rows if not is_missing(r[label])]
    return rows


def cell(r, k, numeric=False):
    c = r[k].strip()
    if is_missing(c):
        return np.nan
    return float(c) if numeric else c


def title_of(col):
    out = []
    for v in col.ravel():
        m = TITLE.search(v) if isinstance(v, str) else None
        out.append(m.group(1) if m else np.nan)
    return np.array(out, dtype=object).reshape(-1, 1)


def titanic():
    rows = read("titanic", "survived")
    classes = sorted({r["survived"].strip() for r in rows})
    groups = [classes.index(r["survived"].strip()) for r in rows]
    train, valid, test = split3(groups, 0.2, 0.2)
    train = sorted(train + valid)
    cols = ["name", "sex", "age", "passengerClass"]

    def X(idx):
        return np.array([[cell(rows[i], "name"), cell(rows[i], "sex"),
                          cell(rows[i], "age", True), cell(rows[i], "passengerClass")]
                         for i in idx], dtype=object)

    onehot = lambda: make_pipeline(SimpleImputer(strategy="most_frequent"),  # noqa: E731
                                   OneHotEncoder(handle_unknown="ignore"))
    pre = ColumnTransformer([
        ("title", make_pipeline(FunctionTransformer(title_of), SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(min_frequency=10, handle_unknown="infrequent_if_exist")), [0]),
        ("name", TfidfVectorizer(min_df=2, max_features=100), 0),
        ("sex", onehot(), [1]),
        ("age", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), [2]),
        ("age_missing", MissingIndicator(features="all"), [2]),
        ("class", onehot(), [3]),
    ])
    y = np.array([r["survived"].strip() for r in rows])
    model = make_pipeline(pre, LogisticRegression(max_iter=5000))
    model.fit(X(train), y[train])
    acc = float((model.predict(X(test)) == y[test]).mean())
    return {"model": "ColumnTransformer + LogisticRegression", "columns": cols,
            "test_accuracy": acc, "train_rows": len(train), "test_rows": len(test)}


def cps1985():
    rows = read("cps1985", "wage")
    train, valid, test = split3([0] * len(rows), 0.2, 0.2)
    train = sorted(train + valid)
    numeric = ["education", "experience", "age"]
    categorical = ["ethnicity", "region", "gender", "occupation", "sector", "union", "married"]

    def X(idx):
        return np.array([[cell(rows[i], k, True) for k in numeric] + [cell(rows[i], k) for k in categorical]
                         for i in idx], dtype=object)

    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), list(range(3))),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         list(range(3, 10))),
    ])
    y = np.array([float(r["wage"]) for r in rows])
    model = make_pipeline(pre, Ridge())
    model.fit(X(train), y[train])
    rmse = float(np.sqrt(((model.predict(X(test)) - y[test]) ** 2).mean()))
    return {"model": "ColumnTransformer + Ridge", "test_rmse": rmse,
            "train_rows": len(train), "test_rows": len(test)}


def main():
    out = {"sklearn_version": sklearn.__version__,
           "split": "validation 0.2, test 0.2, seed 0 (Tandem rule); fitted on training + validation rows, scored on test rows",
           "results": {"titanic": titanic(), "cps1985": cps1985()}}
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Peer fixtures: scikit-learn fits its preprocessing on real example columns and records what
it outputs, so Tandem's nodes can be checked against an independent implementation.

Writes tests/fixtures/sklearn/nodes.json; `core/tests/sklearn_peer.rs` fits Tandem's nodes on
the same columns and requires the same outputs within 1e-6. Rerun after a scikit-learn bump:

    python3 tests/sklearn/make_fixtures.py
"""
import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (FunctionTransformer, KBinsDiscretizer, MinMaxScaler,
                                   OneHotEncoder, OrdinalEncoder, RobustScaler, StandardScaler)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
OUT = ROOT / "tests" / "fixtures" / "sklearn" / "nodes.json"


def column(dataset, name):
    with open(DATA / f"{dataset}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r[name].strip() for r in rows]


def numbers(cells):
    return [None if c in ("", "NA") else float(c) for c in cells]


def as_array(values):
    return np.array([[np.nan if v is None else v] for v in values], dtype=np.float64)


def probes(values):
    present = sorted(v for v in values if v is not None)
    lo, hi = present[0], present[-1]
    span = hi - lo
    picks = present[:: max(1, len(present) // 25)]
    return picks + [lo - span, hi + span, (lo + hi) / 2, lo, hi]


def main():
    cases = []
    numeric_columns = [
        ("titanic", "age"),
        ("cps1985", "wage"),
        ("cps1985", "experience"),
        ("cps1985", "education"),
        ("breast_cancer", "mean_area"),
        ("iris", "petal_width_cm"),
    ]
    for dataset, name in numeric_columns:
        values = numbers(column(dataset, name))
        present = [v for v in values if v is not None]
        probe = probes(values)
        X, P, Xp = as_array(values), as_array(probe), as_array(present)
        for strategy in ("mean", "median", "constant"):
            imp = SimpleImputer(strategy=strategy, fill_value=-1.0) if strategy == "constant" else SimpleImputer(strategy=strategy)
            imp.fit(X)
            cases.append({"name": f"{dataset}.{name}/impute_{strategy}", "node": "impute",
                          "config": {"strategy": strategy, "value": -1.0},
                          "train": values, "probe": [None] + probe,
                          "expected": imp.transform(as_array([None] + probe))[:, 0].tolist()})
        for node, scaler in (("standard", StandardScaler()), ("minmax", MinMaxScaler()), ("robust", RobustScaler())):
            scaler.fit(Xp)
            cases.append({"name": f"{dataset}.{name}/{node}", "node": node, "config": {},
                          "train": present, "probe": probe, "expected": scaler.transform(P)[:, 0].tolist()})
        for strategy, bins in (("quantile", 5), ("quantile", 10), ("uniform", 4)):
            kb = KBinsDiscretizer(n_bins=bins, encode="ordinal", strategy=strategy,
                                  **({"quantile_method": "linear"} if strategy == "quantile" else {}))
            kb.fit(Xp)
            cases.append({"name": f"{dataset}.{name}/kbins_{strategy}_{bins}", "node": "bucketize",
                          "config": {"strategy": strategy, "bins": bins},
                          "train": present, "probe": probe, "expected": kb.transform(P)[:, 0].tolist(),
                          "edges": kb.bin_edges_[0].tolist()})
    for dataset, name in (("titanic", "passengerClass"), ("cps1985", "occupation"), ("cps1985", "sector")):
        cells = column(dataset, name)
        probe = sorted(set(cells)) + ["never-seen", ""]
        enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        enc.fit(np.array(cells, dtype=object).reshape(-1, 1))
        cases.append({"name": f"{dataset}.{name}/ordinal", "node": "ordinal", "config": {},
                      "train": cells, "probe": probe,
                      "expected": enc.transform(np.array(probe, dtype=object).reshape(-1, 1))[:, 0].tolist()})
    for dataset, name in (("cps1985", "occupation"), ("cps1985", "ethnicity"), ("titanic", "passengerClass")):
        cells = column(dataset, name)
        probe = sorted(set(cells))
        for min_frequency, max_categories in ((None, None), (40, None), (None, 3), (30, 4), (None, 1)):
            enc = OneHotEncoder(min_frequency=min_frequency, max_categories=max_categories,
                                handle_unknown="infrequent_if_exist", sparse_output=False)
            enc.fit(np.array(cells, dtype=object).reshape(-1, 1))
            try:
                infrequent = enc.infrequent_categories_[0]
            except AttributeError:  # infrequent grouping disabled
                infrequent = None
            cases.append({"name": f"{dataset}.{name}/one_hot_min{min_frequency}_max{max_categories}",
                          "node": "one_hot", "config": {"min_frequency": min_frequency, "max_categories": max_categories},
                          "train": cells, "probe": probe,
                          "infrequent": [] if infrequent is None else sorted(infrequent.tolist()),
                          "expected": enc.transform(np.array(probe, dtype=object).reshape(-1, 1)).tolist()})
    names = column("titanic", "name")
    probe = names[::100] + ["Zzyzx, Mr. Nobody", "", "MISS. mary-ann O'Neil 3rd"]
    for min_df in (1, 2, 5):
        tv = TfidfVectorizer(min_df=min_df)
        tv.fit(names)
        rows = tv.transform(probe).toarray()
        cases.append({"name": f"titanic.name/tfidf_min_df_{min_df}", "node": "tfidf",
                      "config": {"min_df": min_df}, "train": names, "probe": probe,
                      "vocabulary": tv.get_feature_names_out().tolist(), "idf": tv.idf_.tolist(),
                      "expected": [{str(j): float(v) for j, v in enumerate(r) if v != 0.0} for r in rows]})
    for min_df in (1, 3):
        cv = CountVectorizer(min_df=min_df)
        cv.fit(names)
        rows = cv.transform(probe).toarray()
        cases.append({"name": f"titanic.name/counts_min_df_{min_df}", "node": "counts",
                      "config": {"min_df": min_df}, "train": names, "probe": probe,
                      "vocabulary": cv.get_feature_names_out().tolist(),
                      "expected": [{str(j): float(v) for j, v in enumerate(r) if v != 0.0} for r in rows]})
    # Hashing: FeatureHasher on raw category strings (and long, accented names).
    for dataset, name, buckets, alternate in [("cps1985", "occupation", 8, False),
                                              ("cps1985", "sector", 3, True),
                                              ("titanic", "name", 64, True),
                                              ("titanic", "name", 1000, False)]:
        values = sorted(set(column(dataset, name)))[:200] + ["Zürich", "ǅ", "naïve café", "x" * 37]
        fh = FeatureHasher(n_features=buckets, input_type="string", alternate_sign=alternate)
        rows = fh.transform([[v] for v in values]).toarray()
        cases.append({"name": f"{dataset}.{name}/hashing_{buckets}_{alternate}", "node": "hashing",
                      "config": {"buckets": buckets, "alternate_sign": alternate}, "train": [],
                      "probe": values,
                      "expected": [{str(j): float(v) for j, v in enumerate(r) if v != 0.0} for r in rows]})
    # Numeric chains: impute -> clip -> log1p -> scale, as one scikit-learn Pipeline, plus
    # MissingIndicator for the indicator column.
    scalers = {"standard": StandardScaler, "min_max": MinMaxScaler, "robust": RobustScaler}
    for dataset, name, impute, clip, log1p, scale in [
            ("titanic", "age", "median", None, True, "standard"),
            ("cps1985", "wage", "mean", [1.0, 30.0], True, "robust"),
            ("breast_cancer", "mean_area", "median", None, True, "min_max"),
            ("cps1985", "experience", "mean", [0.0, 40.0], False, "standard")]:
        values = numbers(column(dataset, name))
        probe = [v for v in probes(values) if v > -1] + [None]
        steps = [SimpleImputer(strategy=impute)]
        if clip:
            steps.append(FunctionTransformer(lambda x, c=clip: np.clip(x, c[0], c[1])))
        if log1p:
            steps.append(FunctionTransformer(np.log1p))
        steps.append(scalers[scale]())
        pipe = make_pipeline(*steps).fit(as_array(values))
        out = pipe.transform(as_array(probe))[:, 0]
        ind = MissingIndicator(features="all").fit(as_array(values)).transform(as_array(probe))[:, 0]
        cases.append({"name": f"{dataset}.{name}/chain_{impute}_{'clip_' if clip else ''}{'log1p_' if log1p else ''}{scale}",
                      "node": "number_chain",
                      "config": {"impute": impute, "clip": clip, "log1p": log1p, "scale": scale},
                      "train": values, "probe": probe,
                      "expected": [[float(a), float(b)] for a, b in zip(out, ind)]})
    # Dates: Python's datetime is the independent reference for parsing and calendar parts.
    day = dt.datetime(1899, 12, 25, 7, 30)
    texts = []
    while day.year < 2101:
        texts.append(day.strftime("%Y-%m-%d %H:%M"))
        day += dt.timedelta(days=37, hours=5, minutes=11)
    texts += ["2000-02-29 00:00", "1900-02-29 00:00", "2023-04-31 10:00", "2023-13-01 10:00",
              "2024-12-31 23:59", "2024-1-5 3:07", "garbage", "2024-01-01 24:00"]
    expected = []
    for t in texts:
        try:
            d = dt.datetime.strptime(t, "%Y-%m-%d %H:%M")
            expected.append([d.year, d.month, d.day, d.weekday(), d.timetuple().tm_yday, d.hour, d.minute])
        except ValueError:
            expected.append(None)
    cases.append({"name": "datetime/python", "node": "datetime", "config": {"format": "%Y-%m-%d %H:%M"},
                  "train": [], "probe": texts, "expected": expected})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
                               "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

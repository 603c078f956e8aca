#!/usr/bin/env python3
"""The MLflow peer for bench/serve-vs-mlflow.mjs: the same titanic model as scikit-learn.

Fits a ColumnTransformer (mean-imputed standardized age, one-hot sex and class, TF-IDF of
the name: Tandem's default nodes) + MLPClassifier(32) on Tandem's training rows, and saves it
as an MLflow model that `mlflow models serve` can serve.

    python3 bench/mlflow_peer.py <out dir>
"""
import sys
from pathlib import Path

import mlflow.sklearn
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sklearn_reference import DATA, split  # noqa: E402


FIELDS = ["name", "sex", "age", "passengerClass"]


def titanic_pipeline():
    """The unfitted peer: Tandem's default nodes and network as scikit-learn writes them."""
    pre = ColumnTransformer([
        ("age", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), ["age"]),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         ["sex", "passengerClass"]),
        ("name", TfidfVectorizer(min_df=2, max_features=100), "name"),
    ])
    return make_pipeline(pre, MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0))


def fitted_peer():
    """The peer fitted on Tandem's training rows of titanic, the data set, and those rows."""
    df = pd.read_csv(DATA / "titanic.csv")
    classes = sorted(df["survived"].unique())
    train, _ = split([classes.index(v) for v in df["survived"]])
    model = titanic_pipeline().fit(df[FIELDS].iloc[train], df["survived"].iloc[train])
    return model, df, train


def train_tandem(tandem, runs_dir):
    """`tandem train` of titanic with its defaults (the peer's counterpart): the bundle's path."""
    import json
    import subprocess

    p = subprocess.run([str(tandem), "train", "--data", str(DATA / "titanic.csv"), "--label", "survived",
                        "--runs-dir", str(runs_dir), "--json", "--quiet"], capture_output=True, text=True, check=True)
    return Path(json.loads(p.stdout)["model"])


def main(out):
    model, df, train = fitted_peer()
    X, y = df[FIELDS], df["survived"]
    mlflow.sklearn.save_model(model, out, serialization_format="cloudpickle",
                              input_example=X.iloc[:2])
    print(f"saved {out}: train accuracy {np.mean(model.predict(X.iloc[train]) == y.iloc[train]):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Batch scoring on Spark through MLflow's `spark_udf`: a Tandem run vs the scikit-learn
pipeline's pyfunc, on the same 1,000,000-row Spark DataFrame, side by side (issue 17).

Spark local mode on every core (`local[*]`), Arrow on. The models: titanic trained by
`tandem train` (its run's `model/` folder: the python_function flavor, tandem_infer) and
bench/mlflow_peer.py's ColumnTransformer + MLPClassifier(32) saved by `mlflow.sklearn`; both
loaded with `mlflow.pyfunc.spark_udf(spark, <model folder>, env_manager="local")`. Each job
is timed end to end with Spark's `noop` sink (every row scored, nothing collected), best of 2;
then Tandem's 1,000,000 predictions are collected and checked against `tandem predict` on the
same rows (labels equal, probabilities within 1e-12), and `mapInArrow` with the package
directly is timed too.

    scripts/build-python --release && cargo build --release -p tandem-cli
    python3 bench/spark-vs-sklearn.py [--rows N]

Writes bench/results/spark-vs-sklearn.json.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from mlflow_peer import FIELDS, fitted_peer, train_tandem  # noqa: E402

TANDEM = ROOT / "target" / "release" / "tandem"


def timed(n, f):
    best = None
    for _ in range(n):
        t = time.perf_counter()
        f()
        s = time.perf_counter() - t
        best = s if best is None else min(best, s)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    os.environ.setdefault("MLFLOW_ENABLE_TELEMETRY", "false")
    import mlflow.models
    import mlflow.pyfunc
    import mlflow.sklearn
    import pyarrow as pa
    import pyspark
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bundle = train_tandem(TANDEM, tmp / "runs")
        peer, df, _ = fitted_peer()
        peer_dir = tmp / "sklearn-model"
        # With its signature, as a team would log it: spark_udf then passes the columns by name.
        signature = mlflow.models.infer_signature(df[FIELDS].head(20), peer.predict(df[FIELDS].head(20)))
        mlflow.sklearn.save_model(peer, str(peer_dir), serialization_format="cloudpickle", signature=signature)
        frame = pd.concat([df[FIELDS]] * (args.rows // len(df) + 1), ignore_index=True).iloc[:args.rows]
        frame.insert(0, "row", np.arange(len(frame)))
        frame.to_csv(tmp / "rows.csv", index=False, columns=FIELDS)
        subprocess.run([str(TANDEM), "predict", "--model", str(bundle), "--input", str(tmp / "rows.csv"),
                        "--output", str(tmp / "want.csv")], check=True, capture_output=True)
        want = pd.read_csv(tmp / "want.csv", keep_default_na=False)

        spark = (SparkSession.builder.master("local[*]").appName("tandem-bench")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 .config("spark.driver.memory", "4g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        sdf = spark.createDataFrame(frame).repartition(spark.sparkContext.defaultParallelism).cache()
        sdf.count()
        cols = [F.col(c) for c in FIELDS]
        tandem_udf = mlflow.pyfunc.spark_udf(spark, str(bundle.parent), env_manager="local")
        peer_udf = mlflow.pyfunc.spark_udf(spark, str(peer_dir), env_manager="local", result_type="string")

        def run(udf):
            sdf.withColumn("p", udf(*cols)).write.format("noop").mode("overwrite").save()

        data = bundle.read_bytes()

        def score(batches):
            import tandem_infer

            model = tandem_infer.Model.load(data)
            for batch in batches:
                out = model.predict(batch)
                out.attrs.clear()
                out.insert(0, "row", batch.column("row").to_numpy())
                yield pa.RecordBatch.from_pandas(out, preserve_index=False)

        arrow_schema = "row long, label string, probability_no double, probability_yes double"
        tandem_s = timed(2, lambda: run(tandem_udf))
        arrow_s = timed(2, lambda: sdf.mapInArrow(score, arrow_schema).write.format("noop").mode("overwrite").save())
        peer_s = timed(2, lambda: run(peer_udf))

        by_udf = (sdf.withColumn("p", tandem_udf(*cols))
                  .select("row", "p.label", "p.probability_no", "p.probability_yes"))
        by_arrow = sdf.mapInArrow(score, arrow_schema)
        for how, job in (("spark_udf", by_udf), ("mapInArrow", by_arrow)):
            got = job.toPandas().sort_values("row").reset_index(drop=True)
            assert list(got["label"]) == list(want["prediction"]), f"{how} labels differ from tandem predict"
            for c in ("no", "yes"):
                gap = float(np.max(np.abs(got[f"probability_{c}"].to_numpy() - want[f"probability_{c}"].to_numpy())))
                assert gap <= 1e-12, f"{how} probability {c} differs from tandem predict by {gap}"
        spark.stop()
    n = args.rows
    result = {
        "machine": f"{os.cpu_count()} cores, Spark local[*]",
        "rows": n,
        "spark_udf": {
            "tandem_s": round(tandem_s, 2), "sklearn_s": round(peer_s, 2),
            "tandem_rows_per_s": round(n / tandem_s), "sklearn_rows_per_s": round(n / peer_s),
            "speedup": round(peer_s / tandem_s, 2),
        },
        "map_in_arrow_tandem": {"s": round(arrow_s, 2), "rows_per_s": round(n / arrow_s),
                                "speedup_vs_sklearn_udf": round(peer_s / arrow_s, 2)},
        "checked": f"spark_udf's and mapInArrow's {n} predictions: labels equal to tandem predict, probabilities within 1e-12",
        "versions": {"pyspark": pyspark.__version__, "mlflow": mlflow.__version__, "pandas": pd.__version__},
    }
    out = ROOT / "bench" / "results" / "spark-vs-sklearn.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

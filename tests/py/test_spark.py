"""Scale-out batch scoring on Spark (PyPI pyspark, local mode on 2 cores, Java 17 from apt):

- `mlflow.pyfunc.spark_udf(spark, "runs:/<id>/model", env_manager="local")` on a Tandem run
  logged to a real MLflow server gives `tandem predict`'s predictions, row for row;
- the recipe without MLflow (docs/python.md): `mapInArrow` with the package directly, the
  bundle's bytes shipped in the closure, gives the same.

Short on purpose (CI runs one Spark test): 20,000 rows. bench/spark-vs-sklearn.py scores
1,000,000 rows both ways and checks both against `tandem predict` too.
"""
import csv
import io
import json
import os
import tempfile
import unittest
from pathlib import Path

import pandas as pd

from test_mlflow import DATA, MlflowServer, tandem

ROWS = 20_000
FIELDS = ["name", "sex", "age", "passengerClass"]


def spark_session():
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("tandem-test")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.shuffle.partitions", "2")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkScoring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tandem-spark-")
        cls.dir = Path(cls.tmp.name)
        cls.server = MlflowServer(cls.dir)
        p = tandem("train", "--data", DATA, "--label", "survived", "--tracking-uri", cls.server.uri,
                   "--runs-dir", cls.dir / "local-runs", "--json", "--quiet")
        cls.summary = json.loads(p.stdout)
        titanic = pd.read_csv(DATA)[FIELDS]
        cls.frame = pd.concat([titanic] * (ROWS // len(titanic) + 1), ignore_index=True).iloc[:ROWS]
        data = cls.dir / "rows.csv"
        cls.frame.to_csv(data, index=False)
        out = tandem("predict", "--model", cls.summary["model"], "--input", data).stdout
        cls.expected = list(csv.DictReader(io.StringIO(out)))
        cls.spark = spark_session()

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        cls.server.stop()
        cls.tmp.cleanup()

    def assert_expected(self, got, how):
        """`got`: a pandas frame with `row`, `label`, `yes`, `no`, in any order."""
        got = got.sort_values("row").reset_index(drop=True)
        self.assertEqual(len(got), ROWS, how)
        self.assertEqual(list(got["label"]), [e["prediction"] for e in self.expected], how)
        for c in ("no", "yes"):
            want = pd.Series([float(e[f"probability_{c}"]) for e in self.expected])
            self.assertLessEqual((got[c] - want).abs().max(), 1e-12, f"{how} {c}")

    def test_spark_udf_on_a_run_scores_as_tandem_predict(self):
        import mlflow.pyfunc
        from pyspark.sql import functions as F

        os.environ["MLFLOW_TRACKING_URI"] = self.server.uri
        try:
            udf = mlflow.pyfunc.spark_udf(self.spark, f"runs:/{self.summary['run_id']}/model", env_manager="local")
        finally:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        sdf = self.spark.createDataFrame(self.frame.reset_index(names="row"))
        scored = sdf.withColumn("p", udf(*[F.col(c) for c in FIELDS]))
        got = scored.select("row", "p.label", F.col("p.probability_yes").alias("yes"),
                            F.col("p.probability_no").alias("no")).toPandas()
        self.assert_expected(got, "spark_udf")

    def test_map_in_arrow_with_the_package_scores_as_tandem_predict(self):
        import pyarrow as pa

        bundle = Path(self.summary["model"]).read_bytes()

        def score(batches):
            import tandem_infer

            model = tandem_infer.Model.load(bundle)
            for batch in batches:
                out = model.predict(batch)
                out.attrs.clear()
                out.insert(0, "row", batch.column("row").to_numpy())
                yield pa.RecordBatch.from_pandas(out, preserve_index=False)

        sdf = self.spark.createDataFrame(self.frame.reset_index(names="row"))
        got = sdf.mapInArrow(score, "row long, label string, probability_no double, probability_yes double").toPandas()
        got = got.rename(columns={"probability_no": "no", "probability_yes": "yes"})
        self.assert_expected(got, "mapInArrow")


if __name__ == "__main__":
    unittest.main()

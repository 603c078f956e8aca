"""`tandem evaluate` against scikit-learn, end to end on real models and data.

For a binary (titanic), a multi-class (iris) and a regression (cps1985, spec pipeline) model
trained by tests/parity/prepare.sh: `tandem predict` gives every row's probabilities or value,
scikit-learn computes the metrics from those predictions and the file's labels, and
`tandem evaluate --json` must report the same values (within 1e-9), the same confusion matrix
and the same row counts. A copy of the data with broken rows checks that rejected rows are
counted and listed with their reasons, never dropped silently.
"""
import csv
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np
from sklearn import metrics
from sklearn.preprocessing import label_binarize

ROOT = Path(__file__).resolve().parents[2]
TANDEM = ROOT / "target" / "debug" / "tandem"
PARITY = ROOT / "target" / "parity"
TOLERANCE = 1e-9
MODELS = [("titanic", "titanic.csv", "survived"), ("iris", "iris.csv", "target"), ("cps1985_spec", "cps1985.csv", "wage")]


def bundle(name):
    summary = json.loads((PARITY / name / "summary.json").read_text())
    run_dir = Path(summary["run_dir"])
    return (run_dir if run_dir.is_absolute() else ROOT / run_dir) / "artifacts/model/model.tandem"


def tandem(*args, check=True):
    p = subprocess.run([str(TANDEM), *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"tandem {' '.join(map(str, args))}: {p.stderr}")
    return p


def predictions(model, data):
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "p.jsonl"
        tandem("predict", "--model", model, "--input", data, "--output", out)
        return [json.loads(line) for line in out.read_text().splitlines()]


def reference(model, data, label):
    """sklearn's metrics from tandem predict's outputs and the file's labels."""
    schema = json.loads(tandem("inspect", model).stdout)["schema"]
    with open(data, newline="") as f:
        truth = [row[label] for row in csv.DictReader(f)]
    preds = predictions(model, data)
    assert [p["row"] for p in preds] == list(range(1, len(truth) + 1))
    task = schema["label"]["task"]
    if task["kind"] == "regression":
        y = np.array([float(t) for t in truth])
        p = np.array([r["prediction"]["value"] for r in preds])
        residuals = y - p
        out = {
            "rmse": metrics.root_mean_squared_error(y, p),
            "mae": metrics.mean_absolute_error(y, p),
            "r2": metrics.r2_score(y, p),
            "mape": metrics.mean_absolute_percentage_error(y, p),
            "residual_mean": residuals.mean(),
            "residual_std": residuals.std(),
        }
        out.update({f"residual_p{q}": np.percentile(residuals, q) for q in (5, 25, 50, 75, 95)})
        return out, None
    classes = task["classes"]
    y = np.array([classes.index(t.strip()) for t in truth])
    probs = np.array([[r["prediction"]["probabilities"][c] for c in classes] for r in preds])
    predicted = probs.argmax(axis=1)
    out = {
        "accuracy": metrics.accuracy_score(y, predicted),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, predicted),
        "f1_macro": metrics.f1_score(y, predicted, average="macro", zero_division=0),
        "f1_weighted": metrics.f1_score(y, predicted, average="weighted", zero_division=0),
        "log_loss": metrics.log_loss(y, y_proba=probs, labels=list(range(len(classes)))),
    }
    if len(classes) == 2:
        out["roc_auc"] = metrics.roc_auc_score(y, probs[:, 1])
        out["pr_auc"] = metrics.average_precision_score(y, probs[:, 1])
        out["brier"] = metrics.brier_score_loss(y, probs[:, 1])
    else:
        onehot = label_binarize(y, classes=list(range(len(classes))))
        out["roc_auc"] = metrics.roc_auc_score(onehot, probs, average="macro")
        out["pr_auc"] = metrics.average_precision_score(onehot, probs, average="macro")
        out["brier"] = float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))
    confusion = metrics.confusion_matrix(y, predicted, labels=list(range(len(classes)))).tolist()
    return out, confusion


class Evaluate(unittest.TestCase):
    def test_metrics_equal_scikit_learn_on_tandem_predictions(self):
        for name, file, label in MODELS:
            with self.subTest(model=name):
                model, data = bundle(name), ROOT / "examples/data" / file
                want, confusion = reference(model, data, label)
                got = json.loads(tandem("evaluate", "--model", model, "--data", data, "--json", "--no-record").stdout)
                evaluation = got["evaluation"]
                self.assertEqual(evaluation["rows"], evaluation["scored"])
                self.assertEqual(evaluation["rejected"], [])
                report = evaluation["report"]
                for metric, value in want.items():
                    self.assertAlmostEqual(report["metrics"][metric], value, delta=TOLERANCE, msg=f"{name}: {metric}")
                if confusion is not None:
                    self.assertEqual(report["confusion"]["counts"], confusion)
                self.assertEqual(len(got["data_sha256"]), 64)

    def test_rows_that_do_not_read_are_counted_and_listed_not_dropped(self):
        model = bundle("titanic")
        with open(ROOT / "examples/data/titanic.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        header = list(rows[0])
        rows = rows[:50]
        rows[3]["survived"] = ""
        rows[7]["survived"] = "maybe"
        rows[11]["age"] = "old"
        with tempfile.TemporaryDirectory() as d:
            data = Path(d) / "broken.csv"
            with open(data, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=header)
                w.writeheader()
                w.writerows(rows)
            runs = Path(d) / "runs"
            doc = json.loads(tandem("evaluate", "--model", model, "--data", data, "--json", "--runs-dir", runs).stdout)
            got = doc["evaluation"]
            self.assertEqual((got["rows"], got["scored"]), (50, 47))
            self.assertEqual(
                [(r["row"], r["code"]) for r in got["rejected"]],
                [(4, "MISSING_LABEL"), (8, "UNKNOWN_LABEL"), (12, "WRONG_TYPE")],
            )
            # Recorded in the folder store: the rejected rows are an artifact of the run.
            listed = (runs / doc["run_id"] / "artifacts" / "rejected.jsonl").read_text().splitlines()
            self.assertEqual([json.loads(line)["row"] for line in listed], [4, 8, 12])
            plots = runs / doc["run_id"] / "artifacts" / "plots"
            for name in ["confusion", "roc", "precision_recall", "reliability"]:
                self.assertTrue((plots / f"{name}.svg").read_text().startswith("<svg"), name)
                self.assertEqual((plots / f"{name}.png").read_bytes()[:8], b"\x89PNG\r\n\x1a\n", name)
            table = tandem("evaluate", "--model", model, "--data", data, "--no-record")
            self.assertIn("47 of 50 rows scored", table.stdout)
            self.assertIn("3 of 50 rows not scored", table.stderr)
            self.assertIn("row 8: [UNKNOWN_LABEL]", table.stderr)


    def test_a_file_without_a_fields_column_or_the_label_is_refused_not_scored_from_imputed_values(self):
        model = bundle("titanic")
        with open(ROOT / "examples/data/titanic.csv", newline="") as f:
            rows = list(csv.DictReader(f))[:20]
        with tempfile.TemporaryDirectory() as d:
            for dropped, code in [("age", "MISSING_FIELD"), ("survived", "MISSING_LABEL")]:
                data = Path(d) / f"no-{dropped}.csv"
                with open(data, "w", newline="") as f:
                    w = csv.DictWriter(f, fieldnames=[k for k in rows[0] if k != dropped], extrasaction="ignore")
                    w.writeheader()
                    w.writerows(rows)
                p = tandem("evaluate", "--model", model, "--data", data, "--no-record", check=False)
                self.assertEqual(p.returncode, 1, p.stdout)
                self.assertIn(f"[{code}]", p.stderr)
                self.assertIn(f"`{dropped}`", p.stderr)


if __name__ == "__main__":
    unittest.main()

"""The example specs against scikit-learn's ColumnTransformer on the same split.

examples/titanic/tandem.toml and examples/cps1985/tandem.toml are trained by
tests/parity/prepare.sh (`tandem train --spec`); bench/spec_reference.py fits the same
pipelines with scikit-learn on exactly the rows Tandem learns from (training and validation:
the default ensemble shares them out). On the test rows Tandem must
reach within 2% of scikit-learn: accuracy at least 98% of LogisticRegression's, RMSE at most
102% of Ridge's.
"""
import json
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import spec_reference  # noqa: E402

RELATIVE = 0.02


def tandem(name):
    summary = json.loads((ROOT / "target" / "parity" / name / "summary.json").read_text())
    run_dir = Path(summary["run_dir"])
    if not run_dir.is_absolute():
        run_dir = ROOT / run_dir
    params = json.loads((run_dir / "params.json").read_text())
    return summary["metrics"], params


def learned_rows(params):
    """The rows the run learned from: an ensemble's are the training and validation rows."""
    rows = int(params["train_rows"])
    if params.get("ensemble", "1") != "1":
        rows += int(params["validation_rows"])
    return rows


class SpecExamplesVsScikitLearn(unittest.TestCase):
    def test_titanic_accuracy_within_2_percent_of_logistic_regression(self):
        ref = spec_reference.titanic()
        metrics, params = tandem("titanic_spec")
        self.assertEqual(learned_rows(params), ref["train_rows"], "same training rows")
        self.assertEqual(int(params["test_rows"]), ref["test_rows"], "same test rows")
        print(f"\ntitanic test accuracy: tandem {metrics['test_accuracy']:.4f}, "
              f"sklearn {ref['test_accuracy']:.4f}", file=sys.stderr)
        self.assertGreaterEqual(metrics["test_accuracy"], ref["test_accuracy"] * (1 - RELATIVE))

    def test_cps1985_rmse_within_2_percent_of_ridge(self):
        ref = spec_reference.cps1985()
        metrics, params = tandem("cps1985_spec")
        self.assertEqual(learned_rows(params), ref["train_rows"], "same training rows")
        self.assertEqual(int(params["test_rows"]), ref["test_rows"], "same test rows")
        print(f"\ncps1985 test RMSE: tandem {metrics['test_rmse']:.4f}, "
              f"sklearn {ref['test_rmse']:.4f}", file=sys.stderr)
        self.assertLessEqual(metrics["test_rmse"], ref["test_rmse"] * (1 + RELATIVE))


if __name__ == "__main__":
    unittest.main()

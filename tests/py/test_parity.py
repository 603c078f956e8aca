"""ONNX interop and accuracy checks against real, independent peers (PyPI).

- onnx.checker.check_model(full_check=True) accepts every exported model.onnx;
- onnxruntime on the same feature vectors gives the same outputs as Burn's forward pass and as
  both runtime engines (the dense kernel and tract);
- Tandem's validation accuracy is within 2 points of scikit-learn's LogisticRegression on the
  same split (bench/results/sklearn_reference.json, which a rerun must reproduce).

Reads target/parity/ (written by tests/parity/prepare.sh).
"""
import json
import subprocess
import sys
import unittest
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
PARITY = ROOT / "target" / "parity"
DATASETS = ["titanic", "iris", "breast_cancer", "titanic_spec", "nodes"]
# Tolerances as tandem-core defines them (core/src/constants; core/tests/constants.rs fails
# when this file and the Rust constants drift apart).
TOLERANCES = json.loads((ROOT / "tests" / "fixtures" / "constants.json").read_text())["tolerances"]
LOGIT_ABS = TOLERANCES["logit_abs"]
PROBABILITY_ABS = TOLERANCES["probability_abs"]
ACCURACY_POINTS = 0.02


def load(name):
    d = PARITY / name
    summary = json.loads((d / "summary.json").read_text())
    reference = json.loads((d / "reference.json").read_text())
    run_dir = Path(summary["run_dir"])
    if not run_dir.is_absolute():
        run_dir = ROOT / run_dir
    return summary, reference, run_dir


def softmax(x):
    z = np.exp(x - x.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class OnnxInterop(unittest.TestCase):
    def test_checker_and_onnxruntime_match_burn(self):
        report = {}
        for name in DATASETS:
            with self.subTest(dataset=name):
                summary, reference, run_dir = load(name)
                model = onnx.load(str(run_dir / "artifacts/model/model.onnx"))
                onnx.checker.check_model(model, full_check=True)
                self.assertEqual([i.name for i in model.graph.input], ["features"])
                self.assertEqual([o.name for o in model.graph.output], ["logits"])
                rows = reference["rows"]
                bits = np.array([r["feature_bits"] for r in rows], dtype=np.uint32)
                features = bits.view(np.float32)
                sess = ort.InferenceSession(str(run_dir / "artifacts/model/model.onnx"), providers=["CPUExecutionProvider"])
                (logits,) = sess.run(["logits"], {"features": features})
                burn = np.array([r["burn_outputs"] for r in rows], dtype=np.float64)
                logit_diff = float(np.abs(logits - burn).max())
                prob_diff = float(np.abs(softmax(logits.astype(np.float64)) - softmax(burn)).max())
                self.assertLessEqual(logit_diff, LOGIT_ABS)
                self.assertLessEqual(prob_diff, PROBABILITY_ABS)
                classes = reference["task"]["classes"]
                native = np.array([[r["native_prediction"]["probabilities"][c] for c in classes] for r in rows])
                ort_vs_native = float(np.abs(softmax(logits.astype(np.float64)) - native).max())
                self.assertLessEqual(ort_vs_native, PROBABILITY_ABS)
                # Both engines against onnxruntime, on raw outputs.
                engines = {}
                for engine in ("dense", "tract"):
                    out = np.array([r[f"{engine}_outputs"] for r in rows], dtype=np.float64)
                    engines[engine] = float(np.abs(logits - out).max())
                    self.assertLessEqual(engines[engine], LOGIT_ABS, engine)
                report[name] = {"max_abs_logits_ort_vs_burn": logit_diff,
                                "max_abs_prob_ort_vs_burn": prob_diff,
                                "max_abs_prob_ort_vs_native_runtime": ort_vs_native,
                                "max_abs_logits_ort_vs_dense": engines["dense"],
                                "max_abs_logits_ort_vs_tract": engines["tract"]}
        (PARITY / "onnx-report.json").write_text(json.dumps(report, indent=2))


class AccuracyVsSklearn(unittest.TestCase):
    def test_reference_reproduces(self):
        fresh = subprocess.run([sys.executable, str(ROOT / "bench" / "sklearn_reference.py")],
                               check=True, capture_output=True, text=True).stdout
        committed = (ROOT / "bench" / "results" / "sklearn_reference.json").read_text()
        self.assertEqual(json.loads(fresh)["results"], json.loads(committed)["results"])

    def test_within_two_points_of_logistic_regression(self):
        ref = json.loads((ROOT / "bench" / "results" / "sklearn_reference.json").read_text())["results"]
        table = {}
        for name in ["titanic", "iris", "breast_cancer"]:
            with self.subTest(dataset=name):
                summary, _, _ = load(name)
                ours = summary["metrics"]["validation_accuracy"]
                theirs = ref[name]["validation_accuracy"]
                table[name] = {"tandem": ours, "sklearn_logreg": theirs}
                self.assertGreaterEqual(ours, theirs - ACCURACY_POINTS, f"{name}: {ours} vs {theirs}")
        (PARITY / "accuracy-report.json").write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    unittest.main()

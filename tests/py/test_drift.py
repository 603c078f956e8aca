"""`tandem drift` against NumPy and SciPy, end to end on a real model and data.

The titanic spec model (tests/parity/prepare.sh) carries its training split's profile. Its own
test split (split.json) is the "new" data twice: as it is, every field must be stable; with a
known shift (every age + 15 years, and a new passenger class "4th" for a third of the rows),
exactly `age` and `passengerClass` must be drifted and the others stable. For every field, the
bins are recomputed from the bundle's profile with NumPy (`searchsorted` on the edges, counts per
category, missing as a bin), and the PSI (proportions floored at 1e-4) and the Jensen-Shannon
distance (SciPy's `jensenshannon`, base 2) must equal tandem's within 1e-9; the Wasserstein
distance, which tandem estimates from percentiles, must be within 2% of SciPy's exact one over
the training values. The check is recorded as a run with its report.
"""
import csv
import json
import random
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

ROOT = Path(__file__).resolve().parents[2]
TANDEM = ROOT / "target" / "debug" / "tandem"
PARITY = ROOT / "target" / "parity"
FLOOR = 1e-4
TOLERANCE = 1e-9
MISSING = {"", "NA", "NaN", "nan", "null", "None", "N/A", "n/a"}


def tandem(*args, ok=(0,)):
    p = subprocess.run([str(TANDEM), *map(str, args)], capture_output=True, text=True)
    if p.returncode not in ok:
        raise AssertionError(f"tandem {' '.join(map(str, args))}: {p.stderr}")
    return p


def psi(p_counts, q_counts):
    p = np.maximum(np.asarray(p_counts, float) / np.sum(p_counts), FLOOR)
    q = np.maximum(np.asarray(q_counts, float) / np.sum(q_counts), FLOOR)
    return float(np.sum((q - p) * np.log(q / p)))


def tokens(text):
    import re
    return [t for t in re.split(r"[^\w]", text.lower()) if len(t) > 1]


def new_counts(profile, cells):
    """The new rows' counts in the profile's bins, the last one for missing values."""
    present = [c for c in cells if c.strip() not in MISSING]
    missing = len(cells) - len(present)
    kind = profile["kind"]
    if kind == "number":
        idx = np.searchsorted(np.array(profile["edges"]), np.array([float(c) for c in present]), side="left")
        return list(np.bincount(idx, minlength=len(profile["counts"]))) + [missing]
    if kind == "text":
        idx = np.searchsorted(np.array(profile["edges"]), np.array([len(c) for c in present], float), side="left")
        return list(np.bincount(idx, minlength=len(profile["counts"]))) + [missing]
    if kind == "category":
        cats = profile["categories"]
        counts = [sum(1 for c in present if c.strip() == k) for k in cats]
        return counts + [len(present) - sum(counts), missing]
    raise AssertionError(f"no {kind} field in titanic")


def reference_counts(field):
    p = field["profile"]
    extra = [p["other"]] if p["kind"] == "category" else []
    return p["counts"] + extra + [field["missing"]]


class DriftReference(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        summary = json.loads((PARITY / "titanic_spec" / "summary.json").read_text())
        run_dir = Path(summary["run_dir"])
        run_dir = run_dir if run_dir.is_absolute() else ROOT / run_dir
        cls.model = run_dir / "artifacts/model/model.tandem"
        cls.runs = PARITY / "runs"
        cls.info = json.loads(tandem("inspect", cls.model).stdout)
        split = json.loads((run_dir / "artifacts/split.json").read_text())
        with open(ROOT / "examples/data/titanic.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        cls.fields = list(rows[0].keys())
        cls.test = [dict(rows[i - 1]) for i in split["test"]]
        cls.train = [rows[i - 1] for i in split["train"]]

    def drift(self, rows, *extra):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "new.csv"
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=self.fields)
                w.writeheader()
                w.writerows(rows)
            p = tandem("drift", "--model", self.model, "--data", path, "--json", *extra, ok=(0, 3))
            return json.loads(p.stdout), p.returncode

    def check_against_numpy(self, rows, report):
        profiles = {f["field"]: f for f in self.info["reference"]["fields"]}
        self.assertEqual(self.info["reference"]["rows"], len(self.train))
        for f in report["fields"]:
            ref = profiles[f["field"]]
            cells = [r[f["field"]] for r in rows]
            q = new_counts(ref["profile"], cells)
            p = reference_counts(ref)
            self.assertLess(abs(f["psi"] - psi(p, q)), TOLERANCE, f["field"])
            js = jensenshannon(np.array(p, float) / sum(p), np.array(q, float) / sum(q), base=2)
            self.assertLess(abs(f["js"] - js), TOLERANCE, f["field"])
            self.assertAlmostEqual(f["missing_new"], q[-1] / len(rows), delta=TOLERANCE)
            if ref["profile"]["kind"] == "number":
                name = f["field"]
                train = [float(r[name]) for r in self.train if r[name].strip() not in MISSING]
                new = [float(r[name]) for r in rows if r[name].strip() not in MISSING]
                exact = wasserstein_distance(train, new) / np.std(train)
                self.assertLess(abs(f["wasserstein"] - exact), 0.02 * max(exact, 0.05), f"{name}: {f['wasserstein']} vs {exact}")

    def test_the_test_split_is_stable_against_training(self):
        doc, code = self.drift(self.test, "--no-record", "--fail-on", "moderate")
        report = doc["drift"]
        self.assertEqual(code, 0)
        self.assertEqual([f["status"] for f in report["fields"]], ["stable"] * 4, report["fields"])
        self.check_against_numpy(self.test, report)

    def test_a_known_shift_flags_exactly_the_shifted_fields(self):
        random.seed(3)
        shifted = [dict(r) for r in self.test]
        for r in shifted:
            if r["age"].strip() not in MISSING:
                r["age"] = str(float(r["age"]) + 15)
            if random.random() < 1 / 3:
                r["passengerClass"] = "4th"
        doc, code = self.drift(shifted, "--runs-dir", self.runs, "--fail-on", "drifted")
        report = doc["drift"]
        status = {f["field"]: f["status"] for f in report["fields"]}
        self.assertEqual(status, {"name": "stable", "sex": "stable", "age": "drifted", "passengerClass": "drifted"})
        self.assertEqual(code, 3, "--fail-on drifted")
        self.assertEqual(report["drifted"], 2)
        self.assertEqual(report["drifted_share"], 0.5)
        klass = next(f for f in report["fields"] if f["field"] == "passengerClass")
        self.assertEqual(klass["unseen_examples"], ["4th"])
        self.assertAlmostEqual(klass["unseen"], sum(r["passengerClass"] == "4th" for r in shifted) / len(shifted), delta=TOLERANCE)
        self.check_against_numpy(shifted, report)
        # Recorded: a run of kind drift, linked to the model's run, with the report.
        run = doc["run_id"]
        shown = json.loads(tandem("runs", "show", run, "--runs-dir", self.runs, "--json").stdout)
        tags = shown["run"]["tags"]
        self.assertEqual(tags.get("tandem.kind"), "drift", shown)
        self.assertEqual(tags.get("tandem.model_run_id"), self.info["metadata"]["run_id"])
        self.assertEqual(shown["run"]["metrics"]["drifted_share"], 0.5)
        folder = self.runs / run / "artifacts"
        self.assertTrue((folder / "drift.svg").read_text().startswith("<svg"))
        self.assertEqual(json.loads((folder / "drift.json").read_text())["drift"], report)


if __name__ == "__main__":
    unittest.main()

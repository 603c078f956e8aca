"""`tandem explain` against the PyPI `shap` package's exact explainer, end to end.

For a classification (titanic, spec pipeline: a name that feeds two features) and a regression
(cps1985, spec pipeline: ten raw fields) model trained by tests/parity/prepare.sh, shap's
`Exact` explainer runs on the same raw rows, against the same background (the bundle's, read
with `tandem inspect`) through an `Independent` masker, with a model function that calls
Tandem's own batch prediction (`tandem predict`). Raw values reach shap as codes (shap's maskers
need numbers); the model function decodes them into a CSV of raw cells. Every value, every base
value and every prediction must agree within 1e-6, and base + values must equal the prediction.
"""
import csv
import io
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np
import shap

ROOT = Path(__file__).resolve().parents[2]
TANDEM = ROOT / "target" / "debug" / "tandem"
PARITY = ROOT / "target" / "parity"
TOLERANCE = 1e-6
EXPLAINED = 4


def bundle(name):
    summary = json.loads((PARITY / name / "summary.json").read_text())
    run_dir = Path(summary["run_dir"])
    return (run_dir if run_dir.is_absolute() else ROOT / run_dir) / "artifacts/model/model.tandem"


def tandem(*args):
    p = subprocess.run([str(TANDEM), *map(str, args)], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"tandem {' '.join(map(str, args))}: {p.stderr}")
    return p.stdout


def cell(value):
    """A raw JSON value as a CSV cell, read back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Coded:
    """Raw rows as numeric codes (one code per distinct cell of a field) and back."""

    def __init__(self, fields, rows):
        self.fields = fields
        self.values = [sorted({cell(r.get(f)) for r in rows}) for f in fields]

    def encode(self, rows):
        return np.array([[self.values[j].index(cell(r.get(f))) for j, f in enumerate(self.fields)] for r in rows], dtype=float)

    def csv(self, codes):
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(self.fields)
        for row in codes:
            w.writerow([self.values[j][int(c)] for j, c in enumerate(row)])
        return out.getvalue()


class ShapReference(unittest.TestCase):
    def check(self, name, data):
        model = bundle(name)
        info = json.loads(tandem("inspect", model))
        fields = [f["name"] for f in info["schema"]["fields"]]
        task = info["schema"]["label"]["task"]
        classes = task.get("classes")
        part = info["background"]
        background = [dict(zip(part["fields"], row)) for row in part["rows"]]
        with open(ROOT / "examples/data" / data, newline="") as f:
            rows = list(csv.DictReader(f))
        # Rows spread over the file, as typed JSON through tandem's own reading (predict echo).
        picked = rows[7::max(1, len(rows) // EXPLAINED)][:EXPLAINED]
        with tempfile.TemporaryDirectory() as d:
            raw = Path(d) / "rows.csv"
            with open(raw, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(fields)
                for r in picked:
                    w.writerow([r[k] for k in fields])
            ours = [json.loads(line) for line in tandem("explain", "--model", model, "--input", raw, "--json").splitlines()]
            # The instances as the model reads them: the raw cells, typed like the background.
            typed = [{f: parse(r[f], kind) for f, kind in zip(fields, [x["type"] for x in info["schema"]["fields"]])} for r in picked]
            coded = Coded(fields, background + typed)
            calls = []

            def f(codes):
                calls.append(len(codes))
                path = Path(d) / "masked.csv"
                path.write_text(coded.csv(codes))
                out = Path(d) / "p.jsonl"
                tandem("predict", "--model", model, "--input", path, "--output", out)
                preds = [json.loads(line)["prediction"] for line in out.read_text().splitlines()]
                if classes:
                    return np.array([[p["probabilities"][c] for c in classes] for p in preds])
                return np.array([p["value"] for p in preds])

            masker = shap.maskers.Independent(coded.encode(background), max_samples=len(background))
            explainer = shap.explainers.Exact(f, masker)
            theirs = explainer(coded.encode(typed))
        print(f"{name}: {len(fields)} fields, {len(background)} background rows, shap called the model {len(calls)} times on {sum(calls)} rows")
        worst = 0.0
        for i, mine in enumerate(ours):
            self.assertEqual(mine["method"], "exact")
            self.assertEqual(mine["background"], len(background))
            outputs = classes or [None]
            for o, c in enumerate(outputs):
                pick = (lambda v: v[c]) if c is not None else (lambda v: v)
                base = theirs.base_values[i][o] if c is not None else theirs.base_values[i]
                self.assertLess(abs(pick(mine["base"]) - base), TOLERANCE, f"{name} row {i} base {c}")
                total = pick(mine["base"])
                for j, field in enumerate(fields):
                    want = theirs.values[i][j][o] if c is not None else theirs.values[i][j]
                    got = pick(mine["values"][field])
                    self.assertLess(abs(got - want), TOLERANCE, f"{name} row {i} field {field} {c}: {got} vs shap {want}")
                    worst = max(worst, abs(got - want))
                    total += got
                prediction = mine["prediction"]["probabilities"][c] if c is not None else mine["prediction"]["value"]
                self.assertLess(abs(total - prediction), 1e-9, f"{name} row {i}: base + values != prediction")
        print(f"{name}: largest difference from shap {worst:.2e}")

    def test_titanic_classification_equals_shap_exact(self):
        self.check("titanic_spec", "titanic.csv")

    def test_cps1985_regression_equals_shap_exact(self):
        self.check("cps1985_spec", "cps1985.csv")


def parse(text, kind):
    """A CSV cell as the JSON value tandem reads it as (missing markers: empty only here)."""
    if text == "":
        return None
    if kind in ("number", "integer"):
        return float(text)
    if kind == "boolean":
        return text.strip().lower() in ("true", "yes", "y", "t", "1")
    return text


if __name__ == "__main__":
    unittest.main()

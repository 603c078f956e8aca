"""The Python package `tandem_infer` (python/, built and installed by scripts/build-python).

- its predictions equal `tandem predict`'s (labels equal, probabilities within 1e-12) on the
  shared parity case list, from pandas, pyarrow and dicts, and its features equal the native
  features bit for bit;
- bad input gives the codes the CLI and the npm package give (tests/bad-inputs: the instances
  and the bundles corpora);
- a DataFrame lacking a field's column is refused by name; warnings are listed, not lost; a
  large batch on every core equals the same batch on one thread; pandas' own dtypes (nullable
  integers, booleans, categoricals, pyarrow strings, datetimes) read as the same values;
- `pip install` of the built wheel works in a fresh virtual environment (numpy and pandas
  from PyPI, no pyarrow), and the wheel is abi3.

Reads target/parity/ (tests/parity/prepare.sh) and target/wheels/ (scripts/build-python).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import tandem_infer
from tandem_infer import InputError, Model, ModelError, TandemWarning

ROOT = Path(__file__).resolve().parents[2]
PARITY = ROOT / "target" / "parity"
TANDEM = ROOT / "target" / "debug" / "tandem"
BAD = ROOT / "tests" / "bad-inputs"
CASES = ["titanic", "iris", "breast_cancer", "titanic_spec", "cps1985_spec", "nodes"]
PROBABILITY_ABS = 1e-12


def bundle_path(name):
    summary = json.loads((PARITY / name / "summary.json").read_text())
    path = Path(summary["model"])
    return path if path.is_absolute() else ROOT / path


def records(name):
    return [json.loads(line) for line in (PARITY / name / "instances.jsonl").read_text().splitlines()]


def cli_predictions(model, input_path):
    """`tandem predict`'s JSON Lines output, one object per row."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out.jsonl"
        p = subprocess.run([str(TANDEM), "predict", "--model", str(model), "--input", str(input_path),
                            "--output", str(out)], capture_output=True, text=True)
        if p.returncode not in (0, 2):
            raise AssertionError(f"tandem predict failed: {p.stderr}")
        return [json.loads(line) for line in out.read_text().splitlines()]


class Parity(unittest.TestCase):
    def assert_same(self, model, frame, expected, how):
        self.assertEqual(len(frame), len(expected), how)
        classes = model.classes
        for i, e in enumerate(expected):
            p = e["prediction"]
            if classes is None:
                self.assertAlmostEqual(frame["value"].iloc[i], p["value"], delta=PROBABILITY_ABS * max(1, abs(p["value"])),
                                       msg=f"{how} row {i}")
                continue
            self.assertEqual(frame["label"].iloc[i], p["label"], f"{how} row {i}")
            for c in classes:
                self.assertAlmostEqual(frame[f"probability_{c}"].iloc[i], p["probabilities"][c],
                                       delta=PROBABILITY_ABS, msg=f"{how} row {i} class {c}")

    def test_pandas_pyarrow_and_dicts_predict_as_the_cli_does(self):
        for name in CASES:
            with self.subTest(case=name):
                path = bundle_path(name)
                model = Model.load(path)
                rows = records(name)
                expected = cli_predictions(path, PARITY / name / "instances.jsonl")
                self.assertTrue(all("prediction" in e for e in expected), name)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", TandemWarning)
                    self.assert_same(model, model.predict(rows), expected, "dicts")
                    self.assert_same(model, model.predict(pd.DataFrame(rows)), expected, "pandas")
                    self.assert_same(model, model.predict(pa.Table.from_pylist(rows)), expected, "pyarrow")
                    batch = pa.Table.from_pylist(rows).to_batches()[0]
                    self.assert_same(model, model.predict(batch), expected, "RecordBatch")
                    for i in (0, len(rows) - 1):
                        one = model.predict_one(rows[i])
                        self.assertEqual(one, expected[i]["prediction"], f"predict_one row {i}")

    def test_features_equal_the_native_features_bit_for_bit(self):
        for name in CASES:
            with self.subTest(case=name):
                model = Model.load(bundle_path(name))
                reference = json.loads((PARITY / name / "reference.json").read_text())["rows"]
                rows = records(name)[:len(reference)]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", TandemWarning)
                    features = model.features(rows).to_numpy()
                bits = np.array([r["feature_bits"] for r in reference], dtype=np.uint32)
                np.testing.assert_array_equal(features.view(np.uint32), bits)

    def test_explanations_equal_tandem_explain(self):
        model = Model.load(bundle_path("titanic"))
        rows = [json.loads(line) for line in (PARITY / "titanic" / "explain-input.jsonl").read_text().splitlines()]
        expected = [json.loads(line) for line in (PARITY / "titanic" / "explanations.jsonl").read_text().splitlines()]
        for row, e in zip(rows, expected):
            got = model.explain(row, seed=7)
            self.assertEqual(got["values"], e["values"])
            self.assertEqual(got["prediction"], e["prediction"])


class Tables(unittest.TestCase):
    """A DataFrame from `pandas.read_csv` predicts as `tandem predict` on the same file: a
    table's cells mean what a CSV file's cells mean."""

    def compare(self, name, csv_text, **read_csv):
        model_path = bundle_path(name)
        model = Model.load(model_path)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "rows.csv"
            path.write_text(csv_text)
            p = subprocess.run([str(TANDEM), "predict", "--model", str(model_path), "--input", str(path)],
                               capture_output=True, text=True)
            self.assertIn(p.returncode, (0, 2), p.stderr)
            want = pd.read_csv(__import__("io").StringIO(p.stdout), keep_default_na=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TandemWarning)
                got = model.predict(pd.read_csv(path, **read_csv), errors="column")
        self.assertEqual(list(got["error_code"].fillna("")), list(want["error_code"]), name)
        ok = want["error_code"] == ""
        self.assertTrue(ok.sum() > 0)
        if model.classes is None:
            self.assertLessEqual(np.max(np.abs(got["value"][ok] - want["prediction"][ok].astype(float))), 1e-9)
            return
        self.assertEqual(list(got["label"][ok]), list(want["prediction"][ok]), name)
        for c in model.classes:
            gap = np.max(np.abs(got[f"probability_{c}"][ok].to_numpy() - want[f"probability_{c}"][ok].astype(float).to_numpy()))
            self.assertLessEqual(gap, 1e-12, f"{name} {c}")
        return got

    def test_one_bad_cell_fails_its_row_only(self):
        import csv
        import io

        with open(ROOT / "examples" / "data" / "titanic.csv", newline="") as f:
            rows = list(csv.reader(f))[:200]
        age = rows[0].index("age")
        rows[6][age] = "unknown"  # one bad cell: pandas keeps the whole column as text
        rows[0][rows[0].index("sex")] = " sex "  # a header name with spaces, trimmed
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        got = self.compare("titanic", out.getvalue())
        self.assertEqual(got["error_code"].notna().sum(), 1)
        self.assertEqual((got["error_code"].iloc[5], got["error_field"].iloc[5]), ("WRONG_TYPE", "age"))

    def test_booleans_as_zero_and_one_and_dates_parsed_by_pandas(self):
        text = (ROOT / "examples" / "data" / "cps1985.csv").read_text()
        text = text.replace(",yes,", ",1,").replace(",no,", ",0,").replace(",yes\n", ",1\n").replace(",no\n", ",0\n")
        self.compare("cps1985_spec", text)
        nodes = (ROOT / "tests" / "fixtures" / "nodes" / "nodes.csv").read_text()
        got = self.compare("nodes", nodes, parse_dates=["when"])
        self.assertGreater(len(got), 100)


class BadInput(unittest.TestCase):
    """The shared bad-input corpus: the same codes as the CLI and the npm package."""

    @classmethod
    def setUpClass(cls):
        cls.models = {name: Model.load(BAD / "models" / f"{name}.tandem") for name in ("iris", "titanic", "nodes")}

    def test_instances_corpus_gives_the_same_codes(self):
        cases = json.loads((BAD / "instances" / "cases.json").read_text())
        checked = 0
        for case in cases:
            if case["mode"] != "predict" or "options_json" in case:
                continue
            options = case.get("options") or {}
            kwargs = {}
            if set(options) - {"range", "strict"} or not isinstance(options.get("strict", False), bool):
                continue  # misspelled or mistyped options are Python's own TypeError
            if "range" in options:
                kwargs["range"] = options["range"]
            if options.get("strict"):
                kwargs["strict_categories"] = True
            text = (BAD / "instances" / case["file"]).read_text()
            if "expand" in case:
                x = case["expand"]
                text = text.replace(x["marker"], x["repeat"] * x["count"])
            instance = json.loads(text)
            model = self.models[case["model"]]
            with self.subTest(case=case["name"]):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", TandemWarning)
                    with self.assertRaises(InputError) as one:
                        model.predict_one(instance, **kwargs)
                    self.assertEqual(one.exception.code, case["code"])
                    if case["code"] != "BAD_OPTION":
                        with self.assertRaises(InputError) as batch:
                            model.predict([instance], **kwargs)
                        self.assertEqual((batch.exception.code, batch.exception.row), (case["code"], 0))
                        column = model.predict([instance], errors="column", **kwargs)
                        self.assertEqual(column["error_code"].iloc[0], case["code"])
                good = json.loads((BAD / "models" / "good.json").read_text())[case["model"]]
                self.assertIn("label", model.predict_one(good), "the model still works afterwards")
            checked += 1
        self.assertGreaterEqual(checked, 40)

    def test_bundles_corpus_gives_the_same_codes(self):
        for kind in sorted(p for p in BAD.iterdir() if p.name.startswith("bundles")):
            for case in json.loads((kind / "cases.json").read_text()):
                with self.subTest(case=f"{kind.name}/{case['name']}"):
                    data = (kind / case["file"]).read_bytes()
                    if case["code"] == "OK":
                        Model.load(data)
                        continue
                    with self.assertRaises(ModelError) as e:
                        Model.load(data)
                    self.assertEqual(e.exception.code, case["code"])

    def test_a_frame_without_a_fields_column_is_refused_by_name(self):
        model = self.models["titanic"]
        frame = pd.DataFrame({"name": ["A, Mr. B"], "sex": ["male"]})
        with self.assertRaises(InputError) as e:
            model.predict(frame)
        self.assertEqual((e.exception.code, e.exception.field), ("MISSING_FIELD", "age"))
        self.assertIn("`passengerClass`", str(e.exception))
        twice = pd.DataFrame([["A", "male", 3.0, "1st", "female"]],
                             columns=["name", "sex", "age", "passengerClass", "sex"])
        with self.assertRaises(InputError) as e:
            model.predict(twice)
        self.assertEqual(e.exception.code, "DUPLICATE_HEADER")
        with self.assertRaises(TypeError):
            model.predict("name,sex\n")
        with self.assertRaises(ValueError):
            model.predict(frame, errors="ignore")

    def test_model_errors_name_the_code(self):
        with self.assertRaises(ModelError) as e:
            Model.load(b"not a bundle")
        self.assertEqual(e.exception.code, "BUNDLE_BAD_MAGIC")
        with self.assertRaises(ModelError) as e:
            Model.load("runs:/0123456789abcdef0123456789abcdef", runs_dir=tempfile.mkdtemp())
        self.assertEqual(e.exception.code, "RUN_NOT_FOUND")
        with self.assertRaises(ModelError) as e:
            Model.load("s3://bucket/model")
        self.assertEqual(e.exception.code, "UNSUPPORTED_URI_SCHEME")


class Batches(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = bundle_path("titanic")
        cls.model = Model.load(cls.path)
        cls.rows = records("titanic")

    def test_every_core_and_one_thread_agree_on_a_large_batch(self):
        frame = pd.DataFrame(self.rows * (60_000 // len(self.rows) + 1)).iloc[:60_000]
        frame["age"] = frame["age"].astype(object)  # an object column: values read one by one
        frame.loc[17, "age"] = "old"  # one bad row
        frame.loc[40_001, "sex"] = "unknown"
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", TandemWarning)
            many = self.model.predict(frame, errors="column")
            one = self.model.predict(frame, errors="column", threads=1)
        pd.testing.assert_frame_equal(many, one)
        self.assertEqual(many["error_code"].notna().sum(), 1)
        self.assertEqual((many["error_code"].iloc[17], many["error_field"].iloc[17]), ("WRONG_TYPE", "age"))
        self.assertTrue(pd.isna(many["label"].iloc[17]) and np.isnan(many["probability_yes"].iloc[17]))
        self.assertEqual(many.attrs["warnings"][0]["row"], 40_001)
        self.assertEqual(many.attrs["warnings"][0]["code"], "UNKNOWN_CATEGORY")
        self.assertEqual(len(seen), 2)
        self.assertIn("1 row predicted with warnings: UNKNOWN_CATEGORY sex (1)", str(seen[0].message))
        with self.assertRaises(InputError) as e:
            self.model.predict(frame)
        self.assertEqual((e.exception.code, e.exception.row), ("WRONG_TYPE", 17))
        # The input's index is kept.
        shuffled = frame.drop(index=[17]).sample(frac=1.0, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TandemWarning)
            got = self.model.predict(shuffled)
        pd.testing.assert_index_equal(got.index, shuffled.index)
        pd.testing.assert_series_equal(got["label"], many["label"].drop(index=[17]).loc[shuffled.index],
                                       check_dtype=False)

    def test_pandas_dtypes_read_as_the_same_values(self):
        base = pd.DataFrame(self.rows[:50])
        expected = self.model.predict(self.rows[:50])
        variants = {
            "object strings": base.astype({"name": object, "sex": object, "passengerClass": object}),
            "categoricals": base.astype({"sex": "category", "passengerClass": "category"}),
            "python strings": base.astype({"name": pd.StringDtype("python"), "sex": pd.StringDtype("python")}),
            "pyarrow strings": base.astype({"name": pd.StringDtype("pyarrow"), "sex": pd.StringDtype("pyarrow")}),
            "nullable floats": base.astype({"age": "Float64"}),
            "sliced arrow": None,
        }
        table = pa.Table.from_pandas(pd.DataFrame(self.rows[:60]), preserve_index=False).slice(10, 50)
        for how, frame in variants.items():
            with self.subTest(dtypes=how):
                data = table if frame is None else frame
                want = self.model.predict(self.rows[10:60]) if frame is None else expected
                pd.testing.assert_frame_equal(self.model.predict(data), want, check_dtype=False)
        # float32 ages: the same as the float64 values they hold.
        rounded = base.assign(age=base["age"].astype(np.float32).astype(np.float64))
        pd.testing.assert_frame_equal(self.model.predict(rounded.astype({"age": np.float32})),
                                      self.model.predict(rounded))
        # Booleans as pandas' nullable `boolean` and as 0/1 integers.
        cps = Model.load(bundle_path("cps1985_spec"))
        flags = [f["name"] for f in cps.schema["fields"] if f["type"] == "boolean"]
        self.assertTrue(flags)
        cps_rows = records("cps1985_spec")[:40]
        cps_frame = pd.DataFrame(cps_rows)
        words = {"yes": True, "no": False, True: True, False: False}
        for how, cast in (("boolean", lambda s: s.map(words).astype("boolean")),
                          ("0/1", lambda s: s.map(words).astype("Int64").astype("int64"))):
            with self.subTest(booleans=how), warnings.catch_warnings():
                warnings.simplefilter("ignore", TandemWarning)
                frame = cps_frame.assign(**{f: cast(cps_frame[f]) for f in flags})
                pd.testing.assert_frame_equal(cps.predict(frame), cps.predict(cps_rows), check_dtype=False)
        nodes = Model.load(bundle_path("nodes"))
        rows = records("nodes")
        frame = pd.DataFrame(rows)
        ints = [f["name"] for f in nodes.schema["fields"] if f["type"] == "integer"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TandemWarning)
            want = nodes.predict(rows)
            got = nodes.predict(frame.astype({c: "Int64" for c in ints}))
        pd.testing.assert_frame_equal(got, want, check_dtype=False)

    def test_polars_like_frames_and_one_dict(self):
        class ArrowBacked:  # what polars offers: to_arrow()
            def __init__(self, table):
                self.table = table

            def to_arrow(self):
                return self.table

        table = pa.Table.from_pylist(self.rows[:5])
        pd.testing.assert_frame_equal(self.model.predict(ArrowBacked(table)), self.model.predict(self.rows[:5]))
        one = self.model.predict(self.rows[0])
        self.assertEqual(len(one), 1)
        self.assertEqual(one["label"].iloc[0], self.model.predict_one(self.rows[0])["label"])

    def test_unseen_categories_warn_once_per_call(self):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", TandemWarning)
            self.model.predict_one({**self.rows[0], "sex": "Female"})
        self.assertEqual(len(seen), 1)
        self.assertIn("UNKNOWN_CATEGORY", str(seen[0].message))
        with self.assertRaises(InputError) as e:
            self.model.predict_one({**self.rows[0], "sex": "Female"}, strict_categories=True)
        self.assertEqual((e.exception.code, e.exception.field), ("UNKNOWN_CATEGORY", "sex"))

    def test_a_series_of_records_and_warnings_that_are_cheap_to_carry(self):
        import copy

        got = self.model.predict(pd.Series(self.rows[:3]))
        pd.testing.assert_frame_equal(got, self.model.predict(self.rows[:3]))
        one = self.model.predict(pd.Series(self.rows[0]))
        self.assertEqual(len(one), 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TandemWarning)
            out = self.model.predict([{**r, "sex": "?"} for r in self.rows])
        self.assertEqual(len(out.attrs["warnings"]), len(self.rows))
        self.assertIs(copy.deepcopy(out.attrs)["warnings"], out.attrs["warnings"])
        self.assertIs(out.head().attrs["warnings"], out.attrs["warnings"])
        for bad in (0, -1, 1.5, True):
            with self.assertRaises(ValueError):
                self.model.predict(self.rows[:2], threads=bad)

    def test_errors_pickle_with_their_code(self):
        import pickle

        e = InputError("WRONG_TYPE", "field `age` expects a number", "age", 3)
        back = pickle.loads(pickle.dumps(e))
        self.assertEqual((back.code, back.field, back.row, str(back)), (e.code, e.field, e.row, str(e)))
        self.assertIsInstance(back, ValueError)


class Wheel(unittest.TestCase):
    def test_the_wheel_installs_and_predicts_in_a_fresh_virtual_environment(self):
        wheels = sorted((ROOT / "target" / "wheels").glob("tandem_infer-*.whl"))
        self.assertEqual(len(wheels), 1, wheels)
        self.assertIn("-cp39-abi3-", wheels[0].name, "one abi3 wheel for every CPython >= 3.9")
        with tempfile.TemporaryDirectory() as d:
            venv = Path(d) / "venv"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            py = venv / "bin" / "python"
            pip = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                  str(wheels[0])], capture_output=True, text=True)
            self.assertEqual(pip.returncode, 0, pip.stderr)
            script = (
                "import json, sys, tandem_infer\n"
                "m = tandem_infer.Model.load(sys.argv[1])\n"
                "rows = [json.loads(l) for l in open(sys.argv[2])][:20]\n"
                "frame = m.predict(rows)\n"
                "import pandas\n"
                "same = m.predict(pandas.DataFrame(rows))\n"
                "assert frame.equals(same), (frame, same)\n"
                "try:\n    import pyarrow\n    print('pyarrow present')\nexcept ImportError:\n    pass\n"
                "print(json.dumps(list(frame['label'])))\n"
            )
            run = subprocess.run([str(py), "-c", script, str(bundle_path("titanic")),
                                  str(PARITY / "titanic" / "instances.jsonl")],
                                 capture_output=True, text=True, cwd=d)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertNotIn("pyarrow present", run.stdout, "the package needs only numpy and pandas")
            expected = [e["prediction"]["label"] for e in
                        cli_predictions(bundle_path("titanic"), PARITY / "titanic" / "instances.jsonl")[:20]]
            self.assertEqual(json.loads(run.stdout.splitlines()[-1]), expected)

    def test_version_is_the_crates(self):
        cargo = (ROOT / "Cargo.toml").read_text()
        self.assertIn(f'version = "{tandem_infer.__version__}"', cargo)


if __name__ == "__main__":
    unittest.main()

"""MLflow's own scoring client against Tandem's servers (PyPI `mlflow`, pinned in
requirements-test.txt).

`mlflow.pyfunc.scoring_server.client.ScoringServerClient` calls `tandem serve` and the edge
worker (web-demo/edge-worker under workerd, started by tests/serve/worker.mjs) on 127.0.0.1
with pandas DataFrames holding missing values: MLflow's client writes them as bare `NaN`
tokens, as MLflow's own server accepts. Every answer must equal what `tandem predict` says
for the same rows written to CSV; with `--output plain` (the worker's `OUTPUT=plain`) the
predictions are MLflow's plain list of labels, and `params={"output": "plain"}` asks for it
per request.

The model is the parity bundle of the titanic data (tests/parity/prepare.sh), or one trained
here with target/debug/tandem when that was not run.
"""

import json
import math
import os
import re
import signal
import subprocess
import tempfile
import unittest
from pathlib import Path

import pandas as pd
from mlflow.pyfunc.scoring_server.client import ScoringServerClient

ROOT = Path(__file__).resolve().parents[2]
TANDEM = ROOT / "target" / "debug" / "tandem"
DATA = ROOT / "examples" / "data" / "titanic.csv"
PARITY = ROOT / "target" / "parity" / "titanic" / "summary.json"
WORKER = ROOT / "tests" / "serve" / "worker.mjs"
ROWS = 60


def tandem(*args):
    p = subprocess.run([str(TANDEM), *map(str, args)], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"tandem {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


def model_path(workdir):
    """The parity bundle, or a bundle trained now."""
    if PARITY.exists():
        model = json.loads(PARITY.read_text())["model"]
        return model if os.path.isabs(model) else str(ROOT / model)
    out = tandem("train", "--data", DATA, "--label", "survived", "--runs-dir", Path(workdir) / "runs", "--json")
    model = json.loads(out.stdout)["model"]
    return model if os.path.isabs(model) else str(Path.cwd() / model)


class Server:
    """A server process printing `... on http://127.0.0.1:<port>` once it listens."""

    def __init__(self, argv, log):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, start_new_session=True, cwd=ROOT)
        line = self.proc.stdout.readline().decode()
        found = re.search(r"on http://(127\.0\.0\.1):(\d+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"{argv[0]} did not start: {line!r} {Path(log).read_text()[-2000:]}")
        self.client = ScoringServerClient(found.group(1), int(found.group(2)))
        self.client.wait_server_ready(timeout=30, scoring_server_proc=self.proc)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()


class ScoringClientCase:
    """The checks, for a server started by `start(model, plain)`."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.model = model_path(cls.dir)
        schema = json.loads(tandem("inspect", cls.model).stdout)["schema"]
        cls.fields = [f["name"] for f in schema["fields"]]
        numbers = [f["name"] for f in schema["fields"] if f["type"] in ("number", "integer") and f.get("nullable")]
        frame = pd.read_csv(DATA).head(ROWS)[cls.fields]
        # Missing values as a DataFrame holds them: NaN, read from empty cells and set here.
        for i in range(0, ROWS, 4):
            frame.loc[i, numbers[0]] = float("nan")
        cls.frame = frame
        assert frame.isna().any(axis=None), "the rows hold missing values"
        # What `tandem predict` says for the same rows, written to CSV.
        rows_csv = cls.dir / "rows.csv"
        frame.to_csv(rows_csv, index=False)
        preds = cls.dir / "preds.jsonl"
        tandem("predict", "--model", cls.model, "--input", rows_csv, "--output", preds)
        cls.expected = [json.loads(l)["prediction"] for l in preds.read_text().splitlines() if l]
        assert len(cls.expected) == ROWS
        cls.full = cls.start(cls.model, plain=False)
        cls.plain = cls.start(cls.model, plain=True)

    @classmethod
    def tearDownClass(cls):
        for s in (getattr(cls, "full", None), getattr(cls, "plain", None)):
            if s:
                s.stop()
        cls.tmp.cleanup()

    def labels(self):
        return [p["label"] for p in self.expected]

    def test_a_dataframe_with_nan_gets_tandem_predicts_labels_and_probabilities(self):
        got = self.full.client.invoke(self.frame).get_predictions()
        self.assertEqual(list(got["label"]), self.labels())
        for i, (probs, want) in enumerate(zip(got["probabilities"], self.expected)):
            for c, p in want["probabilities"].items():
                self.assertTrue(math.isclose(probs[c], p, abs_tol=1e-6), f"row {i} {c}: {probs[c]} vs {p}")

    def test_the_plain_output_server_answers_mlflows_list_of_labels(self):
        got = self.plain.client.invoke(self.frame).get_predictions()
        self.assertEqual(list(got.iloc[:, 0]), self.labels())

    def test_params_output_plain_asks_for_the_plain_list_per_request(self):
        got = self.full.client.invoke(self.frame, params={"output": "plain"}).get_predictions()
        self.assertEqual(list(got.iloc[:, 0]), self.labels())

    def test_records_with_nan_as_inputs_get_the_same_labels(self):
        records = self.frame.to_dict(orient="records")
        self.assertTrue(any(isinstance(v, float) and math.isnan(v) for r in records for v in r.values()))
        got = self.plain.client.invoke(records).get_predictions()
        self.assertEqual(list(got.iloc[:, 0]), self.labels())

    def test_an_infinite_number_is_refused_naming_its_field_and_row(self):
        frame = self.frame.copy()
        number = next(f for f in self.fields if pd.api.types.is_float_dtype(frame[f]))
        frame.loc[3, number] = float("inf")
        with self.assertRaises(Exception) as raised:
            self.full.client.invoke(frame)
        text = str(raised.exception)
        self.assertIn("error code 400", text)
        answer = json.loads(text[text.index("response: ") + len("response: ") : -1])
        self.assertEqual((answer["code"], answer["row"], answer["field"]), ("NOT_FINITE", 4, number))


class TandemServeTest(ScoringClientCase, unittest.TestCase):
    @classmethod
    def start(cls, model, plain):
        argv = [str(TANDEM), "serve", "--model", model, "--host", "127.0.0.1", "--port", "0"]
        return Server(argv + (["--output", "plain"] if plain else []), cls.dir / f"serve-{plain}.log")


@unittest.skipUnless((ROOT / "node_modules" / ".bin" / "workerd").exists(), "npm ci installs workerd")
class EdgeWorkerTest(ScoringClientCase, unittest.TestCase):
    @classmethod
    def start(cls, model, plain):
        argv = ["node", str(WORKER), model] + (["OUTPUT=plain"] if plain else [])
        return Server(argv, cls.dir / f"worker-{plain}.log")


if __name__ == "__main__":
    unittest.main()

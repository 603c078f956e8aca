"""Tandem against a real MLflow tracking server (PyPI `mlflow`, pinned in requirements-test.txt).

Each test class starts `mlflow server` on 127.0.0.1 with a sqlite backend and proxied
artifacts in a temporary folder, waits for /health, and stops it afterwards. Tandem logs
through the REST API; MLflow's own Python client reads everything back.
"""

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
TANDEM = ROOT / "target" / "debug" / "tandem"
DATA = ROOT / "examples" / "data" / "titanic.csv"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MlflowServer:
    """`mlflow server` in its own process group, on a free port."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.log = open(self.dir / "mlflow-server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(self.port),
             "--backend-store-uri", f"sqlite:///{self.dir}/mlflow.db", "--serve-artifacts",
             "--artifacts-destination", str(self.dir / "artifacts"), "--workers", "1"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MLFLOW_ENABLE_TELEMETRY": "false", "DO_NOT_TRACK": "1"},
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {(self.dir / 'mlflow-server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("mlflow server did not become healthy in 180 s")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def tandem(*args, env=None, check=True):
    e = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    e.update(env or {})
    p = subprocess.run([str(TANDEM), *map(str, args)], capture_output=True, text=True, env=e)
    if check and p.returncode != 0:
        raise AssertionError(f"tandem {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


def sample_csv(path):
    with open(DATA) as f:
        lines = f.read().splitlines()[:60]
    path.write_text("\n".join(lines) + "\n")
    return path


class TrackingAgainstMlflow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import mlflow  # noqa: F401  (fail early, clearly, if it is missing)
        cls.tmp = tempfile.TemporaryDirectory(prefix="tandem-mlflow-")
        cls.dir = Path(cls.tmp.name)
        cls.server = MlflowServer(cls.dir)
        os.environ["MLFLOW_TRACKING_URI"] = cls.server.uri
        cls.runs = cls.dir / "local-runs"
        # Enough epochs that the per-epoch metrics exceed one log-batch call (1000 metrics).
        p = tandem("train", "--data", DATA, "--label", "survived", "--tracking-uri", cls.server.uri,
                   "--experiment", "tandem-it", "--runs-dir", cls.runs, "--max-epochs", "600",
                   "--patience", "600", "--json", "--quiet")
        cls.summary = json.loads(p.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.environ.pop("MLFLOW_TRACKING_URI", None)
        cls.tmp.cleanup()

    def test_run_params_metrics_tags_and_history(self):
        import mlflow
        from mlflow import MlflowClient

        s = self.summary
        run = mlflow.get_run(s["run_id"])
        self.assertEqual(run.info.status, "FINISHED")
        self.assertEqual(mlflow.get_experiment(run.info.experiment_id).name, "tandem-it")
        self.assertEqual(run.data.params["label"], "survived")
        self.assertEqual(run.data.params["max_epochs"], "600")
        for k, v in s["metrics"].items():
            self.assertAlmostEqual(run.data.metrics[k], v, places=12, msg=k)
        self.assertEqual(len(run.data.tags["tandem.data_sha256"]), 64)
        self.assertEqual(run.data.tags["tandem.version"], "0.1.0")
        logged = json.loads(run.data.tags["mlflow.log-model.history"])
        self.assertEqual((logged[0]["run_id"], logged[0]["artifact_path"]), (s["run_id"], "model"))
        history = MlflowClient().get_metric_history(s["run_id"], "validation_loss")
        self.assertEqual(len(history), s["epochs_run"])
        self.assertGreater(s["epochs_run"] * 2, 1000, "per-epoch metrics span several log-batch calls")
        self.assertEqual(sorted(m.step for m in history), list(range(1, s["epochs_run"] + 1)))

    def test_tune_trials_are_nested_runs_of_the_run_that_holds_the_model(self):
        import mlflow
        import mlflow.pyfunc

        iris = ROOT / "examples" / "data" / "iris.csv"
        p = tandem("tune", "--data", iris, "--label", "target", "--trials", "3", "--budget", "0",
                   "--tracking-uri", self.server.uri, "--experiment", "tandem-tune",
                   "--runs-dir", self.runs, "--json", "--quiet")
        s = json.loads(p.stdout)
        parent = mlflow.get_run(s["run_id"])
        self.assertEqual(parent.info.status, "FINISHED")
        children = mlflow.search_runs(experiment_names=["tandem-tune"],
                                      filter_string=f"tags.mlflow.parentRunId = '{s['run_id']}'",
                                      output_format="list")
        self.assertEqual(sorted(c.info.run_id for c in children),
                         sorted(t["run_id"] for t in s["tune"]["trials"]))
        for c in children:
            self.assertEqual(c.info.status, "FINISHED")
            self.assertEqual(c.data.tags["tandem.kind"], "trial")
            self.assertIn("cv_log_loss_mean", c.data.metrics)
            self.assertIn(c.data.params["hidden"], {"32", "none", "16", "64", "128", "32,32", "64,64"})
        best = next(t for t in s["tune"]["trials"] if t["trial"] == s["tune"]["best_trial"])
        self.assertEqual(parent.data.tags["tandem.tune.best_run_id"], best["run_id"])
        self.assertEqual(parent.data.params["learning_rate"], str(best["settings"]["learning_rate"]))
        self.assertAlmostEqual(parent.data.metrics["tune_cv_log_loss_mean"], best["score"], places=12)
        # `runs list` against the server hides the trials and says how many.
        listing = tandem("runs", "list", "--tracking-uri", self.server.uri, "--experiment", "tandem-tune").stdout
        self.assertIn(s["run_id"], listing)
        self.assertIn("(3 tuning trials not shown: `tandem runs list --all`)", listing)
        for t in s["tune"]["trials"]:
            self.assertNotIn(t["run_id"], listing)
        # The tuning run holds the model: pyfunc loads it by run id.
        model = mlflow.pyfunc.load_model(f"runs:/{s['run_id']}/model")
        frame = pd.read_csv(iris).drop(columns=["target"]).head(5)
        self.assertEqual(len(model.predict(frame)), 5)

    def test_an_evaluation_is_a_run_linked_to_the_models_run(self):
        import mlflow

        s = self.summary
        p = tandem("evaluate", "--model", f"runs:/{s['run_id']}", "--data", DATA, "--tracking-uri", self.server.uri,
                   "--experiment", "tandem-it", "--runs-dir", self.runs, "--json")
        doc = json.loads(p.stdout)
        run = mlflow.get_run(doc["run_id"])
        self.assertEqual(run.info.status, "FINISHED")
        self.assertEqual(run.data.tags["tandem.kind"], "evaluation")
        self.assertEqual(run.data.tags["tandem.model_run_id"], s["run_id"])
        self.assertEqual(run.data.params["data_sha256"], doc["data_sha256"])
        self.assertEqual(run.data.params["model"], f"runs:/{s['run_id']}")
        for k, v in doc["evaluation"]["report"]["metrics"].items():
            self.assertAlmostEqual(run.data.metrics[k], v, places=12, msg=k)
        path = mlflow.artifacts.download_artifacts(run_id=doc["run_id"], artifact_path="evaluation.json")
        recorded = json.loads(Path(path).read_text())
        self.assertEqual(recorded["evaluation"], doc["evaluation"])

    def test_a_drift_check_is_a_run_linked_to_the_models_run(self):
        import mlflow

        s = self.summary
        p = tandem("drift", "--model", f"runs:/{s['run_id']}", "--data", DATA, "--tracking-uri", self.server.uri,
                   "--experiment", "tandem-it", "--runs-dir", self.runs, "--json")
        doc = json.loads(p.stdout)
        run = mlflow.get_run(doc["run_id"])
        self.assertEqual(run.info.status, "FINISHED")
        self.assertEqual(run.data.tags["tandem.kind"], "drift")
        self.assertEqual(run.data.tags["tandem.model_run_id"], s["run_id"])
        self.assertEqual(run.data.metrics["drifted_share"], doc["drift"]["drifted_share"])
        for f in doc["drift"]["fields"]:
            self.assertAlmostEqual(run.data.metrics[f"psi.{f['field']}"], f["psi"], places=12)
        svg = mlflow.artifacts.download_artifacts(run_id=doc["run_id"], artifact_path="drift.svg")
        self.assertTrue(Path(svg).read_text().startswith("<svg"))

    def test_artifacts_mlmodel_signature_and_onnx_flavor(self):
        import mlflow
        import mlflow.onnx
        from mlflow.models import Model

        s = self.summary
        local = Path(s["model"]).read_bytes()
        path = Path(mlflow.artifacts.download_artifacts(run_id=s["run_id"], artifact_path="model"))
        self.assertEqual((path / "model.tandem").read_bytes(), local, "the bundle is uploaded byte for byte")
        m = Model.load(str(path))
        schema = json.loads((path / "schema.json").read_text())
        self.assertEqual(m.signature.inputs.input_names(), [f["name"] for f in schema["fields"]])
        self.assertEqual(m.flavors["python_function"]["loader_module"], "tandem_infer.pyfunc")
        self.assertEqual(m.signature.outputs.input_names(), ["label", "probability_no", "probability_yes"])
        onnx_model = mlflow.onnx.load_model(f"runs:/{s['run_id']}/model")
        self.assertEqual(onnx_model.graph.input[0].name, "features")
        top = mlflow.artifacts.list_artifacts(run_id=s["run_id"])
        names = {a.path for a in top}
        self.assertTrue({"model", "plots", "history.csv", "metrics.json", "split.json"} <= names, names)
        svg = Path(mlflow.artifacts.download_artifacts(run_id=s["run_id"], artifact_path="plots/loss.svg")).read_text()
        self.assertTrue(svg.startswith("<svg"))

    def test_registry_alias_resolves_the_same_everywhere(self):
        import mlflow
        from mlflow import MlflowClient

        s = self.summary
        uri = self.server.uri
        v = json.loads(tandem("models", "register", "--run", s["run_id"], "--name", "titanic-it",
                              "--tracking-uri", uri, "--json").stdout)
        tandem("models", "alias", "titanic-it", "champion", v["version"], "--tracking-uri", uri)
        mv = MlflowClient().get_model_version_by_alias("titanic-it", "champion")
        self.assertEqual((mv.run_id, int(mv.version)), (s["run_id"], v["version"]))
        downloaded = Path(mlflow.artifacts.download_artifacts("models:/titanic-it@champion"))
        self.assertEqual((downloaded / "model.tandem").read_bytes(), Path(s["model"]).read_bytes())
        sample = sample_csv(self.dir / "sample.csv")
        remote = tandem("predict", "--model", "models:/titanic-it@champion", "--tracking-uri", uri,
                        "--input", sample).stdout
        local = tandem("predict", "--model", s["model"], "--input", sample).stdout
        self.assertEqual(remote, local)
        self.assertEqual(len(list(csv.DictReader(io.StringIO(remote)))), 59)
        by_run = tandem("predict", "--model", f"runs:/{s['run_id']}", "--tracking-uri", uri, "--input", sample).stdout
        self.assertEqual(by_run, local)
        listed = json.loads(tandem("models", "list", "--tracking-uri", uri, "--json").stdout)
        entry = next(m for m in listed if m["name"] == "titanic-it")
        self.assertEqual(entry["aliases"], {"champion": v["version"]})
        runs = json.loads(tandem("runs", "list", "--tracking-uri", uri, "--experiment", "tandem-it", "--json").stdout)
        self.assertIn(s["run_id"], [r["run_id"] for r in runs])
        shown = json.loads(tandem("runs", "show", s["run_id"], "--tracking-uri", uri, "--json").stdout)
        self.assertEqual(len(shown["history"]["train_loss"]), s["epochs_run"])

        # Served from the registry: the same predictions over MLflow's scoring protocol.
        e = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        serve = subprocess.Popen([str(TANDEM), "serve", "--model", "models:/titanic-it@champion", "--tracking-uri", uri,
                                  "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=e)
        try:
            base = serve.stdout.readline().split()[-1]
            rows = list(csv.DictReader(io.StringIO(sample.read_text())))[:5]
            records = [{"name": r["name"], "sex": r["sex"], "age": float(r["age"]) if r["age"] else None,
                        "passengerClass": r["passengerClass"]} for r in rows]
            req = urllib.request.Request(f"{base}/invocations", json.dumps({"dataframe_records": records}).encode(),
                                         {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                served = [p["label"] for p in json.load(r)["predictions"]]
            with urllib.request.urlopen(f"{base}/version", timeout=10) as r:
                version = json.load(r)
        finally:
            serve.terminate()
            serve.wait()
        expected = [r["prediction"] for r in csv.DictReader(io.StringIO(local))][:5]
        self.assertEqual(served, expected)
        self.assertEqual((version["run_id"], version["model_version"]), (s["run_id"], v["version"]))

    def test_bad_input_is_a_clear_error(self):
        uri = self.server.uri
        sample = sample_csv(self.dir / "bad.csv")
        unknown = "0123456789abcdef0123456789abcdef"
        cases = [
            (["predict", "--model", f"runs:/{unknown}", "--input", sample], "unknown run id"),
            (["predict", "--model", "models:/no-such-model@champion", "--input", sample], "RESOURCE_DOES_NOT_EXIST"),
            (["models", "register", "--run", unknown, "--name", "x"], "unknown run id"),
            (["runs", "show", unknown], "unknown run id"),
        ]
        for args, expect in cases:
            p = tandem(*args, "--tracking-uri", uri, check=False, env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn(expect, p.stderr, args)


def cli_rows(csv_text):
    """`tandem predict`'s CSV output as (label, {class: probability}) per row."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    return [(r["prediction"], {k[len("probability_"):]: float(v) for k, v in r.items() if k.startswith("probability_")})
            for r in rows]


def probabilities(frame):
    """`probability_<class>` columns as one {class: probability} dict per row."""
    columns = [c for c in frame.columns if c.startswith("probability_")]
    return frame[columns].rename(columns=lambda c: c[len("probability_"):]).to_dict("records")


def post_json(url, body, timeout=30):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class PyfuncAgainstMlflow(unittest.TestCase):
    """MLflow's own machinery on a Tandem run: the python_function flavor (tandem_infer)."""

    @classmethod
    def setUpClass(cls):
        import mlflow  # noqa: F401
        cls.tmp = tempfile.TemporaryDirectory(prefix="tandem-pyfunc-")
        cls.dir = Path(cls.tmp.name)
        cls.server = MlflowServer(cls.dir)
        p = tandem("train", "--data", DATA, "--label", "survived", "--tracking-uri", cls.server.uri,
                   "--experiment", "tandem-pyfunc", "--runs-dir", cls.dir / "local-runs", "--json", "--quiet")
        cls.summary = json.loads(p.stdout)
        cls.sample = sample_csv(cls.dir / "sample.csv")
        cls.expected = cli_rows(tandem("predict", "--model", cls.summary["model"], "--input", cls.sample).stdout)
        cls.frame = pd.read_csv(cls.sample)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def assert_cli_predictions(self, labels, probabilities, how):
        self.assertEqual(list(labels), [e[0] for e in self.expected], how)
        for i, (p, (_, e)) in enumerate(zip(probabilities, self.expected)):
            self.assertEqual(set(p), set(e), how)
            for c in e:
                self.assertAlmostEqual(p[c], e[c], delta=1e-12, msg=f"{how} row {i} class {c}")

    def test_load_model_by_run_and_by_alias_predicts_as_the_cli(self):
        import mlflow.pyfunc
        import tandem_infer
        from mlflow.exceptions import MlflowException

        s, uri = self.summary, self.server.uri
        os.environ["MLFLOW_TRACKING_URI"] = uri
        try:
            by_run = mlflow.pyfunc.load_model(f"runs:/{s['run_id']}/model")
            out = by_run.predict(self.frame)
            self.assertEqual(list(out.columns), ["label", "probability_no", "probability_yes"])
            self.assert_cli_predictions(out["label"], probabilities(out), "pyfunc runs:/")
            self.assertEqual(by_run.metadata.get_input_schema().input_names(),
                             ["name", "sex", "age", "passengerClass"])
            v = json.loads(tandem("models", "register", "--run", s["run_id"], "--name", "titanic-pyfunc",
                                  "--tracking-uri", uri, "--json").stdout)
            tandem("models", "alias", "titanic-pyfunc", "prod", v["version"], "--tracking-uri", uri)
            by_alias = mlflow.pyfunc.load_model("models:/titanic-pyfunc@prod").predict(self.frame)
            self.assert_cli_predictions(by_alias["label"], probabilities(by_alias), "pyfunc models:/@prod")
            # The package resolves the same URIs itself, through the CLI's tracking code.
            for source in (f"runs:/{s['run_id']}", "models:/titanic-pyfunc@prod"):
                model = tandem_infer.Model.load(source)
                got = model.predict(self.frame)
                self.assert_cli_predictions(got["label"], probabilities(got), source)
            # Tandem checks the values (the signature types its fields `any`): a bad row is
            # MLflow's INVALID_PARAMETER_VALUE naming Tandem's code, never a null.
            bad = self.frame.head(3).astype({"age": object})
            bad.loc[1, "age"] = "old"
            with self.assertRaises(MlflowException) as e:
                by_run.predict(bad)
            self.assertEqual(e.exception.error_code, "INVALID_PARAMETER_VALUE")
            self.assertIn("[WRONG_TYPE] row 1: field `age`", str(e.exception))
            # Whole numbers in a number field (pandas' int64) read as numbers.
            whole = self.frame.dropna(subset=["age"]).astype({"age": "int64"})
            self.assertEqual(len(by_run.predict(whole)), len(whole))
            # A misspelled column is refused by name, not predicted as missing.
            with self.assertRaises(MlflowException) as e:
                by_run.predict(self.frame.rename(columns={"passengerClass": "pclass"}))
            self.assertIn("passengerClass", str(e.exception))
        finally:
            os.environ.pop("MLFLOW_TRACKING_URI", None)

    def test_mlflow_models_serve_answers_as_tandem_serve(self):
        s, uri = self.summary, self.server.uri
        port = free_port()
        env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_ENABLE_TELEMETRY": "false"}
        log = open(self.dir / "models-serve.log", "wb")
        served = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "models", "serve", "-m", f"runs:/{s['run_id']}/model",
             "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        e = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        ours = subprocess.Popen([str(TANDEM), "serve", "--model", f"runs:/{s['run_id']}", "--tracking-uri", uri,
                                 "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=e)
        try:
            base = ours.stdout.readline().split()[-1]
            mlflow_base = f"http://127.0.0.1:{port}"
            deadline = time.time() + 180
            while True:
                if served.poll() is not None:
                    self.fail(f"mlflow models serve exited: {(self.dir / 'models-serve.log').read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{mlflow_base}/ping", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.time() > deadline:
                        self.fail("mlflow models serve did not answer /ping in 180 s")
                    time.sleep(0.5)
            records = json.loads(self.frame.to_json(orient="records"))
            split = json.loads(self.frame.to_json(orient="split", index=False))
            for body in ({"dataframe_records": records}, {"dataframe_split": split}):
                status_m, from_mlflow = post_json(f"{mlflow_base}/invocations", body)
                status_t, from_tandem = post_json(f"{base}/invocations", body)
                self.assertEqual((status_m, status_t), (200, 200), (from_mlflow, from_tandem))
                # MLflow answers the pyfunc's flat columns, tandem serve its nested objects:
                # the same numbers.
                pm, pt = from_mlflow["predictions"], from_tandem["predictions"]
                self.assertEqual([p["label"] for p in pm], [p["label"] for p in pt])
                self.assertEqual(set(pm[0]), {"label", "probability_no", "probability_yes"})
                self.assert_cli_predictions([p["label"] for p in pm], probabilities(pd.DataFrame(pm)), "mlflow serve")
                self.assert_cli_predictions([p["label"] for p in pt], [p["probabilities"] for p in pt], "tandem serve")
            # A wrong type: both servers answer 400 with Tandem's code.
            records[1]["age"] = "old"
            status_m, err_m = post_json(f"{mlflow_base}/invocations", {"dataframe_records": records})
            status_t, err_t = post_json(f"{base}/invocations", {"dataframe_records": records})
            self.assertEqual((status_m, status_t), (400, 400), (err_m, err_t))
            self.assertIn("WRONG_TYPE", err_m["message"])
            self.assertIn("WRONG_TYPE", json.dumps(err_t))
        finally:
            ours.terminate()
            ours.wait()
            ours.stdout.close()
            os.killpg(served.pid, signal.SIGTERM)
            try:
                served.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(served.pid, signal.SIGKILL)
                served.wait()
            log.close()


class ServerStoppedMidRun(unittest.TestCase):
    def test_local_copy_kept_and_error_is_clear(self):
        import mlflow  # noqa: F401
        with tempfile.TemporaryDirectory(prefix="tandem-mlflow-stop-") as tmp:
            tmp = Path(tmp)
            server = MlflowServer(tmp)
            runs = tmp / "local-runs"
            try:
                e = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
                e["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "1"
                proc = subprocess.Popen(
                    [str(TANDEM), "train", "--data", str(DATA), "--label", "survived", "--tracking-uri",
                     server.uri, "--runs-dir", str(runs), "--max-epochs", "400", "--patience", "400", "--quiet"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
                # Wait until the run is RUNNING on the server, then stop the server under it.
                deadline = time.time() + 60
                while time.time() < deadline:
                    body = json.dumps({"experiment_ids": ["0"], "max_results": 5}).encode()
                    req = urllib.request.Request(f"{server.uri}/api/2.0/mlflow/runs/search", body,
                                                 {"Content-Type": "application/json"})
                    with urllib.request.urlopen(req, timeout=5) as r:
                        found = json.load(r).get("runs", [])
                    if found and found[0]["info"]["status"] == "RUNNING":
                        break
                    time.sleep(0.05)
                else:
                    self.fail("the run never appeared on the server")
                run_id = found[0]["info"]["run_id"]
                server.stop()
                out, err = proc.communicate(timeout=300)
            finally:
                server.stop()
            self.assertEqual(proc.returncode, 1, err)
            self.assertIn("cannot reach the MLflow server", err)
            self.assertIn("the local copy is complete", err)
            bundle = runs / run_id / "artifacts" / "model" / "model.tandem"
            self.assertIn(str(bundle), err)
            self.assertTrue(bundle.is_file())
            tandem("inspect", bundle)
            local = json.loads(tandem("runs", "show", run_id, "--runs-dir", runs, "--json").stdout)["run"]
            self.assertEqual(local["status"], "FINISHED")
            self.assertIn("cannot reach", local["tags"]["tandem.mlflow.error"])


if __name__ == "__main__":
    unittest.main()

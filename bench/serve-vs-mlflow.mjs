// `tandem serve` vs `mlflow models serve` (MLflow 3.17.2 from PyPI, serving the equivalent
// scikit-learn pipeline from bench/mlflow_peer.py), side by side on loopback with the same
// single-row requests: 1 connection and 64 connections, requests/s and p50/p99; plus the edge
// worker's cold start under workerd if tests/serve ran.
//
//   pip install mlflow==3.17.2 && node bench/serve-vs-mlflow.mjs [seconds per run, default 20]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { load } from "../tests/serve/load.mjs";
import { startServer, parityData } from "../tests/serve/server.mjs";

const root = path.resolve(import.meta.dirname, "..");
const seconds = Number(process.argv[2] ?? 20);
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const { model } = parityData("titanic");
const row = JSON.parse(readFileSync(path.join(root, "target/parity/titanic/instances.jsonl"), "utf8").split("\n")[0]);
const body = JSON.stringify({ dataframe_records: [row] });

// The MLflow peer.
const peerDir = path.join(root, "target/bench/mlflow-model");
rmSync(peerDir, { recursive: true, force: true });
mkdirSync(path.dirname(peerDir), { recursive: true });
execFileSync("python3", [path.join(root, "bench/mlflow_peer.py"), peerDir], { stdio: "inherit" });
const port = await freePort();
const mlflow = spawn("mlflow", ["models", "serve", "-m", peerDir, "--env-manager", "local", "-h", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: "false" } });
const mlflowBase = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${mlflowBase}/ping`)).status === 200) break;
  } catch {}
  if (i > 600) throw new Error("mlflow models serve did not start");
  await new Promise((r) => setTimeout(r, 100));
}
const check = await (await fetch(`${mlflowBase}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body })).json();

const tandem = await startServer(model);
const tandemAnswer = await (await fetch(`${tandem.base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body })).json();

const results = {};
try {
  for (const [name, base] of [["tandem", tandem.base], ["mlflow", mlflowBase]]) {
    results[name] = {};
    for (const connections of [1, 64]) {
      const r = await load(base, { connections, seconds, body });
      results[name][`c${connections}`] = { rps: Math.round(r.rps), p50_ms: +r.p50_ms.toFixed(2), p99_ms: +r.p99_ms.toFixed(2), statuses: r.statuses, errors: r.errors };
      console.error(name, connections, JSON.stringify(results[name][`c${connections}`]));
    }
  }
} finally {
  tandem.child.kill("SIGTERM");
  mlflow.kill("SIGTERM");
}
const cold = path.join(root, "target/edge-worker/cold-start.json");
const out = {
  requests: "one-row dataframe_records POST, keep-alive, loopback; load generator tests/serve/load.mjs (with malformed and slow clients interleaved)",
  tandem_build: "target/debug (the test build: our crates unoptimised, dependencies at opt-level 1)",
  seconds_per_run: seconds,
  same_answer: { tandem: tandemAnswer.predictions[0].label, mlflow: check.predictions[0] },
  results,
  throughput_ratio_c64: +(results.tandem.c64.rps / results.mlflow.c64.rps).toFixed(1),
  throughput_ratio_c1: +(results.tandem.c1.rps / results.mlflow.c1.rps).toFixed(1),
  worker_cold_start_ms: existsSync(cold) ? JSON.parse(readFileSync(cold, "utf8")).first_answer_ms : null,
};
mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(path.join(root, "bench/results/serve-vs-mlflow.json"), JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));

// `tandem serve` vs `mlflow models serve` (MLflow 3.17.2 from PyPI, serving the equivalent
// scikit-learn pipeline from bench/mlflow_peer.py), side by side on loopback with the same
// single-row requests: 1 connection and 64 connections, requests/s and p50/p99; plus the edge
// worker's cold start under workerd if tests/serve ran.
//
// Load generator: wrk (Debian package `wrk`) when installed, the same for both servers; else
// the Node generator of the tests (tests/serve/load.mjs), which costs more CPU than the server.
// Server build: target/release/tandem when built (`cargo build --release --workspace`), else
// the debug test build. Both choices are written into the results.
//
//   pip install mlflow==3.17.2 && apt-get install wrk && cargo build --release --workspace
//   node bench/serve-vs-mlflow.mjs [seconds per run, default 20]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { load } from "../tests/serve/load.mjs";
import { startServer, parityData } from "../tests/serve/server.mjs";

/** wrk at `connections` for `seconds`: requests/s, p50/p99 (ms), non-2xx and socket errors. */
function wrk(base, { connections, seconds, body }) {
  const threads = Math.min(2, connections);
  const out = execFileSync("wrk", ["-t", String(threads), "-c", String(connections), "-d", `${seconds}s`, "--latency", "-s", path.join(root, "bench/wrk/post.lua"), `${base}/invocations`], { env: { ...process.env, BODY: body }, encoding: "utf8" });
  const ms = (label) => {
    const m = out.match(new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m"));
    if (!m) throw new Error(`no ${label}% in wrk output:\n${out}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const requests = Number(out.match(/(\d+) requests in/)[1]);
  const non2xx = Number((out.match(/Non-2xx or 3xx responses: (\d+)/) ?? [0, 0])[1]);
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  return {
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50_ms: ms(50),
    p99_ms: ms(99),
    statuses: { 200: requests - non2xx, other: non2xx },
    errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}
const hasWrk = (() => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (e) {
    return e.status === 1; // wrk --version prints usage and exits 1
  }
})();

const root = path.resolve(import.meta.dirname, "..");
const seconds = Number(process.argv[2] ?? 20);
const release = path.join(root, "target/release/tandem");
const tandemBin = existsSync(release) ? release : undefined;
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
// Both servers log to files, as deployed servers do (an unread pipe would stall a server).
const logDir = path.join(root, "target/bench");
const mlflowLog = openSync(path.join(logDir, "mlflow-serve.log"), "w");
const mlflow = spawn("mlflow", ["models", "serve", "-m", peerDir, "--env-manager", "local", "-h", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", mlflowLog, mlflowLog], env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: "false" } });
const mlflowBase = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${mlflowBase}/ping`)).status === 200) break;
  } catch {}
  if (i > 600) throw new Error("mlflow models serve did not start");
  await new Promise((r) => setTimeout(r, 100));
}
const check = await (await fetch(`${mlflowBase}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body })).json();

const tandem = await startServer(model, [], tandemBin, openSync(path.join(logDir, "tandem-serve.log"), "w"));
const tandemAnswer = await (await fetch(`${tandem.base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body })).json();

const results = {};
try {
  for (const [name, base] of [["tandem", tandem.base], ["mlflow", mlflowBase]]) {
    results[name] = {};
    for (const connections of [1, 64]) {
      const r = hasWrk ? wrk(base, { connections, seconds, body }) : await load(base, { connections, seconds, body });
      results[name][`c${connections}`] = { rps: Math.round(r.rps), p50_ms: +r.p50_ms.toFixed(2), p99_ms: +r.p99_ms.toFixed(2), statuses: r.statuses, errors: r.errors };
      console.error(name, connections, JSON.stringify(results[name][`c${connections}`]));
    }
  }
} finally {
  tandem.child.kill("SIGTERM");
  mlflow.kill("SIGTERM");
}
// The worker's cold start has its own bench (bench/worker-cold-start.mjs); its last result.
const cold = path.join(root, "bench/results/worker-cold-start.json");
const out = {
  requests: "one-row dataframe_records POST, keep-alive, loopback",
  load_generator: hasWrk ? "wrk 4.1 (Debian), 2 threads (1 at 1 connection), on the same 2 cores as the server" : "tests/serve/load.mjs (Node, with malformed and slow clients interleaved)",
  tandem_build: tandemBin ? "target/release (cargo build --release)" : "target/debug (the test build: our crates unoptimised, dependencies at opt-level 1)",
  seconds_per_run: seconds,
  same_answer: { tandem: tandemAnswer.predictions[0].label, mlflow: check.predictions[0] },
  results,
  throughput_ratio_c64: +(results.tandem.c64.rps / results.mlflow.c64.rps).toFixed(1),
  throughput_ratio_c1: +(results.tandem.c1.rps / results.mlflow.c1.rps).toFixed(1),
  worker_first_request_ms: existsSync(cold) ? JSON.parse(readFileSync(cold, "utf8")).first_request_ms : null,
};
mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(path.join(root, "bench/results/serve-vs-mlflow.json"), JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));

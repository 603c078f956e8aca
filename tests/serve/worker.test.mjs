// The protocol suite against the edge worker (web-demo/edge-worker) under real workerd:
// bundled the way wrangler bundles it (esbuild, `workerd` export condition), the wasm and the
// model as modules, listening on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { Model } from "tandem-infer";
import { protocolSuite } from "./protocol.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "target/debug/tandem");
const out = path.join(root, "target/edge-worker");

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

async function startWorker(model) {
  mkdirSync(out, { recursive: true });
  copyFileSync(model, path.join(out, "model.tandem"));
  copyFileSync(path.join(root, "node_modules/tandem-infer/web/tandem_wasm_bg.wasm"), path.join(out, "tandem_wasm_bg.wasm"));
  execFileSync(path.join(root, "node_modules/.bin/esbuild"), [
    "web-demo/edge-worker/src/worker.js", "--bundle", "--format=esm", "--platform=neutral",
    "--conditions=workerd,worker,browser", "--main-fields=module,main",
    "--external:tandem-infer/web/tandem_wasm_bg.wasm", "--external:./model.tandem",
    `--outfile=${path.join(out, "worker.js")}`, "--log-level=warning",
  ], { cwd: root, stdio: "inherit" });
  const port = await freePort();
  writeFileSync(path.join(out, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "tandem-infer/web/tandem_wasm_bg.wasm", wasm = embed "tandem_wasm_bg.wasm"),
    (name = "model.tandem", data = embed "model.tandem"),
  ],
  compatibilityDate = "2025-01-01",
);
`);
  const started = performance.now();
  const child = spawn(path.join(root, "node_modules/.bin/workerd"), ["serve", path.join(out, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/ping`);
      if (r.status === 200) return { base, child, log, firstRequestMs: performance.now() - started };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`workerd did not answer: ${log.join("")}`);
}

test("edge worker under workerd: the protocol suite, predictions equal to tandem predict", async (t) => {
  const dir = path.join(root, "target/parity/titanic_spec");
  const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
  const model = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
  const instancesPath = path.join(dir, "instances.jsonl");
  const rows = readFileSync(instancesPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  mkdirSync(out, { recursive: true });
  const jsonl = path.join(out, "expected.jsonl");
  execFileSync(bin, ["predict", "--model", model, "--input", instancesPath, "--output", jsonl]);
  const want = readFileSync(jsonl, "utf8").split("\n").filter(Boolean).map((l) => {
    const r = JSON.parse(l);
    return r.warnings ? { ...r.prediction, warnings: r.warnings } : r.prediction;
  });
  const worker = await startWorker(model);
  try {
    const schema = await (await fetch(`${worker.base}/schema`)).json();
    // The worker's bundle is built in (no `model`, no registry version) and it keeps core's
    // default body limit.
    const core = await Model.load(readFileSync(model));
    await protocolSuite(t, worker.base, { schema, rows, expected: want, core, serving: {} });
    assert.equal((await (await fetch(`${worker.base}/health`)).json()).run_id, summary.run_id);
  } finally {
    worker.child.kill("SIGTERM");
  }
  writeFileSync(path.join(out, "cold-start.json"), JSON.stringify({ first_answer_ms: worker.firstRequestMs }) + "\n");
});

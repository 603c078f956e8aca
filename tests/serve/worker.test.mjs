// The protocol suite against the edge worker (web-demo/edge-worker) under real workerd:
// bundled the way wrangler bundles it (esbuild, `workerd` export condition), the wasm and the
// model as modules, listening on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Model } from "tandem-infer";
import { protocolSuite } from "./protocol.mjs";
import { startWorker, out } from "./worker.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "target/debug/tandem");

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
  const origin = "https://app.example";
  const worker = await startWorker(model, { CORS_ORIGINS: origin });
  try {
    const schema = await (await fetch(`${worker.base}/schema`)).json();
    // The worker's bundle is built in (no `model`, no registry version) and it keeps core's
    // default body limit; CORS_ORIGINS allows one origin.
    const core = await Model.load(readFileSync(model));
    await protocolSuite(t, worker.base, { schema, rows, expected: want, core, serving: { corsOrigins: [origin] } });
    assert.equal((await (await fetch(`${worker.base}/health`)).json()).run_id, summary.run_id);
  } finally {
    worker.child.kill("SIGTERM");
  }
});

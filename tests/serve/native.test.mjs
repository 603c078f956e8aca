// The protocol suite against the native server (`tandem serve`), plus what only a process
// can show: timeouts, reload on SIGHUP, graceful shutdown on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Model } from "tandem-infer";
import { protocolSuite } from "./protocol.mjs";
import { parityData, startServer, stop, bin } from "./server.mjs";

const root = path.resolve(import.meta.dirname, "../..");

test("native server: the protocol suite, predictions equal to tandem predict", async (t) => {
  const { model, instancesPath } = parityData("titanic_spec");
  const rows = readFileSync(instancesPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  // What `tandem predict` says for the same rows.
  const out = path.join(root, "target/serve");
  mkdirSync(out, { recursive: true });
  const jsonl = path.join(out, "expected.jsonl");
  execFileSync(bin, ["predict", "--model", model, "--input", instancesPath, "--output", jsonl]);
  const want = readFileSync(jsonl, "utf8").split("\n").filter(Boolean).map((l) => {
    const r = JSON.parse(l);
    return r.warnings ? { ...r.prediction, warnings: r.warnings } : r.prediction;
  });
  // Limits below the defaults (the worker's suite runs with those), small enough that a body
  // past each fits in the body limit.
  const [maxBody, maxRows, maxCells] = [2_000_000, 50_000, 400_000];
  const origin = "https://app.example";
  const limits = ["--max-body-bytes", String(maxBody), "--max-rows", String(maxRows), "--max-cells", String(maxCells)];
  const server = await startServer(model, [...limits, "--cors-origin", origin]);
  try {
    const schema = await (await fetch(`${server.base}/schema`)).json();
    // What tandem-core answers for this model, served as `--model <path>` with these limits.
    const core = await Model.load(readFileSync(model));
    await protocolSuite(t, server.base, { schema, rows, expected: want, core, serving: { model, maxBodyBytes: maxBody, maxRows, maxCells, corsOrigins: [origin] } });
  } finally {
    const { code } = await stop(server.child);
    assert.equal(code, 0, "graceful shutdown exits 0");
  }
  const lines = server.log.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.path === "/invocations" && l.status === 200 && typeof l.ms === "number"), "structured access log");
  assert.ok(lines.some((l) => l.event === "shutting_down"));
});

test("native server: 504 past the timeout, reload on SIGHUP, a bad reload keeps serving", async () => {
  const a = parityData("titanic_spec");
  const b = parityData("titanic");
  const dir = path.join(root, "target/serve");
  mkdirSync(dir, { recursive: true });
  const live = path.join(dir, "live.tandem");
  copyFileSync(a.model, live);
  const rows = readFileSync(a.instancesPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const server = await startServer(live, ["--timeout-ms", "1"]);
  try {
    const big = Array.from({ length: 20000 }, (_, i) => rows[i % rows.length]);
    const slow = await fetch(`${server.base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ dataframe_records: big }) });
    assert.equal(slow.status, 504);
    assert.equal((await slow.json()).error_code, "TIMEOUT");

    // Without --cors-origin, no CORS header: a browser's preflight fails.
    const pre = await fetch(`${server.base}/invocations`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), null);

    const before = (await (await fetch(`${server.base}/health`)).json()).run_id;
    assert.equal(before, a.summary.run_id);
    copyFileSync(b.model, live);
    server.child.kill("SIGHUP");
    let after = before;
    for (let i = 0; i < 100 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = (await (await fetch(`${server.base}/health`)).json()).run_id;
    }
    assert.equal(after, b.summary.run_id, "reloaded");
    // A corrupt file on reload: the old model keeps serving.
    copyFileSync(path.join(root, "Cargo.toml"), live);
    server.child.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await (await fetch(`${server.base}/health`)).json()).run_id, b.summary.run_id);
    assert.ok(server.log.join("").includes("reload_failed"));
  } finally {
    await stop(server.child);
  }
});

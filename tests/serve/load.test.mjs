// Load and fault test on loopback, bounded in time: 64 keep-alive connections against the
// native server for LOAD_SECONDS (scripts/test: 60) while malformed JSON, wrong content types
// and two clients trickling their body a byte every 50 ms interleave. Every well-formed
// request must succeed, every malformed one get its 4xx, and memory must stay flat; p50/p99
// land in target/serve/load.json. (Figures against MLflow: bench/serve-vs-mlflow.mjs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { startServer } from "./server.mjs";
import { load, rss } from "./load.mjs";

const root = path.resolve(import.meta.dirname, "../..");

test("64 connections, malformed and slow requests interleaved: 0 errors, flat memory", async () => {
  const dir = path.join(root, "target/parity/titanic_spec");
  const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
  const model = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
  const row = JSON.parse(readFileSync(path.join(dir, "instances.jsonl"), "utf8").split("\n")[0]);
  const body = JSON.stringify({ dataframe_records: [row] });
  const server = await startServer(model);
  try {
    await load(server.base, { connections: 64, seconds: 2, body });
    const before = rss(server.child.pid);
    const seconds = Number(process.env.LOAD_SECONDS ?? 8);
    const r = await load(server.base, { connections: 64, seconds, body });
    const after = rss(server.child.pid);
    mkdirSync(path.join(root, "target/serve"), { recursive: true });
    writeFileSync(path.join(root, "target/serve/load.json"), JSON.stringify({ ...r, rss_before: before, rss_after: after }, null, 2));
    console.log(`load: ${r.requests} requests in ${r.seconds.toFixed(1)} s at 64 connections (${Math.round(r.rps)} req/s), p50 ${r.p50_ms.toFixed(2)} ms, p99 ${r.p99_ms.toFixed(2)} ms, RSS ${(before / 1048576).toFixed(1)} -> ${(after / 1048576).toFixed(1)} MiB, ${r.disturbances} malformed requests`);
    assert.equal(r.errors, 0);
    assert.deepEqual(Object.keys(r.statuses), ["200"], JSON.stringify(r.statuses));
    assert.ok(r.requests > 1000, `${r.requests} requests`);
    assert.ok(r.disturbances > 10);
    assert.deepEqual(Object.keys(r.disturbanceStatuses).sort(), ["400", "415"], JSON.stringify(r.disturbanceStatuses));
    assert.ok(after < before * 1.5 + 16 * 1024 * 1024, `RSS ${before} -> ${after}`);
  } finally {
    server.child.kill("SIGTERM");
  }
});

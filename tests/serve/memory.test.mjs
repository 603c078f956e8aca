// The memory test of issue 14: 16 concurrent maximum-size (10 MB) bodies, twice: one-field
// rows (refused by --max-rows before they are parsed) and the largest bodies the default
// limits let through (records of many fields, up to --max-cells values, all parsed and
// scored). Peak RSS (VmHWM) is reported and must stay under the bound docs/serving.md
// derives for the default limits. Numbers land in target/serve/memory.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, startServer, stop } from "./server.mjs";
import { peakRss, titanic } from "./limits.mjs";

const MAX_BODY = 10 * 1024 * 1024;
const MiB = 1048576;
// docs/serving.md: 64 MiB + 16 x 10 MiB bodies + workers x (10 MiB + 1M values x 384 B) with
// the test's 2 workers.
const BOUND = 64 * MiB + 16 * MAX_BODY + 2 * (MAX_BODY + 1_000_000 * 384);

/** A 10 MB-or-less body of `rows` records, each `row` plus filler fields, up to `cells` values. */
function widest(row, cells) {
  const fields = Object.keys(row).length;
  const extra = 15;
  const perRow = 1 + fields + extra;
  const n = Math.floor(cells / perRow) - 1;
  const wide = { ...row };
  for (let k = 0; k < extra; k++) wide[`f${k}`] = k;
  const one = JSON.stringify(wide);
  const body = `{"dataframe_records":[${Array(n).fill(one).join(",")}]}`;
  return body;
}

async function burst(base, body, n = 16) {
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, async () => {
    const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const b = await r.json();
    return r.status === 200 ? "200" : `${r.status} ${b.error_code}`;
  }));
  const counts = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  return { counts, ms: performance.now() - t0 };
}

test("16 concurrent 10 MB bodies stay under the documented memory bound", async () => {
  const { model, rows } = titanic();
  const server = await startServer(model, ["--workers", "2", "--timeout-ms", "120000"]);
  try {
    const base = peakRss(server.child.pid);
    // The attack of the issue: 10 MB of one-field rows, over a million of them.
    const tiny = `{"dataframe_records":[${Array(Math.floor((MAX_BODY - 40) / 12)).fill('{"age":1.5}').join(",")}]}`;
    assert.ok(tiny.length <= MAX_BODY && tiny.length > MAX_BODY * 0.99);
    const a = await burst(server.base, tiny);
    const afterTiny = peakRss(server.child.pid);
    assert.deepEqual(a.counts, { "413 TOO_MANY_ROWS": 16 });
    // The heaviest bodies the limits let through: 1M values each, all parsed and scored.
    const wide = widest(rows[0], 1_000_000);
    assert.ok(wide.length <= MAX_BODY, `${wide.length} bytes`);
    const b = await burst(server.base, wide);
    const peak = peakRss(server.child.pid);
    const numbers = { base_mib: base / MiB, after_one_field_rows_mib: afterTiny / MiB, peak_mib: peak / MiB, bound_mib: BOUND / MiB, one_field: a, widest: { ...b, bytes: wide.length } };
    mkdirSync(path.join(root, "target/serve"), { recursive: true });
    writeFileSync(path.join(root, "target/serve/memory.json"), JSON.stringify(numbers, null, 2));
    console.log(`memory: 16 x 10 MB one-field rows: ${JSON.stringify(a.counts)} in ${a.ms.toFixed(0)} ms, peak ${numbers.after_one_field_rows_mib.toFixed(0)} MiB; ` +
      `16 x ${(wide.length / MiB).toFixed(1)} MiB of 1M values: ${JSON.stringify(b.counts)} in ${b.ms.toFixed(0)} ms, peak ${numbers.peak_mib.toFixed(0)} MiB (bound ${numbers.bound_mib.toFixed(0)} MiB)`);
    assert.ok(Object.keys(b.counts).every((k) => k === "200" || k === "503 OVERLOADED"), JSON.stringify(b.counts));
    assert.ok((b.counts["200"] ?? 0) >= 2, JSON.stringify(b.counts));
    assert.ok(peak < BOUND, `peak RSS ${peak / MiB} MiB over the bound ${BOUND / MiB} MiB`);
  } finally {
    await stop(server.child);
  }
});

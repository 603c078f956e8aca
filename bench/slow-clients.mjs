// The slow-client scenario of issue 14 as a benchmark: runs tests/serve/slow-clients.test.mjs
// (500 tricklers beside 64 well-behaved clients, debug `tandem serve`, SLOW_SECONDS, default
// 30) and judges the well-behaved clients' latency against the issue's target, p99 < 50 ms.
// Needs target/debug/tandem and the parity data (scripts/test builds both).
//   node bench/slow-clients.mjs            → prints the numbers and PASS/MISS
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_P99_MS = 50;
const run = spawnSync(process.execPath, ["--test", "tests/serve/slow-clients.test.mjs"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, SLOW_SECONDS: process.env.SLOW_SECONDS ?? "30" },
});
if (run.status !== 0) process.exit(run.status ?? 1);
const n = JSON.parse(readFileSync(path.join(root, "target/serve/slow-clients.json"), "utf8"));
const verdict = n.p99_ms < TARGET_P99_MS ? "PASS" : "MISS";
console.log(`slow clients: p50 ${n.p50_ms.toFixed(1)} ms, p99 ${n.p99_ms.toFixed(1)} ms ` +
  `(target < ${TARGET_P99_MS} ms: ${verdict}), ${n.requests} requests, ${n.errors} errors, ` +
  `peak RSS ${n.peak_rss_mib.toFixed(0)} MiB, SIGTERM exit ${n.sigterm_exit_ms.toFixed(0)} ms`);

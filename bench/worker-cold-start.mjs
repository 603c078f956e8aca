// The edge worker's cold start under real workerd (web-demo/edge-worker, built as
// tests/serve/worker.mjs builds it): workerd is started fresh RUNS times; once its socket
// accepts connections (deployed, no request served yet), the first request is a one-row
// POST /invocations, timed from sending to the whole answer; a second one shows the warm cost.
// The isolate's first request pays for what the worker does before it can answer (wasm
// instantiation, the bundle's load) unless that happens at deploy.
//
//   node bench/worker-cold-start.mjs   (after scripts/build-npm and tests/parity/prepare.sh)
//
// Writes bench/results/worker-cold-start.json: min / median / max over the runs.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { startWorker } from "../tests/serve/worker.mjs";

const root = path.resolve(import.meta.dirname, "..");
const RUNS = 7;
const summary = JSON.parse(readFileSync(path.join(root, "target/parity/titanic/summary.json"), "utf8"));
const model = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
const row = JSON.parse(readFileSync(path.join(root, "target/parity/titanic/instances.jsonl"), "utf8").split("\n")[0]);
const body = JSON.stringify({ dataframe_records: [row] });
const post = async (base) => {
  const t = performance.now();
  const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const answer = await r.json();
  if (r.status !== 200) throw new Error(`worker answered ${r.status}: ${JSON.stringify(answer)}`);
  return { ms: performance.now() - t, answer };
};

// One warm-up start (files built, page cache warm), then the measured runs.
const runs = [];
for (let i = 0; i <= RUNS; i++) {
  const worker = await startWorker(model, {}, path.join(root, "target/edge-worker/bench"));
  try {
    const first = await post(worker.base);
    const second = await post(worker.base);
    if (JSON.stringify(first.answer) !== JSON.stringify(second.answer)) throw new Error("first and second answers differ");
    if (i > 0) runs.push({ ready_ms: worker.readyMs, first_request_ms: first.ms, second_request_ms: second.ms });
  } finally {
    worker.child.kill("SIGTERM");
  }
}
const spread = (k) => {
  const s = runs.map((r) => r[k]).sort((a, b) => a - b);
  const r2 = (x) => Math.round(x * 100) / 100;
  return { min: r2(s[0]), median: r2(s[Math.floor(s.length / 2)]), max: r2(s[s.length - 1]) };
};
const result = {
  runs: RUNS,
  request: "one-row dataframe_records POST /invocations, a fresh connection, loopback",
  workerd: JSON.parse(readFileSync(path.join(root, "node_modules/workerd/package.json"), "utf8")).version,
  ready_ms: spread("ready_ms"),
  first_request_ms: spread("first_request_ms"),
  second_request_ms: spread("second_request_ms"),
};
mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(path.join(root, "bench/results/worker-cold-start.json"), JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));

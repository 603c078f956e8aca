// Baseline latency of the wasm package in Node (no peer yet; the side-by-side benchmark with
// onnxruntime-web comes with the npm package). Usage:
//   scripts/build-wasm nodejs && node bench/node-latency.mjs <model.tandem>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundle = readFileSync(process.argv[2] ?? path.join(root, "tests/fixtures/v1/titanic.tandem"));
const t0 = performance.now();
const { Model } = createRequire(import.meta.url)(path.join(root, "wasm-infer/pkg/nodejs/tandem_wasm.js"));
const t1 = performance.now();
const model = Model.load(bundle);
const t2 = performance.now();
const x = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };
model.predict(x);
const t3 = performance.now();

const times = [];
for (let i = 0; i < 20000; i++) {
  const a = performance.now();
  model.predict({ ...x, age: (i % 80) + 0.5 });
  times.push(performance.now() - a);
}
times.sort((a, b) => a - b);
const batch = Array.from({ length: 1000 }, (_, i) => ({ ...x, age: (i % 80) + 0.5 }));
const b = [];
for (let i = 0; i < 50; i++) {
  const a = performance.now();
  model.predictBatch(batch);
  b.push(performance.now() - a);
}
b.sort((a, c) => a - c);
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
console.log(JSON.stringify({
  instantiate_ms: +(t1 - t0).toFixed(2),
  load_ms: +(t2 - t1).toFixed(2),
  first_prediction_ms: +(t3 - t2).toFixed(2),
  cold_start_ms: +(t3 - t0).toFixed(2),
  per_instance_median: us(times[times.length >> 1]),
  per_instance_p99: us(times[Math.floor(times.length * 0.99)]),
  batch_1000_median_ms: +b[b.length >> 1].toFixed(3),
  wasm_memory_mb: undefined,
}, null, 1));

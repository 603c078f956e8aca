// The shared parity case list, run in the browser: every held-out row of every parity data
// set must give bitwise-equal features and the native prediction (tolerance on probabilities).
import { Model, memoryBytes, constants } from "tandem-infer";

const datasets = new URLSearchParams(location.search).get("datasets").split(",");

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

async function run() {
  const report = {};
  for (const name of datasets) {
    const summary = await json(`/parity/${name}/summary.json`);
    const reference = await json(`/parity/${name}/reference.json`);
    const instances = (await (await fetch(`/parity/${name}/instances.jsonl`)).text())
      .split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    const t0 = performance.now();
    const model = await Model.load(`/parity/runs/${summary.run_id}/artifacts/model/model.tandem`);
    const loadMs = performance.now() - t0;
    const failures = [];
    let maxDiff = 0;
    instances.forEach((inst, i) => {
      const row = reference.rows[i];
      const f = model.features(inst);
      const bits = Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
      if (bits.length !== row.feature_bits.length || bits.some((b, k) => b !== row.feature_bits[k])) {
        failures.push(`row ${i}: features differ`);
      }
      const p = model.predict(inst);
      const want = row.native_prediction;
      if (want.probabilities) {
        if (p.label !== want.label) failures.push(`row ${i}: label ${p.label} vs ${want.label}`);
        for (const c of Object.keys(want.probabilities)) maxDiff = Math.max(maxDiff, Math.abs(p.probabilities[c] - want.probabilities[c]));
      } else {
        maxDiff = Math.max(maxDiff, Math.abs(p.value - want.value) / Math.max(1, Math.abs(want.value)));
      }
    });
    // Read once the module is instantiated (the first Model.load).
    const PROBABILITY_ABS = constants().tolerances.probability_abs; // tandem_core::tolerance
    if (maxDiff > PROBABILITY_ABS) failures.push(`max diff ${maxDiff}`);
    report[name] = { rows: instances.length, maxDiff, failures: failures.slice(0, 5), loadMs, engine: model.engine };
    model.free();
  }
  report.memoryBytes = memoryBytes();
  return report;
}

run().then(
  (r) => { window.__result = r; document.getElementById("out").textContent = JSON.stringify(r, null, 1); },
  (e) => { window.__result = { error: `${e.name}: ${e.message}` }; },
);

// The shared parity case list, run in the browser: every held-out row of every parity data
// set must give bitwise-equal features and the native prediction (tolerance on probabilities),
// and the first rows' explanations must be the very numbers `tandem explain` wrote (seed 7).
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
    // Explanations: exactly the native numbers (tests/parity/prepare.sh wrote them).
    const lines = async (url) => (await (await fetch(url)).text()).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    const inputs = await lines(`/parity/${name}/explain-input.jsonl`);
    const native = await lines(`/parity/${name}/explanations.jsonl`);
    let explainDiff = 0;
    let explainMs = 0;
    inputs.forEach((x, i) => {
      const { row, ...want } = native[i];
      const t = performance.now();
      const got = model.explain(x, { seed: 7 });
      explainMs = Math.max(explainMs, performance.now() - t);
      explainDiff = Math.max(explainDiff, difference(got, want, failures, `${name} row ${row}`));
    });
    if (explainDiff !== 0) failures.push(`explanations differ from native by ${explainDiff}`);
    // Read once the module is instantiated (the first Model.load).
    const PROBABILITY_ABS = constants().tolerances.probability_abs; // tandem_core::tolerance
    if (maxDiff > PROBABILITY_ABS) failures.push(`max diff ${maxDiff}`);
    report[name] = { rows: instances.length, maxDiff, failures: failures.slice(0, 5), loadMs, engine: model.engine, explained: inputs.length, explainDiff, explainMs };
    model.free();
  }
  report.memoryBytes = memoryBytes();
  return report;
}

/** Largest difference between two explanations' numbers; a different shape is a failure. */
function difference(a, b, failures, where) {
  let worst = 0;
  const walk = (x, y, at) => {
    if (typeof x === "number" && typeof y === "number") worst = Math.max(worst, Math.abs(x - y));
    else if (x && y && typeof x === "object" && typeof y === "object") {
      const keys = Object.keys(x).sort();
      if (keys.join() !== Object.keys(y).sort().join()) failures.push(`${at}: keys differ`);
      for (const k of keys) walk(x[k], y[k], `${at}.${k}`);
    } else if (x !== y) failures.push(`${at}: ${x} vs ${y}`);
  };
  walk(a, b, where);
  return worst;
}

run().then(
  (r) => { window.__result = r; document.getElementById("out").textContent = JSON.stringify(r, null, 1); },
  (e) => { window.__result = { error: `${e.name}: ${e.message}` }; },
);

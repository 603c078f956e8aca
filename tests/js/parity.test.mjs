// Parity: the wasm package in Node, on the same bundle and the same raw JSON instances as the
// native runtime, must compute bitwise-identical features and the same probabilities.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Model, DATASETS, parity, root, constants } from "./load.mjs";

const PROBABILITY_ABS = constants().tolerances.probability_abs; // tandem_core::tolerance
const report = {};

for (const name of DATASETS) {
  test(`${name}: wasm features are bitwise equal and probabilities match native and Burn`, async () => {
    const { instances, reference, bundle } = parity(name);
    const model = await Model.load(bundle);
    assert.equal(model.engine, "dense");
    assert.ok(instances.length > 20, "enough held-out rows");
    let maxNative = 0;
    let maxBurn = 0;
    const classes = reference.task.classes;
    const names = model.metadata.feature_names;
    for (let i = 0; i < instances.length; i++) {
      const row = reference.rows[i];
      const features = model.features(instances[i]);
      const bits = Array.from(new Uint32Array(features.buffer, features.byteOffset, features.length));
      const j = bits.findIndex((b, k) => b !== row.feature_bits[k]);
      assert.equal(bits.length, row.feature_bits.length, `row ${i}: feature count`);
      assert.equal(j, -1, `row ${i}: feature ${j} (${names[j]}) differs: wasm ${features[j]}, native ${row.features[j]}`);
      const p = model.predict(instances[i]);
      if (classes) {
        assert.equal(p.label, row.native_prediction.label, `row ${i}: label`);
        classes.forEach((c, k) => {
          maxNative = Math.max(maxNative, Math.abs(p.probabilities[c] - row.native_prediction.probabilities[c]));
          maxBurn = Math.max(maxBurn, Math.abs(p.probabilities[c] - row.burn_probabilities[k]));
        });
      } else {
        // Regression: values in the label's units; compare relative to their size.
        const scale = Math.max(1, Math.abs(row.native_prediction.value));
        maxNative = Math.max(maxNative, Math.abs(p.value - row.native_prediction.value) / scale);
        maxBurn = 0; // Burn's raw output is before target unscaling; the native check covers it.
      }
    }
    assert.ok(maxNative <= PROBABILITY_ABS, `wasm vs native max diff ${maxNative}`);
    assert.ok(maxBurn <= PROBABILITY_ABS, `wasm vs Burn max diff ${maxBurn}`);

    // The batch and column paths give the same answers as one-by-one.
    const batch = model.predictBatch(instances);
    assert.equal(batch.length, instances.length);
    batch.forEach((b, i) => assert.deepEqual(b, model.predict(instances[i])));
    const columns = {};
    for (const f of model.schema.fields) columns[f.name] = instances.map((r) => r[f.name]);
    assert.deepEqual(model.predictColumns(columns), batch);
    report[name] = { rows: instances.length, max_abs_wasm_vs_native: maxNative, max_abs_wasm_vs_burn: maxBurn };
    model.free();
  });
}

test("write the parity report", () => {
  writeFileSync(path.join(root, "target/parity/wasm-report.json"), JSON.stringify(report, null, 2));
  assert.equal(Object.keys(report).length, DATASETS.length);
});

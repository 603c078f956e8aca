// Explanations in Node: `model.explain` (the wasm package) must give the very values
// `tandem explain` computed natively (tests/parity/prepare.sh, seed 7) on every parity model:
// exact for the small ones, sampled permutations for breast_cancer's 30 fields. Then the
// contract: additivity, options read by the one rule, and the refusals' codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Model, DATASETS, parity, root, expectError } from "./load.mjs";

const lines = (file) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

/** Largest difference between two explanations' numbers (base, values, probabilities). */
export function difference(a, b) {
  let worst = 0;
  const walk = (x, y, where) => {
    if (typeof x === "number") {
      assert.equal(typeof y, "number", where);
      worst = Math.max(worst, Math.abs(x - y));
    } else if (x && typeof x === "object") {
      assert.deepEqual(Object.keys(x).sort(), Object.keys(y).sort(), where);
      for (const k of Object.keys(x)) walk(x[k], y[k], `${where}.${k}`);
    } else assert.equal(x, y, where);
  };
  walk(a, b, "explanation");
  return worst;
}

for (const name of DATASETS) {
  test(`${name}: model.explain equals tandem explain (same seed)`, async () => {
    const dir = path.join(root, "target/parity", name);
    const { bundle } = parity(name);
    const model = await Model.load(bundle);
    assert.equal(model.backgroundRows, 32);
    const inputs = lines(path.join(dir, "explain-input.jsonl"));
    const native = lines(path.join(dir, "explanations.jsonl"));
    assert.equal(native.length, inputs.length);
    let worst = 0;
    inputs.forEach((x, i) => {
      const { row, ...want } = native[i];
      assert.equal(row, i + 1);
      const got = model.explain(x, { seed: 7 });
      worst = Math.max(worst, difference(got, want));
    });
    console.log(`${name}: ${native[0].method}, largest difference from native ${worst}`);
    assert.equal(worst, 0, "wasm and native explanations differ");
    model.free();
  });
}

test("base plus values is the prediction, per class; unread fields are 0", async () => {
  const { bundle, instances } = parity("titanic_spec");
  const model = await Model.load(bundle);
  for (const x of instances.slice(0, 20)) {
    const e = model.explain(x);
    assert.deepEqual(e.prediction, model.predict(x));
    for (const c of model.schema.label.task.classes) {
      const total = Object.values(e.values).reduce((s, v) => s + v[c], e.base[c]);
      assert.ok(Math.abs(total - e.prediction.probabilities[c]) < 1e-12, `${c}: ${total}`);
    }
  }
  model.free();
});

test("options are read by the one rule, and refusals carry their code", async () => {
  const { bundle, instances } = parity("breast_cancer");
  const model = await Model.load(bundle);
  const x = instances[0];
  await expectError(() => model.explain(x, { permutations: 0 }), "BAD_OPTION", "permutations");
  await expectError(() => model.explain(x, { permutations: 1.5 }), "BAD_OPTION", "permutations");
  await expectError(() => model.explain(x, { seed: -1 }), "BAD_OPTION", "seed");
  await expectError(() => model.explain(x, { seed: "7" }), "BAD_OPTION", "seed");
  await expectError(() => model.explain(x, { method: "fast" }), "BAD_OPTION", "method");
  await expectError(() => model.explain(x, { errors: "return" }), "BAD_OPTION", "errors");
  // 30 fields: 2^30 coalitions is refused before any work.
  await expectError(() => model.explain(x, { method: "exact" }), "EXPLAIN_LIMIT");
  await expectError(() => model.explain(x, { permutations: 10000 }), "EXPLAIN_LIMIT");
  await expectError(() => model.explain({ ...x, mean_radius: "big" }), "WRONG_TYPE", "mean_radius");
  const a = model.explain(x, { permutations: 8, seed: 1 });
  assert.deepEqual(model.explain(x, { permutations: 8, seed: 1 }), a);
  assert.notDeepEqual(model.explain(x, { permutations: 8, seed: 2 }).values, a.values);
  model.free();
});

test("a bundle without a background sample refuses with NO_BACKGROUND", async () => {
  // The frozen v1 bundle predates background samples (and the dense kernel: the full build).
  const full = await import("tandem-infer/full");
  const model = await full.Model.load(readFileSync(path.join(root, "tests/fixtures/v1/titanic.tandem")));
  assert.equal(model.backgroundRows, 0);
  await expectError(() => model.explain({ sex: "male" }), "NO_BACKGROUND");
  model.free();
});

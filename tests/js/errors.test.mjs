// Bad input never traps: every failure is a TandemError with a stable code (and field), and
// the model stays usable afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Model, TandemError, constants, parity, expectError } from "./load.mjs";

const { bundle } = parity("titanic");
const model = await Model.load(bundle);
const good = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };

test("the example instance predicts with probabilities that sum to 1", async () => {
  const p = model.predict(good);
  assert.equal(p.label, "yes");
  assert.ok(Math.abs(p.probabilities.yes + p.probabilities.no - 1) < 1e-9);
  assert.equal(model.schema.label.name, "survived");
  assert.equal(model.metadata.run_id.length, 32);
});

test("instance errors carry code and field", async () => {
  await expectError(() => model.predict(null), "NOT_AN_OBJECT", null);
  await expectError(() => model.predict("a string"), "NOT_AN_OBJECT", null);
  await expectError(() => model.predict([1, 2]), "NOT_AN_OBJECT", null);
  // An absent (undefined) value is missing, and the fitted node imputes it: no error.
  assert.deepEqual(model.predict({ ...good, sex: undefined }), model.predict({ ...good, sex: null }));
  await expectError(() => model.predict({ ...good, age: "29" }), "WRONG_TYPE", "age");
  await expectError(() => model.predict({ ...good, age: NaN }), "NOT_FINITE", "age");
  await expectError(() => model.predict({ ...good, age: Infinity }), "NOT_FINITE", "age");
  await expectError(() => model.predict({ ...good, age: { deep: { deeper: [1] } } }), "WRONG_TYPE", "age");
  await expectError(() => model.predict({ ...good, sex: 10n }), "WRONG_TYPE", "sex");
  const maxText = constants().limits.max_text_bytes;
  await expectError(() => model.predict({ ...good, name: "x".repeat(maxText + 1) }), "TOO_LONG", "name");
  assert.equal(model.predict({ ...good, name: "x".repeat(maxText) }).label.length > 0, true);
});

test("empty strings are missing values and categories are trimmed, as in CSV", async () => {
  const missing = model.predict({ ...good, sex: null });
  assert.deepEqual(model.predict({ ...good, sex: "" }), missing);
  assert.deepEqual(model.predict({ ...good, sex: "   " }), missing);
  assert.deepEqual(model.predict({ ...good, sex: " female " }), model.predict(good));
  assert.deepEqual(model.predict({ ...good, age: "" }), model.predict({ ...good, age: null }));
});

test("an input that overflows the network is an error, never NaN", async () => {
  for (const age of [1e30, 1e300, -1e300]) {
    try {
      const p = model.predict({ ...good, age });
      assert.ok(Number.isFinite(p.probabilities.yes) && Number.isFinite(p.probabilities.no));
    } catch (e) {
      assert.equal(e.code, "NON_FINITE_OUTPUT", e.message);
    }
  }
});

test("unknown categories: unknown slot by default, an error when strict", async () => {
  const p = model.predict({ ...good, passengerClass: "9th" });
  assert.ok(p.label === "yes" || p.label === "no");
  await expectError(() => model.predict({ ...good, passengerClass: "9th" }, { strict: true }), "UNKNOWN_CATEGORY", "passengerClass");
});

test("numbers outside the training range: warn (default), clip or error", async () => {
  const old = { ...good, age: 200 };
  const warned = model.predict(old);
  assert.deepEqual(warned.warnings.map((w) => [w.code, w.field]), [["OUT_OF_RANGE", "age"]]);
  assert.equal(model.predict(good).warnings, undefined);
  const clipped = model.predict(old, { range: "clip" });
  assert.deepEqual(clipped.probabilities, model.predict({ ...good, age: 80 }).probabilities);
  await expectError(() => model.predict(old, { range: "error" }), "OUT_OF_RANGE", "age");
  await expectError(() => model.predict(good, { range: "sometimes" }), "BAD_OPTION");
  await expectError(() => model.predictBatch([good, old], { range: "error" }), "OUT_OF_RANGE", "age");
});

test("options follow core's one rule: booleans are booleans, words are known, unknown keys are refused", async () => {
  for (const options of [{ strict: "yes" }, { strict: 1 }, { range: 3 }, { range: "sometimes" }, { temperature: 2 }, { errors: "return" }, "strict", [true]]) {
    const e = await expectError(() => model.predict(good, options), "BAD_OPTION");
    assert.ok(e.message.length > 0, JSON.stringify(options));
  }
  const e = await expectError(() => model.predict(good, { strict: "yes" }), "BAD_OPTION", "strict");
  assert.equal(e.message, '`strict` must be a boolean, found string "yes"');
  await expectError(() => model.predictBatch([good], { strict: "yes" }), "BAD_OPTION", "strict");
  await expectError(() => model.predictBatch([good], { temperature: 2 }), "BAD_OPTION", "temperature");
  await expectError(() => model.predictColumns({ age: [29] }, { errors: 1 }), "BAD_OPTION", "errors");
  await expectError(() => model.features(good, { strict: "no" }), "BAD_OPTION", "strict");
  // null and undefined mean "not given", as `null` does in a scoring request's params.
  assert.deepEqual(model.predict(good, { strict: null, range: undefined }), model.predict(good));
  assert.deepEqual(model.predictBatch([good], { errors: null }), [model.predict(good)]);
});

test("prototype keys are never read", async () => {
  const evil = JSON.parse('{"__proto__": {"sex": "female", "age": 1}, "name": "X", "passengerClass": "1st", "age": 29}');
  // `sex` is missing (imputed), never the prototype's "female".
  const own = { name: "X", passengerClass: "1st", age: 29 };
  const missing = model.predict({ ...own, sex: null });
  assert.notDeepEqual(model.predict({ ...own, sex: "female" }), missing, "the test can tell");
  assert.deepEqual(model.predict(evil), missing);
  const inherited = Object.create({ sex: "female" });
  Object.assign(inherited, own);
  assert.deepEqual(model.predict(inherited), missing);
  assert.equal({}.sex, undefined);
});

test("a getter that throws is a wrong type, not a crash; a hostile Proxy is a TandemError", async () => {
  const obj = { ...good };
  Object.defineProperty(obj, "age", { get() { throw new Error("boom"); }, enumerable: true });
  await expectError(() => model.predict(obj), "WRONG_TYPE", "age");
  const hostile = new Proxy({}, { getOwnPropertyDescriptor() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
  const e = await expectError(() => model.predict(hostile), "BAD_INSTANCE");
  assert.ok(e instanceof TandemError);
  await expectError(() => model.predictBatch([good, hostile]), "BAD_INSTANCE");
});

test("every batch API numbers rows from 1 in messages and `row`, with the 0-based `index` beside", async () => {
  const bad = { ...good, age: "x" };
  const e = await expectError(() => model.predictBatch([good, good, bad]), "WRONG_TYPE", "age");
  assert.equal(e.index, 2);
  assert.equal(e.row, 3);
  assert.match(e.message, /^row 3: field `age`/);
  assert.equal(e.message.match(/\d+/g).length, 1, `one number per message: ${e.message}`);
  const returned = model.predictBatch([good, bad, bad], { errors: "return" });
  assert.deepEqual([returned[1].error.row, returned[2].error.row], [2, 3]);
  assert.match(returned[2].error.message, /^row 3: /);
  const columns = Object.fromEntries(Object.keys(good).map((f) => [f, [good[f], bad[f]]]));
  assert.equal(model.predictColumns(columns, { errors: "return" })[1].error.row, 2);
  const fields = Object.keys(good);
  const csv = [fields.join(","), ...[good, bad].map((r) => fields.map((f) => JSON.stringify(r[f] ?? "")).join(","))].join("\n");
  const fromCsv = await expectError(() => model.predictCsv(csv), "WRONG_TYPE", "age");
  assert.equal(fromCsv.row, 2);
  assert.equal(fromCsv.message.match(/row \d+/g).length, 1, fromCsv.message);
  await expectError(() => model.predictBatch("nope"), "NOT_AN_ARRAY");
  assert.deepEqual(model.predictBatch([]), []);
});

test("corrupt bundles are refused with a stable code", async () => {
  await expectError(() => Model.load(bundle.subarray(0, bundle.length / 2)), "BUNDLE_TRUNCATED");
  const flipped = Uint8Array.from(bundle);
  flipped[flipped.length - 100] ^= 1;
  await expectError(() => Model.load(flipped), "BUNDLE_CHECKSUM");
  const version = Uint8Array.from(bundle);
  version[8] = 99;
  await expectError(() => Model.load(version), "BUNDLE_VERSION");
  await expectError(() => Model.load(new Uint8Array(0)), "BUNDLE_BAD_MAGIC");
  await expectError(() => Model.load(new TextEncoder().encode("garbage")), "BUNDLE_BAD_MAGIC");
});

test("the model still works after every error above", async () => {
  assert.equal(model.predict(good).label, "yes");
});

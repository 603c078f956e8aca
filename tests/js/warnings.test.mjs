// Every batch API answers a row exactly as `predict` answers it, warnings included (issue 13:
// `predictBatch`, `predictColumns` and `predictCsv` dropped the OUT_OF_RANGE warnings
// `predict` gave for the same row, and with `range: "clip"` nothing said a value was clipped).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Model, parity } from "./load.mjs";

const { bundle, instances } = parity("titanic_spec");
const model = await Model.load(bundle);
const fields = model.schema.fields.map((f) => f.name);
const age = model.schema.fields.find((f) => f.name === "age");

// Held-out rows, some pushed outside the training range of `age` (both sides), some not.
const rows = instances.slice(0, 12).map((r, i) => {
  if (i % 3 === 0) return { ...r, age: age.max + 10 * (i + 1) };
  if (i % 3 === 1) return { ...r, age: age.min - i };
  return r;
});

const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csvOf = (rs) => [fields.join(","), ...rs.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
const columnsOf = (rs) => Object.fromEntries(fields.map((f) => [f, rs.map((r) => r[f] ?? null)]));

/** [name, answers] for every batch API on `rs`. */
const batches = (rs, options) => [
  ["predictBatch", model.predictBatch(rs, options)],
  ["predictColumns", model.predictColumns(columnsOf(rs), options)],
  ["predictCsv", model.predictCsv(csvOf(rs), options)],
];

for (const range of ["warn", "clip", undefined]) {
  test(`every batch API gives each row what predict gives it, warnings included (range: ${range ?? "default"})`, () => {
    const options = range === undefined ? undefined : { range };
    const one = rows.map((r) => model.predict(r, options));
    const warned = one.filter((p) => p.warnings);
    assert.equal(warned.length, 8, "the rows outside the range are warned about by predict");
    for (const p of warned) assert.deepEqual(p.warnings.map((w) => [w.code, w.field]), [["OUT_OF_RANGE", "age"]]);
    for (const [name, answers] of batches(rows, options)) {
      assert.equal(answers.length, rows.length, name);
      for (let i = 0; i < rows.length; i++) assert.deepEqual(answers[i], one[i], `${name}, row ${i}`);
    }
  });
}

test("with range: clip the warning names the value as given, and the prediction is the clipped one", () => {
  const high = { ...instances[0], age: age.max + 100 };
  const clipped = model.predict(high, { range: "clip" });
  assert.deepEqual(clipped.probabilities, model.predict({ ...instances[0], age: age.max }).probabilities);
  assert.match(clipped.warnings[0].message, new RegExp(`^${age.max + 100} is outside the training range`));
  for (const [name, answers] of batches([high], { range: "clip" })) assert.deepEqual(answers[0].warnings, clipped.warnings, name);
});

test("with errors: return, warned rows keep their warnings beside rows that fail", () => {
  const mixed = [rows[0], { ...rows[2], age: "old" }, rows[1], rows[2]];
  for (const range of ["warn", "clip"]) {
    for (const [name, answers] of batches(mixed, { range, errors: "return" })) {
      assert.deepEqual(answers[0], model.predict(rows[0], { range }), name);
      assert.equal(answers[1].error.code, "WRONG_TYPE", name);
      assert.deepEqual(answers[2], model.predict(rows[1], { range }), name);
      assert.deepEqual(answers[3], model.predict(rows[2], { range }), name);
    }
  }
});

test("the options of a batch with warned rows are read as given: a bad option is never masked", async () => {
  for (const options of [{ strict: "yes" }, { temperature: 1 }, { range: "sometimes" }, { errors: true }]) {
    for (const call of [() => model.predictBatch(rows, options), () => model.predictColumns(columnsOf(rows), options), () => model.predictCsv(csvOf(rows), options)]) {
      assert.throws(call, (e) => e.code === "BAD_OPTION" && e.field === Object.keys(options)[0]);
    }
  }
});

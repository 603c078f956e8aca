// The schema contract from JavaScript: an unseen category predicts with an UNKNOWN_CATEGORY
// warning listing every known category, the same in predict and in every batch API; strict
// rejects it with the same list; absent keys are missing values the nodes impute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Model, parity } from "./load.mjs";

const model = await Model.load(parity("titanic").bundle);
const good = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };
const unseen = { ...good, sex: "Female", passengerClass: 1 };
const fields = Object.keys(good);
const csvOf = (rows) => [fields.join(","), ...rows.map((r) => fields.map((f) => JSON.stringify(String(r[f] ?? ""))).join(","))].join("\n");

test("an unseen category predicts with UNKNOWN_CATEGORY warnings listing every known category", () => {
  const p = model.predict(unseen);
  assert.ok(p.label, "it still predicts");
  const byField = Object.fromEntries(p.warnings.map((w) => [w.field, w]));
  assert.deepEqual(Object.keys(byField).sort(), ["passengerClass", "sex"]);
  assert.equal(byField.sex.code, "UNKNOWN_CATEGORY");
  assert.equal(byField.sex.message, '"Female" is not a category seen in training (known: "female", "male")');
  assert.match(byField.passengerClass.message, /^"1" is not a category seen in training \(known: "1st", "2nd", "3rd"\)$/);
});

test("every batch API gives the unseen-category warnings predict gives, row for row", () => {
  const rows = [good, unseen, { ...good, age: 500 }];
  const want = rows.map((r) => model.predict(r));
  assert.deepEqual(model.predictBatch(rows), want);
  const columns = Object.fromEntries(fields.map((f) => [f, rows.map((r) => r[f])]));
  assert.deepEqual(model.predictColumns(columns), want);
  assert.deepEqual(model.predictCsv(csvOf(rows)), want);
});

test("strict rejects an unseen category naming the field and every known category", () => {
  assert.throws(() => model.predict(unseen, { strict: true }), (e) => {
    assert.equal(e.code, "UNKNOWN_CATEGORY");
    assert.equal(e.field, "sex");
    assert.match(e.message, /known: "female", "male"/);
    return true;
  });
});

test("an absent key is a missing value the node imputes, as null is", () => {
  const { sex: _, ...withoutSex } = good;
  assert.deepEqual(model.predict(withoutSex), model.predict({ ...good, sex: null }));
  assert.equal(model.predict(withoutSex).warnings, undefined);
});

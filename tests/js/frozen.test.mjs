// `model.schema` and `model.metadata` are frozen copies: nothing a caller does to them (or to a
// copy of them) reaches the labels the model predicts (issue 13: reversing the class list for
// display swapped the predicted labels).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Model, parity } from "./load.mjs";

const { bundle, instances } = parity("titanic_spec");

test("reversing the schema's class list is refused and never swaps the predicted labels", async () => {
  const model = await Model.load(bundle);
  const before = instances.map((r) => model.predict(r));
  const classes = model.schema.label.task.classes;
  assert.throws(() => classes.reverse(), TypeError);
  assert.throws(() => {
    model.schema.label.task.classes = ["yes", "no"];
  }, TypeError);
  // What a display does instead: reverse a copy. The model is not affected either way.
  const shown = [...classes].reverse();
  assert.deepEqual(shown, [...model.schema.label.task.classes].reverse());
  const copy = structuredClone(model.schema);
  copy.label.task.classes.reverse();
  assert.deepEqual(instances.map((r) => model.predict(r)), before);
  assert.deepEqual(model.predictBatch(instances), before);
  assert.notDeepEqual(model.schema.label.task.classes, copy.label.task.classes);
});

test("schema and metadata are deeply frozen, field ranges and categories included", async () => {
  const model = await Model.load(bundle);
  const age = model.schema.fields.find((f) => f.name === "age");
  assert.throws(() => {
    age.max = 1e9;
  }, TypeError);
  assert.throws(() => model.schema.fields.pop(), TypeError);
  assert.throws(() => model.schema.fields.find((f) => f.name === "sex").categories.push("Female"), TypeError);
  assert.throws(() => {
    model.metadata.run_id = "x";
  }, TypeError);
  assert.ok(Object.isFrozen(model.metadata.metrics));
  assert.equal(model.predict({ ...instances[0], age: 200 }).warnings.length, 1, "the range the model checks is its own");
});

test("every model has its own schema object, equal to the bundle's", async () => {
  const a = await Model.load(bundle);
  const b = await Model.load(bundle);
  assert.notEqual(a.schema, b.schema);
  assert.deepEqual(a.schema, b.schema);
  assert.equal(a.schema, a.schema, "the getter hands out one frozen object, not a copy per read");
});

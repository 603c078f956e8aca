// The batch fast path: predictBatch and predictColumns pack a regular batch into typed arrays
// (lib/pack.js, wasm-infer/src/packed.rs) instead of reading it cell by cell. Whatever a cell
// holds, every row must get exactly what `predict` gives it (or the error it throws), and
// batches the packer cannot take (a throwing getter, a lone surrogate at a string's end, a
// ragged column) must still be answered, by the cell-by-cell path.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { DATASETS, Model, parity, root } from "./load.mjs";

const { packRows, packColumns } = await import(path.join(root, "target/npm/tandem-infer/lib/pack.js"));

const TEXTS = ["", "  ", "Zoë Ångström", "名前 テスト", "emoji 😀 inside", "\uDC00 lone low first", "tab\tand\nnewline", "x".repeat(3000), "Mr", "1st", "female"];
const OTHERS = [0, -1.5, 1e300, NaN, Infinity, true, false, null, undefined, "12", "yes"];

// Rows around `base` with every field set to each awkward value in turn.
function variants(base, fields) {
  const out = [];
  for (const f of fields) {
    for (const v of [...TEXTS, ...OTHERS]) {
      const row = { ...base };
      if (v === undefined) delete row[f];
      else row[f] = v;
      out.push(row);
    }
  }
  return out;
}

const answer = (model, row) => {
  try {
    return model.predict(row);
  } catch (e) {
    return { error: { code: e.code, field: e.field } };
  }
};
const brief = (r) => (r.error ? { error: { code: r.error.code, field: r.error.field } } : r);
const columnsOf = (rows, fields) => Object.fromEntries(fields.map((f) => [f, rows.map((r) => r[f])]));

for (const name of DATASETS) {
  test(`${name}: packed batches answer every row as predict does`, async () => {
    const { bundle, instances } = parity(name);
    const model = await Model.load(bundle);
    const fields = model.schema.fields.map((f) => f.name);
    const rows = [...instances.slice(0, 50), ...variants(instances[0], fields)];
    assert.ok(packRows(fields, rows).packed, "a regular batch packs");
    const want = rows.map((r) => answer(model, r));
    assert.deepEqual(model.predictBatch(rows, { errors: "return" }).map(brief), want);
    assert.deepEqual(model.predictColumns(columnsOf(rows, fields), { errors: "return" }).map(brief), want);
    // Without errors: "return", a failing row throws with its index (rows that cannot be
    // read come before rows that cannot be transformed, as on the cell-by-cell path).
    if (want.some((w) => w.error)) {
      for (const call of [() => model.predictBatch(rows), () => model.predictColumns(columnsOf(rows, fields))]) {
        assert.throws(call, (e) => want[e.index]?.error?.code === e.code && want[e.index].error.field === e.field);
      }
    }
  });
}

test("batches the packer refuses take the cell-by-cell path, with the same answers", async () => {
  const { bundle, instances } = parity("titanic");
  const model = await Model.load(bundle);
  const fields = model.schema.fields.map((f) => f.name);
  const good = instances.slice(0, 5);
  const surrogate = { ...good[0], name: "ends in a lone high surrogate \uD83D" };
  const rows = [...good, surrogate];
  assert.equal(packRows(fields, rows).packed, undefined);
  assert.deepEqual(model.predictBatch(rows), rows.map((r) => model.predict(r)));
  assert.equal(packColumns(fields, columnsOf(rows, fields), 1e6), null);
  assert.deepEqual(model.predictColumns(columnsOf(rows, fields)), rows.map((r) => model.predict(r)));
  // A lone high surrogate followed by a string starting with a low one must not pair up.
  const pair = [{ ...good[0], name: "a\uD83D" }, { ...good[1], name: "\uDE00b" }];
  assert.deepEqual(model.predictBatch(pair), pair.map((r) => model.predict(r)));
  // Getters are read once per cell, own properties only.
  let reads = 0;
  const getter = Object.defineProperty({ ...good[0] }, "age", { get: () => (reads++, 40), enumerable: true });
  const inherited = Object.create({ age: 99 });
  Object.assign(inherited, { name: good[0].name, sex: good[0].sex, passengerClass: good[0].passengerClass });
  assert.deepEqual(model.predictBatch([getter, inherited]), [model.predict({ ...good[0], age: 40 }), model.predict({ ...inherited })]);
  assert.equal(reads, 1);
  // Still once when the batch falls back (a later cell does not pack): a getter that throws
  // only the first time is a wrong type, as it always was.
  let calls = 0;
  const flaky = Object.defineProperty({ ...good[0] }, "name", { get: () => { if (calls++ === 0) throw new Error("first read"); return "Doe, Mr. John"; }, enumerable: true });
  const odd = { ...good[1], passengerClass: { not: "a category" } };
  const answers = model.predictBatch([flaky, odd], { errors: "return" });
  assert.equal(calls, 1);
  assert.equal(answers[0].error.code, "WRONG_TYPE");
  assert.equal(answers[0].error.field, "name");
  assert.equal(answers[1].error.code, "WRONG_TYPE");
  // A column whose length is not a whole number is not an array, packed or not.
  const nanLength = new Proxy(good.map((r) => r.sex), { get: (t, k) => (k === "length" ? NaN : t[k]) });
  assert.equal(packColumns(fields, { ...columnsOf(good, fields), sex: nanLength }, 1e6), null);
  await assert.rejects(async () => model.predictColumns({ ...columnsOf(good, fields), sex: nanLength }), (e) => e.code === "NOT_AN_ARRAY");
  // Typed-array columns pack too.
  const typed = { ...columnsOf(good, fields), age: Float64Array.from(good, (r) => r.age ?? NaN) };
  assert.notEqual(packColumns(fields, typed, 1e6), null);
  assert.deepEqual(model.predictColumns(typed, { errors: "return" }).map(brief), good.map((r) => answer(model, { ...r, age: r.age ?? NaN })));
});

test("rowAt rebuilds a packed row with exactly its values", () => {
  const fields = ["a", "b", "c", "d"];
  const rows = [
    { a: "x😀", b: 1.5, c: true, d: null },
    { a: "", b: NaN, c: false },
    { b: "é", d: "z" },
  ];
  const { packed: p } = packRows(fields, rows);
  assert.deepEqual(p.rowAt(0), Object.assign(Object.create(null), { a: "x😀", b: 1.5, c: true }));
  assert.deepEqual(p.rowAt(1), Object.assign(Object.create(null), { a: "", b: NaN, c: false }));
  assert.deepEqual(p.rowAt(2), Object.assign(Object.create(null), { b: "é", d: "z" }));
  assert.deepEqual([...p.lengths], [3, 0, 1, 1]);
  assert.equal(new TextDecoder().decode(p.text), "x😀éz");
});

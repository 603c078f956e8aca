// Bundle limits through the npm package: a checksum-valid hostile bundle from the shared corpus
// (tests/bad-inputs/bundles-hostile, written by core/tests/hostile_bundles.rs) is refused with
// the code the core gives, a lowered limit refuses the real bundle as natively, `limits` raises
// a limit, unknown names are BAD_OPTION, and the model loaded afterwards still predicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Model, root, parity, expectError } from "./load.mjs";

const { bundle } = parity("titanic");
const good = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };
const corpus = path.join(root, "tests/bad-inputs/bundles-hostile");
const cases = JSON.parse(readFileSync(path.join(corpus, "cases.json"), "utf8"));

async function stillWorks() {
  const model = await Model.load(bundle);
  assert.equal(model.predict(good).label, "yes");
}

test("every hostile bundle of the corpus is refused with its code, naming its limit", async () => {
  const full = await import("tandem-infer/full");
  for (const c of cases) {
    const bytes = readFileSync(path.join(corpus, c.file));
    // NNEF graphs reach only the full build's tract (the default build has no graph runtime).
    const nnef = c.name.startsWith("nnef-");
    if (nnef) await expectError(() => Model.load(bytes), "ENGINE");
    const e = await expectError(() => (nnef ? full.Model : Model).load(bytes), c.code);
    if (c.limit) assert.ok(e.message.includes(`\`${c.limit}\``), `${c.name}: ${e.message}`);
  }
  await stillWorks();
});

test("a lowered limit refuses the real bundle, naming the limit and both values", async () => {
  const e = await expectError(() => Model.load(bundle, { limits: { bundle_bytes: 1000 } }), "BUNDLE_LIMIT");
  assert.match(e.message, /`bundle_bytes`/);
  assert.ok(e.message.includes(String(bundle.length)) && e.message.includes("1000"), e.message);
  assert.match(e.message, /limits: \{ bundle_bytes: N \}/);
  await stillWorks();
});

test("limits raises a limit: the refused bundle then gets past it", async () => {
  const c = cases.find((x) => x.limit === "json_depth");
  const bytes = readFileSync(path.join(corpus, c.file));
  await expectError(() => Model.load(bytes), "BUNDLE_LIMIT");
  // Past the depth limit, the deep part is read and fails as the invalid JSON it is.
  const e = await expectError(() => Model.load(bytes, { limits: { json_depth: 20000 } }), "BUNDLE_INVALID");
  assert.doesNotMatch(e.message, /json_depth/);
  assert.equal((await Model.load(bundle, { limits: { layers: 100, parameters: 2 ** 30 } })).predict(good).label, "yes");
});

test("unknown limit names, wrong types and bad values are BAD_OPTION naming the limit", async () => {
  await expectError(() => Model.load(bundle, { limits: { bundle_byte: 1 } }), "BAD_OPTION", "limits.bundle_byte");
  await expectError(() => Model.load(bundle, { limits: { parts: "9" } }), "BAD_OPTION", "limits.parts");
  await expectError(() => Model.load(bundle, { limits: { parts: -1 } }), "BAD_OPTION", "limits.parts");
  await expectError(() => Model.load(bundle, { limits: { parts: 1.5 } }), "BAD_OPTION", "limits.parts");
  await expectError(() => Model.load(bundle, { limits: [1] }), "BAD_OPTION", "limits");
  await expectError(() => Model.load(bundle, { limit: {} }), "BAD_OPTION", "limit");
  await stillWorks();
});

// The bad-input corpus (tests/bad-inputs/) through the npm package in Node: every `instances`
// case gets its code from `model.predict` or `model.invocations` and the same Model still
// answers the good instance as it did first; every bundle case (`bundles/` and each
// `bundles-<topic>/`) is refused by `Model.load` with its code, and loading still works.
// Each case runs within a time bound, and the package's wasm memory stays bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Model, memoryBytes } from "./load.mjs";
import { bundleKinds, caseBytes, kind, modelBytes, goodInstances } from "../bad-inputs/corpus.mjs";

const CASE_MS = 20_000;
// The wasm memory never shrinks; this is its bound after the whole corpus (a 3 MB body's
// rows, the models).
const MEMORY_LIMIT = 256 << 20;

const good = goodInstances();
const models = new Map();
async function modelFor(name) {
  if (!models.has(name)) {
    const m = await Model.load(modelBytes(name));
    models.set(name, { m, answer: JSON.stringify(m.predict(good[name])) });
  }
  return models.get(name);
}

function outcome(m, c, bytes) {
  if (c.mode === "predict") {
    const options = c.options_json ? JSON.parse(c.options_json) : c.options;
    try {
      return { code: "(predicted)", detail: JSON.stringify(m.predict(JSON.parse(bytes.toString("utf8")), options)) };
    } catch (e) {
      if (e.name !== "TandemError") throw e;
      return { code: e.code, detail: e.message };
    }
  }
  const a = m.invocations(c.content_type ?? "", new Uint8Array(bytes));
  if (a.status === 200) return { code: "(predicted)", status: 200, detail: a.body };
  const body = JSON.parse(a.body);
  return { code: body.code ?? body.error_code, status: a.status, row: body.row, detail: a.body };
}

test("every instance case gets its code in Node, and the model still answers the good instance", async () => {
  const k = kind("instances");
  for (const c of k.cases) {
    const { m, answer } = await modelFor(c.model);
    const t = Date.now();
    const got = outcome(m, c, caseBytes(k, c));
    const where = `${c.file}: ${c.name}: ${got.detail?.slice(0, 300)}`;
    assert.ok(Date.now() - t < CASE_MS, where);
    assert.equal(got.code, c.code_js ?? c.code, where);
    if (c.status !== undefined) assert.equal(got.status, c.status, where);
    if (c.row !== undefined) assert.equal(got.row, c.row, where);
    assert.equal(JSON.stringify(m.predict(good[c.model])), answer, `after ${where}`);
  }
  assert.ok(memoryBytes() < MEMORY_LIMIT, `wasm memory ${memoryBytes()}`);
});

test("every bundle case of every bundle kind is refused by Model.load with its code", async () => {
  const full = await import("tandem-infer/full");
  const { answer } = await modelFor("iris");
  await Model.load(readFileSync(new URL("../bad-inputs/bundles/base.tandem", import.meta.url)));
  for (const k of bundleKinds()) {
    for (const c of k.cases) {
      const where = `${k.name}/${c.file}: ${c.name}`;
      const t = Date.now();
      const refusal = async (M) => {
        try {
          (await M.load(caseBytes(k, c))).free();
          return { code: "(loaded)", message: "" };
        } catch (e) {
          if (e.name !== "TandemError") throw e;
          return e;
        }
      };
      // An NNEF graph reaches only the full build's tract: the default build has no graph
      // runtime and says so (ENGINE); the full build must refuse it with the case's code.
      const nnef = c.name.startsWith("nnef-");
      if (nnef) assert.equal((await refusal(Model)).code, "ENGINE", where);
      const { code, message } = await refusal(nnef ? full.Model : Model);
      assert.ok(Date.now() - t < CASE_MS, where);
      assert.equal(code, c.code_js ?? c.code, `${where}: ${message}`);
      const again = await Model.load(modelBytes("iris"));
      assert.equal(JSON.stringify(again.predict(good.iris)), answer, `after ${where}`);
      again.free();
    }
  }
  assert.ok(memoryBytes() < MEMORY_LIMIT, `wasm memory ${memoryBytes()}`);
});

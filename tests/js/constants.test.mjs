// One source for what Rust defines and JavaScript, TypeScript and Python use: error codes,
// tolerances, limits, routes. These tests fail when a copy drifts from tandem-core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Model, constants, expectError, parity, root } from "./load.mjs";

const read = (p) => readFileSync(path.join(root, p), "utf8");
const codes = (scopes) => constants().errors.filter((e) => scopes.includes(e.scope)).map((e) => e.code).sort();

/** The string members of `export type <name> = "A" | "B" ...;` in index.d.ts. */
function union(name) {
  const dts = read("npm/tandem-infer/index.d.ts");
  const m = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(m, `index.d.ts declares ${name}`);
  return [...m[1].matchAll(/"([A-Z_]+)"/g)].map((x) => x[1]).sort();
}

test("the package's constants are tests/fixtures/constants.json (what Python reads), as core writes it", () => {
  assert.deepEqual(constants(), JSON.parse(read("tests/fixtures/constants.json")));
});

test("index.d.ts's ErrorCode union lists exactly the codes a TandemError can carry", () => {
  assert.deepEqual(union("ErrorCode"), codes(["instance", "bundle", "call"]));
});

test("index.d.ts's HttpErrorCode union lists exactly MLflow's codes the servers answer", () => {
  assert.deepEqual(union("HttpErrorCode"), codes(["http"]));
});

/** The JavaScript layer: every module of npm/tandem-infer/lib/, as path → text. */
const lib = () => Object.fromEntries(readdirSync(path.join(root, "npm/tandem-infer/lib")).map((f) => [`npm/tandem-infer/lib/${f}`, read(`npm/tandem-infer/lib/${f}`)]));

test("every code the JavaScript layer throws is one core lists", () => {
  const api = Object.values(lib()).join("\n");
  const thrown = [...api.matchAll(/new TandemError\([^;]*?"([A-Z][A-Z_]+)"/g)].map((m) => m[1]);
  assert.ok(thrown.length >= 4, `found ${thrown}`);
  const known = codes(["instance", "bundle", "call"]);
  for (const code of thrown) assert.ok(known.includes(code), `${code} is not in tandem-core's list`);
});

test("no limit, tolerance or protocol answer is copied into JavaScript", () => {
  const c = constants();
  const copies = {
    ...Object.fromEntries(Object.keys(lib()).map((f) => [f, [String(c.limits.max_batch_rows), "1_000_000"]])),
    "web-demo/edge-worker/src/worker.js": ["ENDPOINT_NOT_FOUND", "REQUEST_TOO_LARGE", "1024", "run_id", '"GET /', "status: 200"],
    "tests/js/parity.test.mjs": ["1e-5"],
    "tests/browser/page/parity.js": ["1e-5"],
    "tests/browser/chromium.test.mjs": ["1e-5"],
    "tests/serve/protocol.mjs": ["1e-9", "1e-5"],
    "tests/py/test_parity.py": ["1e-5", "1e-4"],
  };
  for (const [file, needles] of Object.entries(copies)) {
    const text = read(file);
    for (const n of needles) assert.ok(!text.includes(n), `${file} holds a copy: ${n}`);
  }
});

test("the batch limit the package enforces is the one core exports, on every batch path", async () => {
  const max = constants().limits.max_batch_rows;
  const model = await Model.load(parity("titanic").bundle);
  const sparse = new Array(max + 1);
  const columns = { age: new Float64Array(new ArrayBuffer(8 * (max + 1))) };
  for (const call of [() => model.predictBatch(sparse), () => model.predictColumns(columns)]) {
    const e = await expectError(call, "BATCH_TOO_LARGE");
    assert.match(e.message, new RegExp(`at most ${max} rows, this one ${max + 1}`));
  }
  model.free();
});

// The npm package's API as users call it: every kind of source, both batch shapes, error
// reporting per row, both engines, freeing, and no memory growth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Model, TandemError, version, memoryBytes, constants, parity, expectError, root } from "./load.mjs";
import * as full from "tandem-infer/full";

const { bundle, bundlePath, instances } = parity("titanic_spec");
const good = instances[0];

test("Model.load takes bytes, an ArrayBuffer, a Response, a file: URL and an http URL", async () => {
  const expected = (await Model.load(bundle)).predict(good);
  const ab = bundle.buffer.slice(bundle.byteOffset, bundle.byteOffset + bundle.byteLength);
  const server = createServer((req, res) => {
    if (req.url === "/model.tandem") res.end(bundle);
    else res.writeHead(404).end("no");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const source of [ab, new Response(bundle), pathToFileURL(bundlePath), `${base}/model.tandem`, new URL(`${base}/model.tandem`), new DataView(ab)]) {
      const m = await Model.load(source);
      assert.deepEqual(m.predict(good), expected, String(source));
      m.free();
    }
    await expectError(() => Model.load(`${base}/missing.tandem`), "FETCH_FAILED");
    await expectError(() => Model.load("http://127.0.0.1:1/nothing-listens"), "FETCH_FAILED");
    await expectError(() => Model.load(pathToFileURL("/nonexistent/model.tandem")), "FETCH_FAILED");
    await expectError(() => Model.load(42), "BAD_SOURCE");
    await expectError(() => Model.load(null), "BAD_SOURCE");
  } finally {
    server.close();
  }
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

test("Model.load in Node reads a file path, absolute or relative, as it reads a file: URL", async () => {
  const expected = (await Model.load(bundle)).predict(good);
  for (const source of [bundlePath, path.relative(process.cwd(), bundlePath), `./${path.relative(process.cwd(), bundlePath)}`]) {
    const m = await Model.load(source);
    assert.deepEqual(m.predict(good), expected, source);
    m.free();
  }
  // A string without a scheme is a path in Node: a missing file says which one.
  const e = await expectError(() => Model.load("not a model.tandem"), "FETCH_FAILED");
  assert.match(e.message, /not a model\.tandem/);
  assert.equal(e.cause.code, "ENOENT");
});

test("Model.load takes a Blob or a File, as a browser's file input gives it", async () => {
  const expected = (await Model.load(bundle)).predict(good);
  for (const source of [new Blob([bundle]), new File([bundle], "model.tandem", { type: "application/octet-stream" })]) {
    const m = await Model.load(source);
    assert.deepEqual(m.predict(good), expected, source.constructor.name);
    m.free();
  }
});

test("Model.load refuses anything else with BAD_SOURCE, saying what it got and what it takes", async () => {
  for (const [source, found] of [[42, "number 42"], [null, "null"], [undefined, "undefined"], [{ bytes: bundle }, "an object"], [[1, 2], "an array"], [new Map(), "a Map"]]) {
    const e = await expectError(() => Model.load(source), "BAD_SOURCE");
    assert.ok(e.message.endsWith(`found ${found}`), e.message);
    assert.match(e.message, /Blob or File/);
    assert.match(e.message, /a file path/);
  }
});

test("Model.load's options follow core's rule: unknown keys and wrong types are BAD_OPTION naming the option", async () => {
  const cases = [
    [{ engin: "tract" }, "engin", "unknown option `engin` (known: engine, limits, publicKey)"],
    [{ engine: 1 }, "engine", "`engine` must be a string, found number 1"],
    [{ engine: true }, "engine", "`engine` must be a string, found boolean true"],
    ["tract", "options", '`options` must be an object, found string "tract"'],
    [["tract"], "options", "`options` must be an object, found an array"],
  ];
  for (const [options, field, message] of cases) {
    const e = await expectError(() => Model.load(bundle, options), "BAD_OPTION", field);
    assert.equal(e.message, message);
  }
  // null and undefined mean "not given", as for every other call.
  assert.equal((await Model.load(bundle, { engine: null })).engine, "dense");
  assert.equal((await Model.load(bundle, null)).engine, "dense");
  await expectError(() => Model.load(bundle, { engine: "gpu" }), "BAD_OPTION", "engine");
});

test("batches: invalid rows throw with their index, or come back as errors", async () => {
  const m = await Model.load(bundle);
  const rows = [good, { ...good, age: "old" }, null, good];
  const e = await expectError(() => m.predictBatch(rows), "WRONG_TYPE", "age");
  assert.equal(e.index, 1);
  const out = m.predictBatch(rows, { errors: "return" });
  assert.deepEqual(out[0], m.predict(good));
  assert.deepEqual(out[3], m.predict(good));
  assert.equal(out[1].error.code, "WRONG_TYPE");
  assert.equal(out[1].error.field, "age");
  assert.equal(out[2].error.code, "NOT_AN_OBJECT");
  await expectError(() => m.predictBatch(rows, { errors: "sometimes" }), "BAD_OPTION");

  const columns = { name: [good.name, good.name], sex: [good.sex, "x"], age: new Float64Array([good.age ?? NaN, 30]), passengerClass: [good.passengerClass, "1st"] };
  if (good.age == null) columns.age = [null, 30];
  const byColumns = m.predictColumns(columns, { errors: "return" });
  assert.deepEqual(byColumns[0], m.predict(good));
  assert.equal(byColumns.length, 2);
  await expectError(() => m.predictColumns({ ...columns, sex: ["a"] }), "COLUMN_LENGTH");
  await expectError(() => m.predictColumns({ ...columns, sex: 3 }), "NOT_AN_ARRAY");
  await expectError(() => m.predictColumns([1, 2]), "NOT_AN_OBJECT");
  // A column the model needs is absent: an error for the batch, naming every absent one.
  const absent = await expectError(() => m.predictColumns({}), "MISSING_FIELD");
  assert.match(absent.message, /columns are missing/);
  const { sex: _, ...withoutSex } = columns;
  assert.equal((await expectError(() => m.predictColumns(withoutSex), "MISSING_FIELD")).field, "sex");
  // Lengths that claim more rows than they hold are refused, not looped over.
  await expectError(() => m.predictBatch(new Array(2 ** 32 - 1)), "BATCH_TOO_LARGE");
  await expectError(() => m.predictColumns({ ...columns, sex: { length: 2 ** 32 - 1 } }), "NOT_AN_ARRAY");
  await expectError(() => m.predictColumns({ sex: new Array(2 ** 31) }), "BATCH_TOO_LARGE");

  // CSV text is parsed as `tandem predict` parses it.
  const fields = m.schema.fields.map((f) => f.name);
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const csv = [fields.join(","), ...[good, { ...good, age: "old" }].map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
  const fromCsv = m.predictCsv(csv, { errors: "return" });
  assert.deepEqual(fromCsv[0], m.predict(good));
  assert.equal(fromCsv[1].error.code, "WRONG_TYPE");
  assert.match(fromCsv[1].error.message, /row 2/);
  const thrown = await expectError(() => m.predictCsv(csv), "WRONG_TYPE", "age");
  assert.equal(thrown.index, 1);
});

test("free and Symbol.dispose release the model; using it afterwards is an error", async () => {
  const m = await Model.load(bundle);
  m.free();
  m.free();
  await expectError(() => m.predict(good), "MODEL_FREED");
  // `using d = await Model.load(...)` calls this (Node 20 has Symbol.dispose, not the syntax).
  const d = await Model.load(bundle);
  assert.equal(d.engine, "dense");
  d[Symbol.dispose]();
  await expectError(() => d.features(good), "MODEL_FREED");
});

test("the full build runs the same bundle on tract and on the dense kernel", async () => {
  const dense = await Model.load(bundle);
  const tract = await full.Model.load(bundle, { engine: "tract" });
  assert.equal(tract.engine, "tract");
  const { instances: rows } = parity("nodes");
  const n = await Model.load(parity("nodes").bundle);
  const nt = await full.Model.load(parity("nodes").bundle, { engine: "tract" });
  for (const [a, b, data] of [[dense, tract, instances], [n, nt, rows]]) {
    let max = 0;
    for (const r of data) {
      const pa = a.predict(r);
      const pb = b.predict(r);
      assert.equal(pa.label, pb.label);
      for (const c of Object.keys(pa.probabilities)) max = Math.max(max, Math.abs(pa.probabilities[c] - pb.probabilities[c]));
    }
    assert.ok(max <= constants().tolerances.probability_abs, `dense vs tract ${max}`);
  }
  await expectError(() => Model.load(bundle, { engine: "tract" }), "ENGINE");
  await expectError(() => Model.load(bundle, { engine: "gpu" }), "BAD_OPTION");
  assert.ok(new TandemError("x", "ENGINE") instanceof Error);
});

test("no memory growth across predictions and load/free cycles", async () => {
  const m = await Model.load(bundle);
  for (let i = 0; i < 2000; i++) m.predict(instances[i % instances.length]);
  for (let i = 0; i < 20; i++) (await Model.load(bundle)).free();
  const big = Array.from({ length: 5000 }, (_, i) => instances[i % instances.length]);
  m.predictBatch(big);
  const settled = memoryBytes();
  for (let i = 0; i < 100_000; i++) m.predict(instances[i % instances.length]);
  for (let i = 0; i < 200; i++) (await Model.load(bundle)).free();
  for (let i = 0; i < 50; i++) m.predictBatch(big);
  assert.equal(memoryBytes(), settled, `linear memory grew from ${settled} to ${memoryBytes()}`);
  assert.ok(settled <= 16 * 1024 * 1024, `${settled} bytes of linear memory`);
});

test("the bundler entry (wasm as an ES module) predicts the same", async () => {
  // Node implements the WebAssembly ESM integration behind a flag, as webpack 5 does behind
  // `experiments.asyncWebAssembly`: the `bundler` build runs there unchanged.
  const code = `import { Model } from "tandem-infer/bundler";
    import { readFileSync } from "node:fs";
    const m = await Model.load(readFileSync(${JSON.stringify(bundlePath)}));
    console.log(JSON.stringify(m.predict(${JSON.stringify(good)})));`;
  const out = execFileSync(process.execPath, ["--no-warnings", "--experimental-wasm-modules", "--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), (await Model.load(bundle)).predict(good));
});

test("each wasm build is shipped once: the default one and the full one, whatever the entry", () => {
  const dir = path.join(root, "target/npm/tandem-infer");
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: dir, encoding: "utf8" }));
  const wasm = pack.files.map((f) => f.path).filter((f) => f.endsWith(".wasm")).sort();
  assert.deepEqual(wasm, ["full/web/tandem_wasm_bg.wasm", "web/tandem_wasm_bg.wasm"]);
});

test("the package folder is ready for npm publish", () => {
  const dir = path.join(root, "target/npm/tandem-infer");
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: dir, encoding: "utf8" }));
  const files = new Set(pack.files.map((f) => f.path));
  for (const f of ["package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "index.d.ts", "lib/api.js", "lib/error.js", "web/index.js", "web/tandem_wasm_bg.wasm", "node/index.mjs", "bundler/index.js", "full/web/index.js", "full/web/tandem_wasm_bg.wasm", "full/node/index.mjs"]) {
    assert.ok(files.has(f), `${f} is packed`);
  }
  assert.equal(pack.name, "tandem-infer");
  assert.ok([...files].every((f) => !f.includes("..") && !f.startsWith("/")));
});

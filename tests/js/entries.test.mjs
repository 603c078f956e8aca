// One TandemError class across every entry of the package (default and full builds; Node,
// web and bundler targets): `instanceof` holds whichever entry threw and whichever entry the
// class was imported from, because every entry re-exports lib/error.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TandemError, parity, root } from "./load.mjs";
import * as full from "tandem-infer/full";

const pkg = path.join(root, "target/npm/tandem-infer");
const garbage = new TextEncoder().encode("not a bundle");

test("TandemError from tandem-infer and from tandem-infer/full is one class", async () => {
  assert.equal(full.TandemError, TandemError);
  const e = await full.Model.load(garbage).catch((x) => x);
  assert.ok(e instanceof TandemError, "an error of the full build is a TandemError of the default entry");
  assert.equal(e.code, "BUNDLE_BAD_MAGIC");
});

test("the web entries (default and full) export the same TandemError as the Node entry", async () => {
  for (const entry of ["web/index.js", "full/web/index.js"]) {
    const web = await import(pathToFileURL(path.join(pkg, entry)).href);
    assert.equal(web.TandemError, TandemError, entry);
  }
});

test("the bundler entry exports the same TandemError, and its errors are instances of it", () => {
  // The bundler entry needs the WebAssembly ESM integration (behind a flag in Node).
  const code = `import { TandemError, Model } from "tandem-infer/bundler";
    import { TandemError as Default } from "tandem-infer";
    import { TandemError as Full } from "tandem-infer/full";
    const e = await Model.load(new Uint8Array(3)).catch((x) => x);
    console.log(JSON.stringify([TandemError === Default, TandemError === Full, e instanceof Default, e.code]));`;
  const out = execFileSync(process.execPath, ["--no-warnings", "--experimental-wasm-modules", "--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), [true, true, true, "BUNDLE_BAD_MAGIC"]);
});

test("a model of one entry fails with the TandemError of any other", async () => {
  const m = await full.Model.load(parity("titanic").bundle);
  assert.throws(() => m.predict(null), TandemError);
  m.free();
  assert.throws(() => m.predict({}), (e) => e instanceof TandemError && e.code === "MODEL_FREED");
});

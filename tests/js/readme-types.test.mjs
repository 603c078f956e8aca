// Every ```js block of the npm package's README type-checks against the package's types, as a
// user's TypeScript (strict) would check it: Node's types and the DOM lib present, as in an
// app that runs the examples (the types alone need neither: tests/ts/consumer.ts). With them,
// tests/ts/dom.ts: the DOM's and Node's Blob, File, Response, URL and WebAssembly.Module fit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "./load.mjs";

const readme = readFileSync(path.join(root, "npm/tandem-infer/README.md"), "utf8");
const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

// A block that does not import the package shows calls on a loaded model: these are the
// names it uses.
const PREAMBLE = `import type { Model, Instance } from "tandem-infer";
declare const model: Model;
declare const instance: Instance;
declare const rows: Instance[];
declare const csvText: string;
declare const body: string;
`;

test("every example of the npm README type-checks in strict mode, and DOM and Node classes fit the types", () => {
  assert.ok(blocks.length >= 3, `found ${blocks.length} js blocks`);
  // Inside the repository, so `tandem-infer` and @types/node resolve through node_modules.
  const dir = path.join(root, "target/readme-types");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((code, i) => {
    const file = `block${i + 1}.ts`;
    const source = code.includes('from "tandem-infer') ? code : PREAMBLE + code;
    writeFileSync(path.join(dir, file), `${source}\nexport {};\n`);
    return file;
  });
  const config = {
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: ["node"], strict: true, noEmit: true },
    files: [...files, path.join(root, "tests/ts/dom.ts")],
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(config));
  try {
    execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", dir], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`README examples do not type-check:\n${e.stdout}`);
  }
});

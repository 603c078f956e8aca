// The npm package's README starts with a runnable example: its first ```js block, run as a
// user would run it (a module beside a titanic.tandem, importing `tandem-infer` by name), must
// print exactly what its `// → ...` comments say, line by line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parity, root } from "./load.mjs";

const readme = readFileSync(path.join(root, "npm/tandem-infer/README.md"), "utf8");

/** The first ```js block of the README. */
function firstJsBlock(markdown) {
  const m = markdown.match(/^```js\n([\s\S]*?)^```$/m);
  assert.ok(m, "npm/tandem-infer/README.md has a ```js code block");
  return m[1];
}

/** What the example says it prints: the `// → text` comment of each line, in order. */
function promisedOutput(code) {
  return code
    .split("\n")
    .map((line) => line.match(/\/\/ → (.*)$/))
    .filter(Boolean)
    .map((m) => m[1].trim());
}

test("the README's first example runs against the built package and prints what it promises", () => {
  const code = firstJsBlock(readme);
  assert.match(code, /from "tandem-infer"/, "the example imports the package by name");
  const promised = promisedOutput(code);
  assert.ok(promised.length >= 3, `the example promises its output (found ${promised.length} // → comments)`);

  // The bundle the README names: the example spec's (trained by tests/parity/prepare.sh).
  // Inside the repository, so `tandem-infer` resolves through node_modules as for any app.
  const dir = path.join(root, "target/readme-example");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(parity("titanic_spec").bundlePath, path.join(dir, "titanic.tandem"));
  writeFileSync(path.join(dir, "example.mjs"), code);

  const out = execFileSync(process.execPath, [path.join(dir, "example.mjs")], { cwd: dir, encoding: "utf8" });
  assert.deepEqual(out.trimEnd().split("\n"), promised);
});

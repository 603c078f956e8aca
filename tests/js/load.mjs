// Shared helpers for the Node tests: load the wasm package (nodejs target) and parity data.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const { Model, version } = require(path.join(root, "wasm-infer/pkg/nodejs/tandem_wasm.js"));

// Trained by tests/parity/prepare.sh: flags (the first three) and specs (the rest; `nodes`
// drives every shared node).
export const DATASETS = ["titanic", "iris", "breast_cancer", "titanic_spec", "cps1985_spec", "nodes"];

export function parity(name) {
  const dir = path.join(root, "target/parity", name);
  const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
  const instances = readFileSync(path.join(dir, "instances.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const reference = JSON.parse(readFileSync(path.join(dir, "reference.json"), "utf8"));
  const bundle = readFileSync(summary.model.startsWith("/") ? summary.model : path.join(root, summary.model));
  return { summary, instances, reference, bundle };
}

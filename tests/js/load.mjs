// Shared helpers for the Node tests: the npm package, imported exactly as a user app imports
// it (`tandem-infer`, resolved through node_modules to target/npm/tandem-infer), and the
// parity data written by tests/parity/prepare.sh.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export { Model, TandemError, version, memoryBytes, constants } from "tandem-infer";

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
  const bundlePath = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
  return { summary, instances, reference, bundle: readFileSync(bundlePath), bundlePath };
}

/** Run `fn` and require a TandemError with `code` (and `field` when given). */
export async function expectError(fn, code, field) {
  try {
    await fn();
  } catch (e) {
    if (e.name !== "TandemError") throw e;
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (field !== undefined && e.field !== field) throw new Error(`expected field ${field}, got ${e.field}: ${e.message}`);
    if (!(e instanceof Error)) throw new Error("not an Error");
    return e;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

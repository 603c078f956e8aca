// Reading the corpus from Node (the runners in tests/js and tests/serve): each kind's cases,
// a case's bytes with its `expand`, the real bundles and their good instances.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";

export const dir = import.meta.dirname;

export function kind(name) {
  const d = path.join(dir, name);
  return { name, dir: d, cases: JSON.parse(readFileSync(path.join(d, "cases.json"), "utf8")) };
}

/** `bundles/` and every `bundles-<topic>/` holding a cases.json. */
export function bundleKinds() {
  return readdirSync(dir)
    .filter((n) => (n === "bundles" || n.startsWith("bundles-")) && existsSync(path.join(dir, n, "cases.json")))
    .sort()
    .map(kind);
}

/** A case's bytes: its file, with `expand.marker` replaced by `expand.repeat` x `expand.count`. */
export function caseBytes(k, c) {
  const raw = readFileSync(path.join(k.dir, c.file));
  return expand(raw, c);
}

export function expand(raw, c) {
  if (!c.expand) return raw;
  const at = raw.indexOf(Buffer.from(c.expand.marker));
  if (at < 0) throw new Error(`${c.file}: no ${c.expand.marker}`);
  return Buffer.concat([raw.subarray(0, at), Buffer.from(c.expand.repeat.repeat(c.expand.count)), raw.subarray(at + c.expand.marker.length)]);
}

export const modelPath = (name) => path.join(dir, "models", `${name ?? "iris"}.tandem`);
export const modelBytes = (name) => readFileSync(modelPath(name));
export const goodInstances = () => JSON.parse(readFileSync(path.join(dir, "models/good.json"), "utf8"));

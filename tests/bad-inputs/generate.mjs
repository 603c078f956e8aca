// Write the bad-input corpus: every case file and each kind's cases.json, deterministically,
// from the case tables in gen/ and the real bundles in models/. Run it again after editing a
// table: `node tests/bad-inputs/generate.mjs`. Folders it does not know (bundles-<topic>/
// of other suites) are left alone.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { files } from "./gen/files.mjs";
import { instances } from "./gen/instances.mjs";
import { http } from "./gen/http.mjs";
import { specs } from "./gen/specs.mjs";
import { bundles, smallBase } from "./gen/bundles.mjs";

const here = import.meta.dirname;

function write(kind, entries, extra = {}) {
  const dir = path.join(here, kind);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(extra)) writeFileSync(path.join(dir, name), bytes);
  for (const e of entries) writeFileSync(path.join(dir, e.file), e.content);
  const cases = entries.map((e) => e.case);
  writeFileSync(path.join(dir, "cases.json"), `${JSON.stringify(cases, null, 1)}\n`);
  return cases.length;
}

const iris = readFileSync(path.join(here, "models/iris.tandem"));
const tiny = readFileSync(path.join(here, "../../examples/data/iris.csv"), "utf8").split("\n");
// Every fifth row of iris: 30 rows of the three classes.
const tinyCsv = `${[tiny[0], ...tiny.slice(1).filter((l, i) => l && i % 5 === 0)].join("\n")}\n`;
const base = smallBase(iris);

const counts = {
  files: write("files", files()),
  instances: write("instances", instances()),
  http: write("http", http()),
  specs: write("specs", specs(), { "tiny.csv": tinyCsv }),
  bundles: write("bundles", bundles(base), { "base.tandem": base }),
};
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ ...counts, total }));

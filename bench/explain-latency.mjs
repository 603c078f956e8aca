// Explanation latency of one instance in the npm package: Node and headless Chromium, the
// example model (titanic spec: 4 fields, exact, 16 coalitions x 32 background rows = 512
// network rows) and the larger parity models (cps1985: 10 fields, exact, 32 768 rows;
// breast_cancer: 30 fields, 64 sampled permutations, 59 456 rows). Goal: under 20 ms in the
// browser for the example model. Per model: 20 held-out instances, each explained 5 times
// after a warm-up; the median of the per-instance means. Writes bench/results/explain-latency.json.
//
//   scripts/build-npm && tests/parity/prepare.sh && node bench/explain-latency.mjs
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { Model } from "tandem-infer";
import { serve } from "../tests/browser/server.mjs";

const root = path.resolve(import.meta.dirname, "..");
const MODELS = ["titanic_spec", "cps1985_spec", "breast_cancer"];
const INSTANCES = 20;
const REPEAT = 5;

function parity(name) {
  const dir = path.join(root, "target/parity", name);
  const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
  const instances = readFileSync(path.join(dir, "instances.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).slice(0, INSTANCES);
  return { summary, instances, bundle: summary.model.startsWith("/") ? summary.model : path.join(root, summary.model) };
}

// The timing loop, the same source in Node and in the page.
const measure = `async (Model, bytes, instances, repeat) => {
  const model = await Model.load(bytes);
  const means = [];
  let evaluations = 0, method = "";
  for (const x of instances) {
    const e = model.explain(x);
    evaluations = e.evaluations; method = e.method;
    const t = performance.now();
    for (let r = 0; r < repeat; r++) model.explain(x);
    means.push((performance.now() - t) / repeat);
  }
  model.free();
  means.sort((a, b) => a - b);
  return { median_ms: means[Math.floor(means.length / 2)], max_ms: means.at(-1), evaluations, method };
}`;

const results = { date: new Date().toISOString(), node: process.version, models: {} };
const run = eval(measure);
for (const name of MODELS) {
  const { instances, bundle } = parity(name);
  results.models[name] = { node: await run(Model, readFileSync(bundle), instances, REPEAT) };
}

const server = await serve();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const page = await browser.newPage();
await page.goto(`${server.base}/parity/titanic_spec/summary.json`);
results.chromium = await browser.version();
for (const name of MODELS) {
  const { summary, instances } = parity(name);
  results.models[name].chromium = await page.evaluate(async ([src, url, instances, repeat]) => {
    const { Model } = await import("/pkg/web/index.js");
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    return (0, eval)(`(${src})`)(Model, bytes, instances, repeat);
  }, [measure, `/parity/runs/${summary.run_id}/artifacts/model/model.tandem`, instances, REPEAT]);
}
await browser.close();
await server.close();
results.goal = "example model (titanic_spec) under 20 ms in the browser";
results.met = results.models.titanic_spec.chromium.median_ms < 20;
writeFileSync(path.join(root, "bench/results/explain-latency.json"), JSON.stringify(results, null, 2) + "\n");
console.log(JSON.stringify(results, null, 2));

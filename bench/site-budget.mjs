// Page weight and time to first prediction of the site (target/site, scripts/build-site),
// measured in headless Chromium on a local server: a Lighthouse-style budget.
//   node bench/site-budget.mjs
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { serve } from "../tests/browser/server.mjs";

const root = path.resolve(import.meta.dirname, "..");
const site = path.join(root, "target/site");
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = path.join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(site);
const weight = { raw: 0, brotli: 0 };
const byFile = {};
for (const f of files) {
  if (f.endsWith(".d.ts")) continue;
  const b = readFileSync(f);
  const br = zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  weight.raw += b.length;
  weight.brotli += br;
  byFile[path.relative(site, f)] = br;
}
const server = await serve();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const runs = [];
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const loaded = [];
  page.on("response", (r) => loaded.push(r.url()));
  const t0 = Date.now();
  await page.goto(`${server.base}/site/index.html`);
  await page.waitForSelector("#prediction[data-json]");
  runs.push(Date.now() - t0);
  await context.close();
}
await browser.close();
await server.close();
runs.sort((a, b) => a - b);
const out = { page_weight_bytes: weight, brotli_by_file: byFile, time_to_first_prediction_ms: { median: runs[2], runs } };
writeFileSync(path.join(root, "bench/results/site-budget.json"), JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify(out, null, 2));

// The npm package in real headless Chromium (Debian `chromium`, driven by playwright-core):
// the shared parity case list through the `web` entry, and a Vite 7 production build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { constants } from "tandem-infer";
import { serve } from "./server.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const DATASETS = ["titanic", "iris", "breast_cancer", "titanic_spec", "cps1985_spec", "nodes"];
let server, browser;

before(async () => {
  server = await serve();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function result(page) {
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
  return page.evaluate(() => window.__result);
}

test("parity case list in Chromium: bitwise features, native predictions, native explanations", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.base}/index.html?datasets=${DATASETS.join(",")}`);
  const r = await result(page);
  assert.equal(r.error, undefined, r.error);
  for (const name of DATASETS) {
    assert.ok(r[name].rows > 20, name);
    assert.deepEqual(r[name].failures, [], name);
    assert.equal(r[name].engine, "dense");
    assert.equal(r[name].explained, 5, name);
    assert.equal(r[name].explainDiff, 0, name);
    console.log(`${name}: explained 5 rows in Chromium, largest ${r[name].explainMs.toFixed(1)} ms each, equal to native`);
  }
  assert.deepEqual(errors, []);
  mkdirSync(path.join(root, "target/browser"), { recursive: true });
  await page.close();
});

test("a Vite 7 production build imports the package and predicts like the CLI", async () => {
  execFileSync(path.join(root, "node_modules/.bin/vite"), ["build", "--config", "tests/browser/vite-app/vite.config.js"], { cwd: root, stdio: "inherit" });
  const { summary, row, instance } = (() => {
    const dir = path.join(root, "target/parity/titanic_spec");
    const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
    const instance = JSON.parse(readFileSync(path.join(dir, "instances.jsonl"), "utf8").split("\n")[0]);
    const row = JSON.parse(readFileSync(path.join(dir, "reference.json"), "utf8")).rows[0];
    return { summary, row, instance };
  })();
  const page = await browser.newPage();
  const q = new URLSearchParams({ model: `/parity/runs/${summary.run_id}/artifacts/model/model.tandem`, instance: JSON.stringify(instance) });
  await page.goto(`${server.base}/vite/index.html?${q}`);
  const r = await result(page);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.prediction.label, row.native_prediction.label);
  for (const [c, p] of Object.entries(row.native_prediction.probabilities)) {
    assert.ok(Math.abs(r.prediction.probabilities[c] - p) <= constants().tolerances.probability_abs, c);
  }
  mkdirSync(path.join(root, "target/browser"), { recursive: true });
  await page.screenshot({ path: path.join(root, "target/browser/vite-app.png") });
  await page.close();
});

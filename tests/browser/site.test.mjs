// The site (www/) end to end in headless Chromium: the form built from the schema predicts
// what `tandem predict` predicts, invalid input shows the field's error, a dropped CSV gives the
// CLI's predictions with invalid rows flagged, and nothing leaves the page after load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "target/debug/tandem");
const dir = path.join(root, "target/parity/titanic_spec");
const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
const model = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
const instancesPath = path.join(dir, "instances.jsonl");
const rows = readFileSync(instancesPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
let server, browser;

function cliPredictions(file) {
  const out = path.join(root, "target/browser/cli-predictions.jsonl");
  try {
    execFileSync(bin, ["predict", "--model", model, "--input", file, "--output", out]);
  } catch (e) {
    if (e.status !== 2) throw e; // 2: some rows were rejected, which the test wants
  }
  return readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

before(async () => {
  mkdirSync(path.join(root, "target/browser"), { recursive: true });
  execFileSync(path.join(root, "scripts/build-site"), [model], { cwd: root, stdio: "inherit" });
  server = await serve();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the form predicts like tandem predict, shows field errors, and batch CSV matches the CLI, all offline", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.base}/site/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const loadedRequests = requests.length;

  // The form: every field has a label; fill it with held-out rows and compare with the CLI.
  const cli = cliPredictions(instancesPath);
  for (const i of [0, 1, 2, 5, 8]) {
    const inst = rows[i];
    for (const [k, v] of Object.entries(inst)) {
      const sel = `#field-${k}`;
      const tag = await page.$eval(sel, (el) => el.tagName);
      if (tag === "SELECT") await page.selectOption(sel, v ?? "");
      else await page.fill(sel, v === null ? "" : String(v));
    }
    const p = JSON.parse(await page.getAttribute("#prediction", "data-json"));
    const want = cli[i].prediction;
    assert.equal(p.label, want.label, `row ${i}`);
    for (const [c, v] of Object.entries(want.probabilities)) assert.ok(Math.abs(p.probabilities[c] - v) <= 1e-9, `row ${i} ${c}`);
    assert.equal(await page.textContent("#prediction"), want.label);
  }
  for (const f of Object.keys(rows[0])) {
    assert.ok(await page.$(`label[for="field-${f}"]`), `label for ${f}`);
  }

  // Invalid input: a required category left empty shows the error at that field.
  await page.selectOption("#field-sex", "");
  await page.waitForSelector("#field-sex[aria-invalid=true]");
  assert.match(await page.textContent("#field-sex-error"), /required/);
  assert.equal(await page.getAttribute("body", "data-error"), "MISSING_FIELD");
  await page.selectOption("#field-sex", rows[0].sex);
  await page.waitForFunction(() => !document.body.dataset.error);

  // Batch: a CSV with a bad row; the table agrees with the CLI row for row.
  const fields = Object.keys(rows[0]);
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const batch = [...rows.slice(0, 30), { ...rows[0], age: "old" }, ...rows.slice(30, 40)];
  const csv = [fields.join(","), ...batch.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
  const csvPath = path.join(root, "target/browser/batch.csv");
  writeFileSync(csvPath, csv);
  await page.setInputFiles("#csv-file", csvPath);
  await page.waitForSelector(`body[data-batch="${batch.length}"]`);
  const table = await page.$$eval("#batch-table tbody tr", (trs) => trs.map((tr) => ({ invalid: tr.classList.contains("invalid"), cells: [...tr.cells].map((td) => td.textContent) })));
  const cliBatch = cliPredictions(csvPath);
  assert.equal(table.length, batch.length);
  table.forEach((r, i) => {
    if (cliBatch[i].error) {
      assert.ok(r.invalid, `row ${i} flagged`);
      assert.match(r.cells.at(-1), new RegExp(cliBatch[i].error.code));
    } else {
      assert.ok(!r.invalid, `row ${i}`);
      assert.equal(r.cells[1], cliBatch[i].prediction.label, `row ${i}`);
    }
  });
  assert.equal(table.filter((r) => r.invalid).length, 1);
  assert.ok(!(await page.getAttribute("#download", "hidden") !== null));

  // The model card: the confusion matrix covers every validation row; the curves are drawn.
  const confusion = await page.$$eval("#confusion tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => Number(td.textContent))));
  const validationRows = Number((await page.evaluate(() => document.getElementById("card-facts").textContent)).match(/validation (\d+)/)[1]);
  assert.equal(confusion.flat().reduce((a, b) => a + b, 0), validationRows);
  assert.ok(await page.$("#curves svg polyline"), "training curves drawn");

  // Everything after load ran in the page: no request left it (blob: downloads excepted).
  const later = requests.slice(loadedRequests).filter((u) => !u.startsWith("blob:") && !u.startsWith("data:"));
  assert.deepEqual(later, []);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(root, "target/browser/site.png"), fullPage: true });
  await page.close();
});

test("keyboard: every form control is reachable with Tab", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/site/index.html`);
  await page.waitForSelector("body[data-ready=true]");
  const seen = new Set();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.id);
    if (id) seen.add(id);
  }
  for (const f of Object.keys(rows[0])) assert.ok(seen.has(`field-${f}`), `field-${f} reachable`);
  assert.ok(seen.has("csv-file") || seen.has("bundle-file"));
  await page.close();
});

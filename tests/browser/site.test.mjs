// The site (www/) end to end in headless Chromium: the form built from the schema predicts
// what `tandem predict` predicts, invalid input shows the field's error, a dropped CSV gives the
// CLI's predictions with invalid rows flagged, and nothing leaves the page after load. Then the
// site's own promises: a 100k-row CSV never blocks the page (it runs in a worker, shown a page
// at a time), typed non-numbers are flagged, every parity bundle opens with valid defaults,
// controls appear when they apply and go with the model, no sideways scroll on a phone, and
// charts and results are named from the bundle.
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

// Every bundle tests/parity/prepare.sh trains: its file and its schema (as `tandem train` wrote it).
const DATASETS = ["titanic", "iris", "breast_cancer", "titanic_spec", "cps1985_spec", "nodes"];
function bundle(name) {
  const sum = JSON.parse(readFileSync(path.join(root, "target/parity", name, "summary.json"), "utf8"));
  const file = sum.model.startsWith("/") ? sum.model : path.join(root, sum.model);
  const schema = JSON.parse(readFileSync(path.join(path.dirname(file), "schema.json"), "utf8"));
  return { name, file, runId: sum.run_id, schema };
}

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
    // One prediction timed once: never a made-up count of µs under the clock's resolution.
    assert.match(await page.textContent("#latency"), /^computed in your browser in (< 0\.1 ms|\d+(\.\d)? ms)$/);
  }
  // Training ranges as people write them: at most six significant digits (titanic's youngest
  // age, 0.166700006 in the data, reads 0.1667).
  const ranges = await page.$$eval("#schema td", (tds) => tds.map((td) => td.textContent).filter((t) => / to /.test(t)));
  assert.ok(ranges.length > 0);
  for (const r of ranges) {
    for (const n of r.split(" to ")) assert.ok(n.replace(/^-|e.*$/g, "").replace(/\D/g, "").replace(/^0+/, "").length <= 6, `range ${r}`);
  }
  for (const f of Object.keys(rows[0])) {
    assert.ok(await page.$(`label[for="field-${f}"]`), `label for ${f}`);
  }

  // A category left empty is a missing value, which the model's node imputes: it predicts,
  // with no field error (the contract: nullable follows the nodes).
  await page.selectOption("#field-sex", "");
  await page.waitForTimeout(300);
  assert.equal(await page.inputValue("#field-sex"), "");
  assert.ok(await page.getAttribute("#prediction", "data-json"), "a prediction with sex missing");
  assert.equal(await page.getAttribute("#field-sex", "aria-invalid"), null);
  assert.equal(await page.getAttribute("body", "data-error"), null);
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

// ---- The site's own behaviour ---------------------------------------------------------------

const csvCell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const toCsv = (fields, batch) => [fields.join(","), ...batch.map((r) => fields.map((f) => csvCell(r[f])).join(","))].join("\n") + "\n";

async function openSite(viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport, locale: "en-US" }); // counts read 100,000
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.stack ?? String(e)));
  page.errors = errors;
  await page.goto(`${server.base}/site/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return page;
}

/** Load a parity bundle through the page's file input, as a user does. */
async function loadBundle(page, b) {
  await page.evaluate(() => delete document.body.dataset.model); // the same bundle may be loaded
  await page.setInputFiles("#bundle-file", b.file);
  await page.waitForSelector(`body[data-ready=true][data-model="${b.runId}"]`, { timeout: 30_000 });
}

async function dropCsv(page, name, csv, rowCount) {
  const file = path.join(root, "target/browser", name);
  writeFileSync(file, csv);
  await page.setInputFiles("#csv-file", file);
  await page.waitForSelector(`body[data-batch="${rowCount}"]`, { timeout: 120_000 });
  await page.waitForSelector("#download:not([hidden])", { timeout: 60_000 });
  return file;
}

const tableRows = (page) => page.$$eval("#batch-table tbody tr", (trs) => trs.map((tr) => ({ cls: tr.className, cells: [...tr.cells].map((td) => td.textContent) })));

test("a 100k-row CSV never blocks the main thread over 200 ms and shows a paged table with the row count and the first page", async (t) => {
  // 100k rows from the held-out titanic rows, repeated with variation (ages shifted, names
  // numbered); every 10,000th row has an age that is no number, so it is flagged.
  const fields = Object.keys(rows[0]);
  const big = [];
  for (let i = 0; i < 100_000; i++) {
    const r = rows[i % rows.length];
    const age = i % 10_000 === 9_999 ? "old" : r.age === null ? null : Math.min(80, r.age + (i % 5));
    big.push({ ...r, name: `${r.name} ${i}`, age });
  }
  const page = await openSite();
  await page.evaluate(() => {
    window.longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longest = Math.max(window.longest, e.duration);
    }).observe({ type: "longtask" });
  });
  // The observer sees long tasks here: a deliberate 80 ms one is reported, then forgotten.
  await page.evaluate(() => {
    setTimeout(() => {
      const end = performance.now() + 80;
      while (performance.now() < end);
    });
  });
  await page.waitForFunction(() => window.longest >= 80);
  await page.evaluate(() => (window.longest = 0));
  const file = await dropCsv(page, "big.csv", toCsv(fields, big), big.length);
  await page.waitForSelector('#batch-table[data-page="0"] tbody tr');

  // The first page: 100 rows, numbered 1..100, predicted as the CLI predicts them.
  const first = await tableRows(page);
  assert.equal(first.length, 100);
  assert.deepEqual(first.map((r) => r.cells[0]), Array.from({ length: 100 }, (_, i) => String(i + 1)));
  const head = path.join(root, "target/browser/big-head.csv");
  writeFileSync(head, readFileSync(file, "utf8").split("\n").slice(0, 101).join("\n") + "\n");
  const cli = cliPredictions(head);
  first.forEach((r, i) => assert.equal(r.cells[1], cli[i].prediction.label, `row ${i + 1}`));
  assert.match(await page.textContent("#page-info"), /^1–100 of 100,000 rows \(page 1 of 1,000\)$/);
  assert.match(await page.textContent("#batch-summary"), /^100,000 rows in [\d.]+ s: 99,990 predicted, 10 invalid/);

  // Paging and the invalid-rows view keep the row numbers of the file.
  await page.click("#page-next");
  await page.waitForSelector('#batch-table[data-page="1"]');
  assert.equal((await tableRows(page))[0].cells[0], "101");
  await page.selectOption("#batch-filter", "invalid");
  await page.waitForSelector('#batch-table[data-total="10"]');
  const invalid = await tableRows(page);
  assert.deepEqual(invalid.map((r) => r.cells[0]), Array.from({ length: 10 }, (_, k) => String((k + 1) * 10_000)));
  assert.ok(invalid.every((r) => r.cls.includes("invalid") && /WRONG_TYPE \(age\)/.test(r.cells.at(-1))));

  const longest = await page.evaluate(() => window.longest);
  t.diagnostic(`longest main-thread task during the batch: ${longest} ms`);
  assert.ok(longest <= 200, `the main thread was blocked for ${longest} ms`);

  // The download is the worker's CSV: a header and one line per row, in order.
  const csv = await page.evaluate(async () => {
    const text = await (await fetch(document.getElementById("download").href)).text();
    const lines = text.trimEnd().split("\n");
    return { count: lines.length, head: lines[0], second: lines[2] };
  });
  assert.equal(csv.count, 100_001);
  assert.equal(csv.head, "row,survived,probability_no,probability_yes,warnings,error_code,error_field,error");
  assert.match(csv.second, new RegExp(`^2,${cli[1].prediction.label},`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a number field holding text that is no number (- or 1e) is flagged and nothing is predicted until it is fixed; empty is missing", async () => {
  const page = await openSite();
  const before = await page.getAttribute("#prediction", "data-json");
  assert.ok(before, "the example predicts on load");
  for (const typed of ["-", "1e"]) {
    await page.fill("#field-age", "");
    await page.focus("#field-age");
    await page.keyboard.type(typed);
    await page.waitForSelector("#field-age[aria-invalid=true]");
    assert.match(await page.textContent("#field-age-error"), /not a number/, typed);
    assert.equal(await page.textContent("#prediction"), "–", typed);
    assert.equal(await page.getAttribute("#prediction", "data-json"), null, typed);
    assert.equal(await page.getAttribute("body", "data-error"), "WRONG_TYPE", typed);
  }
  // Fixed: a number predicts again; emptied: the field is missing, which age accepts.
  await page.fill("#field-age", "30");
  await page.waitForSelector("#prediction[data-json]");
  assert.equal(await page.getAttribute("#field-age", "aria-invalid"), null);
  await page.fill("#field-age", "");
  await page.waitForSelector("#prediction[data-json]");
  const missing = JSON.parse(await page.getAttribute("#prediction", "data-json"));
  const file = path.join(root, "target/browser/age-missing.jsonl");
  const example = JSON.parse(await page.textContent("#example-instance"));
  writeFileSync(file, JSON.stringify({ ...example, age: null }) + "\n");
  const cli = cliPredictions(file)[0].prediction;
  assert.equal(missing.label, cli.label);
  for (const [c, v] of Object.entries(cli.probabilities)) assert.ok(Math.abs(missing.probabilities[c] - v) <= 1e-9, c);
  assert.equal(await page.getAttribute("body", "data-error"), null);
  await page.close();
});

test("every parity bundle opens with defaults its fields accept: integers in range, known categories, nothing flagged", async () => {
  const page = await openSite();
  for (const b of DATASETS.map(bundle)) {
    await loadBundle(page, b);
    assert.equal(await page.getAttribute("body", "data-error"), null, b.name);
    assert.deepEqual(await page.$$eval("[aria-invalid]", (els) => els.map((e) => e.id)), [], b.name);
    for (const f of b.schema.fields) {
      const v = await page.$eval(`#field-${f.name}`, (el) => ({ value: el.value, checked: el.checked, valid: el.validity.valid }));
      assert.ok(v.valid, `${b.name}.${f.name}`);
      if (f.type === "integer") {
        const n = Number(v.value);
        assert.ok(Number.isInteger(n) && n >= f.min && n <= f.max, `${b.name}.${f.name} = ${v.value}`);
      } else if (f.type === "number" && v.value !== "") {
        assert.ok(Number(v.value) >= f.min && Number(v.value) <= f.max, `${b.name}.${f.name} = ${v.value}`);
      } else if (f.type === "category") {
        assert.ok(f.categories.includes(v.value), `${b.name}.${f.name} = ${v.value}`);
      }
    }
    // Required text has no default the schema knows: the form waits for it without an error.
    const required = b.schema.fields.filter((f) => f.type === "text" && !f.nullable).map((f) => f.name);
    if (required.length) {
      assert.equal(await page.getAttribute("body", "data-pending"), required.join(" "), b.name);
      for (const f of required) await page.fill(`#field-${f}`, "Doe, Mr. John");
    }
    await page.waitForSelector("#prediction[data-json]", { timeout: 5_000 }).catch(async (e) => {
      throw new Error(`${b.name}: no prediction (${await page.textContent(".result")})`, { cause: e });
    });
    const p = JSON.parse(await page.getAttribute("#prediction", "data-json"));
    assert.deepEqual(p.warnings ?? [], [], `${b.name}: the defaults are inside the training ranges`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the download, the table and the page controls appear with batch results and are cleared, with errors, when the model changes", async () => {
  const page = await openSite();
  const shown = (sel) => page.isVisible(sel);
  for (const sel of ["#download", "#batch-results", "#page-next", "#batch-filter"]) assert.equal(await shown(sel), false, `${sel} before any CSV`);
  const fields = Object.keys(rows[0]);
  await dropCsv(page, "small.csv", toCsv(fields, [...rows.slice(0, 5), { ...rows[0], age: "old" }]), 6);
  for (const sel of ["#download", "#batch-results", "#page-next", "#batch-filter"]) assert.equal(await shown(sel), true, `${sel} with results`);
  assert.match(await page.textContent("#page-info"), /^1–6 of 6 rows/);
  assert.equal(await page.isDisabled("#page-next"), true);

  // An invalid form value, then another model: nothing of the old one remains.
  await page.focus("#field-age");
  await page.keyboard.type("-");
  await page.waitForSelector("body[data-error]");
  await loadBundle(page, bundle("iris"));
  for (const sel of ["#download", "#batch-results"]) assert.equal(await shown(sel), false, `${sel} after the model changed`);
  assert.equal(await page.$$eval("#batch-table tr", (trs) => trs.length), 0);
  assert.equal(await page.textContent("#batch-summary"), "");
  assert.equal(await page.textContent("#batch-warnings"), "");
  assert.equal(await page.textContent("#warnings"), "");
  assert.equal(await page.$eval("#csv-file", (el) => el.value), "");
  assert.equal(await page.getAttribute("body", "data-batch"), null);
  assert.equal(await page.getAttribute("body", "data-error"), null);
  assert.equal(await page.$("[aria-invalid]"), null);
  assert.equal(await page.getAttribute("#download", "href"), null);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("at phone width (390 px) the page never scrolls sideways, whatever the bundle and with batch results", async () => {
  const page = await openSite({ width: 390, height: 844 });
  const overflow = () => page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);
  assert.ok((await overflow()) <= 0, `example: ${await overflow()} px too wide`);
  const fields = Object.keys(rows[0]);
  await dropCsv(page, "phone.csv", toCsv(fields, rows.slice(0, 20)), 20);
  assert.ok((await overflow()) <= 0, `with batch results: ${await overflow()} px too wide`);
  for (const b of DATASETS.map(bundle)) {
    await loadBundle(page, b);
    assert.ok((await overflow()) <= 0, `${b.name}: ${await overflow()} px too wide`);
  }
  await page.screenshot({ path: path.join(root, "target/browser/site-phone.png"), fullPage: true });
  await page.close();
});

test("the explanation panel shows tandem explain's values for the typed instance, follows typing, is keyboard-reachable and fits a phone", async () => {
  const page = await openSite({ width: 390, height: 844 });
  const out = path.join(root, "target/browser/cli-explanations.jsonl");
  execFileSync(bin, ["explain", "--model", model, "--input", instancesPath, "--output", out], { stdio: "ignore" });
  const cli = readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const sameNumbers = (a, b, where) => {
    if (a === null || typeof a !== "object") return assert.equal(a, b, where);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), where);
    for (const k of Object.keys(a)) sameNumbers(a[k], b[k], `${where}.${k}`);
  };
  let shown = null;
  for (const i of [0, 3, 7]) {
    for (const [k, v] of Object.entries(rows[i])) {
      const sel = `#field-${k}`;
      if ((await page.$eval(sel, (el) => el.tagName)) === "SELECT") await page.selectOption(sel, v ?? "");
      else await page.fill(sel, v === null ? "" : String(v));
    }
    await page.waitForFunction((prev) => document.getElementById("why").dataset.json && document.getElementById("why").dataset.json !== prev, shown);
    shown = await page.getAttribute("#why", "data-json");
    const { row, ...want } = cli[i];
    const got = JSON.parse(shown);
    for (const key of ["base", "values", "prediction"]) sameNumbers(got[key], want[key], `row ${row} ${key}`);
    // One bar per field, largest first, each named with its signed value for the predicted class.
    const bars = await page.$$eval("#why-list li", (lis) => lis.map((li) => ({ field: li.dataset.field, value: Number(li.dataset.value), label: li.querySelector("[role=img]").getAttribute("aria-label") })));
    assert.equal(bars.length, Object.keys(want.values).length);
    const label = want.prediction.label;
    bars.forEach((b) => assert.equal(b.value, want.values[b.field][label], b.field));
    assert.deepEqual(bars.map((b) => Math.abs(b.value)), bars.map((b) => Math.abs(b.value)).sort((x, y) => y - x));
    assert.match(bars[0].label, new RegExp(`^${bars[0].field}: [+-]\\d.* (toward|away from) ${label}$`));
    assert.match(await page.textContent("#why-summary"), /on average over 32 training rows.*computed in your browser in (< 0\.1 ms|\d+(\.\d)? ms)\.$/);
  }
  // Typing changes it: another age, another explanation.
  await page.fill("#field-age", "71");
  await page.waitForFunction((prev) => document.getElementById("why").dataset.json !== prev, shown);
  // Keyboard: Tab reaches the panel.
  await page.focus("#field-passengerClass");
  const visited = [];
  for (let k = 0; k < 40 && visited.at(-1) !== "why"; k++) {
    await page.keyboard.press("Tab");
    visited.push(await page.evaluate(() => document.activeElement?.id));
  }
  assert.equal(visited.at(-1), "why", `Tab visited ${visited.join(" ")}`);
  // A phone: every bar inside the viewport, no sideways scroll.
  const right = await page.$$eval("#why-list li", (lis) => Math.max(...lis.map((li) => li.getBoundingClientRect().right)));
  assert.ok(right <= 390, `a bar ends at ${right} px`);
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px too wide`);
  await page.locator("#why").screenshot({ path: path.join(root, "target/browser/why-phone.png") });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("charts and results are named from the bundle: probability axis 0 to 1 over the schema's classes, the regression target, the activation", async () => {
  const page = await openSite();
  const t = bundle("titanic_spec");
  const classes = t.schema.label.task.classes;
  assert.deepEqual(await page.$$eval("#bars li", (lis) => lis.map((li) => li.dataset.class)), classes);
  assert.equal(await page.isVisible("#bars-axis"), true);
  assert.deepEqual(await page.$$eval("#bars-axis .ticks span", (s) => s.map((x) => x.textContent)), ["0", "0.5", "1"]);
  assert.equal(await page.textContent("#bars-axis .axis-name"), "probability");
  assert.equal(await page.textContent("#result-title"), `Predicted ${t.schema.label.name}`);
  assert.deepEqual(await page.$$eval("#curves .axis-name", (s) => s.map((x) => x.textContent)), ["epoch", "loss"]);
  const meta = await page.evaluate(async () => {
    const { Model } = await import("tandem-infer");
    const m = await Model.load(new URL("./models/example.tandem", location.href));
    return m.metadata.model;
  });
  const facts = await page.textContent("#card-facts");
  assert.ok(facts.includes(`${meta.n_features} features → ${meta.hidden_layers.join(" → ")} (${meta.activation}) → ${meta.n_outputs}`), facts);

  // Regression: the target's name heads the result, the batch column and the plot's axes.
  const c = bundle("cps1985_spec");
  const target = c.schema.label.name;
  await loadBundle(page, c);
  assert.equal(await page.textContent("#result-title"), `Predicted ${target}`);
  assert.equal(await page.isVisible("#bars-axis"), false);
  assert.deepEqual(await page.$$eval("#residuals .axis-name", (s) => s.map((x) => x.textContent)), [`true ${target}`, `predicted ${target}`]);
  const inst = JSON.parse(readFileSync(path.join(root, "target/parity/cps1985_spec/instances.jsonl"), "utf8").split("\n")[0]);
  await dropCsv(page, "cps.csv", toCsv(Object.keys(inst), [inst]), 1);
  assert.equal(await page.textContent("#batch-table thead th:nth-child(2)"), `${target} (predicted)`);
  await page.close();
});

test("batch rows carry the warnings predict gives for the same row, marked in the table and counted by code", async (t) => {
  const page = await openSite();
  const fields = Object.keys(rows[0]);
  // Ages past the training range and a category spelled differently from training's.
  const batch = [...rows.slice(0, 10), { ...rows[1], age: 120 }, { ...rows[2], sex: rows[2].sex.toUpperCase() }, { ...rows[3], age: 150 }];
  const csv = toCsv(fields, batch);
  // What the package's single-row predict says, and whether its predictCsv says the same.
  const { expected, batchHasWarnings } = await page.evaluate(
    async ({ batch, csv }) => {
      const { Model } = await import("tandem-infer");
      const m = await Model.load(new URL("./models/example.tandem", location.href));
      const expected = batch.map((r) => (m.predict(r).warnings ?? []).map((w) => `${w.code} (${w.field}): ${w.message}`).join("; "));
      const batchHasWarnings = m.predictCsv(csv).some((r) => r.warnings?.length);
      return { expected, batchHasWarnings };
    },
    { batch, csv },
  );
  assert.ok(expected.filter(Boolean).length >= 2, "predict warns about the ages past the range");
  if (!batchHasWarnings) {
    t.todo("the package's predictCsv drops the warnings predict gives (issue 13, scope 1)");
    await page.close();
    return;
  }
  await dropCsv(page, "warned.csv", csv, batch.length);
  const table = await tableRows(page);
  table.forEach((r, i) => {
    assert.equal(r.cells.at(-2), expected[i], `row ${i + 1}`);
    assert.equal(r.cls.includes("warned"), expected[i] !== "", `row ${i + 1}`);
  });
  const warned = expected.filter(Boolean).length;
  assert.match(await page.textContent("#batch-summary"), new RegExp(`, ${warned} with warnings$`));
  const codes = {};
  for (const e of expected) for (const c of new Set(e.match(/\b[A-Z_]{4,}\b(?= \()/g) ?? [])) codes[c] = (codes[c] ?? 0) + 1;
  const counted = Object.entries(codes).map(([c, n]) => `${c}: ${n} ${n === 1 ? "row" : "rows"}`);
  assert.equal(await page.textContent("#batch-warnings"), `Warnings: ${counted.join(", ")}`);
  await page.selectOption("#batch-filter", "warned");
  await page.waitForSelector(`#batch-table[data-total="${warned}"]`);
  await page.close();
});

test("a CSV dropped on the batch section is predicted like a chosen one", async () => {
  const page = await openSite();
  const fields = Object.keys(rows[0]);
  const csv = toCsv(fields, rows.slice(0, 7));
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], "dropped.csv", { type: "text/csv" }));
    const section = document.getElementById("batch");
    section.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
    section.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  }, csv);
  await page.waitForSelector('body[data-batch="7"]');
  const file = path.join(root, "target/browser/dropped.csv");
  writeFileSync(file, csv);
  const cli = cliPredictions(file);
  assert.deepEqual((await tableRows(page)).map((r) => r.cells[1]), cli.map((c) => c.prediction.label));
  assert.equal(await page.getAttribute("#download", "download"), "dropped-predictions.csv");
  await page.close();
});

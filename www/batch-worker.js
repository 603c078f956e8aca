// The batch predictions of the site, off the main thread (a module worker). It loads the same
// package as the page (the page resolves the import map and sends the URL: import maps do not
// reach workers), predicts a whole CSV file with `predictCsv`, keeps the results here and hands
// the page one page of rows at a time, plus the CSV download as a Blob. The page stays
// responsive whatever the file's size: nothing here runs on its thread.
//
// Messages in: load {gen, pkg, bundle}, predict {gen, job, file, size}, page {gen, job, filter,
// page, size}. Out: loaded, summary, rows, download, error; each carries the gen and job it
// answers, so the page drops answers for a model or a file it has since replaced.

import { csvCell as cell, describe } from "./format.js";

let api = null;
let model = null;
let gen = -1;
let batch = null; // { job, results, invalid: number[], warned: number[], classes }

// One message at a time, in order: a `predict` waits for the `load` sent before it.
let queue = Promise.resolve();
self.onmessage = (ev) => {
  queue = queue.then(() => handle(ev.data)).catch((e) => fail(ev.data, e));
};

function fail(msg, e) {
  self.postMessage({ type: "error", gen: msg.gen, job: msg.job ?? null, code: e?.code ?? "ERROR", message: e?.message ?? String(e) });
}

async function handle(msg) {
  if (msg.type === "load") {
    api ??= await import(msg.pkg);
    const next = await api.Model.load(msg.bundle);
    model?.free();
    model = next;
    gen = msg.gen;
    batch = null;
    self.postMessage({ type: "loaded", gen, job: null });
  } else if (msg.type === "predict") {
    if (msg.gen !== gen) return; // the model changed since: the page ignores this job anyway
    predict(msg, await msg.file.text());
  } else if (msg.type === "page") {
    if (msg.gen !== gen || batch?.job !== msg.job) return;
    sendPage(msg);
  }
}

function predict(msg, text) {
  batch = null;
  const t0 = performance.now();
  const results = model.predictCsv(text, { errors: "return" });
  const ms = performance.now() - t0;
  const invalid = [];
  const warned = [];
  const warningCodes = {}; // code -> rows with at least one such warning
  results.forEach((r, i) => {
    if (r.error) invalid.push(i);
    if (r.warnings?.length) {
      warned.push(i);
      for (const code of new Set(r.warnings.map((w) => w.code))) warningCodes[code] = (warningCodes[code] ?? 0) + 1;
    }
  });
  const classes = model.schema.label.task.classes ?? null;
  batch = { job: msg.job, results, invalid, warned, classes };
  self.postMessage({ type: "summary", gen, job: msg.job, rows: results.length, invalid: invalid.length, warned: warned.length, warningCodes, ms });
  sendPage({ job: msg.job, filter: "all", page: 0, size: msg.size });
  const blob = new Blob([toCsv(batch, model.schema.label.name)], { type: "text/csv" });
  self.postMessage({ type: "download", gen, job: msg.job, blob });
}

function sendPage({ job, filter, page, size }) {
  const pick = filter === "invalid" ? batch.invalid : filter === "warned" ? batch.warned : null;
  const total = pick ? pick.length : batch.results.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const rows = [];
  for (let k = p * size; k < Math.min(total, (p + 1) * size); k++) {
    const i = pick ? pick[k] : k;
    rows.push({ row: i + 1, ...batch.results[i] });
  }
  self.postMessage({ type: "rows", gen, job, filter, page: p, pages, total, size, rows });
}

// ---- The download -------------------------------------------------------------------------

function toCsv({ results, classes }, labelName) {
  const probs = classes ?? [];
  const head = ["row", labelName, ...probs.map((c) => `probability_${c}`), "warnings", "error_code", "error_field", "error"];
  const out = [head.map(cell).join(",")];
  results.forEach((r, i) => {
    const warnings = (r.warnings ?? []).map(describe).join("; ");
    let line;
    if (r.error) line = [i + 1, "", ...probs.map(() => ""), warnings, r.error.code, r.error.field ?? "", r.error.message];
    else if ("label" in r) line = [i + 1, r.label, ...probs.map((c) => r.probabilities[c]), warnings, "", "", ""];
    else line = [i + 1, r.value, warnings, "", "", ""];
    out.push(line.map(cell).join(","));
  });
  return out.join("\n") + "\n";
}

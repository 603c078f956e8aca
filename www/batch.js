// The batch section of the page: a CSV file is predicted by the batch worker (batch-worker.js),
// and the page shows the counts, one page of rows at a time, and the worker's CSV as a download.
// The main thread only ever renders PAGE_SIZE rows, so a 100k-row file never freezes the tab.
import { count, describe } from "./format.js";

const PAGE_SIZE = 100;
const $ = (id) => document.getElementById(id);

let worker = null;
let pkgUrl = null;
let model = null; // the page's model: its schema names the columns
let bundle = null; // its bytes, sent to the worker when a file needs it
let gen = 0; // the model's generation: answers for an older model are dropped
let workerGen = -1;
let job = 0; // the file's number: answers for an older file are dropped
let view = { filter: "all", page: 0, pages: 1 };

/** Wire the section. `pkg`: the package's URL, as the page's import map resolves it. */
export function initBatch(pkg) {
  pkgUrl = pkg;
  $("csv-file").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (file && model) start(file);
  });
  // A file dropped anywhere on the section is taken as if chosen.
  const section = $("batch");
  section.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    section.classList.add("dropping");
  });
  section.addEventListener("dragleave", () => section.classList.remove("dropping"));
  section.addEventListener("drop", (ev) => {
    ev.preventDefault();
    section.classList.remove("dropping");
    const file = ev.dataTransfer?.files[0];
    if (file && model) start(file);
  });
  $("batch-filter").addEventListener("change", () => requestPage($("batch-filter").value, 0));
  $("page-prev").addEventListener("click", () => requestPage(view.filter, view.page - 1));
  $("page-next").addEventListener("click", () => requestPage(view.filter, view.page + 1));
}

let loaded = null; // resolves when the worker holds the current model

/** A new model: every batch result, error and control of the previous one goes, and the
 *  worker loads the model now (so a file later needs no request). Resolves when it has. */
export function setBatchModel(next, bytes) {
  model = next;
  bundle = bytes;
  gen++;
  clearBatch();
  $("csv-file").value = "";
  loaded?.resolve();
  const promise = new Promise((resolve) => (loaded = { resolve }));
  ensureWorker();
  return promise;
}

function clearBatch() {
  job++;
  $("batch-summary").textContent = "";
  $("batch-warnings").textContent = "";
  $("batch-results").hidden = true;
  $("batch-table").replaceChildren();
  const link = $("download");
  if (link.href) URL.revokeObjectURL(link.href);
  link.removeAttribute("href");
  link.hidden = true;
  delete document.body.dataset.batch;
  delete document.body.dataset.batchError;
  view = { filter: "all", page: 0, pages: 1 };
  $("batch-filter").value = "all";
}

function ensureWorker() {
  if (!worker) {
    worker = new Worker(new URL("./batch-worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (ev) => receive(ev.data);
    worker.onerror = (ev) => showError({ code: "WORKER", message: ev.message || "the batch worker failed to start" });
  }
  if (workerGen !== gen) {
    worker.postMessage({ type: "load", gen, pkg: pkgUrl, bundle: bundle.slice() });
    workerGen = gen;
  }
}

function start(file) {
  clearBatch();
  ensureWorker();
  $("batch-summary").textContent = `predicting ${file.name} in a background thread…`;
  $("download").download = `${file.name.replace(/\.csv$/i, "")}-predictions.csv`;
  worker.postMessage({ type: "predict", gen, job, file, size: PAGE_SIZE });
}

function requestPage(filter, page) {
  worker?.postMessage({ type: "page", gen, job, filter, page, size: PAGE_SIZE });
}

function receive(msg) {
  if (msg.gen !== gen || (msg.job !== null && msg.job !== job)) return; // a replaced model or file
  if (msg.type === "loaded") loaded?.resolve();
  else if (msg.type === "error") showError(msg);
  else if (msg.type === "summary") showSummary(msg);
  else if (msg.type === "rows") showRows(msg);
  else if (msg.type === "download") {
    const link = $("download");
    link.href = URL.createObjectURL(msg.blob);
    link.hidden = false;
  }
}

function showError(e) {
  loaded?.resolve(); // a worker that cannot load says so here; the page goes on without it
  $("batch-summary").textContent = `cannot predict this file: ${e.code}: ${e.message}`;
  document.body.dataset.batchError = e.code;
}

function showSummary(s) {
  const ok = s.rows - s.invalid;
  $("batch-summary").textContent =
    `${count(s.rows)} rows in ${(s.ms / 1000).toFixed(2)} s: ${count(ok)} predicted, ${count(s.invalid)} invalid (flagged), ` +
    `${count(s.warned)} with warnings`;
  const codes = Object.entries(s.warningCodes).map(([c, n]) => `${c}: ${count(n)} ${n === 1 ? "row" : "rows"}`);
  $("batch-warnings").textContent = codes.length ? `Warnings: ${codes.join(", ")}` : "";
  $("batch-results").hidden = false;
  document.body.dataset.batch = String(s.rows);
  document.body.dataset.batchInvalid = String(s.invalid);
  document.body.dataset.batchWarned = String(s.warned);
}

function showRows(r) {
  view = { filter: r.filter, page: r.page, pages: r.pages };
  const classes = model.schema.label.task.classes ?? [];
  const table = $("batch-table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  const target = model.schema.label.name;
  for (const h of ["row", `${target} (predicted)`, ...classes.map((c) => `p(${c})`), "warnings", "error"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const res of r.rows) {
    const tr = body.insertRow();
    const warnings = (res.warnings ?? []).map(describe).join("; ");
    let cells;
    if (res.error) {
      tr.className = "invalid";
      cells = ["", ...classes.map(() => ""), warnings, describe(res.error)];
    } else if ("label" in res) {
      cells = [res.label, ...classes.map((c) => res.probabilities[c].toFixed(4)), warnings, ""];
    } else {
      cells = [Number(res.value).toPrecision(5), warnings, ""];
    }
    if (warnings) tr.classList.add("warned");
    for (const c of [String(res.row), ...cells]) tr.insertCell().textContent = c;
  }
  const first = r.total ? r.page * r.size + 1 : 0;
  const last = Math.min(r.total, (r.page + 1) * r.size);
  const what = r.filter === "invalid" ? "invalid rows" : r.filter === "warned" ? "rows with warnings" : "rows";
  $("page-info").textContent = `${count(first)}–${count(last)} of ${count(r.total)} ${what} (page ${count(r.page + 1)} of ${count(r.pages)})`;
  $("page-prev").disabled = r.page === 0;
  $("page-next").disabled = r.page >= r.pages - 1;
  table.dataset.page = String(r.page);
  table.dataset.total = String(r.total);
}

// The model card: facts, metrics per split, the evidence the bundle carries (training curves,
// confusion matrix or predicted-vs-true plot, as plain SVG and tables) and the input schema.
// Everything comes from model.metadata and model.schema: nothing about a model is written here.

import { number } from "./format.js";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const short = (v) => Number(v.toPrecision(3)).toString();

export function buildCard(model) {
  const m = model.metadata;
  const { label } = model.schema;
  const facts = $("card-facts");
  facts.replaceChildren();
  const add = (k, v) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    facts.append(dt, dd);
  };
  add("run id", m.run_id);
  add("trained", m.created);
  add("predicts", `${label.name} (${label.task.kind}${label.task.classes ? `: ${label.task.classes.join(", ")}` : ""})`);
  const hidden = m.model.hidden_layers.length ? `${m.model.hidden_layers.join(" → ")} (${m.model.activation}) → ` : "";
  add("network", `${m.model.n_features} features → ${hidden}${m.model.n_outputs}`);
  add("engine", `${model.engine} (WebAssembly, in this tab)`);
  add("rows", ["train_rows", "validation_rows", "test_rows"].filter((k) => m.params[k]).map((k) => `${k.replace("_rows", "")} ${m.params[k]}`).join(", "));
  buildMetrics(m.metrics);
  buildEvidence(m.evaluation, label);
  buildSchema(model.schema.fields);
}

function headRow(table, names) {
  const tr = table.createTHead().insertRow();
  for (const h of names) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    tr.append(th);
  }
}

function buildMetrics(metrics) {
  const t = $("metrics");
  t.replaceChildren();
  const splits = ["train", "validation", "test"];
  const re = /^(train|validation|test)_/;
  const names = [...new Set(Object.keys(metrics).filter((k) => re.test(k)).map((k) => k.replace(re, "")))].sort();
  headRow(t, ["metric", ...splits]);
  const body = t.createTBody();
  for (const n of names) {
    const tr = body.insertRow();
    tr.insertCell().textContent = n;
    for (const s of splits) tr.insertCell().textContent = metrics[`${s}_${n}`]?.toFixed(4) ?? "–";
  }
}

function buildSchema(fields) {
  const t = $("schema");
  t.replaceChildren();
  headRow(t, ["field", "type", "nullable", "training values"]);
  const body = t.createTBody();
  for (const f of fields) {
    const tr = body.insertRow();
    const seen = f.categories ? f.categories.join(", ") : f.min != null ? `${number(f.min)} to ${number(f.max)}` : "";
    for (const v of [f.name, f.type, f.nullable ? "yes" : "no", seen]) tr.insertCell().textContent = v;
  }
}

// ---- Charts --------------------------------------------------------------------------------

const W = 320;
const H = 200;
const L = 40; // room for the y axis' ticks and name
const B = 34; // room for the x axis' ticks and name
const T = 10;
const R = 10;

function scale(vals, lo, hi) {
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  return Object.assign((v) => lo + ((v - min) / (max - min || 1)) * (hi - lo), { min, max });
}

/** Axes with their end ticks and names, around the plot area. */
function axes(x, y, xName, yName) {
  const tick = (px, py, text, anchor) => `<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" font-size="10" text-anchor="${anchor}">${esc(text)}</text>`;
  return (
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#5b6470"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#5b6470"/>` +
    tick(L, H - B + 12, short(x.min), "start") + tick(W - R, H - B + 12, short(x.max), "end") +
    tick(L - 3, H - B, short(y.min), "end") + tick(L - 3, T + 8, short(y.max), "end") +
    `<text class="axis-name" x="${(L + W - R) / 2}" y="${H - 4}" font-size="11" text-anchor="middle">${esc(xName)}</text>` +
    `<text class="axis-name" transform="translate(11 ${(T + H - B) / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(yName)}</text>`
  );
}

const svg = (inner, label) => `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">${inner}</svg>`;

function buildEvidence(ev, label) {
  for (const id of ["curves-figure", "confusion-figure", "residuals-figure"]) $(id).hidden = true;
  if (!ev) return;
  if (ev.history?.length) curves(ev.history);
  if (ev.confusion?.length && label.task.classes) confusion(ev.confusion, label.task.classes);
  if (ev.residuals?.length) residuals(ev.residuals, label.name);
}

function curves(history) {
  const x = scale(history.map((h) => h[0]), L, W - R);
  const y = scale(history.flatMap((h) => [h[1], h[2]]), H - B, T);
  const line = (k, color) => `<polyline fill="none" stroke="${color}" stroke-width="2" points="${history.map((h) => `${x(h[0]).toFixed(1)},${y(h[k]).toFixed(1)}`).join(" ")}"/>`;
  const best = history.reduce((b, h) => (h[2] < b[2] ? h : b));
  $("curves").innerHTML = svg(
    axes(x, y, "epoch", "loss") + line(1, "#0b6bcb") + line(2, "#d9822b") +
      `<line x1="${x(best[0])}" x2="${x(best[0])}" y1="${T}" y2="${H - B}" stroke="#999" stroke-dasharray="3"/>` +
      `<text x="${W - 130}" y="${T + 10}" font-size="11" fill="#0b6bcb">train</text><text x="${W - 90}" y="${T + 10}" font-size="11" fill="#d9822b">validation</text>`,
    `training and validation loss over ${history.length} epochs, lowest validation loss at epoch ${best[0]}`,
  );
  $("curves-figure").hidden = false;
}

function confusion(matrix, classes) {
  const t = $("confusion");
  t.replaceChildren();
  headRow(t, ["true \\ predicted", ...classes]);
  const body = t.createTBody();
  matrix.forEach((row, i) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = classes[i];
    tr.append(th);
    for (const n of row) tr.insertCell().textContent = String(n);
  });
  $("confusion-figure").hidden = false;
}

function residuals(pairs, target) {
  const all = pairs.flat();
  const x = scale(all, L, W - R);
  const y = scale(all, H - B, T);
  $("residuals").innerHTML = svg(
    axes(x, y, `true ${target}`, `predicted ${target}`) +
      `<line x1="${x(x.min)}" y1="${y(y.min)}" x2="${x(x.max)}" y2="${y(y.max)}" stroke="#999" stroke-dasharray="3"/>` +
      pairs.map(([t, p]) => `<circle cx="${x(t).toFixed(1)}" cy="${y(p).toFixed(1)}" r="2" fill="#0b6bcb"/>`).join(""),
    `${pairs.length} validation predictions of ${target} plotted against the truth`,
  );
  $("residuals-caption").textContent = `Validation: predicted ${target} against the true ${target} (the dashed line is a perfect prediction)`;
  $("residuals-figure").hidden = false;
}

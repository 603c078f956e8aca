// The browser user_app: everything below runs client-side with the npm package. After the
// package and the bundle are loaded, no request leaves the page.
import { Model } from "tandem-infer";

const $ = (id) => document.getElementById(id);
let model = null;

// ---- Loading ----------------------------------------------------------------------------

async function use(source, label) {
  $("model-status").textContent = `loading ${label}…`;
  try {
    const next = await Model.load(source);
    model?.free();
    model = next;
    $("model-status").textContent = `model ${model.metadata.run_id.slice(0, 8)} loaded (${label})`;
    buildForm();
    buildCard();
    predict();
    document.body.dataset.ready = "true";
  } catch (e) {
    $("model-status").textContent = `cannot load ${label}: ${e.code ?? ""} ${e.message}`;
  }
}

$("bundle-file").addEventListener("change", async (ev) => {
  const file = ev.target.files[0];
  if (file) await use(new Uint8Array(await file.arrayBuffer()), file.name);
});

// ---- The form, from the schema -----------------------------------------------------------

const EXAMPLES = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };

function buildForm() {
  const box = $("fields");
  box.replaceChildren();
  for (const f of model.schema.fields) {
    const id = `field-${f.name}`;
    const wrap = document.createElement("div");
    wrap.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = f.name + (f.nullable ? "" : " (required)");
    let input;
    if (f.type === "category") {
      input = document.createElement("select");
      const blank = new Option(f.nullable ? "(missing)" : "choose…", "");
      input.add(blank);
      for (const c of f.categories ?? []) input.add(new Option(c, c));
      input.value = EXAMPLES[f.name] ?? f.categories?.[0] ?? "";
    } else if (f.type === "boolean") {
      input = document.createElement("input");
      input.type = "checkbox";
    } else {
      input = document.createElement("input");
      input.type = f.type === "text" ? "text" : "number";
      if (f.type === "integer") input.step = "1";
      else if (f.type === "number") input.step = "any";
      const example = EXAMPLES[f.name];
      input.value = example ?? (f.min != null && f.max != null ? String(Math.round(((f.min + f.max) / 2) * 100) / 100) : "");
    }
    input.id = id;
    input.name = f.name;
    const hint = document.createElement("div");
    hint.className = "hint";
    hint.id = `${id}-hint`;
    if (f.min != null && f.max != null) hint.textContent = `seen in training: ${f.min} to ${f.max}`;
    const error = document.createElement("div");
    error.className = "error";
    error.id = `${id}-error`;
    input.setAttribute("aria-describedby", `${hint.id} ${error.id}`);
    input.addEventListener("input", predict);
    input.addEventListener("change", predict);
    wrap.append(label, input, hint, error);
    box.append(wrap);
  }
}

function instanceFromForm() {
  const out = {};
  for (const f of model.schema.fields) {
    const input = $(`field-${f.name}`);
    if (f.type === "boolean") out[f.name] = input.checked;
    else if (input.value === "") out[f.name] = null;
    else if (f.type === "number" || f.type === "integer") out[f.name] = input.valueAsNumber;
    else out[f.name] = input.value;
  }
  return out;
}

function predict() {
  if (!model) return;
  for (const el of document.querySelectorAll(".field .error")) el.textContent = "";
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const instance = instanceFromForm();
  const t0 = performance.now();
  try {
    const p = model.predict(instance);
    const us = (performance.now() - t0) * 1000;
    showPrediction(p);
    $("latency").textContent = `computed in your browser in ${us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(1)} ms`}`;
    $("warnings").textContent = (p.warnings ?? []).map((w) => w.message).join("; ");
  } catch (e) {
    $("prediction").textContent = "–";
    $("bars").replaceChildren();
    $("latency").textContent = "";
    const input = e.field ? $(`field-${e.field}`) : null;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      $(`field-${e.field}-error`).textContent = e.message;
    } else {
      $("warnings").textContent = `${e.code}: ${e.message}`;
    }
    document.body.dataset.error = e.code ?? "ERROR";
    return;
  }
  delete document.body.dataset.error;
}

function showPrediction(p) {
  const bars = $("bars");
  bars.replaceChildren();
  if ("label" in p) {
    $("prediction").textContent = p.label;
    for (const [c, v] of Object.entries(p.probabilities)) {
      const li = document.createElement("li");
      li.dataset.class = c;
      li.dataset.probability = String(v);
      const name = document.createElement("span");
      name.textContent = c;
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", `${c}: ${(v * 100).toFixed(1)} percent`);
      const fill = document.createElement("span");
      fill.style.width = `${(v * 100).toFixed(2)}%`;
      bar.append(fill);
      const pct = document.createElement("span");
      pct.textContent = `${(v * 100).toFixed(1)}%`;
      li.append(name, bar, pct);
      bars.append(li);
    }
  } else {
    $("prediction").textContent = Number(p.value).toPrecision(5);
  }
  $("prediction").dataset.json = JSON.stringify(p);
}

// ---- Batch -------------------------------------------------------------------------------

const csvCell = (v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

$("csv-file").addEventListener("change", async (ev) => {
  const file = ev.target.files[0];
  if (!file || !model) return;
  // The CSV is parsed and validated in wasm by the same code as `tandem predict`.
  const t0 = performance.now();
  let results;
  try {
    results = model.predictCsv(await file.text(), { errors: "return" });
  } catch (e) {
    $("batch-summary").textContent = `cannot read ${file.name}: ${e.code}: ${e.message}`;
    return;
  }
  const ms = performance.now() - t0;
  const classes = model.schema.label.task.classes;
  const table = $("batch-table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ["row", "prediction", ...(classes ?? []).map((c) => `p(${c})`), "error"]) {
    const th = document.createElement("th");
    th.textContent = h;
    head.append(th);
  }
  const tbody = table.createTBody();
  const out = [["row", "prediction", ...(classes ?? []).map((c) => `probability_${c}`), "error_code", "error_field", "error"].join(",")];
  let bad = 0;
  results.forEach((res, i) => {
    const tr = tbody.insertRow();
    const cells = [String(i + 1)];
    let line;
    if (res.error) {
      bad++;
      tr.className = "invalid";
      cells.push("", ...(classes ?? []).map(() => ""), `${res.error.code}${res.error.field ? ` (${res.error.field})` : ""}: ${res.error.message}`);
      line = [i + 1, "", ...(classes ?? []).map(() => ""), res.error.code, res.error.field ?? "", csvCell(res.error.message)];
    } else if ("label" in res) {
      cells.push(res.label, ...classes.map((c) => res.probabilities[c].toFixed(4)), "");
      line = [i + 1, csvCell(res.label), ...classes.map((c) => res.probabilities[c]), "", "", ""];
    } else {
      cells.push(String(res.value), "");
      line = [i + 1, res.value, "", "", ""];
    }
    for (const c of cells) tr.insertCell().textContent = c;
    out.push(line.join(","));
  });
  $("batch-summary").textContent = `${results.length} rows in ${ms.toFixed(1)} ms: ${results.length - bad} predicted, ${bad} invalid (flagged)`;
  const link = $("download");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([out.join("\n") + "\n"], { type: "text/csv" }));
  link.hidden = false;
  document.body.dataset.batch = String(results.length);
});

// ---- Model card --------------------------------------------------------------------------

function buildCard() {
  const m = model.metadata;
  const facts = $("card-facts");
  facts.replaceChildren();
  const task = model.schema.label.task;
  const add = (k, v) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    facts.append(dt, dd);
  };
  add("run id", m.run_id);
  add("trained", m.created);
  add("predicts", `${model.schema.label.name} (${task.kind}${task.classes ? `: ${task.classes.join(", ")}` : ""})`);
  add("network", `${m.model.n_features} features → ${m.model.hidden_layers.length ? m.model.hidden_layers.join(" → ") + " (ReLU) → " : ""}${m.model.n_outputs}`);
  add("engine", `${model.engine} (WebAssembly, in this tab)`);
  add("rows", ["train_rows", "validation_rows", "test_rows"].filter((k) => m.params[k]).map((k) => `${k.replace("_rows", "")} ${m.params[k]}`).join(", "));
  const metrics = $("metrics");
  metrics.replaceChildren();
  const splits = ["train", "validation", "test"];
  const names = [...new Set(Object.keys(m.metrics).filter((k) => /^(train|validation|test)_/.test(k)).map((k) => k.replace(/^(train|validation|test)_/, "")))].sort();
  const hr = metrics.createTHead().insertRow();
  for (const h of ["metric", ...splits]) hr.insertCell().outerHTML = `<th scope="col">${h}</th>`;
  const mb = metrics.createTBody();
  for (const n of names) {
    const tr = mb.insertRow();
    tr.insertCell().textContent = n;
    for (const s of splits) tr.insertCell().textContent = m.metrics[`${s}_${n}`]?.toFixed(4) ?? "–";
  }
  buildEvidence(m.evaluation, task);
  const schema = $("schema");
  schema.replaceChildren();
  const sh = schema.createTHead().insertRow();
  for (const h of ["field", "type", "nullable", "training values"]) sh.insertCell().outerHTML = `<th scope="col">${h}</th>`;
  const sb = schema.createTBody();
  for (const f of model.schema.fields) {
    const tr = sb.insertRow();
    for (const v of [f.name, f.type, f.nullable ? "yes" : "no", f.categories ? f.categories.join(", ") : f.min != null ? `${f.min} to ${f.max}` : ""]) tr.insertCell().textContent = v;
  }
}

// Curves, confusion matrix, residual plot: plain SVG and tables, no chart library.
function buildEvidence(ev, task) {
  for (const id of ["curves-figure", "confusion-figure", "residuals-figure"]) $(id).hidden = true;
  if (!ev) return;
  const W = 320;
  const H = 180;
  const P = 24;
  const svg = (inner, label) => `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}">${inner}</svg>`;
  const scale = (vals, lo, hi) => {
    const min = Math.min(...vals);
    const max = Math.max(...vals);
    return (v) => lo + ((v - min) / (max - min || 1)) * (hi - lo);
  };
  if (ev.history?.length) {
    const xs = ev.history.map((h) => h[0]);
    const ys = ev.history.flatMap((h) => [h[1], h[2]]);
    const x = scale(xs, P, W - 8);
    const y = scale(ys, H - P, 8);
    const line = (k, color) => `<polyline fill="none" stroke="${color}" stroke-width="2" points="${ev.history.map((h) => `${x(h[0]).toFixed(1)},${y(h[k]).toFixed(1)}`).join(" ")}"/>`;
    const best = ev.history.reduce((b, h) => (h[2] < b[2] ? h : b));
    $("curves").innerHTML = svg(
      `${line(1, "#0b6bcb")}${line(2, "#d9822b")}<line x1="${x(best[0])}" x2="${x(best[0])}" y1="8" y2="${H - P}" stroke="#999" stroke-dasharray="3"/>` +
        `<text x="${P}" y="${H - 6}" font-size="11">epoch 1 … ${xs.at(-1)}</text><text x="${W - 150}" y="16" font-size="11" fill="#0b6bcb">train</text><text x="${W - 100}" y="16" font-size="11" fill="#d9822b">validation</text>`,
      `training and validation loss over ${xs.length} epochs, lowest validation loss at epoch ${best[0]}`,
    );
    $("curves-figure").hidden = false;
  }
  if (ev.confusion?.length && task.classes) {
    const t = $("confusion");
    t.replaceChildren();
    const hr = t.createTHead().insertRow();
    hr.insertCell().outerHTML = "<th scope=\"col\">true \\ predicted</th>";
    for (const c of task.classes) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      hr.append(th);
    }
    const tb = t.createTBody();
    ev.confusion.forEach((row, i) => {
      const tr = tb.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = task.classes[i];
      tr.append(th);
      for (const n of row) tr.insertCell().textContent = String(n);
    });
    $("confusion-figure").hidden = false;
  }
  if (ev.residuals?.length) {
    const all = ev.residuals.flat();
    const x = scale(all, P, W - 8);
    const y = scale(all, H - P, 8);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    $("residuals").innerHTML = svg(
      `<line x1="${x(lo)}" y1="${y(lo)}" x2="${x(hi)}" y2="${y(hi)}" stroke="#999" stroke-dasharray="3"/>` +
        ev.residuals.map(([t, p]) => `<circle cx="${x(t).toFixed(1)}" cy="${y(p).toFixed(1)}" r="2" fill="#0b6bcb"/>`).join(""),
      `${ev.residuals.length} validation predictions plotted against the truth`,
    );
    $("residuals-figure").hidden = false;
  }
}

use(new URL("./models/example.tandem", import.meta.url), "the example titanic model");

// The browser user_app: everything below runs client-side with the npm package. After the
// package and the bundle are loaded, no request leaves the page. This module loads models and
// predicts the form's instance; form.js builds the form, why.js explains the prediction,
// batch.js (with batch-worker.js) runs CSV files off the main thread, card.js draws the model
// card.
import { Model } from "tandem-infer";
import { buildForm, readForm, clearFieldErrors, flagField } from "./form.js";
import { initBatch, setBatchModel } from "./batch.js";
import { buildCard } from "./card.js";
import { describe, duration } from "./format.js";
import { clearWhy, showWhy } from "./why.js";

const $ = (id) => document.getElementById(id);
let model = null;

// ---- Loading ----------------------------------------------------------------------------

/** Load a bundle (its bytes) as the page's model; `example`: an instance to start the form. */
async function use(bytes, label, example) {
  $("model-status").textContent = `loading ${label}…`;
  delete document.body.dataset.ready;
  try {
    const next = await Model.load(bytes);
    model?.free();
    model = next;
    $("model-status").textContent = `model ${model.metadata.run_id.slice(0, 8)} loaded (${label})`;
    clearPrediction();
    buildForm(model.schema.fields, example, predict);
    buildCard(model);
    const batchReady = setBatchModel(model, bytes);
    $("result-title").textContent = `Predicted ${model.schema.label.name}`;
    predict();
    await batchReady;
    document.body.dataset.model = model.metadata.run_id;
    document.body.dataset.ready = "true";
  } catch (e) {
    $("model-status").textContent = `cannot load ${label}: ${e.code ?? ""} ${e.message}`;
    if (model) document.body.dataset.ready = "true"; // the previous model stays in use
  }
}

$("bundle-file").addEventListener("change", async (ev) => {
  const file = ev.target.files[0];
  if (file) await use(new Uint8Array(await file.arrayBuffer()), file.name, null);
});

// ---- Predicting the form ------------------------------------------------------------------

function clearPrediction() {
  $("prediction").textContent = "–";
  delete $("prediction").dataset.json;
  $("bars").replaceChildren();
  $("bars-axis").hidden = true;
  $("latency").textContent = "";
  $("warnings").textContent = "";
  clearWhy();
  delete document.body.dataset.error;
  delete document.body.dataset.pending;
}

function predict() {
  if (!model) return;
  clearFieldErrors();
  clearPrediction();
  const { instance, invalid, pending } = readForm(model.schema.fields);
  if (invalid.length) {
    // Typed text that is no number: flagged at its field, and no prediction until it is fixed.
    for (const { field, message } of invalid) flagField(field, message);
    $("warnings").textContent = `Fix ${invalid.map((i) => i.field).join(", ")} to predict.`;
    document.body.dataset.error = "WRONG_TYPE";
    return;
  }
  if (pending.length) {
    $("latency").textContent = `Fill in ${pending.join(", ")} to predict.`;
    document.body.dataset.pending = pending.join(" ");
    return;
  }
  const t0 = performance.now();
  try {
    const p = model.predict(instance);
    const ms = performance.now() - t0;
    showPrediction(p);
    $("latency").textContent = `computed in your browser in ${duration(ms)}`;
    $("warnings").textContent = (p.warnings ?? []).map(describe).join("; ");
    try {
      showWhy(model, instance, p);
    } catch (e) {
      clearWhy(`Cannot explain: ${describe(e)}`);
    }
  } catch (e) {
    if (!flagField(e.field, e.message)) $("warnings").textContent = describe(e);
    document.body.dataset.error = e.code ?? "ERROR";
  }
}

function showPrediction(p) {
  const bars = $("bars");
  if ("label" in p) {
    $("prediction").textContent = p.label;
    for (const c of model.schema.label.task.classes) {
      const v = p.probabilities[c];
      const li = document.createElement("li");
      li.dataset.class = c;
      li.dataset.probability = String(v);
      const name = document.createElement("span");
      name.className = "class-name";
      name.textContent = c;
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", `${c}: probability ${v.toFixed(3)}`);
      const fill = document.createElement("span");
      fill.style.width = `${(v * 100).toFixed(2)}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.textContent = v.toFixed(3);
      li.append(name, bar, value);
      bars.append(li);
    }
    $("bars-axis").hidden = false;
  } else {
    $("prediction").textContent = Number(p.value).toPrecision(5);
  }
  $("prediction").dataset.json = JSON.stringify(p);
}

// ---- Start ----------------------------------------------------------------------------------

// Import maps do not reach workers: the batch worker imports the URL this page resolves.
initBatch(import.meta.resolve("tandem-infer"));

const exampleUrl = new URL("./models/example.tandem", import.meta.url);
const example = JSON.parse($("example-instance").textContent);
fetch(exampleUrl)
  .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.status} ${r.statusText}`))))
  .then((buf) => use(new Uint8Array(buf), "the example model", example))
  .catch((e) => ($("model-status").textContent = `cannot load the example model: ${e.message}`));

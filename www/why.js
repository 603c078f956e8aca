// The explanation panel: why the form's prediction, one bar per raw field. Each bar is the
// field's Shapley value (model.explain, in the browser, against the bundle's background rows):
// how far that field moved the prediction from the base, toward or away from the predicted
// class (or in the label's units). Bars grow right for "toward", left for "away".
import { duration, number } from "./format.js";

const $ = (id) => document.getElementById(id);

/** Hide the panel (no model, no prediction, or a bundle without a background sample). */
export function clearWhy(note = "") {
  $("why-list").replaceChildren();
  $("why-summary").textContent = note;
  delete $("why").dataset.json;
}

/** Explain `instance` with `model` and draw it; `prediction` is what `predict` gave. */
export function showWhy(model, instance, prediction) {
  if (model.backgroundRows === 0) {
    clearWhy("This bundle carries no background rows, so its predictions cannot be explained here (train it again with `[explain] background`).");
    return;
  }
  const t0 = performance.now();
  const e = model.explain(instance);
  const ms = performance.now() - t0;
  const classes = model.schema.label.task.classes;
  const target = classes ? prediction.label : null;
  const of = (v) => (target === null ? v : v[target]);
  const values = Object.entries(e.values).map(([field, v]) => [field, of(v)]);
  values.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const largest = Math.max(...values.map(([, v]) => Math.abs(v)), 1e-12);
  const what = target === null ? model.schema.label.name : `P(${target})`;
  const score = target === null ? prediction.value : prediction.probabilities[target];
  $("why-summary").textContent =
    `${what} is ${number(of(e.base))} on average over ${e.background} training rows and ` +
    `${number(score)} here: each field's share of the difference (Shapley values, ${e.method}), ` +
    `computed in your browser in ${duration(ms)}.`;
  const list = $("why-list");
  list.replaceChildren();
  for (const [field, v] of values) {
    const li = document.createElement("li");
    li.dataset.field = field;
    li.dataset.value = String(v);
    const name = document.createElement("span");
    name.className = "class-name";
    name.textContent = field;
    const bar = document.createElement("div");
    bar.className = "why-bar";
    bar.setAttribute("role", "img");
    const toward = target === null ? (v >= 0 ? "up" : "down") : v >= 0 ? `toward ${target}` : `away from ${target}`;
    bar.setAttribute("aria-label", `${field}: ${v >= 0 ? "+" : ""}${number(v)}, ${toward}`);
    const fill = document.createElement("span");
    fill.className = v >= 0 ? "up" : "down";
    fill.style.width = `${((Math.abs(v) / largest) * 50).toFixed(2)}%`;
    bar.append(fill);
    const value = document.createElement("span");
    value.textContent = `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
    li.append(name, bar, value);
    list.append(li);
  }
  $("why").dataset.json = JSON.stringify(e);
}

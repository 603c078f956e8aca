// The instance form, built from the bundle's schema: one control per field, defaults that the
// model accepts (an integer in range, a known category), and the rules for reading it back:
// an empty control is a missing value, a control the browser cannot read as a number is
// invalid (never "missing"), and a required field nobody has filled in yet is pending.

import { number } from "./format.js";

const $ = (id) => document.getElementById(id);

/** A default the field accepts: the example's value when it fits, else the middle of the
 *  training range (an integer for integer fields), a known category, false, or empty. */
export function defaultValue(f, example) {
  const ex = example?.[f.name];
  if (ex !== undefined && fits(f, ex)) return ex;
  if (f.type === "category") return f.categories?.[0] ?? null;
  if (f.type === "boolean") return false;
  if ((f.type === "number" || f.type === "integer") && f.min != null && f.max != null) {
    const mid = (f.min + f.max) / 2;
    if (f.type === "integer") return Math.min(Math.max(Math.round(mid), Math.ceil(f.min)), Math.floor(f.max));
    const short = Number(mid.toPrecision(3));
    return short >= f.min && short <= f.max ? short : mid;
  }
  if (f.type === "number" || f.type === "integer") return f.nullable ? null : 0;
  return null;
}

function fits(f, v) {
  if (v === null) return f.nullable;
  if (f.type === "category") return (f.categories ?? []).includes(v);
  if (f.type === "boolean") return typeof v === "boolean";
  if (f.type === "text") return typeof v === "string";
  return typeof v === "number" && Number.isFinite(v) && (f.type === "number" || Number.isInteger(v));
}

let built = 0; // the form's generation: the previous form's controls fire no more edits

/** Build the controls of `fields` in `#fields`; `onChange(name)` runs on every edit. */
export function buildForm(fields, example, onChange) {
  const form = ++built;
  const box = $("fields");
  box.replaceChildren(); // a focused control fires `change` as it goes: ignored below
  for (const f of fields) {
    const id = `field-${f.name}`;
    const wrap = document.createElement("div");
    wrap.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = f.name + (f.nullable ? "" : " (required)");
    const input = control(f, defaultValue(f, example));
    input.id = id;
    input.name = f.name;
    const hint = document.createElement("div");
    hint.className = "hint";
    hint.id = `${id}-hint`;
    hint.textContent = hintFor(f);
    const error = document.createElement("div");
    error.className = "error";
    error.id = `${id}-error`;
    input.setAttribute("aria-describedby", `${hint.id} ${error.id}`);
    const edited = () => {
      if (form !== built) return;
      input.dataset.touched = "true";
      onChange(f.name);
    };
    input.addEventListener("input", edited);
    input.addEventListener("change", edited);
    wrap.append(label, input, hint, error);
    box.append(wrap);
  }
}

function hintFor(f) {
  const missing = f.nullable ? "; leave empty if unknown" : "";
  if (f.min != null && f.max != null) return `${f.type === "integer" ? "a whole number" : "a number"}, seen in training: ${number(f.min)} to ${number(f.max)}${missing}`;
  if (f.type === "text") return `free text${missing}`;
  return missing ? missing.slice(2) : "";
}

function control(f, value) {
  if (f.type === "category" || (f.type === "boolean" && f.nullable)) {
    const select = document.createElement("select");
    select.add(new Option(f.nullable ? "(missing)" : "choose…", ""));
    const options = f.type === "boolean" ? ["true", "false"] : (f.categories ?? []);
    for (const c of options) select.add(new Option(c, c));
    select.value = value === null ? "" : String(value);
    return select;
  }
  const input = document.createElement("input");
  if (f.type === "boolean") {
    input.type = "checkbox";
    input.checked = value === true;
  } else if (f.type === "text") {
    input.type = "text";
    input.value = value ?? "";
  } else {
    input.type = "number";
    input.step = f.type === "integer" ? "1" : "any";
    input.value = value === null ? "" : String(value);
  }
  return input;
}

/** Read the form: `instance` (empty controls are null), `invalid` (fields whose text is not a
 *  number, with the reason) and `pending` (required fields never filled in). */
export function readForm(fields) {
  const instance = {};
  const invalid = [];
  const pending = [];
  for (const f of fields) {
    const input = $(`field-${f.name}`);
    let v;
    if (input.type === "checkbox") v = input.checked;
    else if (input.validity.badInput) {
      // The browser holds text it cannot read as a number ("-", "1e"): its value reads "",
      // which must not pass for a missing value.
      invalid.push({ field: f.name, message: `not a number: type a ${f.type === "integer" ? "whole number, e.g. 12" : "number, e.g. 12 or 0.5"}` });
      continue;
    } else if (input.value === "") v = null;
    else if (input.type === "number") v = input.valueAsNumber;
    else if (f.type === "boolean") v = input.value === "true";
    else v = input.value;
    if (v === null && !f.nullable && input.dataset.touched !== "true") pending.push(f.name);
    instance[f.name] = v;
  }
  return { instance, invalid, pending };
}

/** Clear every field's error mark. */
export function clearFieldErrors() {
  for (const el of document.querySelectorAll("#fields .error")) el.textContent = "";
  for (const el of document.querySelectorAll("#fields [aria-invalid]")) el.removeAttribute("aria-invalid");
}

/** Mark `field` invalid with `message`; false when the form has no such field. */
export function flagField(field, message) {
  const input = field ? $(`field-${field}`) : null;
  if (!input) return false;
  input.setAttribute("aria-invalid", "true");
  $(`field-${field}-error`).textContent = message;
  return true;
}

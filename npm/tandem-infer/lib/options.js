// The options of `Model.load`, read by the rule core applies to every other call's options
// (tandem_core::protocol::options): `null` or absent means the default, a value of the wrong
// type and a key the call does not take are BAD_OPTION (naming the option), never ignored.
// This layer checks the keys and copies the values into plain objects (so a getter or a Proxy
// fails here, before the bundle is fetched); the wasm side (wasm-infer/src/load_options.rs)
// checks the engine name, each limit's name and value, the public key's text, and loads
// under them.
// Prediction options are not read here: the wasm side reads them, from the object as given.
import { TandemError, describe } from "./error.js";

const LOAD_OPTIONS = ["engine", "limits", "publicKey"];

function plainObject(value, name) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TandemError(`\`${name}\` must be an object, found ${describe(value)}`, "BAD_OPTION", name);
  }
}

/** A plain copy of the options of `Model.load(source, options)`, or `undefined` (the
 *  defaults). */
export function loadOptions(options) {
  if (options === undefined || options === null) return undefined;
  plainObject(options, "options");
  const out = Object.create(null);
  for (const key of Object.keys(options)) {
    if (!LOAD_OPTIONS.includes(key)) {
      throw new TandemError(`unknown option \`${key}\` (known: ${LOAD_OPTIONS.join(", ")})`, "BAD_OPTION", key);
    }
  }
  for (const key of ["engine", "publicKey"]) {
    const value = options[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new TandemError(`\`${key}\` must be a string, found ${describe(value)}`, "BAD_OPTION", key);
    }
    out[key] = value;
  }
  const { limits } = options;
  if (limits !== undefined && limits !== null) {
    plainObject(limits, "limits");
    const copy = Object.create(null);
    for (const name of Object.keys(limits)) {
      const value = limits[name];
      if (typeof value !== "number") {
        throw new TandemError(`\`limits.${name}\` must be a number, found ${describe(value)}`, "BAD_OPTION", `limits.${name}`);
      }
      copy[name] = value;
    }
    out.limits = copy;
  }
  return out;
}

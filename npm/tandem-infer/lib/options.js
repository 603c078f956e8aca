// The options of `Model.load`, read by the rule core applies to every other call's options
// (tandem_core::protocol::options): `null` or absent means the default, a value of the wrong
// type and a key the call does not take are BAD_OPTION (naming the option), never ignored.
// Their values (an engine name, a public key's text) are read by the wasm side
// (wasm-infer/src/load_options.rs), from a plain copy made here.
// Prediction options are not read here: the wasm side reads them, from the object as given.
import { TandemError, describe } from "./error.js";

const LOAD_OPTIONS = ["engine", "publicKey"];

/** A plain copy of `Model.load(source, options)`'s options (`{ engine?, publicKey? }`), or
 *  `undefined` for the defaults. */
export function loadOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TandemError(`\`options\` must be an object, found ${describe(options)}`, "BAD_OPTION", "options");
  }
  for (const key of Object.keys(options)) {
    if (!LOAD_OPTIONS.includes(key)) {
      throw new TandemError(`unknown option \`${key}\` (known: ${LOAD_OPTIONS.join(", ")})`, "BAD_OPTION", key);
    }
  }
  const copy = {};
  for (const key of LOAD_OPTIONS) {
    const value = options[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new TandemError(`\`${key}\` must be a string, found ${describe(value)}`, "BAD_OPTION", key);
    }
    copy[key] = value;
  }
  return copy;
}

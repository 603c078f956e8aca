// The options of `Model.load`, read by the rule core applies to every other call's options
// (tandem_core::protocol::options): `null` or absent means the default, a value of the wrong
// type and a key the call does not take are BAD_OPTION (naming the option), never ignored.
// Prediction options are not read here: the wasm side reads them, from the object as given.
import { TandemError, describe } from "./error.js";

const LOAD_OPTIONS = ["engine"];

/** The `engine` of `Model.load(source, options)`, or `undefined` (the default, "auto"). */
export function loadEngine(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TandemError(`\`options\` must be an object, found ${describe(options)}`, "BAD_OPTION", "options");
  }
  for (const key of Object.keys(options)) {
    if (!LOAD_OPTIONS.includes(key)) {
      throw new TandemError(`unknown option \`${key}\` (known: ${LOAD_OPTIONS.join(", ")})`, "BAD_OPTION", key);
    }
  }
  const engine = options.engine;
  if (engine === undefined || engine === null) return undefined;
  if (typeof engine !== "string") {
    throw new TandemError(`\`engine\` must be a string, found ${describe(engine)}`, "BAD_OPTION", "engine");
  }
  return engine;
}

// The one TandemError class of tandem-infer. The Node and web entries are each built into
// one file (scripts/build-npm), so each holds a copy of this module: the class is registered
// under a global symbol by the first copy to run and every copy exports that one, so
// `e instanceof TandemError` holds whichever entry threw `e` and whichever entry the class
// was imported from.

const own = class TandemError extends Error {
  /**
   * @param {string} message what went wrong, and what to do
   * @param {string} code stable code (see `constants().errors`)
   * @param {string | null} [field] the field concerned, if any
   * @param {number | null} [index] the row's 0-based position in a batch, if any
   * @param {ErrorOptions} [options] `{ cause }`
   * @param {number | null} [row] the row as messages number it (from 1; a CSV's first data
   *   row is 1); by default `index + 1`
   */
  constructor(message, code, field = null, index = null, options, row = index === null ? null : index + 1) {
    super(message, options);
    this.name = "TandemError";
    this.code = code;
    this.field = field;
    this.row = row;
    this.index = index;
  }
};

// `v1`: the class's shape (constructor arguments, fields); another shape gets another key.
const shared = Symbol.for("tandem-infer.TandemError.v1");
function register() {
  try {
    return (globalThis[shared] ??= own);
  } catch {
    return own; // a frozen global (SES lockdown): each entry keeps its own class
  }
}
/** @type {typeof own} */
export const TandemError = register();

/** `number 42`, `an object`, `null`: what the caller passed, for a message. */
export function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  if (typeof v !== "object") return typeof v;
  try {
    const proto = Object.getPrototypeOf(v);
    const name = proto && proto !== Object.prototype && Object.hasOwn(proto, "constructor") ? proto.constructor.name : "";
    return typeof name === "string" && name ? `a ${name}` : "an object";
  } catch {
    return "an object"; // a Proxy whose traps throw
  }
}

// The one TandemError class of tandem-infer. Every entry (web, node, bundler, full) imports
// this module, so `e instanceof TandemError` holds whichever entry threw `e` and whichever
// entry the class was imported from.

export class TandemError extends Error {
  /**
   * @param {string} message what went wrong, and what to do
   * @param {string} code stable code (see `constants().errors`)
   * @param {string | null} [field] the field concerned, if any
   * @param {number | null} [index] the row of a batch (0-based), if any
   * @param {ErrorOptions} [options] `{ cause }`
   */
  constructor(message, code, field = null, index = null, options) {
    super(message, options);
    this.name = "TandemError";
    this.code = code;
    this.field = field;
    this.index = index;
  }
}

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

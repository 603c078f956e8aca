// Small formatting shared by the page and the batch worker.

/** One warning or error as people read it: `CODE (field): message`. */
export const describe = (x) => `${x.code}${x.field ? ` (${x.field})` : ""}: ${x.message}`;

/** A CSV cell, quoted when it has to be. */
export const csvCell = (v) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A training value for people: whole numbers as they are, others to six significant digits
 *  without trailing zeros (`0.166700006`, as the titanic data writes an age, reads `0.1667`;
 *  an f32's `0.10000000149` reads `0.1`). */
export const number = (x) => (!Number.isFinite(x) || Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

/** A duration measured once with `performance.now()`: browsers coarsen that clock to 0.1 ms
 *  (or more), so anything shorter reads "< 0.1 ms" rather than a made-up number of µs. */
export const duration = (ms) => (ms < 0.1 ? "< 0.1 ms" : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);

/** A count with thousands separators (the page's locale). */
export const count = (n) => n.toLocaleString();

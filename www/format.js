// Small formatting shared by the page and the batch worker.

/** One warning or error as people read it: `CODE (field): message`. */
export const describe = (x) => `${x.code}${x.field ? ` (${x.field})` : ""}: ${x.message}`;

/** A CSV cell, quoted when it has to be. */
export const csvCell = (v) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A count with thousands separators (the page's locale). */
export const count = (n) => n.toLocaleString();

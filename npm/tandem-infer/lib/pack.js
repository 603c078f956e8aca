// Reading a caller's input for the wasm side, each value exactly once.
//
// `plain` copies one instance's schema fields into a null-prototype object. `packRows` and
// `packColumns` pack a whole batch into a few typed arrays (wasm-infer/src/packed.rs has the
// layout): one call across the boundary for the batch instead of several per cell. Only
// regular batches pack: every cell null, undefined, a number, a string or a boolean, and
// (columns) every field's column an array of one length. Otherwise `packRows` returns the
// rows as `plain` copies made from the values it already read (a getter is never read twice),
// and `packColumns` returns null; both then take the cell-by-cell path, whose errors name the
// row and field.

const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const FALSE = 3;
const TRUE = 4;

const own = Object.prototype.hasOwnProperty;
const encoder = new TextEncoder();

/** What a getter that threw leaves in a copy: a value the schema rejects (WRONG_TYPE). */
export const THREW = Symbol("a value whose getter threw");

/** The schema's own data properties of `x` in a fresh null-prototype object (`x` itself when
 *  it is not an object): `__proto__` and other keys are never looked at. */
export function plain(fields, x) {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return x;
  const o = Object.create(null);
  for (const f of fields) if (own.call(x, f)) o[f] = read(x, f);
  return o;
}

function read(x, f) {
  try {
    return x[f];
  } catch {
    return THREW;
  }
}

class Packer {
  constructor(fields, rows) {
    this.fields = fields;
    this.rows = rows;
    this.kinds = new Uint8Array(fields.length * rows);
    this.numbers = new Float64Array(fields.length * rows);
    this.lengths = new Uint32Array(fields.length * rows);
    // Which string a cell holds (its index in `texts`), for `value`.
    this.slots = new Int32Array(fields.length * rows);
    this.texts = [];
  }

  // Cell `k` holds `v`; false when `v` cannot be packed.
  put(k, v) {
    switch (typeof v) {
      case "number":
        this.kinds[k] = NUMBER;
        this.numbers[k] = v;
        return true;
      case "string": {
        // A lone high surrogate at the end would pair with the next string's first unit
        // once the strings are joined.
        const last = v.charCodeAt(v.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) return false;
        this.kinds[k] = STRING;
        this.lengths[this.texts.length] = v.length;
        this.slots[k] = this.texts.length;
        this.texts.push(v);
        return true;
      }
      case "boolean":
        this.kinds[k] = v ? TRUE : FALSE;
        return true;
      case "undefined":
        return true;
      default:
        return v === null;
    }
  }

  // The value packed in cell `k` (null and undefined alike: the wasm side reads both, and an
  // absent key, as a missing value).
  value(k) {
    const kind = this.kinds[k];
    if (kind === NUMBER) return this.numbers[k];
    if (kind === STRING) return this.texts[this.slots[k]];
    if (kind === NULL) return undefined;
    return kind === TRUE;
  }

  // Row `i` as a null-prototype object of exactly the packed values.
  row(i) {
    const o = Object.create(null);
    for (let j = 0; j < this.fields.length; j++) {
      const v = this.value(j * this.rows + i);
      if (v !== undefined) o[this.fields[j]] = v;
    }
    return o;
  }

  // What the wasm side takes: `batchPacked(rows, kinds, numbers, text, lengths, options)`,
  // `text` the strings' UTF-8 (one encode for the batch); and `rowAt(i)` (rows with warnings
  // or errors are answered again on their own from it). Null when the strings do not fit
  // one JavaScript string.
  done() {
    let text;
    try {
      text = encoder.encode(this.texts.join(""));
    } catch {
      return null;
    }
    const { rows, kinds, numbers } = this;
    return { rows, kinds, numbers, text, lengths: this.lengths.subarray(0, this.texts.length), rowAt: (i) => this.row(i) };
  }
}

/** `instances`: the caller's array of row objects. `{ packed }`, or `{ rows }` (their `plain`
 *  copies) when the batch does not pack. Every element and every property is read once. */
export function packRows(fields, instances) {
  const n = instances.length;
  const objects = new Array(n);
  let regular = true;
  for (let i = 0; i < n; i++) {
    const x = instances[i];
    objects[i] = x;
    if (x === null || typeof x !== "object" || Array.isArray(x)) regular = false;
  }
  if (!regular) return { rows: objects.map((x) => plain(fields, x)) };
  const p = new Packer(fields, n);
  // Field by field: the cell (j, i) that does not pack, with its value, if any.
  let stop = null;
  scan: for (let j = 0; j < fields.length; j++) {
    const f = fields[j];
    const base = j * n;
    for (let i = 0; i < n; i++) {
      const x = objects[i];
      if (!own.call(x, f)) continue;
      const v = read(x, f);
      if (!p.put(base + i, v)) {
        stop = { j, i, v };
        break scan;
      }
    }
  }
  const packed = stop === null ? p.done() : null;
  if (packed !== null) return { packed };
  // The copies `plain` would make, from the values read so far and the rest read now.
  const at = stop ?? { j: fields.length, i: 0 };
  const rows = objects.map((x, i) => {
    const o = Object.create(null);
    fields.forEach((f, j) => {
      if (j < at.j || (j === at.j && i < at.i)) {
        const v = p.value(j * n + i);
        if (v !== undefined || own.call(x, f)) o[f] = v;
      } else if (j === at.j && i === at.i) {
        o[f] = at.v;
      } else if (own.call(x, f)) {
        o[f] = read(x, f);
      }
    });
    return o;
  });
  return { rows };
}

const isColumn = (c) => Array.isArray(c) || (ArrayBuffer.isView(c) && typeof c.length === "number");

/** `columns`: `plain` of the caller's `{ field: values }`; every field must have its column,
 *  all of one whole-number length, at most `maxRows`. Null when they do not pack. */
export function packColumns(fields, columns, maxRows) {
  if (columns === null || typeof columns !== "object" || Array.isArray(columns)) return null;
  let rows = -1;
  for (const f of fields) {
    const c = columns[f];
    if (!isColumn(c)) return null;
    const len = c.length;
    if (!Number.isInteger(len) || len < 0 || (rows >= 0 && len !== rows)) return null;
    rows = len;
  }
  if (rows < 0 || rows > maxRows) return null;
  const p = new Packer(fields, rows);
  try {
    for (let j = 0; j < fields.length; j++) {
      const c = columns[fields[j]];
      const base = j * rows;
      for (let i = 0; i < rows; i++) if (!p.put(base + i, c[i])) return null;
    }
  } catch {
    return null;
  }
  return p.done();
}

// Packing a batch for the wasm side in a few typed arrays (wasm-infer/src/packed.rs has the
// layout): one call across the boundary for the whole batch instead of several per cell.
// Only regular batches qualify: every cell null, undefined, a number, a string or a boolean,
// and (columns) every field's column an array of one length. Anything else returns null and
// the batch takes the cell-by-cell path, whose errors name the row and field.

const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const FALSE = 3;
const TRUE = 4;

const own = Object.prototype.hasOwnProperty;
const encoder = new TextEncoder();

class Packer {
  constructor(fields, rows) {
    this.fields = fields;
    this.rows = rows;
    this.kinds = new Uint8Array(fields.length * rows);
    this.numbers = new Float64Array(fields.length * rows);
    this.lengths = new Uint32Array(fields.length * rows);
    // Which string a cell holds (its index in `texts`), for `rowAt`.
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

  // What the wasm side takes: `batchPacked(rows, kinds, numbers, text, lengths, options)`,
  // `text` the strings' UTF-8 (one encode for the batch); and `rowAt(i)`, row `i` as a
  // null-prototype object of exactly the packed values (rows with warnings or errors are
  // answered again on their own from it).
  done() {
    const { fields, rows, kinds, numbers, slots, texts } = this;
    const rowAt = (i) => {
      const o = Object.create(null);
      for (let j = 0; j < fields.length; j++) {
        const k = j * rows + i;
        const kind = kinds[k];
        if (kind === NUMBER) o[fields[j]] = numbers[k];
        else if (kind === STRING) o[fields[j]] = texts[slots[k]];
        else if (kind !== NULL) o[fields[j]] = kind === TRUE;
      }
      return o;
    };
    const text = encoder.encode(texts.join(""));
    return { rows, kinds, numbers, text, lengths: this.lengths.subarray(0, texts.length), rowAt };
  }
}

/** `instances`: the caller's array of row objects, read as `plain` reads one (own data
 *  properties of the schema's fields only); null if a row is not an object, a property
 *  throws when read, or a cell cannot be packed. */
export function packRows(fields, instances) {
  const rows = instances.length;
  for (let i = 0; i < rows; i++) {
    const x = instances[i];
    if (x === null || typeof x !== "object" || Array.isArray(x)) return null;
  }
  const p = new Packer(fields, rows);
  try {
    for (let j = 0; j < fields.length; j++) {
      const f = fields[j];
      const base = j * rows;
      for (let i = 0; i < rows; i++) {
        const x = instances[i];
        if (own.call(x, f) && !p.put(base + i, x[f])) return null;
      }
    }
  } catch {
    // A throwing getter or a revoked Proxy: the cell-by-cell path says which row.
    return null;
  }
  return p.done();
}

const isColumn = (c) => Array.isArray(c) || (ArrayBuffer.isView(c) && typeof c.length === "number");

/** `columns`: `plain` of the caller's `{ field: values }`; every field must have its column,
 *  all of one length, at most `maxRows`. */
export function packColumns(fields, columns, maxRows) {
  if (columns === null || typeof columns !== "object" || Array.isArray(columns)) return null;
  let rows = -1;
  for (const f of fields) {
    const c = columns[f];
    if (!isColumn(c) || (rows >= 0 && c.length !== rows)) return null;
    rows = c.length;
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

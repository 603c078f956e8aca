// The public API of tandem-infer, shared by every entry point (browser, worker, Node,
// bundler; default and full builds). `raw` is a wasm-bindgen module; `ready()` resolves once
// its WebAssembly instance exists; `readFile(path or URL)` (Node only) reads files;
// `webCryptoDigests`: hash a bundle's parts with WebCrypto before the wasm loader checks them
// (digests.js), which browsers and workers gain from and Node does not (the Node entry turns it
// off: initialising Node's WebCrypto costs what it saves; docs/NOTES.md).
//
// This layer owns what JavaScript does better than Rust: turning a path / URL / Blob /
// Response / ArrayBuffer into bytes (source.js), copying user input into plain objects (so a
// Proxy or a throwing getter fails here, as a TandemError, and never inside wasm), TandemError
// as a real class shared by every entry (error.js), frozen copies of the schema and metadata
// (freeze.js), and `Symbol.dispose`. Rules, limits, options and protocol answers stay in Rust
// (tandem-core): this layer asks the wasm side for them (`constants()`, `checkBatchRows`,
// `route`) and hands it the caller's options object as given.
import { partDigests } from "./digests.js";
import { TandemError, describe } from "./error.js";
import { deepFreeze } from "./freeze.js";
import { loadOptions } from "./options.js";
import { packColumns, packRows, plain } from "./pack.js";
import { bytesOf } from "./source.js";

export function makeApi(raw, ready, readFile = null, { webCryptoDigests = true } = {}) {
  const wrap = (e) => {
    if (e instanceof TandemError) return e;
    if (e && e.name === "TandemError" && typeof e.code === "string") {
      return new TandemError(e.message, e.code, e.field ?? null, e.index ?? null, undefined, e.row ?? null);
    }
    // A JavaScript exception from user input (a throwing getter, a revoked Proxy).
    return new TandemError(`invalid input: ${e && e.message ? e.message : String(e)}`, "BAD_INSTANCE", null, null, { cause: e });
  };
  const guard = (f) => {
    try {
      return f();
    } catch (e) {
      throw wrap(e);
    }
  };

  // Inputs are copied (`plain`, pack.js) into fresh null-prototype objects of the schema's
  // fields: the wasm side then reads plain data properties only, `__proto__` and other keys
  // are never looked at, and a getter that throws leaves a value the schema rejects
  // (WRONG_TYPE, naming the field).

  // The batch row limit, asked of the wasm side once (a longer column is refused by the
  // cell-by-cell path, with its error, before anything is sized from it).
  let rowLimit = null;
  const maxRows = () => (rowLimit ??= raw.constants().limits.max_batch_rows);

  const registry = typeof FinalizationRegistry !== "undefined" ? new FinalizationRegistry((inner) => inner.free()) : null;

  class Model {
    #inner;
    #fields;
    #schema;
    #metadata;
    #classes;
    #width;

    constructor(inner) {
      this.#inner = inner;
      // Fresh objects from the wasm side, frozen; the class list the labels come from is a
      // private copy, so nothing a caller does to `schema` changes a prediction. `metadata`
      // is read from the wasm side when first asked for (or on `free`): a cold load in an edge
      // worker that never serves /metadata does not pay for it.
      this.#schema = deepFreeze(inner.schema);
      this.#fields = this.#schema.fields.map((f) => f.name);
      const task = this.#schema.label.task;
      this.#classes = task.kind === "classification" ? [...task.classes] : null;
      this.#width = this.#classes ? this.#classes.length : 1;
      registry?.register(this, inner, this);
    }

    /** Load a bundle from bytes, a Blob or File, a Response, or a URL (fetched); in Node
     *  also a file path or a `file:` URL. `options.publicKey` (PEM text or base64 of the raw
     *  32 bytes) refuses a bundle not signed with that key. */
    static async load(source, options) {
      const opts = loadOptions(options);
      await ready();
      let bytes = await bytesOf(source, readFile);
      let digests;
      if (webCryptoDigests) {
        // Hashed while the caller's code may run: hash and load a copy of our own, so the
        // bytes the wasm side reads are the bytes these digests are of.
        bytes = new Uint8Array(bytes);
        digests = await partDigests(bytes);
      }
      return new Model(guard(() => raw.Model.load(bytes, opts, digests)));
    }

    get schema() {
      return this.#schema;
    }

    get metadata() {
      return (this.#metadata ??= deepFreeze(this.#live().metadata));
    }

    get engine() {
      return this.#live().engine;
    }

    predict(instance, options) {
      const inner = this.#live();
      return guard(() => {
        const x = plain(this.#fields, instance);
        const v = inner.predictValues(x, options);
        // Rare: out-of-range warnings; the full path adds them to the prediction.
        if (v[v.length - 1] !== 0) return inner.predict(x, options);
        return this.#build(v, 0);
      });
    }

    predictBatch(instances, options) {
      const inner = this.#live();
      return guard(() => {
        if (!Array.isArray(instances)) return inner.batchValues(instances, options, false);
        // A sparse array can claim 2^32 - 1 rows: refuse before copying (the core's limit).
        raw.checkBatchRows(instances.length);
        const { packed, rows } = packRows(this.#fields, instances);
        if (packed) return this.#packed(packed, options);
        const v = inner.batchValues(rows, options, false);
        return this.#rows(v, rows.length, (i) => rows[i], options);
      });
    }

    predictColumns(columns, options) {
      const inner = this.#live();
      return guard(() => {
        const cols = plain(this.#fields, columns);
        const packed = packColumns(this.#fields, cols, maxRows());
        if (packed !== null) return this.#packed(packed, options);
        const v = inner.batchValues(cols, options, true);
        const n = v.length / (this.#width + 1);
        const row = (i) => {
          const o = Object.create(null);
          for (const f of this.#fields) if (cols[f] != null) o[f] = cols[f][i];
          return o;
        };
        return this.#rows(v, n, row, options);
      });
    }

    /** Predict every row of CSV text (header first), parsed exactly as `tandem predict`
     *  parses a CSV file. */
    predictCsv(text, options) {
      const inner = this.#live();
      if (typeof text !== "string") {
        throw new TandemError(`predictCsv takes the CSV text as a string, found ${describe(text)}`, "CSV");
      }
      return guard(() => inner.predictCsv(text, options));
    }

    // The answers to a regular batch, packed in typed arrays (pack.js): one call across the
    // boundary for its cells.
    #packed(packed, options) {
      const { rows, kinds, numbers, text, lengths, rowAt } = packed;
      const v = this.#inner.batchPacked(rows, kinds, numbers, text, lengths, options);
      return this.#rows(v, rows, rowAt, options);
    }

    // One prediction object from scores at `base`: the first class with the highest
    // probability is the label (as in Rust).
    #build(v, base) {
      const classes = this.#classes;
      if (!classes) return { value: v[base] };
      const probabilities = {};
      let best = 0;
      for (let c = 0; c < classes.length; c++) {
        probabilities[classes[c]] = v[base + c];
        if (v[base + c] > v[base + best]) best = c;
      }
      return { label: classes[best], probabilities };
    }

    #rows(v, n, rowAt, options) {
      const stride = this.#width + 1;
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const flag = v[i * stride + this.#width];
        if (flag === 0) out[i] = this.#build(v, i * stride);
        // Rare rows take the full path: a row with warnings gets exactly what `predict` gives
        // it (warnings included); an error (only with errors: "return") its error object.
        else out[i] = this.#inner.rowAnswer(rowAt(i), options, i);
      }
      return out;
    }

    /** MLflow scoring protocol: the answer to a `POST /invocations` body, as `tandem serve`
     *  gives it: `{ status, contentType, headers, body }` (`body` is JSON text). `origin`: the
     *  request's `Origin` header (CORS, with `serving.corsOrigins`). */
    invocations(contentType, body, serving = undefined, origin = undefined) {
      const inner = this.#live();
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
      return guard(() => inner.post("/invocations", String(contentType ?? ""), bytes, serving, origin == null ? undefined : String(origin)));
    }

    /** The answer to a `POST /explain` body, as `tandem serve` gives it: `{"explanations":
     *  [...]}` (at most 100 rows; `params`: strict, range, method, permutations, seed). */
    explanations(contentType, body, serving = undefined, origin = undefined) {
      const inner = this.#live();
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
      return guard(() => inner.post("/explain", String(contentType ?? ""), bytes, serving, origin == null ? undefined : String(origin)));
    }

    /** Why this prediction: Shapley values per raw field against the bundle's background
     *  sample; `base` plus the values is the prediction. */
    explain(instance, options) {
      const inner = this.#live();
      return guard(() => inner.explain(plain(this.#fields, instance), options));
    }

    /** Rows in the bundle's background sample (0: `explain` throws `NO_BACKGROUND`). */
    get backgroundRows() {
      return this.#live().backgroundRows;
    }

    /** The answer to any other request, as `tandem serve` gives it (`GET`/`HEAD` `/ping`,
     *  `/health`, `/version`, `/schema`, `/metadata`, `OPTIONS`, 404, 405, 413 past the body
     *  limit); `null` for a `POST /invocations` to answer with `invocations`. */
    route(method, path, bodyBytes = 0, serving = undefined, origin = undefined) {
      const inner = this.#live();
      return guard(() => inner.route(String(method), String(path), Number(bodyBytes), serving, origin == null ? undefined : String(origin)) ?? null);
    }

    features(instance, options) {
      const inner = this.#live();
      return guard(() => inner.features(plain(this.#fields, instance), options));
    }

    free() {
      if (this.#inner) {
        try {
          this.#metadata ??= deepFreeze(this.#inner.metadata);
        } catch {
          // Freed all the same; `metadata` then throws MODEL_FREED.
        }
        registry?.unregister(this);
        this.#inner.free();
        this.#inner = null;
      }
    }

    [Symbol.dispose ?? Symbol.for("Symbol.dispose")]() {
      this.free();
    }

    #live() {
      if (!this.#inner) throw new TandemError("this model was freed", "MODEL_FREED");
      return this.#inner;
    }
  }

  const version = () => raw.version();
  /** Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks). */
  const memoryBytes = () => raw.memoryBytes();
  /** Error codes, tolerances, limits and routes, as tandem-core defines them. */
  const constants = () => raw.constants();
  return { Model, version, memoryBytes, constants };
}

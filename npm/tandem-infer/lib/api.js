// The public API of tandem-infer, shared by every entry point (browser, worker, Node,
// bundler; default and full builds). `raw` is a wasm-bindgen module; `ready()` resolves once
// its WebAssembly instance exists; `readFile(url)` (Node only) reads `file:` URLs.
//
// This layer owns what JavaScript does better than Rust: turning a URL / Response /
// ArrayBuffer into bytes, copying user input into plain objects (so a Proxy or a throwing
// getter fails here, as a TandemError, and never inside wasm), TandemError as a real class,
// and `Symbol.dispose`. Rules, limits and protocol answers stay in Rust (tandem-core): this
// layer asks the wasm side for them (`constants()`, `checkBatchRows`, `route`).

export function makeApi(raw, ready, readFile = null) {
  class TandemError extends Error {
    constructor(message, code, field = null, index = null, options) {
      super(message, options);
      this.name = "TandemError";
      this.code = code;
      this.field = field;
      this.index = index;
    }
  }

  const wrap = (e) => {
    if (e instanceof TandemError) return e;
    if (e && e.name === "TandemError" && typeof e.code === "string") {
      return new TandemError(e.message, e.code, e.field ?? null, e.index ?? null);
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

  async function bytesOf(source) {
    if (source instanceof Uint8Array) return source;
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    if (typeof Response !== "undefined" && source instanceof Response) {
      if (!source.ok) throw new TandemError(`fetching the bundle failed: HTTP ${source.status}`, "FETCH_FAILED");
      return new Uint8Array(await source.arrayBuffer());
    }
    if (typeof source === "string" || source instanceof URL) {
      let url;
      try {
        url = new URL(String(source), typeof location !== "undefined" ? location.href : undefined);
      } catch (e) {
        throw new TandemError(`not a URL: ${String(source).slice(0, 200)} (pass bytes, or a file: URL in Node)`, "BAD_SOURCE", null, null, { cause: e });
      }
      if (url.protocol === "file:" && readFile) {
        try {
          return new Uint8Array(await readFile(url));
        } catch (e) {
          throw new TandemError(`reading the bundle failed: ${e.message}`, "FETCH_FAILED", null, null, { cause: e });
        }
      }
      let response;
      try {
        response = await fetch(url);
      } catch (e) {
        throw new TandemError(`fetching the bundle failed: ${e.message}`, "FETCH_FAILED", null, null, { cause: e });
      }
      return bytesOf(response);
    }
    throw new TandemError("Model.load expects a Uint8Array, ArrayBuffer, Response, URL or URL string", "BAD_SOURCE");
  }

  // Copy the schema's fields of `x` into a fresh null-prototype object: the wasm side then
  // reads plain data properties only. `__proto__` and other keys outside the schema are
  // never looked at; a getter that throws leaves a value the schema rejects (WRONG_TYPE,
  // naming the field).
  const THREW = Symbol("a value whose getter threw");
  const own = Object.prototype.hasOwnProperty;
  function plain(fields, x) {
    if (x === null || typeof x !== "object" || Array.isArray(x)) return x;
    const o = Object.create(null);
    for (const f of fields) {
      if (own.call(x, f)) {
        try {
          o[f] = x[f];
        } catch {
          o[f] = THREW;
        }
      }
    }
    return o;
  }

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
      this.#schema = inner.schema;
      this.#metadata = inner.metadata;
      this.#fields = this.#schema.fields.map((f) => f.name);
      const task = this.#schema.label.task;
      this.#classes = task.kind === "classification" ? task.classes : null;
      this.#width = this.#classes ? this.#classes.length : 1;
      registry?.register(this, inner, this);
    }

    /** Load a bundle from bytes, a Response, or a URL (fetched; `file:` URLs in Node). */
    static async load(source, options = {}) {
      await ready();
      const bytes = await bytesOf(source);
      return new Model(guard(() => raw.Model.load(bytes, options.engine)));
    }

    get schema() {
      return this.#schema;
    }

    get metadata() {
      return this.#metadata;
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
        const rows = new Array(instances.length);
        for (let i = 0; i < instances.length; i++) rows[i] = plain(this.#fields, instances[i]);
        const v = inner.batchValues(rows, options, false);
        return this.#rows(v, rows.length, (i) => rows[i], options);
      });
    }

    predictColumns(columns, options) {
      const inner = this.#live();
      return guard(() => {
        const cols = plain(this.#fields, columns);
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
      return guard(() => inner.predictCsv(String(text), options));
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
        // Rare rows (warnings, or an error with errors: "return") take the full path.
        else out[i] = this.#inner.predictBatch([rowAt(i)], { ...options, errors: "return" })[0];
      }
      return out;
    }

    /** MLflow scoring protocol: the answer to a `POST /invocations` body, as `tandem serve`
     *  gives it: `{ status, contentType, headers, body }` (`body` is JSON text). `origin`: the
     *  request's `Origin` header (CORS, with `serving.corsOrigins`). */
    invocations(contentType, body, serving = undefined, origin = undefined) {
      const inner = this.#live();
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
      return guard(() => inner.invocations(String(contentType ?? ""), bytes, serving, origin == null ? undefined : String(origin)));
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
  return { Model, TandemError, version, memoryBytes, constants };
}

// Types of tandem-infer (hand-written; every entry point exports the same API). They need
// neither the DOM lib nor Node's types (`lib: ["es2022"]` is enough): where the package takes
// a browser or Node object (a Blob, a Response, a URL, a compiled WebAssembly module), the
// type says what it reads from it, so the DOM's and Node's classes fit.
/// <reference lib="esnext.disposable" />

/** A raw field value as users know it. `null` / `undefined` / absent mean missing. */
export type FieldValue = number | string | boolean | null | undefined;

/** One raw instance: field name → value. Only the schema's fields are read. */
export type Instance = Record<string, FieldValue>;

/** Column-oriented batch: field name → one value per row (arrays or typed arrays). */
export type Columns = Record<string, ArrayLike<FieldValue>>;

export type FieldType = "number" | "integer" | "category" | "boolean" | "text";

export interface Field {
  name: string;
  type: FieldType;
  nullable: boolean;
  /** Categories seen in training (category fields). */
  categories?: string[];
  /** Training range (numeric fields). */
  min?: number;
  max?: number;
}

/** What the label is. `classes` reads on both (`undefined` for regression). */
export type Task = { kind: "classification"; classes: string[] } | { kind: "regression"; classes?: undefined };

export interface Schema {
  fields: Field[];
  label: { name: string; task: Task };
}

export interface ModelMetadata {
  run_id: string;
  /** RFC 3339 time of training. */
  created: string;
  tandem_version: string;
  /** `train_*`, `validation_*`, `test_*`, `cv_*` metrics. */
  metrics: Record<string, number>;
  params: Record<string, string>;
  feature_names: string[];
  model: {
    input: string;
    output: string;
    n_features: number;
    n_outputs: number;
    hidden_layers: number[];
    activation: string;
  };
  target?: { mean: number; scale: number } | null;
  /** Model-card evidence: `[epoch, train loss, validation loss]` per epoch, and the validation
   *  confusion matrix (classification; rows true, columns predicted) or up to 500
   *  `[truth, prediction]` pairs (regression). Absent in older bundles. */
  evaluation?: { history: [number, number, number][]; confusion?: number[][]; residuals?: [number, number][] };
}

/** Something the model predicted despite: a number outside the training range (the value as
 *  given, also when `range: "clip"` clipped it), a category unseen in training. */
export interface Warning {
  code: "OUT_OF_RANGE" | "UNKNOWN_CATEGORY";
  field: string;
  message: string;
}

// Each answer declares the others' keys as absent, so `p.label`, `p.value` and `row.error`
// read on any answer (`undefined` where they do not apply) and narrow with `!== undefined`.

export interface ClassPrediction {
  label: string;
  probabilities: Record<string, number>;
  value?: undefined;
  error?: undefined;
  warnings?: Warning[];
}

export interface ValuePrediction {
  value: number;
  label?: undefined;
  probabilities?: undefined;
  error?: undefined;
  warnings?: Warning[];
}

export type Prediction = ClassPrediction | ValuePrediction;

/** A batch row that could not be predicted (with `errors: "return"`). */
export interface RowError {
  /** `row`: numbered from 1, as in `message`. */
  error: { code: ErrorCode; field: string | null; row: number; message: string };
  label?: undefined;
  probabilities?: undefined;
  value?: undefined;
  warnings?: undefined;
}

// Options: `null` or absent means the default; any other key is a `BAD_OPTION` error.

export interface PredictOptions {
  /** Reject categories unseen in training (default: they map to the unknown slot). */
  strict?: boolean | null;
  /** Numbers outside the training range: predict and warn (default), clip, or reject. */
  range?: "warn" | "clip" | "error" | null;
}

export interface BatchOptions extends PredictOptions {
  /** `"throw"` (default): the first invalid row throws with its `index`. `"return"`: its
   *  place holds a `RowError` and the other rows are predicted. */
  errors?: "throw" | "return" | null;
}

export interface ExplainOptions extends PredictOptions {
  /** `"auto"` (default: exact up to 12 fields, sampled above), `"exact"` (at most 16 fields)
   *  or `"sampled"`. */
  method?: "auto" | "exact" | "sampled" | null;
  /** Permutations sampled, in antithetic pairs (1 to 10000; default 64). */
  permutations?: number | null;
  /** The permutations' seed (a whole number up to 2^53; default 0): the same seed gives the
   *  same values natively, in Node, in browsers and at the edge. */
  seed?: number | null;
}

/** Why a prediction: Shapley values per raw input field against the bundle's background
 *  sample of training rows. `base` plus every field's value is the prediction. For
 *  classification `base` and each value are per class (probability scale); for regression,
 *  numbers in the label's units. */
export interface Explanation {
  prediction: Prediction;
  base: number | Record<string, number>;
  /** Every input field (0 for a field no node reads). */
  values: Record<string, number | Record<string, number>>;
  method: "exact" | "sampled";
  /** Background rows each coalition was averaged over. */
  background: number;
  /** Network rows evaluated. */
  evaluations: number;
  /** Sampled only. */
  permutations?: number;
  seed?: number;
}

/** Batch options where an invalid row throws: every answer is a `Prediction`. */
export interface ThrowingBatchOptions extends PredictOptions {
  errors?: "throw" | null;
}

/** The bundle limits (docs/bundle-format.md): what a bundle may ask of the loader, checked
 *  before anything is allocated for it. An exceeded limit is `BUNDLE_LIMIT`. */
export type BundleLimitName =
  | "bundle_bytes" | "parts" | "part_bytes" | "json_bytes" | "json_depth" | "string_bytes"
  | "feature_width" | "layers" | "parameters" | "nnef_entries" | "nnef_graph_bytes"
  | "nnef_nesting" | "nnef_operators" | "nnef_statements" | "nnef_foreign_ops" | "tensor_bytes";

export interface LoadOptions {
  /** `"auto"` (default: the compact dense kernel), `"dense"`, or `"tract"` (full build only). */
  engine?: "auto" | "dense" | "tract" | null;
  /** Raise (or lower) bundle limits for a bundle you trust: whole numbers up to 2^53. An
   *  unknown name is `BAD_OPTION`. */
  limits?: Partial<Record<BundleLimitName, number>> | null;
  /** Refuse a bundle not signed with this Ed25519 public key (`BUNDLE_UNSIGNED`,
   *  `BUNDLE_SIGNATURE`): SPKI PEM text (`-----BEGIN PUBLIC KEY-----`, as `tandem keys new`
   *  and `openssl pkey -pubout` write it) or base64 of the raw 32 bytes. */
  publicKey?: string | null;
}

/** A `Blob` or `File` (a browser's file input, Node 20's `Blob`): its bytes are read. */
export interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A fetch `Response`: refused unless `ok`, then its body is read. */
export interface ResponseLike extends BlobLike {
  readonly ok: boolean;
  readonly status: number;
}

/** A `URL` (or anything with an `href`): fetched; in Node a `file:` URL is read from disk. */
export interface URLLike {
  readonly href: string;
}

/** What `Model.load` takes: bytes, a Blob or File, a Response, a URL, or a string (a URL; in
 *  Node a string without a scheme is a file path, relative to the working directory). */
export type Source = Uint8Array | ArrayBuffer | ArrayBufferView | BlobLike | ResponseLike | URLLike | string;

/** A compiled `WebAssembly.Module` (what an edge worker's `import wasm from "...wasm"` gives),
 *  typed without the DOM lib. */
export type WasmModule = object;

export type ErrorCode =
  // the instance
  | "NOT_AN_OBJECT" | "MISSING_FIELD" | "WRONG_TYPE" | "NOT_FINITE" | "NOT_INTEGER"
  | "UNKNOWN_CATEGORY" | "OUT_OF_RANGE" | "TOO_LONG" | "INVALID_VALUE" | "NON_FINITE_OUTPUT"
  | "BAD_INSTANCE"
  // the bundle
  | "BUNDLE_BAD_MAGIC" | "BUNDLE_VERSION" | "BUNDLE_TRUNCATED" | "BUNDLE_CHECKSUM"
  | "BUNDLE_MISSING_PART" | "BUNDLE_INVALID" | "BUNDLE_LIMIT" | "BUNDLE_UNSIGNED"
  | "BUNDLE_SIGNATURE" | "SCHEMA" | "ENGINE"
  // the call
  | "BAD_SOURCE" | "FETCH_FAILED" | "BAD_OPTION" | "NOT_AN_ARRAY" | "COLUMN_LENGTH" | "BATCH_TOO_LARGE"
  | "MODEL_FREED" | "SERIALIZE" | "JSON" | "CSV"
  // explanations: no background sample, or more network runs than allowed
  | "NO_BACKGROUND" | "EXPLAIN_LIMIT"
  // reading a file (predictCsv): its header, delimiter or reading options
  | "EMPTY_HEADER" | "DUPLICATE_HEADER" | "ONE_COLUMN" | "EMPTY_FILE" | "BAD_READ_OPTION"
  // column buffers that do not hold their rows (raised by the Python package, listed here too)
  | "BAD_COLUMN";

/** MLflow's `error_code` in a Tandem server's JSON error body. */
export type HttpErrorCode =
  | "BAD_REQUEST" | "UNSUPPORTED_MEDIA_TYPE" | "REQUEST_TOO_LARGE" | "ENDPOINT_NOT_FOUND"
  | "TIMEOUT" | "INTERNAL_ERROR" | "METHOD_NOT_ALLOWED"
  // tandem serve's own limits (docs/serving.md)
  | "OVERLOADED" | "UNAUTHORIZED" | "TOO_MANY_ROWS" | "TOO_MANY_CELLS" | "REQUEST_TIMEOUT";

/** Warnings `tandem train` gives about its data (scope `training`; never a `TandemError`). */
export type TrainingWarningCode = "CONSTANT_COLUMN" | "EMPTY_COLUMN" | "LABEL_LEAK";

/** The one error class of the package: every entry (`tandem-infer`, `/full`, `/bundler`; web
 *  and Node) exports this very class, so `instanceof TandemError` holds whichever threw. */
export declare class TandemError extends Error {
  constructor(message: string, code: ErrorCode, field?: string | null, index?: number | null, options?: ErrorOptions, row?: number | null);
  readonly name: "TandemError";
  /** Stable machine-readable code, the same in Rust, the CLI and here. */
  readonly code: ErrorCode;
  /** The field concerned, when there is one. */
  readonly field: string | null;
  /** The row concerned, numbered as messages number rows: from 1, the first data row (a
   *  CSV header is not a row) being row 1. */
  readonly row: number | null;
  /** The row's 0-based position in the batch (`row - 1`), for array access. */
  readonly index: number | null;
}

export declare class Model implements Disposable {
  private constructor();
  /** Load a bundle: bytes, a Blob or File, a fetch `Response`, or a URL (fetched); in Node
   *  also a file path or a `file:` URL (read from disk). */
  static load(source: Source, options?: LoadOptions | null): Promise<Model>;
  /** The input schema and label: a frozen copy (reverse a copy of the class list for display). */
  readonly schema: DeepReadonly<Schema>;
  /** Run id, metrics, parameters, model wiring: a frozen copy. */
  readonly metadata: DeepReadonly<ModelMetadata>;
  /** `"dense"` or `"tract"`. */
  readonly engine: "dense" | "tract";
  /** One row. Warnings (out-of-range numbers, unseen categories) are in `warnings`. */
  predict(instance: Instance, options?: PredictOptions | null): Prediction;
  /** Many rows; each answer is what `predict` gives that row, warnings included. */
  predictBatch(instances: Instance[], options?: ThrowingBatchOptions | null): Prediction[];
  predictBatch(instances: Instance[], options: BatchOptions): Array<Prediction | RowError>;
  /** Rows as columns (arrays or typed arrays of one length); answers as `predictBatch`. */
  predictColumns(columns: Columns, options?: ThrowingBatchOptions | null): Prediction[];
  predictColumns(columns: Columns, options: BatchOptions): Array<Prediction | RowError>;
  /** Every row of CSV text (header row first), parsed exactly as `tandem predict` parses CSV;
   *  answers as `predictBatch`. */
  predictCsv(text: string, options?: ThrowingBatchOptions | null): Prediction[];
  predictCsv(text: string, options: BatchOptions): Array<Prediction | RowError>;
  /** MLflow's scoring protocol, exactly as `tandem serve` answers `POST /invocations`.
   *  `origin`: the request's `Origin` header (CORS headers per `serving.corsOrigins`). */
  invocations(contentType: string, body: string | Uint8Array | ArrayBuffer, serving?: Serving, origin?: string | null): Answer;
  /** Every other answer of a Tandem server, exactly as `tandem serve` gives it: `GET`/`HEAD`
   *  `/ping`, `/health`, `/version`, `/schema`, `/metadata`, `OPTIONS`, 404, 405, and 413
   *  when a `POST /invocations` or `/explain` body of `bodyBytes` (its `Content-Length`) is
   *  past the limit. `null`: a `POST` to answer with `invocations` or `explanations`. */
  route(method: string, path: string, bodyBytes?: number, serving?: Serving, origin?: string | null): Answer | null;
  /** Why this prediction: Shapley values per raw field (see `Explanation`). Throws
   *  `NO_BACKGROUND` for a bundle without a background sample, `EXPLAIN_LIMIT` past a
   *  million network runs. */
  explain(instance: Instance, options?: ExplainOptions | null): Explanation;
  /** Rows in the bundle's background sample (0: `explain` throws `NO_BACKGROUND`). */
  readonly backgroundRows: number;
  /** `POST /explain`, exactly as `tandem serve` answers it: `{"explanations": [...]}`. */
  explanations(contentType: string, body: string | Uint8Array | ArrayBuffer, serving?: Serving, origin?: string | null): Answer;
  /** The feature vector the network sees (the shared preprocessing's output). */
  features(instance: Instance, options?: PredictOptions | null): Float32Array;
  /** Release the model's WebAssembly memory now (also done on garbage collection). */
  free(): void;
  [Symbol.dispose](): void;
}

/** An HTTP answer of MLflow's scoring protocol. */
export interface Answer {
  status: number;
  contentType: string;
  /** Other headers (lower-case names): `allow`, the CORS headers. */
  headers: Record<string, string>;
  body: string;
}

/** What a server knows beyond the bundle (reported by `GET /version`), and its request limits. */
export interface Serving {
  /** The model as the server was told it (a path or URI); `null` for a built-in bundle. */
  model?: string | null;
  /** The registry version a `models:/` URI resolved to. */
  modelVersion?: number | null;
  /** Largest accepted `POST /invocations` body (default `constants().limits.max_body_bytes`). */
  maxBodyBytes?: number;
  /** Most rows in one `POST /invocations` body, counted before it is parsed (413
   *  `TOO_MANY_ROWS` past it; default `constants().limits.max_request_rows`). */
  maxRows?: number;
  /** Most values (array elements and object members; CSV fields) in one body, counted before
   *  it is parsed (413 `TOO_MANY_CELLS`; default `constants().limits.max_request_cells`). */
  maxCells?: number;
  /** Browser origins allowed to call (CORS); `["*"]` for any; none by default. */
  corsOrigins?: string[] | null;
  /** The predictions' shape unless a request's `params.output` says: `"full"` (default) or
   *  `"plain"` (MLflow's list of labels or values). */
  output?: "full" | "plain" | null;
}

/** One error code: where it comes from and what it means. `http` codes are MLflow's
 *  `error_code` in a server's error body; `training` codes are `tandem train`'s warnings about
 *  its data; the others are a `TandemError`'s `code`. */
export interface ErrorCodeInfo {
  code: ErrorCode | HttpErrorCode | TrainingWarningCode;
  scope: "instance" | "bundle" | "call" | "http" | "training";
  meaning: string;
}

/** Everything tandem-core defines once for every binding and server. */
export interface Constants {
  errors: ErrorCodeInfo[];
  tolerances: {
    probability_abs: number;
    logit_abs: number;
    same_engine_abs: number;
    export_probability_abs: number;
    export_value_rel: number;
  };
  limits: {
    max_batch_rows: number;
    max_body_bytes: number;
    max_request_rows: number;
    max_request_cells: number;
    max_text_bytes: number;
    max_hash_buckets: number;
    max_expression_bytes: number;
    max_dense_parameters: number;
  };
  routes: { get: string[]; post: string[]; content_types: string[] };
}

/** Error codes, tolerances, limits and routes, as tandem-core defines them (in browsers and
 *  workers: once the module is instantiated, by `initSync` or the first `Model.load`). */
export declare function constants(): Constants;

/** Instantiate from a compiled module (edge workers that import the .wasm as a module). */
export declare function initSync(module: WasmModule | ArrayBuffer | ArrayBufferView): void;

/** A read-only view of plain data (what `schema` and `metadata` are: frozen). */
export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The Tandem runtime version. */
export declare function version(): string;

/** Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks). */
export declare function memoryBytes(): number;

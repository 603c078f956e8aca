// Types of tandem-infer (hand-written; every entry point exports the same API).
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

export type Task = { kind: "classification"; classes: string[] } | { kind: "regression" };

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

export interface Warning {
  code: "OUT_OF_RANGE";
  field: string;
  message: string;
}

export interface ClassPrediction {
  label: string;
  probabilities: Record<string, number>;
  warnings?: Warning[];
}

export interface ValuePrediction {
  value: number;
  warnings?: Warning[];
}

export type Prediction = ClassPrediction | ValuePrediction;

/** A batch row that could not be predicted (with `errors: "return"`). */
export interface RowError {
  error: { code: ErrorCode; field: string | null; message: string };
}

export interface PredictOptions {
  /** Reject categories unseen in training (default: they map to the unknown slot). */
  strict?: boolean;
  /** Numbers outside the training range: predict and warn (default), clip, or reject. */
  range?: "warn" | "clip" | "error";
}

export interface BatchOptions extends PredictOptions {
  /** `"throw"` (default): the first invalid row throws with its `index`. `"return"`: its
   *  place holds a `RowError` and the other rows are predicted. */
  errors?: "throw" | "return";
}

export interface LoadOptions {
  /** `"auto"` (default: the compact dense kernel), `"dense"`, or `"tract"` (full build only). */
  engine?: "auto" | "dense" | "tract";
}

export type ErrorCode =
  // the instance
  | "NOT_AN_OBJECT" | "MISSING_FIELD" | "WRONG_TYPE" | "NOT_FINITE" | "NOT_INTEGER"
  | "UNKNOWN_CATEGORY" | "OUT_OF_RANGE" | "TOO_LONG" | "INVALID_VALUE" | "NON_FINITE_OUTPUT"
  | "BAD_INSTANCE"
  // the bundle
  | "BUNDLE_BAD_MAGIC" | "BUNDLE_VERSION" | "BUNDLE_TRUNCATED" | "BUNDLE_CHECKSUM"
  | "BUNDLE_MISSING_PART" | "BUNDLE_INVALID" | "SCHEMA" | "ENGINE"
  // the call
  | "BAD_SOURCE" | "FETCH_FAILED" | "BAD_OPTION" | "NOT_AN_ARRAY" | "COLUMN_LENGTH" | "BATCH_TOO_LARGE"
  | "MODEL_FREED" | "SERIALIZE" | "JSON" | "CSV"
  // reading a file (predictCsv): its header, delimiter or reading options
  | "EMPTY_HEADER" | "DUPLICATE_HEADER" | "ONE_COLUMN" | "EMPTY_FILE" | "BAD_READ_OPTION";

/** MLflow's `error_code` in a Tandem server's JSON error body. */
export type HttpErrorCode =
  | "BAD_REQUEST" | "UNSUPPORTED_MEDIA_TYPE" | "REQUEST_TOO_LARGE" | "ENDPOINT_NOT_FOUND"
  | "TIMEOUT" | "INTERNAL_ERROR";

export declare class TandemError extends Error {
  readonly name: "TandemError";
  /** Stable machine-readable code, the same in Rust, the CLI and here. */
  readonly code: ErrorCode;
  /** The field concerned, when there is one. */
  readonly field: string | null;
  /** The batch row concerned, when there is one. */
  readonly index: number | null;
}

export declare class Model implements Disposable {
  private constructor();
  /** Load a bundle: bytes, a fetch `Response`, or a URL (fetched; `file:` URLs in Node). */
  static load(source: Uint8Array | ArrayBuffer | ArrayBufferView | Response | URL | string, options?: LoadOptions): Promise<Model>;
  readonly schema: Schema;
  readonly metadata: ModelMetadata;
  /** `"dense"` or `"tract"`. */
  readonly engine: "dense" | "tract";
  predict(instance: Instance, options?: PredictOptions): Prediction;
  predictBatch(instances: Instance[], options?: BatchOptions): Array<Prediction | RowError>;
  predictColumns(columns: Columns, options?: BatchOptions): Array<Prediction | RowError>;
  /** Every row of CSV text (header row first), parsed exactly as `tandem predict` parses CSV. */
  predictCsv(text: string, options?: BatchOptions): Array<Prediction | RowError>;
  /** MLflow's scoring protocol, exactly as `tandem serve` answers `POST /invocations`. */
  invocations(contentType: string, body: string | Uint8Array | ArrayBuffer): Answer;
  /** Every other answer of a Tandem server, exactly as `tandem serve` gives it: `GET /ping`,
   *  `/health`, `/version`, `/schema`, `/metadata`, 404, and 413 when a `POST /invocations`
   *  body of `bodyBytes` is past the limit. `null`: a `POST /invocations` to answer with
   *  `invocations`. */
  route(method: string, path: string, bodyBytes?: number, serving?: Serving): Answer | null;
  /** The feature vector the network sees (the shared preprocessing's output). */
  features(instance: Instance, options?: PredictOptions): Float32Array;
  /** Release the model's WebAssembly memory now (also done on garbage collection). */
  free(): void;
  [Symbol.dispose](): void;
}

/** An HTTP answer of MLflow's scoring protocol. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** What a server knows beyond the bundle (reported by `GET /version`), and its body limit. */
export interface Serving {
  /** The model as the server was told it (a path or URI); `null` for a built-in bundle. */
  model?: string | null;
  /** The registry version a `models:/` URI resolved to. */
  modelVersion?: number | null;
  /** Largest accepted `POST /invocations` body (default `constants().limits.max_body_bytes`). */
  maxBodyBytes?: number;
}

/** One error code: where it comes from and what it means. `http` codes are MLflow's
 *  `error_code` in a server's error body; the others are a `TandemError`'s `code`. */
export interface ErrorCodeInfo {
  code: ErrorCode | HttpErrorCode;
  scope: "instance" | "bundle" | "call" | "http";
  meaning: string;
}

/** Everything tandem-core defines once for every binding and server. */
export interface Constants {
  errors: ErrorCodeInfo[];
  tolerances: { probability_abs: number; logit_abs: number; same_engine_abs: number };
  limits: {
    max_batch_rows: number;
    max_body_bytes: number;
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
export declare function initSync(module: WebAssembly.Module | BufferSource): void;

/** The Tandem runtime version. */
export declare function version(): string;

/** Bytes of WebAssembly linear memory (diagnostics: it grows, it never shrinks). */
export declare function memoryBytes(): number;

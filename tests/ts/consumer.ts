// A TypeScript user app: `tsc -p tests/ts` must accept it against the package's hand-written
// types in strict mode with nothing but `lib: ["ES2022"]` (no DOM lib, no Node types), and
// must reject what the runtime rejects (each `@ts-expect-error` fails the build if the types
// stop refusing the line below it).
import { Model, TandemError, constants, initSync, memoryBytes, version } from "tandem-infer";
import type { Prediction, Instance, ErrorCode, Schema, ModelMetadata, RowError, Answer, Constants, HttpErrorCode, DeepReadonly, Warning } from "tandem-infer";
import * as full from "tandem-infer/full";
import * as bundler from "tandem-infer/bundler";
import wasm from "tandem-infer/web/tandem_wasm_bg.wasm";

export async function main(bytes: Uint8Array): Promise<string> {
  initSync(wasm);
  using model = await Model.load(bytes, { engine: "auto" });
  const schema: DeepReadonly<Schema> = model.schema;
  const meta: DeepReadonly<ModelMetadata> = model.metadata;
  const shown = [...(schema.label.task.kind === "classification" ? schema.label.task.classes : [])].reverse();
  const instance: Instance = { name: "Allen, Miss. Elisabeth", sex: "female", age: 29, passengerClass: "1st" };
  const p: Prediction = model.predict(instance, { strict: true, range: "clip" });
  const label = p.label ?? String(p.value);
  const warned: Warning[] = p.warnings ?? [];
  const rows = model.predictBatch([instance, instance], { errors: "return" });
  const bad = rows.filter((r): r is RowError => r.error !== undefined).map((r) => r.error.code);
  const first: string | undefined = rows[0].label ?? rows[0].error?.code;
  const all: Prediction[] = model.predictBatch([instance], { errors: null, strict: null });
  const columns = model.predictColumns({ age: new Float64Array([1, 2]), sex: ["female", "male"] });
  const csv: Prediction[] = model.predictCsv("age,sex\n1,female\n");
  const f: Float32Array = model.features(instance);
  // Sources without the DOM lib: anything with arrayBuffer() (a Blob, a File, a Response) or href (a URL).
  const fromBlob = await Model.load({ arrayBuffer: async () => new ArrayBuffer(0) });
  const fromUrl = await Model.load({ href: "https://example.com/model.tandem" });
  const fromPath = await Model.load("./model.tandem");
  // A server in JavaScript: every answer from tandem-core.
  const health: Answer | null = model.route("GET", "/health");
  const posted = model.route("POST", "/invocations", 12, { model: "model.tandem", modelVersion: null, maxBodyBytes: 1 << 20 })
    ?? model.invocations("application/json", '{"instances": []}');
  const c: Constants = constants();
  const http: HttpErrorCode[] = c.errors.filter((e) => e.scope === "http").map((e) => e.code as HttpErrorCode);
  const tolerance: number = c.tolerances.probability_abs + c.limits.max_batch_rows;
  const same: boolean = full.TandemError === TandemError && bundler.TandemError === TandemError;
  try {
    model.predict({ age: "x" });
  } catch (e) {
    if (e instanceof TandemError) {
      const code: ErrorCode = e.code;
      return `${code} ${e.field ?? ""} ${e.index ?? ""}`;
    }
  }
  const tract = await full.Model.load(bytes, { engine: "tract" });
  tract.free();
  return `${label} ${warned.length} ${shown} ${bad.length} ${first} ${all.length} ${columns.length} ${csv.length} ${f.length} ${schema.fields.length} ${meta.run_id} ${model.engine} ${version()} ${memoryBytes()} ${health?.body} ${posted.contentType} ${http.length} ${tolerance} ${same} ${fromBlob.engine} ${fromUrl.engine} ${fromPath.engine} ${new TandemError("m", "BAD_SOURCE").code}`;
}

/** What the runtime refuses, the types refuse too. */
export function refused(model: Model, instance: Instance): void {
  // @ts-expect-error booleans are booleans
  model.predict(instance, { strict: "yes" });
  // @ts-expect-error unknown option
  model.predict(instance, { temperature: 2 });
  // @ts-expect-error `errors` is a batch option
  model.predict(instance, { errors: "return" });
  // @ts-expect-error unknown load option
  void Model.load(new Uint8Array(0), { engin: "tract" });
  // @ts-expect-error a number is no source
  void Model.load(42);
  // @ts-expect-error the schema is frozen
  model.schema.fields.pop();
  // @ts-expect-error the class list is frozen (reverse a copy)
  if (model.schema.label.task.kind === "classification") model.schema.label.task.classes.reverse();
  // @ts-expect-error predictCsv takes text
  model.predictCsv(new Uint8Array(0));
  // @ts-expect-error with errors: "return" a row may be a RowError
  const rows: Prediction[] = model.predictBatch([instance], { errors: "return" });
  void rows;
}

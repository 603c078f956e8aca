// A TypeScript user app: `tsc -p tests/ts` must accept it against the package's hand-written
// types (and would reject a wrong field type, a missing await, an unknown option).
import { Model, TandemError, constants, memoryBytes, version } from "tandem-infer";
import type { Prediction, Instance, ErrorCode, Schema, ModelMetadata, RowError, Answer, Constants, HttpErrorCode } from "tandem-infer";
import * as full from "tandem-infer/full";

export async function main(bytes: Uint8Array): Promise<string> {
  using model = await Model.load(bytes, { engine: "auto" });
  const schema: Schema = model.schema;
  const meta: ModelMetadata = model.metadata;
  const instance: Instance = { name: "Allen, Miss. Elisabeth", sex: "female", age: 29, passengerClass: "1st" };
  const p: Prediction = model.predict(instance, { strict: true, range: "clip" });
  const label = "label" in p ? p.label : String(p.value);
  const rows = model.predictBatch([instance, instance], { errors: "return" });
  const bad = rows.filter((r): r is RowError => "error" in r).map((r) => r.error.code);
  const columns = model.predictColumns({ age: new Float64Array([1, 2]), sex: ["female", "male"] });
  const f: Float32Array = model.features(instance);
  // A server in JavaScript: every answer from tandem-core.
  const health: Answer | null = model.route("GET", "/health");
  const posted = model.route("POST", "/invocations", 12, { model: "model.tandem", modelVersion: null, maxBodyBytes: 1 << 20 })
    ?? model.invocations("application/json", '{"instances": []}');
  const c: Constants = constants();
  const http: HttpErrorCode[] = c.errors.filter((e) => e.scope === "http").map((e) => e.code as HttpErrorCode);
  const tolerance: number = c.tolerances.probability_abs + c.limits.max_batch_rows;
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
  return `${label} ${bad.length} ${columns.length} ${f.length} ${schema.fields.length} ${meta.run_id} ${model.engine} ${version()} ${memoryBytes()} ${health?.body} ${posted.contentType} ${http.length} ${tolerance}`;
}

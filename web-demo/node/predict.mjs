// A user_app in Node: load a model.tandem file and predict raw instances client-side with the
// wasm package, the same code path browsers and edge workers will use.
//
//   node web-demo/node/predict.mjs <model.tandem> '<instance JSON>' ['<instance JSON>' ...]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { Model } = require(path.join(root, "wasm-infer/pkg/nodejs/tandem_wasm.js"));

const [bundlePath, ...instances] = process.argv.slice(2);
if (!bundlePath) {
  console.error("usage: predict.mjs <model.tandem> '<instance JSON>' ...");
  process.exit(64);
}
const model = await Model.load(readFileSync(bundlePath));
console.log(`model ${model.metadata.run_id}: predicts ${model.schema.label.name} from ${model.schema.fields.map((f) => f.name).join(", ")}`);
let failed = 0;
for (const text of instances) {
  try {
    const prediction = model.predict(JSON.parse(text));
    console.log(JSON.stringify({ instance: JSON.parse(text), prediction }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ instance: text, error: { code: e.code, field: e.field, message: e.message } }));
  }
}
model.free();
process.exit(failed ? 2 : 0);

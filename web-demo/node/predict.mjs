// A user_app in Node: load a model.tandem file and predict raw instances client-side with the
// npm package `tandem-infer`, imported by name exactly as any app would.
//
//   node web-demo/node/predict.mjs <model.tandem> '<instance JSON>' ['<instance JSON>' ...]
import { pathToFileURL } from "node:url";
import path from "node:path";
import { Model } from "tandem-infer";

const [bundlePath, ...instances] = process.argv.slice(2);
if (!bundlePath) {
  console.error("usage: predict.mjs <model.tandem> '<instance JSON>' ...");
  process.exit(64);
}
const model = await Model.load(pathToFileURL(path.resolve(bundlePath)));
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

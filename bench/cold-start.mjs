// One cold start in this fresh Node process, for bench/npm-vs-ort.mjs (which runs it many
// times, the two contestants interleaved): import the package, load the model, predict one
// instance. Prints `{ import, load, first }` in ms.
//
//   node bench/cold-start.mjs tandem <model.tandem> <instance JSON>
//   node bench/cold-start.mjs ort <model.onnx> <features JSON> <width>
//
// ort gets the instance's features ready-made (the JS preprocessing an ort-web user writes
// costs microseconds and is timed by the per-instance figures instead).
import { readFileSync } from "node:fs";

const [who, file, input, width] = process.argv.slice(2);
const bytes = readFileSync(file);
const now = () => performance.now();
let t = now();
let result;
if (who === "tandem") {
  const tandem = await import("tandem-infer");
  const imported = now() - t;
  t = now();
  const model = await tandem.Model.load(bytes);
  const loaded = now() - t;
  t = now();
  model.predict(JSON.parse(input));
  result = { import: imported, load: loaded, first: now() - t };
} else {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const imported = now() - t;
  t = now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const loaded = now() - t;
  t = now();
  const feats = Float32Array.from(JSON.parse(input));
  await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", feats, [1, Number(width)]) });
  result = { import: imported, load: loaded, first: now() - t };
}
console.log(JSON.stringify(result));

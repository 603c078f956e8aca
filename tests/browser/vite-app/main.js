// A user app built by Vite 7 for production, importing the package by its name.
import { Model } from "tandem-infer";

const q = new URLSearchParams(location.search);
try {
  const model = await Model.load(q.get("model"));
  const prediction = model.predict(JSON.parse(q.get("instance")));
  document.getElementById("prediction").textContent = JSON.stringify(prediction);
  window.__result = { prediction, engine: model.engine };
} catch (e) {
  window.__result = { error: `${e.name} ${e.code}: ${e.message}` };
}

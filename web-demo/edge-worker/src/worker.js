// An edge worker (Cloudflare Workers / workerd) serving a Tandem model with MLflow's scoring
// protocol, running the npm package's WebAssembly in the worker: no origin server, no Python.
//
// Every answer comes from tandem-core through the package (`route` for GET /ping, /health,
// /version, /schema, /metadata, 404 and 413; `invocations` for predictions), the same code
// `tandem serve` answers with: this file only moves bytes between the request and the model.
//
// The wasm is imported as a module (workers may not compile code from bytes at run time) and
// the bundle as data (wrangler.toml rules); the model loads once per isolate.
import wasm from "tandem-infer/web/tandem_wasm_bg.wasm";
import bundle from "./model.tandem";
import { initSync, Model } from "tandem-infer";

let model = null;

async function loaded() {
  if (!model) {
    initSync(wasm);
    model = await Model.load(new Uint8Array(bundle));
  }
  return model;
}

export default {
  async fetch(request) {
    const m = await loaded();
    const { pathname } = new URL(request.url);
    // Read the body before answering, so a client past the limit gets its 413 rather than a reset.
    const body = request.method === "POST" ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array(0);
    const answer = m.route(request.method, pathname, body.length) ?? m.invocations(request.headers.get("content-type") ?? "", body);
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.contentType } });
  },
};

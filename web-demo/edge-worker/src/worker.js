// An edge worker (Cloudflare Workers / workerd) serving a Tandem model with MLflow's scoring
// protocol, the same routes and answers as `tandem serve`, running the npm package's
// WebAssembly in the worker: no origin server, no Python.
//
// The wasm is imported as a module (workers may not compile code from bytes at run time) and
// the bundle as data (wrangler.toml rules); the model loads once per isolate.
import wasm from "tandem-infer/web/tandem_wasm_bg.wasm";
import bundle from "./model.tandem";
import { initSync, Model, version } from "tandem-infer";

const MAX_BODY_BYTES = 10 * 1024 * 1024;
let model = null;

function json(status, body) {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

async function loaded() {
  if (!model) {
    initSync(wasm);
    model = await Model.load(new Uint8Array(bundle));
  }
  return model;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const m = await loaded();
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case "GET /ping":
        return new Response("", { status: 200 });
      case "GET /health":
        return json(200, { status: "ok", run_id: m.metadata.run_id });
      case "GET /version":
        return json(200, { tandem: version(), bundle_written_by: m.metadata.tandem_version, run_id: m.metadata.run_id });
      case "GET /schema":
        return json(200, m.schema);
      case "GET /metadata":
        return json(200, m.metadata);
      case "POST /invocations": {
        // Read the body before answering, so the client gets its 413 rather than a reset.
        const body = new Uint8Array(await request.arrayBuffer());
        if (body.length > MAX_BODY_BYTES) return tooLarge();
        const answer = m.invocations(request.headers.get("content-type") ?? "", body);
        return json(answer.status, answer.body);
      }
      default:
        return json(404, { error_code: "ENDPOINT_NOT_FOUND", message: `no route for ${request.method} ${url.pathname}` });
    }
  },
};

function tooLarge() {
  return json(413, { error_code: "REQUEST_TOO_LARGE", message: `the body is larger than ${MAX_BODY_BYTES} bytes` });
}

// An edge worker (Cloudflare Workers / workerd) serving a Tandem model with MLflow's scoring
// protocol, running the npm package's WebAssembly in the worker: no origin server, no Python.
//
// Every answer comes from tandem-core through the package (`route` for GET/HEAD /ping,
// /health, /version, /schema, /metadata, OPTIONS, 404, 405 and 413; `invocations` for
// predictions; `explanations` for POST /explain; all add the CORS headers), the same code
// `tandem serve` answers with: this file only moves bytes between the request and the model.
//
// Settings (wrangler.toml [vars], or workerd bindings), as `tandem serve`'s flags:
//   CORS_ORIGINS    origins a browser page may call from, comma separated, or "*" (--cors-origin)
//   OUTPUT          "full" (default) or "plain": MLflow's list of labels or values (--output)
//   MAX_BODY_BYTES  largest accepted body (--max-body-bytes)
//   MAX_ROWS        most rows in one request (--max-rows), counted before the body is parsed
//   MAX_CELLS       most values in one request (--max-cells), counted before the body is parsed
//
// The wasm is imported as a module (workers may not compile code from bytes at run time: the
// platform compiles it at deploy) and the bundle as data (wrangler.toml rules). Both are
// instantiated and loaded when the isolate evaluates this module (loading is computation
// only, no I/O, which module scope allows); workerd does that on the isolate's first
// request, which therefore pays for it once (bench/worker-cold-start.mjs).
import wasm from "tandem-infer/web/tandem_wasm_bg.wasm";
import bundle from "./model.tandem";
import { constants, initSync, Model } from "tandem-infer";

initSync(wasm);
const model = await Model.load(new Uint8Array(bundle));

/** What the protocol needs to know about this worker, from its environment. */
function servingOf(env = {}) {
  const origins = String(env.CORS_ORIGINS ?? "").split(/[\s,]+/).filter(Boolean);
  const number = (v) => (v ? Number(v) : undefined);
  return {
    corsOrigins: origins,
    output: env.OUTPUT || undefined,
    maxBodyBytes: number(env.MAX_BODY_BYTES),
    maxRows: number(env.MAX_ROWS),
    maxCells: number(env.MAX_CELLS),
  };
}

/** Read and drop a body without holding it, up to `most` bytes (so that a client that sent
 *  slightly too much reads its 413 instead of a reset); past that the connection is dropped. */
async function drain(request, most) {
  if (!request.body) return;
  const reader = request.body.getReader();
  for (let seen = 0; seen <= most; ) {
    const { done, value } = await reader.read();
    if (done) return;
    seen += value.length;
  }
  await reader.cancel();
}

function respond(answer, method) {
  // 204 and HEAD answers carry no body (the headers of the GET are kept).
  const body = answer.status === 204 || method === "HEAD" ? null : answer.body;
  return new Response(body, { status: answer.status, headers: { ...answer.headers, "content-type": answer.contentType } });
}

export default {
  async fetch(request, env) {
    const m = model;
    const serving = servingOf(env);
    const { method } = request;
    const { pathname } = new URL(request.url);
    const origin = request.headers.get("origin");
    // A declared length past the limit is refused before a byte of the body is read.
    const declared = Number(request.headers.get("content-length") ?? 0) || 0;
    const early = m.route(method, pathname, declared, serving, origin);
    if (early) {
      const limit = serving.maxBodyBytes ?? constants().limits.max_body_bytes;
      if (early.status === 413 && declared <= limit + (1 << 20)) await drain(request, declared);
      return respond(early, method);
    }
    // No (or a false) Content-Length: read the body, then check its real length.
    const body = new Uint8Array(await request.arrayBuffer());
    const contentType = request.headers.get("content-type") ?? "";
    const answer = m.route(method, pathname, body.length, serving, origin)
      ?? (pathname === "/explain" ? m.explanations(contentType, body, serving, origin) : m.invocations(contentType, body, serving, origin));
    return respond(answer, method);
  },
};

// tandem-infer for browsers, web workers and edge workers (wasm-bindgen `web` target).
//
// Browsers fetch the .wasm next to this file on first `Model.load`. Where fetching a module
// is not allowed (Cloudflare Workers, workerd), import the .wasm as a module and call
// `initSync(wasmModule)` before loading a model.
import init, * as raw from "@@GLUE@@/tandem_wasm.js";
import { makeApi } from "@@LIB@@api.js";

export { TandemError } from "@@LIB@@error.js";

let started = null;
/** Instantiate synchronously from a compiled `WebAssembly.Module` (or its bytes). */
export function initSync(module) {
  if (!started) {
    raw.initSync({ module });
    started = Promise.resolve();
  }
}
const ready = () => (started ??= init());

export const { Model, version, memoryBytes, constants } = makeApi(raw, ready);

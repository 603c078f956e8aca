// tandem-infer for bundlers that implement the WebAssembly ESM integration (webpack 5 with
// `experiments.asyncWebAssembly`, Vite with vite-plugin-wasm): wasm-bindgen `bundler` target,
// importing the one default .wasm of the package (web/tandem_wasm_bg.wasm) as a module.
// Vite and Rollup users without a wasm plugin use the default entry, which works as is.
import * as raw from "./tandem_wasm.js";
import { makeApi } from "@@LIB@@api.js";

export { TandemError } from "@@LIB@@error.js";

/** Nothing to do: the bundler instantiates the module; kept for a uniform API. */
export function initSync() {}

export const { Model, version, memoryBytes, constants } = makeApi(raw, async () => {});

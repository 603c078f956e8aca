// tandem-infer for bundlers that implement the WebAssembly ESM integration (webpack 5 with
// `experiments.asyncWebAssembly`, Vite with vite-plugin-wasm): wasm-bindgen `bundler` target.
// Vite and Rollup users without a wasm plugin use the default entry, which works as is.
import * as raw from "./tandem_wasm.js";
import { makeApi } from "@@LIB@@";

/** Nothing to do: the bundler instantiates the module; kept for a uniform API. */
export function initSync() {}

export const { Model, TandemError, version, memoryBytes, constants } = makeApi(raw, async () => {});

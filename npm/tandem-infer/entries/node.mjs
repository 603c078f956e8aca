// tandem-infer for Node.js (wasm-bindgen `nodejs` target: the module is instantiated
// synchronously from the .wasm file beside it).
import { readFile } from "node:fs/promises";
import raw from "./tandem_wasm.js";
import { makeApi } from "@@LIB@@";

/** Nothing to do in Node (the module is ready on import); kept for a uniform API. */
export function initSync() {}

export const { Model, TandemError, version, memoryBytes, constants } = makeApi(raw, async () => {}, readFile);

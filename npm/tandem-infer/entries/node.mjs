// tandem-infer for Node.js: the `web` glue, instantiated synchronously on import from the one
// .wasm file the browser entry fetches (the package ships each wasm once).
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as raw from "@@GLUE@@/tandem_wasm.js";
import { makeApi } from "@@LIB@@api.js";

export { TandemError } from "@@LIB@@error.js";

raw.initSync({ module: readFileSync(new URL("@@GLUE@@/tandem_wasm_bg.wasm", import.meta.url)) });

/** Nothing to do in Node (the module is ready on import); kept for a uniform API. */
export function initSync() {}

export const { Model, version, memoryBytes, constants } = makeApi(raw, async () => {}, readFile, {
  webCryptoDigests: false,
});

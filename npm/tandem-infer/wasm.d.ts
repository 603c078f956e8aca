// Types of `tandem-infer/web/tandem_wasm_bg.wasm` and `tandem-infer/full/web/tandem_wasm_bg.wasm`:
// the compiled module an edge worker imports (`import wasm from "tandem-infer/web/tandem_wasm_bg.wasm"`)
// and hands to `initSync`.
import type { WasmModule } from "./index.js";

declare const wasm: WasmModule;
export default wasm;

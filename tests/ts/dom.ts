// The package's types with the DOM lib and Node's types present (checked by
// tests/js/readme-types.test.mjs, beside the README's examples): the browser's and Node's own
// classes fit where the types, written without them, describe what is read.
import { Model, initSync } from "tandem-infer";
import { readFileSync } from "node:fs";

export async function sources(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const loaded = await Promise.all([
    Model.load(new Blob([bytes])),
    Model.load(new File([bytes], "model.tandem")),
    Model.load(new Response(bytes)),
    Model.load(await fetch("https://example.com/model.tandem")),
    Model.load(new URL("https://example.com/model.tandem")),
    Model.load(readFileSync("model.tandem")),
    Model.load(new DataView(bytes.buffer)),
  ]);
  initSync(new WebAssembly.Module(bytes));
  initSync(bytes);
  return loaded.length;
}

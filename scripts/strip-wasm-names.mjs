// Remove the `name` custom section (function names for stack traces) from .wasm files, in
// place: what `wasm-bindgen --remove-name-section` does, for the wasm-pack build, which has no
// such option (and wasm-opt, which could, stays off: FACTS.md). Every other byte is kept.
// Usage: node scripts/strip-wasm-names.mjs <file.wasm> ...
import { readFileSync, writeFileSync } from "node:fs";

/** Read an unsigned LEB128 at `at`: [value, offset after it]. */
function leb128(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    if (b === undefined) throw new Error("truncated LEB128");
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

function strip(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error("not a wasm module");
  const kept = [bytes.subarray(0, 8)];
  let removed = 0;
  for (let at = 8; at < bytes.length; ) {
    const id = bytes[at];
    const [size, body] = leb128(bytes, at + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error(`section at ${at} runs past the end`);
    let name = null;
    if (id === 0) {
      const [len, start] = leb128(bytes, body);
      name = Buffer.from(bytes.subarray(start, start + len)).toString("utf8");
    }
    if (name === "name") removed += end - at;
    else kept.push(bytes.subarray(at, end));
    at = end;
  }
  return { out: Buffer.concat(kept), removed };
}

for (const file of process.argv.slice(2)) {
  const { out, removed } = strip(readFileSync(file));
  writeFileSync(file, out);
  if (process.env.VERBOSE) console.log(`${file}: removed ${removed} bytes of names`);
}

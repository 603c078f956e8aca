// A bundle changed the way someone who means harm can change it without the private key: one
// part edited and every checksum recomputed, from the layout in docs/bundle-format.md. Only a
// signature tells such a file from the original (tests/js/signed.test.mjs, tests/serve/).
import { createHash } from "node:crypto";

const sha256 = (bytes) => createHash("sha256").update(bytes).digest();

/** `bytes` with `edit(Buffer) -> Buffer` applied to the part named `part`. */
export function tamper(bytes, part, edit) {
  const view = Buffer.from(bytes);
  const mlen = view.readUInt32LE(12);
  const manifest = JSON.parse(view.subarray(16, 16 + mlen).toString("utf8"));
  const data = view.subarray(16 + mlen + 32);
  const contents = manifest.parts.map((p) => {
    const content = Buffer.from(data.subarray(p.offset, p.offset + p.length));
    return p.name === part ? edit(content) : content;
  });
  let offset = 0;
  for (const [i, p] of manifest.parts.entries()) {
    Object.assign(p, { offset, length: contents[i].length, sha256: sha256(contents[i]).toString("hex") });
    offset += contents[i].length;
  }
  const json = Buffer.from(JSON.stringify(manifest));
  const head = Buffer.alloc(16);
  view.copy(head, 0, 0, 12);
  head.writeUInt32LE(json.length, 12);
  return new Uint8Array(Buffer.concat([head, json, sha256(Buffer.concat([head, json])), ...contents]));
}

/** One bit of the middle byte of a part flipped. */
export const flipMiddle = (b) => {
  b[b.length >> 1] ^= 1;
  return b;
};

// SHA-256 of a bundle's manifest and parts with the platform's WebCrypto, before the wasm side
// verifies them. Hashing in wasm runs as V8's baseline code on a cold load (a quarter of the
// first `Model.load` of a 250 KB bundle); `crypto.subtle.digest` is native. The wasm loader
// still compares every checksum itself and hashes any range it gets no digest for, so this is
// only ever a shortcut: where WebCrypto is missing (a page served over plain http), or the
// header does not read, no digests are passed and nothing else changes.
//
// Records of 40 bytes: start and length in the file (u32, little endian), then the digest
// (`tandem_core::bundle::Digests::from_packed`). Only the ranges the loader checks are
// hashed: the bytes before the manifest's checksum, then each part where the manifest puts it,
// parts back to back, at most 64 of them, all inside the file (so at most the file is hashed).

const HEADER = 16;
const MAGIC = [0x89, 0x54, 0x4e, 0x44, 0x4d, 0x0d, 0x0a, 0x1a];
const MAX_MANIFEST = 1 << 20;
// The default part limit (`Limit::Parts`); a bundle loaded with a raised one gets no digests
// past it, only the loader's own hashing.
const MAX_PARTS = 64;

function ranges(bytes) {
  // What the loader refuses before hashing anything is not hashed here either.
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mlen = view.getUint32(12, true);
  if (view.getUint32(8, true) !== 1 || mlen > MAX_MANIFEST) return [];
  const sumAt = HEADER + mlen;
  const dataAt = sumAt + 32;
  if (dataAt > bytes.length) return [];
  const out = [[0, sumAt]];
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(HEADER, sumAt)));
  } catch {
    return out;
  }
  const parts = Array.isArray(manifest?.parts) ? manifest.parts : [];
  let next = 0;
  for (const p of parts.slice(0, MAX_PARTS)) {
    const { offset, length } = p ?? {};
    if (offset !== next || !Number.isSafeInteger(length) || length < 0 || dataAt + offset + length > bytes.length) break;
    out.push([dataAt + offset, length]);
    next += length;
  }
  return out;
}

/** Packed digests of `bytes`' manifest and parts, or `undefined` without WebCrypto. */
export async function partDigests(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle || bytes.length > 0xffffffff) return undefined;
  try {
    const todo = ranges(bytes);
    const sums = await Promise.all(todo.map(([at, len]) => subtle.digest("SHA-256", bytes.subarray(at, at + len))));
    const out = new Uint8Array(40 * todo.length);
    const view = new DataView(out.buffer);
    todo.forEach(([at, len], i) => {
      view.setUint32(40 * i, at, true);
      view.setUint32(40 * i + 4, len, true);
      out.set(new Uint8Array(sums[i]), 40 * i + 8);
    });
    return out;
  } catch {
    return undefined; // a SharedArrayBuffer view, say: the wasm side hashes
  }
}

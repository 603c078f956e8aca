// The bundle file layout (core/src/bundle/format.rs), read and written again so that a
// mutation can keep every checksum valid: header, manifest, its SHA-256, parts.
import { createHash } from "node:crypto";

export const MAGIC = Buffer.from([0x89, 0x54, 0x4e, 0x44, 0x4d, 0x0d, 0x0a, 0x1a]);
const sha = (b) => createHash("sha256").update(b).digest();

/** Split a bundle into its manifest and parts (no checks: the input is a real bundle). */
export function decode(bytes) {
  const mlen = bytes.readUInt32LE(12);
  const manifest = JSON.parse(bytes.subarray(16, 16 + mlen).toString("utf8"));
  const data = bytes.subarray(16 + mlen + 32);
  const parts = manifest.parts.map((p) => ({
    name: p.name,
    media_type: p.media_type,
    bytes: Buffer.from(data.subarray(p.offset, p.offset + p.length)),
  }));
  return { manifest, parts };
}

/** Write a bundle with correct checksums. `edit(manifest)` may change the manifest after
 *  the part entries are computed (then checksums of what it changes are its business);
 *  `version` is the header's format version; `manifestText` replaces the manifest JSON. */
export function encode({ manifest, parts }, { version = 1, edit, manifestText } = {}) {
  let offset = 0;
  const m = {
    format_version: manifest.format_version,
    tandem_version: manifest.tandem_version,
    created: manifest.created,
    parts: parts.map((p) => {
      const e = { name: p.name, media_type: p.media_type, offset, length: p.bytes.length, sha256: sha(p.bytes).toString("hex") };
      offset += p.bytes.length;
      return e;
    }),
  };
  if (edit) edit(m);
  const mbytes = Buffer.from(manifestText ?? JSON.stringify(m), "utf8");
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(version, 8);
  head.writeUInt32LE(mbytes.length, 12);
  const top = Buffer.concat([head, mbytes]);
  return Buffer.concat([top, sha(top), ...parts.map((p) => p.bytes)]);
}

/** Replace the JSON part `name` by `value` (an object, or raw text/bytes). */
export function withPart(decoded, name, value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
  return { manifest: decoded.manifest, parts: decoded.parts.map((p) => (p.name === name ? { ...p, bytes } : p)) };
}

/** A part's JSON. */
export function jsonPart(decoded, name) {
  return JSON.parse(decoded.parts.find((p) => p.name === name).bytes.toString("utf8"));
}

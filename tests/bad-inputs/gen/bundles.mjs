// `bundles`: bundle files loaded by `Model::load` natively and `Model.load` in Node.
// Made from tests/bad-inputs/models/iris.tandem: truncated, bit-flipped, wrong magic or
// version, and checksum-valid hostile content (re-encoded with every checksum recomputed, so
// the content itself must be refused).
import { createHash } from "node:crypto";
import { decode, encode, withPart, jsonPart } from "./bundle.mjs";

function flip(bytes, at, bit = 0) {
  const b = Buffer.from(bytes);
  b[at] ^= 1 << bit;
  return b;
}

function framing(good) {
  const c = [];
  const add = (name, bytes, code) => c.push({ name, bytes, code });
  const mlen = good.readUInt32LE(12);
  const dataAt = 16 + mlen + 32;
  add("empty file", Buffer.alloc(0), "BUNDLE_BAD_MAGIC");
  add("one byte", good.subarray(0, 1), "BUNDLE_BAD_MAGIC");
  add("a JSON file", Buffer.from("{\"schema\": {}}"), "BUNDLE_BAD_MAGIC");
  add("a gzip file", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), "BUNDLE_BAD_MAGIC");
  add("a UTF-8 BOM before the bundle", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]), "BUNDLE_BAD_MAGIC");
  add("magic in lower case", Buffer.concat([Buffer.from("\x89tndm\r\n\x1a", "latin1"), good.subarray(8)]), "BUNDLE_BAD_MAGIC");
  add("magic with CRLF turned to LF", Buffer.concat([good.subarray(0, 5), Buffer.from("\n\x1a", "latin1"), good.subarray(7)]), "BUNDLE_BAD_MAGIC");
  for (let i = 0; i < 8; i++) add(`magic byte ${i} flipped`, flip(good, i, 7), "BUNDLE_BAD_MAGIC");
  add("magic only", good.subarray(0, 8), "BUNDLE_TRUNCATED");
  add("cut inside the header", good.subarray(0, 12), "BUNDLE_TRUNCATED");
  add("header only", good.subarray(0, 16), "BUNDLE_TRUNCATED");
  add("cut inside the manifest", good.subarray(0, 16 + (mlen >> 1)), "BUNDLE_TRUNCATED");
  add("cut inside the manifest checksum", good.subarray(0, 16 + mlen + 10), "BUNDLE_TRUNCATED");
  add("cut after the manifest checksum", good.subarray(0, dataAt), "BUNDLE_TRUNCATED");
  add("cut inside the first part", good.subarray(0, dataAt + 100), "BUNDLE_TRUNCATED");
  add("last byte cut", good.subarray(0, good.length - 1), "BUNDLE_TRUNCATED");
  add("a trailing byte", Buffer.concat([good, Buffer.from([0])]), "BUNDLE_INVALID");
  add("a second bundle appended", Buffer.concat([good, good]), "BUNDLE_INVALID");
  const version = (v) => { const b = Buffer.from(good); b.writeUInt32LE(v, 8); return b; };
  for (const v of [0, 2, 255, 0xffffffff]) add(`format version ${v}`, version(v), "BUNDLE_VERSION");
  const mlenSet = (v) => { const b = Buffer.from(good); b.writeUInt32LE(v, 12); return b; };
  add("manifest length past 1 MiB", mlenSet(0xffffffff), "BUNDLE_INVALID");
  add("manifest length 1 MiB on a small file", mlenSet(1 << 20), "BUNDLE_TRUNCATED");
  add("manifest length zero", mlenSet(0), "BUNDLE_CHECKSUM");
  add("manifest length one less", mlenSet(mlen - 1), "BUNDLE_CHECKSUM");
  for (const at of [16, 16 + (mlen >> 1), 16 + mlen - 1]) add(`manifest byte ${at} flipped`, flip(good, at, 0), "BUNDLE_CHECKSUM");
  add("manifest checksum flipped", flip(good, 16 + mlen, 3), "BUNDLE_CHECKSUM");
  const d = decode(good);
  let off = dataAt;
  for (const p of d.parts) {
    if (p.bytes.length > 0) {
      add(`part ${p.name}: first byte flipped`, flip(good, off, 1), "BUNDLE_CHECKSUM");
      add(`part ${p.name}: last byte flipped`, flip(good, off + p.bytes.length - 1, 6), "BUNDLE_CHECKSUM");
    }
    off += p.bytes.length;
  }
  return c;
}

function hostile(good) {
  const c = [];
  const d = decode(good);
  const add = (name, bytes, code) => c.push({ name, bytes, code });
  const manifest = (fn) => encode(d, { edit: fn });
  add("manifest with a part offset out of order", manifest((m) => { m.parts[1].offset += 1; }), "BUNDLE_INVALID");
  add("manifest with a part length past the file", manifest((m) => { m.parts[m.parts.length - 1].length += 1000; }), "BUNDLE_TRUNCATED");
  add("manifest with a length near u64 max", manifest((m) => { m.parts[0].length = 18446744073709551615; }), "BUNDLE_INVALID");
  add("manifest with a negative offset", manifest((m) => { m.parts[0].offset = -1; }), "BUNDLE_INVALID");
  add("manifest with a wrong part checksum", manifest((m) => { m.parts[0].sha256 = "0".repeat(64); }), "BUNDLE_CHECKSUM");
  add("manifest that is not JSON", encode(d, { manifestText: "not json" }), "BUNDLE_INVALID");
  add("manifest JSON with a BOM", encode(d, { manifestText: `\ufeff${JSON.stringify({ ...d.manifest })}` }), "BUNDLE_INVALID");
  add("manifest that is an array", encode(d, { manifestText: "[]" }), "BUNDLE_INVALID");
  add("manifest nested deeply", encode(d, { manifestText: `${"[".repeat(10000)}${"]".repeat(10000)}` }), "BUNDLE_LIMIT");
  add("manifest with invalid UTF-8", encode(d, { manifestText: Buffer.concat([Buffer.from("{\"a\": \""), Buffer.from([0xff]), Buffer.from("\"}")]).toString("latin1") }), "BUNDLE_INVALID");
  const without = (name) => ({ manifest: d.manifest, parts: d.parts.filter((p) => p.name !== name) });
  for (const name of ["schema.json", "preprocessing.json", "metadata.json", "model.onnx", "model.nnef.tar"]) {
    add(`no ${name} part`, encode(without(name)), "BUNDLE_MISSING_PART");
  }
  add("parts renamed __proto__", encode({ manifest: d.manifest, parts: d.parts.map((p) => ({ ...p, name: p.name === "schema.json" ? "__proto__" : p.name })) }), "BUNDLE_MISSING_PART");
  add("a duplicate schema part, the second bad", encode({ manifest: d.manifest, parts: [...d.parts, { ...d.parts[0], bytes: Buffer.from("{}") }] }), "BUNDLE_INVALID");
  const schema = jsonPart(d, "schema.json");
  const meta = jsonPart(d, "metadata.json");
  const prep = jsonPart(d, "preprocessing.json");
  const part = (name, value) => encode(withPart(d, name, value));
  add("schema not JSON", part("schema.json", "{"), "BUNDLE_INVALID");
  add("schema with invalid UTF-8", part("schema.json", Buffer.from([0x7b, 0xff, 0x7d])), "BUNDLE_INVALID");
  add("schema with a BOM", part("schema.json", `\ufeff${JSON.stringify(schema)}`), "BUNDLE_INVALID");
  add("schema nested deeply", part("schema.json", `${"[".repeat(10000)}${"]".repeat(10000)}`), "BUNDLE_LIMIT");
  add("schema with no fields", part("schema.json", { ...schema, fields: [] }), "BUNDLE_INVALID");
  add("schema with a duplicate field", part("schema.json", { ...schema, fields: [...schema.fields, schema.fields[0]] }), "BUNDLE_INVALID");
  add("schema field of an unknown type", part("schema.json", { ...schema, fields: schema.fields.map((f, i) => (i ? f : { ...f, type: "quaternion" })) }), "BUNDLE_INVALID");
  add("schema field renamed __proto__", part("schema.json", { ...schema, fields: schema.fields.map((f, i) => (i ? f : { ...f, name: "__proto__" })) }), "BUNDLE_INVALID");
  add("schema field range reversed", part("schema.json", { ...schema, fields: schema.fields.map((f, i) => (i ? f : { ...f, min: 10, max: 1 })) }), "BUNDLE_INVALID");
  add("schema label is a field", part("schema.json", { ...schema, label: { ...schema.label, name: schema.fields[0].name } }), "BUNDLE_INVALID");
  add("schema with no classes", part("schema.json", { ...schema, label: { ...schema.label, task: { kind: "classification", classes: [] } } }), "BUNDLE_INVALID");
  add("schema with duplicate classes", part("schema.json", { ...schema, label: { ...schema.label, task: { kind: "classification", classes: ["a", "a", "b"] } } }), "BUNDLE_INVALID");
  add("schema with two classes for three outputs", part("schema.json", { ...schema, label: { ...schema.label, task: { kind: "classification", classes: ["a", "b"] } } }), "BUNDLE_INVALID");
  add("schema turned to regression", part("schema.json", { ...schema, label: { ...schema.label, task: { kind: "regression" } } }), "BUNDLE_INVALID");
  add("preprocessing not JSON", part("preprocessing.json", "[1,"), "BUNDLE_INVALID");
  add("preprocessing empty object", part("preprocessing.json", {}), "BUNDLE_INVALID");
  add("preprocessing nested deeply", part("preprocessing.json", `${"{\"a\":".repeat(10000)}1${"}".repeat(10000)}`), "BUNDLE_LIMIT");
  add("metadata not JSON", part("metadata.json", "nul"), "BUNDLE_INVALID");
  add("metadata with NaN", part("metadata.json", JSON.stringify(meta).replace(/"n_features":\d+/, "\"n_features\":NaN")), "BUNDLE_INVALID");
  add("metadata feature count off by one", part("metadata.json", { ...meta, model: { ...meta.model, n_features: meta.model.n_features + 1 } }), "BUNDLE_INVALID");
  add("metadata feature count huge", part("metadata.json", { ...meta, model: { ...meta.model, n_features: 4294967295 } }), "BUNDLE_INVALID");
  add("metadata output count zero", part("metadata.json", { ...meta, model: { ...meta.model, n_outputs: 0 } }), "BUNDLE_INVALID");
  add("metadata target with a zero scale", part("metadata.json", { ...meta, target: { mean: 0, scale: 0 } }), "BUNDLE_INVALID");
  add("dense part empty", part("model.dense", Buffer.alloc(0)), "ENGINE");
  add("dense part truncated", part("model.dense", d.parts.find((p) => p.name === "model.dense").bytes.subarray(0, 40)), "ENGINE");
  add("dense part of zeros", part("model.dense", Buffer.alloc(d.parts.find((p) => p.name === "model.dense").bytes.length)), "ENGINE");
  add("dense part of text", part("model.dense", "hello, dense kernel"), "ENGINE");
  void prep;
  return c;
}

export function bundles(good) {
  const cases = [...framing(good), ...hostile(good)];
  return cases.map((c, i) => {
    const file = `${String(i + 1).padStart(3, "0")}.tandem`;
    return { case: { name: c.name, file, code: c.code }, file, content: c.bytes };
  });
}

/** The base of the mutations: iris with empty onnx and nnef parts (the dense kernel is what
 *  loads) and metadata without its training history, so that each mutated file is a few KB. */
export function smallBase(iris) {
  const d = decode(iris);
  const empty = new Set(["model.onnx", "model.nnef.tar"]);
  const meta = jsonPart(d, "metadata.json");
  delete meta.evaluation;
  const small = withPart(d, "metadata.json", meta);
  return encode({ manifest: d.manifest, parts: small.parts.map((p) => (empty.has(p.name) ? { ...p, bytes: Buffer.alloc(0) } : p)) });
}
export const sha256 = (b) => createHash("sha256").update(b).digest("hex");

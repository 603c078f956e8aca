// The WebCrypto digests the web entry's `Model.load` hands the wasm loader (lib/digests.js;
// browsers and workers, not the Node entry): the ranges the loader checks (header, then every
// part where the manifest puts it), each hashed right, and a load that uses them still
// refusing a corrupt bundle; without WebCrypto nothing is passed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expectError, parity, root } from "./load.mjs";

const pkg = path.join(root, "node_modules/tandem-infer");
const { partDigests } = await import(pathToFileURL(path.join(pkg, "lib/digests.js")));
// The web entry, as a worker runs it: instantiated from the module's bytes.
const web = await import(pathToFileURL(path.join(pkg, "web/index.js")));
web.initSync(readFileSync(path.join(pkg, "web/tandem_wasm_bg.wasm")));
const { Model } = web;
const { bundle } = parity("titanic");

function records(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  return Array.from({ length: packed.length / 40 }, (_, i) => ({
    at: view.getUint32(40 * i, true),
    len: view.getUint32(40 * i + 4, true),
    sha: Buffer.from(packed.subarray(40 * i + 8, 40 * i + 40)).toString("hex"),
  }));
}

test("the header and every part are hashed, each where the manifest puts it", async () => {
  const mlen = bundle.readUInt32LE(12);
  const manifest = JSON.parse(bundle.subarray(16, 16 + mlen).toString("utf8"));
  const dataAt = 16 + mlen + 32;
  const got = records(await partDigests(bundle));
  assert.equal(got.length, 1 + manifest.parts.length);
  assert.deepEqual([got[0].at, got[0].len], [0, 16 + mlen]);
  manifest.parts.forEach((p, i) => {
    assert.deepEqual([got[i + 1].at, got[i + 1].len], [dataAt + p.offset, p.length], p.name);
    assert.equal(got[i + 1].sha, p.sha256, p.name);
  });
  for (const r of got) {
    assert.equal(r.sha, createHash("sha256").update(bundle.subarray(r.at, r.at + r.len)).digest("hex"));
  }
});

test("a load with digests still refuses a corrupt part, and garbage gets no part digests", async () => {
  const flipped = Uint8Array.from(bundle);
  flipped[flipped.length - 100] ^= 1;
  assert.ok((await partDigests(flipped)).length > 40, "the corrupt bundle's parts are hashed in JS");
  await expectError(() => Model.load(flipped), "BUNDLE_CHECKSUM");
  const garbage = new Uint8Array(64).fill(7);
  assert.ok((await partDigests(garbage)) === undefined || (await partDigests(garbage)).length <= 40);
  await expectError(() => Model.load(garbage), "BUNDLE_BAD_MAGIC");
});

test("without WebCrypto no digests are passed and the wasm side hashes", async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
  try {
    assert.equal(await partDigests(bundle), undefined);
    const m = await Model.load(bundle);
    assert.equal(m.engine, "dense");
    m.free();
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
});

test("the web entry's load takes its digests from WebCrypto (one that lies fails a good bundle)", async () => {
  const subtle = globalThis.crypto.subtle;
  const real = subtle.digest;
  subtle.digest = async () => new ArrayBuffer(32);
  try {
    await expectError(() => Model.load(bundle), "BUNDLE_CHECKSUM");
  } finally {
    subtle.digest = real;
  }
  (await Model.load(bundle)).free();
});

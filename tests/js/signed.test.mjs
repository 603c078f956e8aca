// Signed bundles in Node (issue 14): `Model.load(src, { publicKey })` loads a bundle signed
// with that key and refuses an unsigned one (BUNDLE_UNSIGNED), one signed by another key or
// changed after signing, checksums recomputed (BUNDLE_SIGNATURE). tests/parity/prepare.sh
// signs titanic's bundle with tests/fixtures/keys/openssl.key; iris's is unsigned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Model, parity, expectError, root } from "./load.mjs";
import { flipMiddle, tamper } from "./tamper.mjs";

const key = (name) => readFileSync(path.join(root, "tests/fixtures/keys", name), "utf8");
const pem = key("openssl.pub");
const otherPem = key("other.pub");
// The raw 32 bytes are the SPKI DER's last 32 bytes.
const base64 = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64").subarray(-32).toString("base64");
const signed = parity("titanic").bundle;
const unsigned = parity("iris").bundle;
const good = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };

test("a signed bundle loads with its public key, as PEM or raw base64, and predicts as without", async () => {
  const plain = await Model.load(signed);
  for (const publicKey of [pem, base64]) {
    const m = await Model.load(signed, { publicKey });
    assert.deepEqual(m.predict(good), plain.predict(good));
  }
});

test("an unsigned bundle with a public key is BUNDLE_UNSIGNED; without one it loads", async () => {
  await expectError(() => Model.load(unsigned, { publicKey: pem }), "BUNDLE_UNSIGNED");
  assert.ok(await Model.load(unsigned));
  assert.ok(await Model.load(unsigned, { publicKey: null }));
});

test("a bundle signed by another key is BUNDLE_SIGNATURE naming the signer's fingerprint", async () => {
  const e = await expectError(() => Model.load(signed, { publicKey: otherPem }), "BUNDLE_SIGNATURE");
  assert.match(e.message, /another key/);
});

test("one byte changed in a part, checksums recomputed, is BUNDLE_SIGNATURE (and loads without a key)", async () => {
  for (const part of ["metadata.json", "preprocessing.json", "model.dense"]) {
    const changed = tamper(signed, part, flipMiddle);
    await expectError(() => Model.load(changed, { publicKey: pem }), "BUNDLE_SIGNATURE");
  }
  const renamed = tamper(signed, "metadata.json", (b) => Buffer.from(b.toString("utf8").replace('"run_id"', '"run_id" ')));
  await expectError(() => Model.load(renamed, { publicKey: pem }), "BUNDLE_SIGNATURE");
  assert.ok(await Model.load(renamed), "checksums hold: only the signature tells");
});

test("a public key that does not read is BAD_OPTION naming publicKey", async () => {
  for (const publicKey of ["", "not a key", "AAAA", key("openssl.key")]) {
    await expectError(() => Model.load(signed, { publicKey }), "BAD_OPTION", "publicKey");
  }
  await expectError(() => Model.load(signed, { publicKey: new Uint8Array(32) }), "BAD_OPTION", "publicKey");
  await expectError(() => Model.load(signed, { publicKeys: pem }), "BAD_OPTION", "publicKeys");
});

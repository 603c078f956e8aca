// `tandem serve --public-key` (issue 14): it starts only on a bundle that key signed, and
// refuses every reload of anything else (unsigned, changed after signing) while the old
// model keeps answering; a good signed bundle still reloads. tests/parity/prepare.sh signs
// titanic's bundle with tests/fixtures/keys/openssl.key; iris's is unsigned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { flipMiddle, tamper } from "../js/tamper.mjs";
import { parityData, root, startServer, stop } from "./server.mjs";

const keys = path.join(root, "tests/fixtures/keys");
const pinned = ["--public-key", path.join(keys, "openssl.pub")];
const signed = parityData("titanic");
const unsigned = parityData("iris");

/** Start a server that must fail; its exit code and stderr. */
async function refusedStart(model, extra) {
  const e = await startServer(model, extra).then(
    async (s) => {
      await stop(s.child);
      assert.fail("the server started");
    },
    (err) => err,
  );
  return e.message;
}

const runId = async (base) => (await (await fetch(`${base}/health`)).json()).run_id;

/** SIGHUP, then wait for the reload's log line (`reloaded` or `reload_failed`). */
async function reload(server, event) {
  const seen = (e) => server.log.join("").split("\n").filter((l) => l.includes(`"event":"${e}"`)).length;
  const before = seen(event);
  server.child.kill("SIGHUP");
  for (let i = 0; i < 100 && seen(event) === before; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen(event), before + 1, `one more ${event} line`);
  return server.log.join("").split("\n").filter((l) => l.includes(`"event":"${event}"`)).at(-1);
}

test("serve --public-key refuses to start on an unsigned or foreign-signed bundle", async () => {
  assert.match(await refusedStart(unsigned.model, pinned), /BUNDLE_UNSIGNED/);
  const other = ["--public-key", path.join(keys, "other.pub")];
  assert.match(await refusedStart(signed.model, other), /BUNDLE_SIGNATURE.*another key/);
});

test("serve --public-key refuses to reload an unsigned or changed bundle and keeps serving", async () => {
  const dir = path.join(root, "target/serve");
  mkdirSync(dir, { recursive: true });
  const live = path.join(dir, "signed-live.tandem");
  copyFileSync(signed.model, live);
  const server = await startServer(live, pinned);
  try {
    assert.equal(await runId(server.base), signed.summary.run_id);
    copyFileSync(unsigned.model, live);
    assert.match(await reload(server, "reload_failed"), /BUNDLE_UNSIGNED/);
    assert.equal(await runId(server.base), signed.summary.run_id, "the old model keeps answering");

    writeFileSync(live, tamper(readFileSync(signed.model), "model.dense", flipMiddle));
    assert.match(await reload(server, "reload_failed"), /BUNDLE_SIGNATURE/);
    const row = JSON.parse(readFileSync(signed.instancesPath, "utf8").split("\n")[0]);
    const answer = await fetch(`${server.base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ dataframe_records: [row] }) });
    assert.equal(answer.status, 200, "predictions still answered by the old model");

    copyFileSync(signed.model, live);
    assert.match(await reload(server, "reloaded"), new RegExp(signed.summary.run_id));
  } finally {
    const { code } = await stop(server.child);
    assert.equal(code, 0);
  }
});

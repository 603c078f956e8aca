// The server's limits, each on its own small server: a full queue answers 503 with
// Retry-After, a timeout stops the work (the next request is served at once), too many rows
// or values are refused before parsing, the bearer token guards every route but /ping and
// /health, a body slower than the minimum rate loses its slot, and SIGTERM exits within its
// drain deadline even while a client trickles its body.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, startServer, stop } from "./server.mjs";
import { bodyHead, exited, records, titanic, trickle } from "./limits.mjs";

const post = (base, body, headers = {}) =>
  fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** Milliseconds one request takes. */
async function timed(base, body) {
  const t0 = performance.now();
  const r = await post(base, body);
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t0 };
}

test("a full prediction queue answers 503 OVERLOADED with Retry-After, then serves again", async () => {
  const { model, rows } = titanic();
  const server = await startServer(model, ["--workers", "1", "--queue", "0", "--timeout-ms", "60000"]);
  try {
    const long = post(server.base, records(rows, 60000));
    // Once its body is in, the long batch holds the one slot while it is scored.
    let busy;
    for (let i = 0; i < 100; i++) {
      busy = await post(server.base, records(rows, 1));
      if (busy.status === 503) break;
      await busy.arrayBuffer();
      await new Promise((r) => setTimeout(r, 50));
    }
    const body = await busy.json();
    assert.equal(busy.status, 503, JSON.stringify(body));
    assert.equal(body.error_code, "OVERLOADED");
    assert.equal(busy.headers.get("retry-after"), "1");
    assert.equal((await long).status, 200);
    assert.equal((await post(server.base, records(rows, 1))).status, 200);
  } finally {
    await stop(server.child);
  }
});

test("a timeout stops the work: the batch gets 504 and the worker is free long before the batch would end", async () => {
  const { model, rows } = titanic();
  const big = records(rows, 90000);
  const small = records(rows, 1);
  // Without a deadline the batch takes this long on the one worker.
  const patient = await startServer(model, ["--workers", "1", "--timeout-ms", "120000"]);
  let full;
  try {
    full = await timed(patient.base, big);
    assert.equal(full.status, 200);
  } finally {
    await stop(patient.child);
  }
  const timeout = Math.round(full.ms / 4);
  const server = await startServer(model, ["--workers", "1", "--timeout-ms", String(timeout)]);
  try {
    const t0 = performance.now();
    const slow = await post(server.base, big);
    const body = await slow.json();
    assert.equal(slow.status, 504, JSON.stringify(body).slice(0, 300));
    assert.equal(body.error_code, "TIMEOUT");
    // The worker stops at the next chunk of rows and takes the next request.
    let next;
    do next = await timed(server.base, small);
    while (next.status !== 200 && performance.now() - t0 < full.ms * 2);
    const freed = performance.now() - t0;
    console.log(`deadline: the batch takes ${full.ms.toFixed(0)} ms; with --timeout-ms ${timeout} it got 504 and the worker served the next request ${freed.toFixed(0)} ms after it started`);
    assert.equal(next.status, 200);
    assert.ok(freed < full.ms * 0.75, `worker free after ${freed} ms, the batch takes ${full.ms} ms`);
  } finally {
    await stop(server.child);
  }
});

test("more rows or values than allowed get 413 naming the limit, before the body is parsed", async () => {
  const { model, rows } = titanic();
  const server = await startServer(model, ["--max-rows", "1000", "--max-cells", "3000"]);
  try {
    const many = await post(server.base, records(rows, 1001));
    const a = await many.json();
    assert.equal(many.status, 413);
    assert.equal(a.error_code, "TOO_MANY_ROWS");
    assert.match(a.message, /--max-rows/);
    // 700 rows of 4 fields plus their records: 3500 values.
    const wide = await post(server.base, records(rows, 700));
    const b = await wide.json();
    assert.equal(wide.status, 413);
    assert.equal(b.error_code, "TOO_MANY_CELLS");
    const csv = "age,name,passengerClass,sex\n" + "30,x,1st,male\n".repeat(1001);
    const c = await fetch(`${server.base}/invocations`, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    assert.equal(c.status, 413);
    assert.equal((await c.json()).error_code, "TOO_MANY_ROWS");
    assert.equal((await post(server.base, records(rows, 500))).status, 200);
  } finally {
    await stop(server.child);
  }
});

test("with --auth-token-file every route but /ping and /health needs the bearer token", async () => {
  const { model, rows } = titanic();
  const dir = path.join(root, "target/serve");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "token");
  writeFileSync(file, "t0ken-for-tests\n");
  const server = await startServer(model, ["--auth-token-file", file]);
  try {
    for (const p of ["/ping", "/health"]) assert.equal((await fetch(`${server.base}${p}`)).status, 200, p);
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Basic t0ken-for-tests" }]) {
      const r = await post(server.base, records(rows, 1), headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.headers.get("www-authenticate"), "Bearer");
      assert.equal((await r.json()).error_code, "UNAUTHORIZED");
    }
    assert.equal((await fetch(`${server.base}/schema`)).status, 401);
    const ok = await post(server.base, records(rows, 1), { authorization: "Bearer t0ken-for-tests" });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${server.base}/schema`, { headers: { authorization: "Bearer t0ken-for-tests" } })).status, 200);
  } finally {
    await stop(server.child);
  }
  writeFileSync(file, "\n");
  await assert.rejects(startServer(model, ["--auth-token-file", file]), /empty/);
  await assert.rejects(startServer(model, ["--auth-token-file", path.join(dir, "no-such-token")]), /auth token file/);
});

test("a client trickling a declared-large body loses its slot to --min-body-rate, long before the body timeout", async () => {
  const { model, rows } = titanic();
  const server = await startServer(model, ["--max-large-requests", "1", "--body-timeout-ms", "60000", "--min-body-rate", "1000"]);
  try {
    const large = records(rows, 2000);
    assert.ok(large.length > 64 * 1024);
    // 10 bytes a second of a declared 100 kB: the one large-body slot is taken...
    const held = trickle(server.base, { now: bodyHead(100000), slow: "x".repeat(100000), everyMs: 100 });
    await new Promise((r) => setTimeout(r, 300));
    const busy = await post(server.base, large);
    assert.equal(busy.status, 503, "the slot is held while the trickle is within its grace");
    await busy.arrayBuffer();
    // ...until the rate falls behind: 408, the connection closed, the slot free.
    const cut = await held;
    console.log(`min body rate: a 10 B/s trickle was cut after ${cut.ms.toFixed(0)} ms with ${cut.status} (body timeout 60 s)`);
    assert.equal(cut.status, 408);
    assert.ok(cut.ms < 10000, `cut after ${cut.ms} ms`);
    assert.equal((await post(server.base, large)).status, 200);
  } finally {
    await stop(server.child);
  }
});

test("SIGTERM exits within --drain-seconds while a client trickles its body", async () => {
  const { model } = titanic();
  // No minimum rate: only the drain deadline can end this trickle.
  const server = await startServer(model, ["--drain-seconds", "1", "--body-timeout-ms", "60000", "--min-body-rate", "0"]);
  const held = trickle(server.base, { now: bodyHead(5000), slow: "x".repeat(5000), everyMs: 100 });
  await new Promise((r) => setTimeout(r, 500));
  const exit = exited(server.child);
  server.child.kill("SIGTERM");
  const { code, ms } = await exit;
  console.log(`drain: exited ${code} ${ms.toFixed(0)} ms after SIGTERM with a trickling client`);
  assert.equal(code, 0);
  assert.ok(ms < 2500, `${ms} ms`);
  assert.equal((await held).how, "closed");
});

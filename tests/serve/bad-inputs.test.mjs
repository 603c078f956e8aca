// The bad-input corpus's `http` cases (tests/bad-inputs/http/): raw requests written to a
// running `tandem serve` over a TCP socket, so malformed HTTP is possible. Each gets its status
// and code within a time bound, the server stays up, a good request right after gets the
// answer it got first, and the server's peak resident memory stays under a bound.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readFileSync } from "node:fs";
import { startServer, stop } from "./server.mjs";
import { caseBytes, goodInstances, kind, modelPath } from "../bad-inputs/corpus.mjs";

const CASE_MS = 20_000;
const RSS_LIMIT_KIB = 1 << 20; // 1 GiB: the debug server with a few MB bodies in flight

/** Send raw bytes; resolve with { status, headers, body } or null when closed unanswered. */
function send(port, bytes, halfClose) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within ${CASE_MS} ms`)); }, CASE_MS);
    socket.on("data", (d) => {
      chunks.push(d);
      const r = parse(Buffer.concat(chunks));
      if (r) { clearTimeout(timer); socket.destroy(); resolve(r); }
    });
    socket.on("error", () => {});
    socket.on("close", () => { clearTimeout(timer); resolve(parse(Buffer.concat(chunks), true)); });
    socket.write(bytes, () => { if (halfClose) socket.end(); });
  });
}

/** A whole response in `buf` (by Content-Length or chunked), else null. */
function parse(buf, closed = false) {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(head[0].split(" ")[1]);
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  let rest = buf.subarray(end + 4);
  if (headers["transfer-encoding"] === "chunked") {
    const parts = [];
    for (;;) {
      const nl = rest.indexOf("\r\n");
      if (nl < 0) return closed ? { status, headers, body: Buffer.concat(parts).toString() } : null;
      const n = parseInt(rest.subarray(0, nl).toString(), 16);
      if (n === 0) return { status, headers, body: Buffer.concat(parts).toString() };
      if (rest.length < nl + 2 + n + 2) return null;
      parts.push(rest.subarray(nl + 2, nl + 2 + n));
      rest = rest.subarray(nl + 2 + n + 2);
    }
  }
  const len = Number(headers["content-length"] ?? 0);
  if (rest.length < len) return closed ? { status, headers, body: rest.toString() } : null;
  return { status, headers, body: rest.subarray(0, len).toString() };
}

/** The request with its `expand` applied and its Content-Length made to fit the new body. */
function request(k, c) {
  const bytes = caseBytes(k, c);
  if (!c.expand) return bytes;
  const end = bytes.indexOf("\r\n\r\n");
  const body = bytes.subarray(end + 4);
  const head = bytes.subarray(0, end).toString("latin1").replace(/Content-Length: \d+/i, `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), body]);
}

function goodRequest(instance) {
  const body = JSON.stringify({ instances: [instance] });
  return Buffer.from(`POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const servers = new Map();
after(async () => { for (const s of servers.values()) await stop(s.child); });

async function serverFor(model) {
  if (!servers.has(model)) {
    const s = await startServer(modelPath(model));
    const port = Number(new URL(s.base).port);
    const good = goodRequest(goodInstances()[model]);
    const first = await send(port, good);
    assert.equal(first.status, 200, first.body);
    servers.set(model, { ...s, port, good, answer: first.body });
  }
  return servers.get(model);
}

function peakRssKib(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return Number(line.split(/\s+/)[1]);
}

test("every raw HTTP case gets its status and code, and the server still answers a good request", async () => {
  const k = kind("http");
  for (const c of k.cases) {
    const s = await serverFor(c.model ?? "iris");
    const where = `${c.file}: ${c.name}`;
    const t = Date.now();
    const r = await send(s.port, request(k, c), c.half_close);
    let code = "CLOSED";
    if (r) {
      let body = null;
      try { body = JSON.parse(r.body); } catch { /* not JSON: the HTTP layer's own answer */ }
      code = body?.code ?? body?.error_code ?? `HTTP_${r.status}`;
      assert.equal(r.status, c.status, `${where}: ${r.status} ${r.body}`);
      if (c.row !== undefined) assert.equal(body?.row, c.row, `${where}: ${r.body}`);
    }
    assert.equal(code, c.code, `${where}: ${r?.status} ${r?.body}`);
    assert.ok(Date.now() - t < CASE_MS, where);
    assert.equal(s.child.exitCode, null, `${where}: the server exited`);
    const again = await send(s.port, s.good);
    assert.equal(again?.status, 200, `after ${where}`);
    assert.equal(again.body, s.answer, `after ${where}`);
  }
  for (const s of servers.values()) {
    const kib = peakRssKib(s.child.pid);
    console.log(`tandem serve peak RSS ${kib} KiB`);
    assert.ok(kib < RSS_LIMIT_KIB, `peak RSS ${kib} KiB`);
  }
});

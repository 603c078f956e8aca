// Helpers for the server-limit tests: raw sockets that trickle, peak memory, titanic rows.
import net from "node:net";
import { readFileSync } from "node:fs";
import { parityData } from "./server.mjs";

/** Peak resident set size of a process so far (VmHWM), in bytes (Linux). */
export function peakRss(pid) {
  const m = (readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/) ?? [])[1];
  return Number(m) * 1024;
}

/** The titanic parity model and its rows. */
export function titanic() {
  const { model, instancesPath } = parityData("titanic_spec");
  const rows = readFileSync(instancesPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { model, rows };
}

/** `n` rows cycling through `rows`, as a dataframe_records body. */
export const records = (rows, n) => JSON.stringify({ dataframe_records: Array.from({ length: n }, (_, i) => rows[i % rows.length]) });

/**
 * Open a connection to `base`, send `now` at once, then `slow` one byte every `everyMs`;
 * resolves when the server closes the connection, with how long it held on, the status it
 * answered (0: none) and how many slow bytes went out. Past `stopAt` the client gives up.
 */
export function trickle(base, { now = "", slow, everyMs = 100, stopAt = Infinity }) {
  const url = new URL(base);
  const bytes = Buffer.from(slow);
  return new Promise((resolve) => {
    const t0 = performance.now();
    let answer = "";
    let i = 0;
    let tick;
    const s = net.connect(Number(url.port), url.hostname, () => {
      if (now) s.write(now);
      tick = setInterval(() => {
        if (performance.now() > stopAt) return done("gave up");
        if (i >= bytes.length) return clearInterval(tick);
        s.write(bytes.subarray(i, i + 1));
        i++;
      }, everyMs);
    });
    let settled = false;
    const done = (how) => {
      if (settled) return;
      settled = true;
      clearInterval(tick);
      s.destroy();
      resolve({ how, ms: performance.now() - t0, status: Number(answer.match(/^HTTP\/1\.1 (\d+)/)?.[1] ?? 0), sent: i });
    };
    s.on("data", (d) => (answer += d));
    s.on("end", () => done("closed"));
    s.on("error", () => done("reset"));
    s.on("close", () => done("closed"));
  });
}

/** A request head that never ends, and one whose body of `n` bytes is slow to come. */
export const endlessHead = "POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" + "x-pad: " + "a".repeat(100000);
export const bodyHead = (n) => `POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\n\r\n`;

/** Wait for a child to exit; resolves with its code, signal and the time it took. */
export function exited(child) {
  const t0 = performance.now();
  return new Promise((r) => child.on("exit", (code, signal) => r({ code, signal, ms: performance.now() - t0 })));
}

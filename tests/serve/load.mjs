// A bounded HTTP load generator for Tandem servers (no third-party tool): `connections`
// keep-alive connections each sending one single-row /invocations request after another for
// `seconds`, while malformed and slow requests interleave on their own connections.
import http from "node:http";
import { readFileSync } from "node:fs";
import net from "node:net";

export async function load(base, { connections = 64, seconds = 10, body }) {
  const url = new URL(`${base}/invocations`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  const statuses = new Map();
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const once = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline) await once();
  };
  // Disturbances: malformed JSON, a wrong content type, and a client that sends its body one
  // byte every 50 ms.
  let disturbances = 0;
  const disturbanceStatuses = {};
  const disturb = async () => {
    while (performance.now() < deadline) {
      for (const [type, b] of [["application/json", "{oops"], ["text/plain", "hi"]]) {
        await new Promise((resolve) => {
          const req = http.request(url, { method: "POST", headers: { "content-type": type } }, (res) => {
            disturbanceStatuses[res.statusCode] = (disturbanceStatuses[res.statusCode] ?? 0) + 1;
            res.resume();
            res.on("end", resolve);
          });
          req.on("error", resolve);
          req.end(b);
        });
        disturbances++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const slowClient = () =>
    new Promise((resolve) => {
      const s = net.connect(Number(url.port), url.hostname, () => {
        s.write(`POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
        let i = 0;
        const tick = setInterval(() => {
          if (i >= body.length || performance.now() > deadline) {
            clearInterval(tick);
            s.end();
            resolve();
            return;
          }
          s.write(body[i++]);
        }, 50);
      });
      s.on("error", resolve);
      s.on("data", () => {});
    });
  const started = performance.now();
  await Promise.all([...Array.from({ length: connections }, worker), disturb(), slowClient(), slowClient()]);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    connections,
    seconds: elapsed,
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    statuses: Object.fromEntries(statuses),
    errors,
    disturbances,
    disturbanceStatuses,
  };
}

/** Resident set size of a process, in bytes (Linux). */
export function rss(pid) {
  const m = (readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/) ?? [])[1];
  return Number(m) * 1024;
}

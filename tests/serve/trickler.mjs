// Worker thread of slow-clients.test.mjs: 250 connections trickling headers and 250
// trickling bodies, each reconnecting when cut off, until `seconds` pass; posts back every
// cut-off. On its own thread so the well-behaved clients' latencies are the server's, not
// this event loop's.
import { parentPort, workerData } from "node:worker_threads";
import { bodyHead, endlessHead, trickle } from "./limits.mjs";

const { base, seconds, each } = workerData;
const stopAt = performance.now() + seconds * 1000;
const cut = { header: [], body: [] };
const trickler = async (kind) => {
  while (performance.now() < stopAt) {
    const r = kind === "header"
      ? await trickle(base, { slow: endlessHead, everyMs: 200, stopAt })
      : await trickle(base, { now: bodyHead(60000), slow: "x".repeat(60000), everyMs: 200, stopAt });
    if (r.how !== "gave up") cut[kind].push(r);
  }
};
await Promise.all([...Array.from({ length: each }, () => trickler("header")), ...Array.from({ length: each }, () => trickler("body"))]);
parentPort.postMessage(cut);

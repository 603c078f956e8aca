// Start and stop the native server for the serving tests.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
export const bin = path.join(root, "target/debug/tandem");

export function parityData(name) {
  const dir = path.join(root, "target/parity", name);
  const summary = JSON.parse(readFileSync(path.join(dir, "summary.json"), "utf8"));
  const model = summary.model.startsWith("/") ? summary.model : path.join(root, summary.model);
  return { summary, model, instancesPath: path.join(dir, "instances.jsonl") };
}

/** Start `tandem serve`; resolves with its base URL once it listens. */
export function startServer(model, extra = [], binary = bin, stderr = "pipe") {
  const child = spawn(binary, ["serve", "--model", model, "--port", "0", ...extra], { stdio: ["ignore", "pipe", stderr] });
  const log = [];
  child.stderr?.on("data", (d) => log.push(String(d)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ base: m[1], child, log });
    });
    child.on("exit", (code) => reject(new Error(`tandem serve exited ${code}: ${log.join("")}`)));
  });
}

export const stop = (child) => new Promise((r) => { child.on("exit", (code, signal) => r({ code, signal })); child.kill("SIGTERM"); });


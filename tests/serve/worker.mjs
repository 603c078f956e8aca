// Start the edge worker (web-demo/edge-worker) under real workerd for the serving tests:
// bundled the way wrangler bundles it (esbuild, `workerd` export condition), the wasm and the
// model as modules, listening on 127.0.0.1. Run directly (`node tests/serve/worker.mjs
// <model.tandem> [NAME=value ...]`) it prints `serving on <base URL>` and serves until killed
// (the Python tests start it so).
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
export const out = path.join(root, "target/edge-worker");

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** Start the worker under workerd with `vars` as its environment (wrangler.toml [vars]);
 *  `dir`: where its build goes (one per concurrent worker). */
export async function startWorker(model, vars = {}, dir = out) {
  mkdirSync(dir, { recursive: true });
  copyFileSync(model, path.join(dir, "model.tandem"));
  copyFileSync(path.join(root, "node_modules/tandem-infer/web/tandem_wasm_bg.wasm"), path.join(dir, "tandem_wasm_bg.wasm"));
  execFileSync(path.join(root, "node_modules/.bin/esbuild"), [
    "web-demo/edge-worker/src/worker.js", "--bundle", "--format=esm", "--platform=neutral",
    "--conditions=workerd,worker,browser", "--main-fields=module,main",
    "--external:tandem-infer/web/tandem_wasm_bg.wasm", "--external:./model.tandem",
    `--outfile=${path.join(dir, "worker.js")}`, "--log-level=warning",
  ], { cwd: root, stdio: "inherit" });
  const port = await freePort();
  writeFileSync(path.join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "tandem-infer/web/tandem_wasm_bg.wasm", wasm = embed "tandem_wasm_bg.wasm"),
    (name = "model.tandem", data = embed "model.tandem"),
  ],
  compatibilityDate = "2025-01-01",
  bindings = [${Object.entries(vars).map(([k, v]) => `(name = ${JSON.stringify(k)}, text = ${JSON.stringify(v)})`).join(", ")}],
);
`);
  const started = performance.now();
  const child = spawn(path.join(root, "node_modules/.bin/workerd"), ["serve", path.join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  // Ready when the socket accepts a connection: no request reaches the worker before the
  // caller's first one (bench/worker-cold-start.mjs times that one).
  for (let i = 0; i < 5000; i++) {
    if (await accepts(port)) return { base, child, log, readyMs: performance.now() - started };
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill();
  throw new Error(`workerd did not listen: ${log.join("")}`);
}

const accepts = (port) => new Promise((resolve) => {
  const s = connect(port, "127.0.0.1");
  s.once("connect", () => { s.destroy(); resolve(true); });
  s.once("error", () => resolve(false));
});


if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [model, ...settings] = process.argv.slice(2);
  const vars = Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)]));
  const worker = await startWorker(path.resolve(model), vars, path.join(out, `run-${process.pid}`));
  worker.child.stdout.pipe(process.stderr);
  worker.child.stderr.pipe(process.stderr);
  const stop = () => { worker.child.kill("SIGTERM"); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`serving on ${worker.base}`);
}

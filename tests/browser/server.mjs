// A static file server for the browser tests, on 127.0.0.1 and a free port.
//   /pkg/...     the built npm package (target/npm/tandem-infer)
//   /parity/...  the parity data (target/parity)
//   /vite/...    the Vite production build (target/vite-app)
//   /site/...    the static site (target/site, scripts/build-site)
//   /...         tests/browser/page
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const mounts = [
  ["/pkg/", path.join(root, "target/npm/tandem-infer")],
  ["/parity/", path.join(root, "target/parity")],
  ["/vite/", path.join(root, "target/vite-app")],
  ["/site/", path.join(root, "target/site")],
  ["/", path.join(here, "page")],
];
const types = { ".tandem": "application/octet-stream", ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

export async function serve() {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    requests.push(url.pathname);
    const [prefix, dir] = mounts.find(([p]) => url.pathname.startsWith(p));
    let file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (file.endsWith("/") || file === dir) file = path.join(file, "index.html");
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((r) => server.close(r)) };
}

// Serve target/site on 127.0.0.1 (the README's main command ends here).
//   node scripts/serve-site.mjs [port]   (default 8080; 0 picks a free port)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";

const dir = path.resolve(import.meta.dirname, "../target/site");
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".tandem": "application/octet-stream", ".json": "application/json" };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  let file = path.join(dir, decodeURIComponent(url.pathname));
  if (!file.startsWith(dir)) return res.writeHead(403).end();
  if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
  try {
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
});
server.listen(Number(process.argv[2] ?? process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`site: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
});

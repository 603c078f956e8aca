// Size report: raw / gzip / brotli bytes of every file in a folder (default: the built npm
// package), and budgets that fail the run when a file's brotli size exceeds them.
// Usage: node bench/size-report.mjs [dir ...] [--budget <path in dir>=<KiB brotli> ...]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const args = process.argv.slice(2);
const budgets = [];
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--budget") {
    const [suffix, kib] = args[++i].split("=");
    budgets.push({ suffix, limit: Number(kib) * 1024 });
  } else dirs.push(args[i]);
}
if (dirs.length === 0) dirs.push("target/npm/tandem-infer");

function* walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
for (const dir of dirs) {
  for (const file of walk(dir)) {
    const data = readFileSync(file);
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    const br = zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }).length;
    rows.push({ file, rel: path.relative(dir, file), raw: data.length, gzip: gz, brotli: br });
  }
}
const w = Math.max(4, ...rows.map((r) => r.file.length));
console.log(`${"file".padEnd(w)}  ${"raw".padStart(11)}  ${"gzip".padStart(11)}  ${"brotli".padStart(11)}`);
for (const r of rows) {
  console.log(`${r.file.padEnd(w)}  ${kib(r.raw).padStart(11)}  ${kib(r.gzip).padStart(11)}  ${kib(r.brotli).padStart(11)}`);
}
if (process.env.SIZE_JSON) console.log(JSON.stringify(rows));
let over = 0;
for (const { suffix, limit } of budgets) {
  const hits = rows.filter((r) => r.rel === suffix);
  if (hits.length === 0) {
    console.error(`budget: no file ${suffix}`);
    over++;
  }
  for (const r of hits) {
    const ok = r.brotli <= limit;
    console.log(`budget ${ok ? "ok  " : "OVER"} ${r.file}: ${kib(r.brotli)} brotli, budget ${kib(limit)}`);
    if (!ok) over++;
  }
}
if (over) process.exit(1);

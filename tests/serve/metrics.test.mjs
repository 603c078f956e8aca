// GET /metrics on `tandem serve`: Prometheus' text format with request counts by route and
// status, the latency histogram, rows scored, and drift over the rolling window of live inputs,
// equal to `tandem drift` on the same rows; the window stays bounded. Then the logs: one JSON
// object per line through `tracing`, with level and time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parityData, startServer, stop, bin, root } from "./server.mjs";
import { toCsv } from "./protocol.mjs";

/** Prometheus text → { "name{labels}": value } and the # HELP / # TYPE lines by name. */
function parse(text) {
  const values = {};
  const meta = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^# (HELP|TYPE) (\w+) (.*)$/);
    if (m) (meta[m[2]] ??= {})[m[1]] = m[3];
    else if (line.trim()) {
      const i = line.lastIndexOf(" ");
      values[line.slice(0, i)] = Number(line.slice(i + 1));
    }
  }
  return { values, meta };
}

test("GET /metrics: counts, latency, and the window's drift equal to tandem drift", async () => {
  const { model, summary } = parityData("titanic_spec");
  const split = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(model)), "split.json"), "utf8"));
  const csv = readFileSync(path.join(root, "examples/data/titanic.csv"), "utf8");
  const header = csv.split("\n")[0].split(",");
  // The test split, shifted: every age + 15, a third of the rows in a class never seen.
  const all = execFileSync("python3", ["-c", "import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1])))))", path.join(root, "examples/data/titanic.csv")]);
  const rows = JSON.parse(all).filter((_, i) => split.test.includes(i + 1)).map((r, i) => ({
    name: r.name, sex: r.sex, passengerClass: i % 3 === 0 ? "4th" : r.passengerClass,
    age: r.age === "" ? null : Number(r.age) + 15,
  }));
  assert.ok(header.includes("age") && rows.length > 200);
  const server = await startServer(model, ["--drift-window", "1000"]);
  let text;
  try {
    const post = (batch) => fetch(`${server.base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ instances: batch }) });
    let sent = 0;
    for (let i = 0; i < rows.length; i += 50) {
      assert.equal((await post(rows.slice(i, i + 50))).status, 200);
      sent++;
    }
    // A refused request counts as a 400, and none of its rows enter the window.
    assert.equal((await post([{ ...rows[0], age: "old" }])).status, 400);
    await fetch(`${server.base}/nope`);
    const r = await fetch(`${server.base}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
    text = await r.text();
    const { values, meta } = parse(text);
    assert.equal(values['tandem_requests_total{route="/invocations",status="200"}'], sent);
    assert.equal(values['tandem_requests_total{route="/invocations",status="400"}'], 1);
    assert.equal(values['tandem_requests_total{route="other",status="404"}'], 1);
    assert.equal(values['tandem_request_duration_seconds_count{route="/invocations"}'], sent + 1);
    assert.equal(values['tandem_request_duration_seconds_bucket{route="/invocations",le="+Inf"}'], sent + 1);
    assert.equal(values.tandem_rows_scored_total, rows.length);
    assert.equal(values.tandem_drift_window_rows, rows.length);
    assert.equal(values[`tandem_model_info{run_id="${summary.run_id}"}`], 1);
    assert.equal(meta.tandem_drift_psi.TYPE, "gauge");
    assert.match(meta.tandem_drift_psi.HELP, /stability index/);
    // The same rows through `tandem drift`: the same numbers.
    const dir = path.join(root, "target/serve");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "window.csv");
    writeFileSync(file, toCsv(["name", "sex", "age", "passengerClass"], rows));
    const report = JSON.parse(execFileSync(bin, ["drift", "--model", model, "--data", file, "--json", "--no-record"], { encoding: "utf8" })).drift;
    for (const f of report.fields) {
      assert.ok(Math.abs(values[`tandem_drift_psi{field="${f.field}"}`] - f.psi) < 1e-12, `psi ${f.field}`);
      assert.ok(Math.abs(values[`tandem_drift_js{field="${f.field}"}`] - f.js) < 1e-12, `js ${f.field}`);
      assert.equal(values[`tandem_drift_status{field="${f.field}"}`], { stable: 0, moderate: 1, drifted: 2 }[f.status], f.field);
    }
    assert.equal(values['tandem_drift_status{field="age"}'], 2);
    assert.equal(values['tandem_drift_status{field="passengerClass"}'], 2);
    assert.equal(values['tandem_drift_status{field="sex"}'], 0);
    assert.equal(values.tandem_drift_drifted_share, report.drifted_share);
    // Bounded: past the window's size the oldest rows go.
    for (let i = 0; i < 4; i++) await post(rows);
    assert.equal(parse(await (await fetch(`${server.base}/metrics`)).text()).values.tandem_drift_window_rows, 1000);
    // Only GET, HEAD and OPTIONS.
    const wrong = await fetch(`${server.base}/metrics`, { method: "POST" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD, OPTIONS");
  } finally {
    await stop(server.child);
  }
  writeFileSync(path.join(root, "target/serve/metrics.txt"), text);
  const lines = server.log.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.every((l) => typeof l.ts === "string" && ["info", "warn", "error"].includes(l.level)), "every log line is a JSON event with its level and time");
  assert.ok(lines.some((l) => l.event === "listening" && l.run_id === summary.run_id));
  assert.ok(lines.some((l) => l.path === "/metrics" && l.status === 200));
});

test("--drift-window 0 keeps no rows and sets no drift gauges; /metrics asks for the token like every route", async () => {
  const { model } = parityData("titanic_spec");
  const dir = path.join(root, "target/serve");
  mkdirSync(dir, { recursive: true });
  const token = path.join(dir, "metrics-token");
  writeFileSync(token, "s3cret\n");
  const server = await startServer(model, ["--drift-window", "0", "--auth-token-file", token]);
  try {
    assert.equal((await fetch(`${server.base}/metrics`)).status, 401);
    const auth = { authorization: "Bearer s3cret" };
    const rows = [{ name: "Bird, Miss. Ellen", sex: "female", age: 29, passengerClass: "1st" }];
    await fetch(`${server.base}/invocations`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ instances: rows }) });
    const { values } = parse(await (await fetch(`${server.base}/metrics`, { headers: auth })).text());
    assert.equal(values.tandem_rows_scored_total, 1);
    assert.equal(values.tandem_drift_window_rows, 0);
    assert.equal(Object.keys(values).filter((k) => k.startsWith("tandem_drift_psi")).length, 0);
  } finally {
    await stop(server.child);
  }
});

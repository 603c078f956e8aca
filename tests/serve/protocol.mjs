// One protocol test suite for every Tandem server (native `tandem serve`, the edge worker):
// given a base URL and the parity data, it checks MLflow's scoring protocol end to end, and
// that every answer without a prediction in it is, byte for byte, what tandem-core says
// (asked through the npm package, loaded with the same bundle).
import assert from "node:assert/strict";
import net from "node:net";
import { constants } from "tandem-infer";

/** CSV text of `rows` with the schema's fields as header. */
export function toCsv(fields, rows) {
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [fields.join(","), ...rows.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
}

async function post(base, body, type = "application/json", extra = {}, route = "/invocations") {
  const r = await fetch(`${base}${route}`, { method: "POST", headers: { "content-type": type, ...extra }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  const headers = (want) => Object.fromEntries(Object.keys(want.headers).map((h) => [h, r.headers.get(h)]));
  return { status: r.status, json, text, type: r.headers.get("content-type"), headers };
}

/** Status, content type, headers and body text of a response, in the shape of tandem-core's
 *  answer `want` (its headers read from the response; the same answer without a body for
 *  `HEAD`). */
async function answer(r, want) {
  const headers = Object.fromEntries(Object.keys(want?.headers ?? {}).map((h) => [h, r.headers.get(h)]));
  return { status: r.status, contentType: r.headers.get("content-type"), headers, body: await r.text() };
}

/** tandem-core's answer as a server sends it to `method` (no body for `HEAD`, 204). */
const sent = (a, method = "GET") => (a && (method === "HEAD" || a.status === 204) ? { ...a, body: "" } : a);

/**
 * Run the suite. `expected[i]` is `tandem predict`'s prediction for `rows[i]`. `core`: the
 * npm package's Model on the same bundle; `serving`: what the server knows beyond the bundle
 * (`{ model, modelVersion, maxBodyBytes, maxRows, maxCells, corsOrigins }`, as `Model.route`
 * takes it); the server must allow `serving.corsOrigins[0]` (a single origin, not `*`).
 */
export async function protocolSuite(t, base, { schema, rows, expected, core, serving = {} }) {
  const fields = schema.fields.map((f) => f.name);
  const limits = { maxBody: serving.maxBodyBytes ?? constants().limits.max_body_bytes };
  const same = (got, what) => {
    assert.equal(got.status, 200, `${what}: ${got.text.slice(0, 300)}`);
    assert.equal(got.json.predictions.length, expected.length, what);
    got.json.predictions.forEach((p, i) => close(p, expected[i], `${what}: row ${i}`));
  };

  await t.test("GET /ping, /health, /version, /schema, /metadata", async () => {
    assert.equal((await fetch(`${base}/ping`)).status, 200);
    const health = await (await fetch(`${base}/health`)).json();
    assert.equal(health.status, "ok");
    const version = await (await fetch(`${base}/version`)).json();
    assert.match(version.tandem, /^\d+\.\d+\.\d+/);
    assert.deepEqual(await (await fetch(`${base}/schema`)).json(), schema);
    assert.equal((await (await fetch(`${base}/metadata`)).json()).run_id, health.run_id);
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error_code, "ENDPOINT_NOT_FOUND");
  });

  await t.test("GET routes, 404 and 413 answer exactly what tandem-core says", async () => {
    const routes = constants().routes.get;
    assert.ok(routes.includes("/version") && routes.length >= 5);
    for (const route of routes) {
      const want = core.route("GET", route, 0, serving);
      assert.deepEqual(await answer(await fetch(`${base}${route}`), want), want, route);
    }
    for (const [method, route] of [["GET", "/nope"], ["POST", "/ping"], ["DELETE", "/metadata"], ["GET", "/invocations"], ["OPTIONS", "/schema"]]) {
      const want = sent(core.route(method, route, 0, serving), method);
      assert.deepEqual(await answer(await fetch(`${base}${route}`, { method }), want), want, `${method} ${route}`);
    }
    const big = "x".repeat(limits.maxBody + 1);
    const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    const tooBig = core.route("POST", "/invocations", big.length, serving);
    assert.deepEqual(await answer(r, tooBig), tooBig);
    assert.equal(core.route("POST", "/invocations", limits.maxBody, serving), null);
  });

  await t.test("every refused request gets the bytes tandem-core answers", async () => {
    const bad = [
      ["application/json", "{not json"],
      ["application/json", JSON.stringify({ dataframe_records: rows, params: { strict: "yes" } })],
      ["application/json", JSON.stringify({ dataframe_records: rows, params: { temperature: 2 } })],
      ["application/json", JSON.stringify({ inputs: { [fields[0]]: 3 } })],
      ["application/json", JSON.stringify({ dataframe_records: [rows[0], { ...rows[0], [numeric(schema)]: "old" }] })],
      ["text/csv", "a,b\n1,2,3\n"],
      ["text/plain", "hello"],
      ["application/json", JSON.stringify({ dataframe_split: { columns: fields.slice(1), data: [] } })],
      ["application/json", `{"instances": [${JSON.stringify(rows[0]).replace(/}$/, `, "${numeric(schema)}": Infinity}`)}]}`],
    ];
    for (const [type, body] of bad) {
      const want = core.invocations(type, body, serving);
      assert.notEqual(want.status, 200, body.slice(0, 80));
      const got = await post(base, body, type);
      assert.deepEqual({ status: got.status, contentType: got.type, headers: got.headers(want), body: got.text }, want, body.slice(0, 80));
    }
  });

  await t.test("all four JSON formats and CSV give tandem predict's predictions", async () => {
    same(await post(base, { dataframe_records: rows }), "dataframe_records");
    same(await post(base, { instances: rows }), "instances");
    same(await post(base, { inputs: rows }), "inputs (records)");
    same(await post(base, { inputs: Object.fromEntries(fields.map((f) => [f, rows.map((r) => r[f] ?? null)])) }), "inputs (columns)");
    same(await post(base, { dataframe_split: { columns: fields, data: rows.map((r) => fields.map((f) => r[f] ?? null)) } }), "dataframe_split");
    same(await post(base, { dataframe_split: { columns: fields, data: rows.map((r) => fields.map((f) => r[f] ?? null)), index: rows.map((_, i) => i) } }), "dataframe_split with index");
    same(await post(base, toCsv(fields, rows), "text/csv"), "text/csv");
    same(await post(base, toCsv(fields, rows), "text/csv; charset=utf-8"), "text/csv; charset");
    same(await post(base, { dataframe_records: rows }, "application/json; charset=utf-8"), "json; charset");
  });

  await t.test("params, unicode, empty and large batches", async () => {
    const r = await post(base, { dataframe_records: rows.slice(0, 3), params: { range: "clip", strict: false } });
    assert.equal(r.status, 200);
    const unknown = await post(base, { dataframe_records: [{ ...rows[0], [categorical(schema)]: "§never-seen§" }], params: { strict: true } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.code, "UNKNOWN_CATEGORY");
    assert.equal(unknown.json.row, 1, "rows are numbered from 1");
    const bad = await post(base, { dataframe_records: rows, params: { temperature: 2 } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /temperature/);
    const text = textField(schema);
    if (text) {
      const u = await post(base, { dataframe_records: [{ ...rows[0], [text]: "Zoë, Mme. Ünïcødé 日本 🚢" }] });
      assert.equal(u.status, 200, u.text);
    }
    const empty = await post(base, { dataframe_records: [] });
    assert.deepEqual(empty.json, { predictions: [] });
    const big = Array.from({ length: 10000 }, (_, i) => rows[i % rows.length]);
    const r10k = await post(base, { dataframe_records: big });
    assert.equal(r10k.status, 200);
    assert.equal(r10k.json.predictions.length, 10000);
    close(r10k.json.predictions[rows.length], expected[0], "10k batch");
  });

  await t.test("every error status, as JSON with MLflow's error codes", async () => {
    const cases = [
      [await post(base, "{not json"), 400, "BAD_REQUEST"],
      [await post(base, { dataframe_records: rows, instances: rows }), 400, "BAD_REQUEST"],
      [await post(base, { params: {} }), 400, "BAD_REQUEST"],
      [await post(base, { columns: [] }), 400, "BAD_REQUEST"],
      [await post(base, [1, 2]), 400, "BAD_REQUEST"],
      [await post(base, { dataframe_split: { columns: fields, data: [[1]] } }), 400, "BAD_REQUEST"],
      [await post(base, { dataframe_records: [null] }), 400, "BAD_REQUEST"],
      [await post(base, { dataframe_records: [{ ...rows[0], [numeric(schema)]: "old" }] }), 400, "BAD_REQUEST"],
      [await post(base, "a,b\n1,2,3\n", "text/csv"), 400, "BAD_REQUEST"],
      [await post(base, "hello", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [await post(base, "hello", ""), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [await post(base, "x".repeat(limits.maxBody + 1), "application/json"), 413, "REQUEST_TOO_LARGE"],
    ];
    for (const [r, status, code] of cases) {
      assert.equal(r.status, status, r.text.slice(0, 200));
      assert.equal(r.json.error_code, code, r.text.slice(0, 200));
      assert.ok(r.json.message.length > 0);
      assert.match(r.type ?? "", /application\/json/);
    }
    const typed = await post(base, { dataframe_records: [rows[0], { ...rows[0], [numeric(schema)]: "old" }] });
    assert.equal(typed.json.row, 2, "the second record is row 2");
    assert.equal(typed.json.field, numeric(schema));
    assert.equal(typed.json.code, "WRONG_TYPE");
    // The server is still healthy after all of that.
    same(await post(base, { dataframe_records: rows }), "after errors");
  });

  await t.test("a body of more rows or values than the limits is 413 before parsing, as tandem-core answers it", async () => {
    const maxRows = serving.maxRows ?? constants().limits.max_request_rows;
    const maxCells = serving.maxCells ?? constants().limits.max_request_cells;
    const wide = Math.ceil(maxCells / 1000);
    const bodies = {
      TOO_MANY_ROWS: `{"instances": [${"{},".repeat(maxRows)}{}]}`,
      TOO_MANY_CELLS: JSON.stringify({ dataframe_split: { columns: fields, data: Array.from({ length: 1001 }, () => Array(wide).fill(0)) } }),
    };
    for (const [code, body] of Object.entries(bodies)) {
      const want = core.invocations("application/json", new TextEncoder().encode(body), serving);
      assert.equal(want.status, 413, code);
      assert.equal(JSON.parse(want.body).error_code, code);
      const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body });
      assert.deepEqual(await answer(r, want), want, code);
    }
    same(await post(base, { dataframe_records: rows }), "after the refusals");
  });

  await t.test("GET /invocations is a 405 whose Allow names POST, as MLflow answers it", async () => {
    const r = await fetch(`${base}/invocations`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.get("allow"), "POST, OPTIONS");
    assert.equal((await r.json()).error_code, "METHOD_NOT_ALLOWED");
  });

  await t.test("HEAD on every GET route answers GET's status and headers without a body", async () => {
    for (const route of constants().routes.get) {
      const get = await fetch(`${base}${route}`);
      const head = await fetch(`${base}${route}`, { method: "HEAD" });
      assert.equal(head.status, get.status, route);
      assert.equal(head.headers.get("content-type"), get.headers.get("content-type"), route);
      assert.equal(await head.text(), "", route);
    }
  });

  await t.test("OPTIONS answers 204 with Allow on every known path", async () => {
    for (const [route, allow] of [["/invocations", "POST, OPTIONS"], ["/explain", "POST, OPTIONS"], ...constants().routes.get.map((r) => [r, "GET, HEAD, OPTIONS"])]) {
      const r = await fetch(`${base}${route}`, { method: "OPTIONS" });
      assert.equal(r.status, 204, route);
      assert.equal(r.headers.get("allow"), allow, route);
      assert.equal(await r.text(), "");
    }
  });

  await t.test("CORS: a preflight from an allowed origin is answered, answers carry the origin, other origins get nothing", async () => {
    const origin = serving.corsOrigins[0];
    const pre = await fetch(`${base}/invocations`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), origin);
    assert.match(pre.headers.get("access-control-allow-methods"), /POST/);
    assert.match(pre.headers.get("access-control-allow-headers"), /content-type/i);
    const want = sent(core.route("OPTIONS", "/invocations", 0, serving, origin));
    assert.deepEqual(await answer(await fetch(`${base}/invocations`, { method: "OPTIONS", headers: { origin } }), want), want);
    const r = await post(base, { dataframe_records: rows.slice(0, 1) }, "application/json", { origin });
    assert.equal(r.status, 200);
    const got = await fetch(`${base}/schema`, { headers: { origin } });
    assert.equal(got.headers.get("access-control-allow-origin"), origin);
    const refused = await post(base, "{oops", "application/json", { origin });
    assert.equal(refused.status, 400);
    const other = await fetch(`${base}/invocations`, { method: "OPTIONS", headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    assert.equal((await fetch(`${base}/schema`, { headers: { origin: "https://elsewhere.example" } })).headers.get("access-control-allow-origin"), null);
  });

  await t.test("POST /explain answers tandem-core's explanations, byte for byte, and its refusals", async () => {
    const bodies = [
      ["application/json", JSON.stringify({ instances: rows.slice(0, 3), params: { seed: 7 } })],
      ["application/json", JSON.stringify({ dataframe_records: rows.slice(3, 5), params: { method: "sampled", permutations: 6, seed: 3 } })],
      ["text/csv", toCsv(fields, rows.slice(0, 2))],
      ["application/json", JSON.stringify({ instances: rows.slice(0, 1), params: { permutations: 0 } })],
      ["application/json", JSON.stringify({ instances: rows.slice(0, 1), params: { seed: -1 } })],
      ["application/json", JSON.stringify({ instances: rows.slice(0, 1), params: { output: "plain" } })],
      ["application/json", JSON.stringify({ instances: [rows[0], { ...rows[0], [numeric(schema)]: "old" }] })],
      ["application/json", JSON.stringify({ instances: Array.from({ length: 101 }, () => rows[0]) })],
    ];
    for (const [type, body] of bodies) {
      const want = core.explanations(type, body, serving);
      const got = await post(base, body, type, {}, "/explain");
      assert.deepEqual({ status: got.status, contentType: got.type, headers: got.headers(want), body: got.text }, want, body.slice(0, 80));
    }
    const ok = await post(base, bodies[0][1], "application/json", {}, "/explain");
    assert.equal(ok.status, 200);
    assert.equal(ok.json.explanations.length, 3);
    ok.json.explanations.forEach((e, i) => close(e.prediction, expected[i], `explanation ${i}: prediction`));
    const refusals = await Promise.all(bodies.slice(3).map(([type, body]) => post(base, body, type, {}, "/explain")));
    assert.deepEqual(refusals.map((r) => [r.status, r.json.code ?? r.json.error_code]), [
      [400, "BAD_OPTION"], [400, "BAD_OPTION"], [400, "BAD_OPTION"], [400, "WRONG_TYPE"], [413, "TOO_MANY_ROWS"],
    ]);
    assert.equal(refusals[3].json.row, 2);
  });

  await t.test("a body far past the limit by its Content-Length is refused with 413 before it is sent", async () => {
    // (Up to 1 MiB past the limit a server may read and drop the body, so that a client still
    // uploading reads its 413 rather than a reset: the 413 test above.)
    const declared = limits.maxBody + 16 * 2 ** 20;
    const { status, body } = await declareOnly(base, declared);
    const want = core.route("POST", "/invocations", declared, serving);
    assert.equal(status, 413);
    assert.deepEqual(JSON.parse(body), JSON.parse(want.body));
  });

  await t.test("NaN tokens are missing values in every JSON format, as MLflow's clients write them", async () => {
    const num = numeric(schema);
    const nulled = rows.map((r) => ({ ...r, [num]: null }));
    const want = await post(base, { dataframe_records: nulled });
    assert.equal(want.status, 200, `a missing ${num} is accepted: ${want.text.slice(0, 200)}`);
    const asNaN = (text) => text.replaceAll(`"${num}":null`, `"${num}":NaN`);
    const columns = JSON.stringify({ inputs: Object.fromEntries(fields.map((f) => [f, nulled.map((r) => r[f] ?? null)])) })
      .replace(`"${num}":[${nulled.map(() => "null").join(",")}]`, `"${num}":[${nulled.map(() => "NaN").join(",")}]`);
    const bodies = {
      dataframe_records: asNaN(JSON.stringify({ dataframe_records: nulled })),
      instances: asNaN(JSON.stringify({ instances: nulled })),
      "inputs (records)": asNaN(JSON.stringify({ inputs: nulled })),
      "inputs (columns)": columns,
      dataframe_split: splitWithNaN(fields, nulled, num),
    };
    for (const [what, body] of Object.entries(bodies)) {
      assert.ok(body.includes("NaN"), what);
      const got = await post(base, body);
      assert.equal(got.status, want.status, `${what}: ${got.text.slice(0, 200)}`);
      assert.equal(got.text, want.text, what);
    }
  });

  await t.test("Infinity tokens are refused as not finite, naming the field and row", async () => {
    const num = numeric(schema);
    for (const token of ["Infinity", "-Infinity"]) {
      const body = `{"dataframe_records": [${JSON.stringify(rows[0])}, ${JSON.stringify({ ...rows[1], [num]: 0 }).replace(`"${num}":0`, `"${num}":${token}`)}]}`;
      const r = await post(base, body);
      assert.equal(r.status, 400, token);
      assert.deepEqual([r.json.code, r.json.row, r.json.field], ["NOT_FINITE", 2, num], token);
    }
  });

  await t.test("a column batch lacking fields is refused naming every absent column; a record without a key is missing in that row", async () => {
    const kept = fields.slice(2);
    const data = rows.map((r) => kept.map((f) => r[f] ?? null));
    for (const body of [
      { dataframe_split: { columns: kept, data } },
      { inputs: Object.fromEntries(kept.map((f) => [f, rows.map((r) => r[f] ?? null)])) },
    ]) {
      const r = await post(base, body);
      assert.equal(r.status, 400);
      assert.equal(r.json.code, "MISSING_FIELD");
      for (const f of fields.slice(0, 2)) assert.ok(r.json.message.includes(`\`${f}\``), r.json.message);
    }
    const csv = await post(base, toCsv(kept, rows), "text/csv");
    assert.equal(csv.json.code, "MISSING_FIELD");
    const without = rows.map(({ [fields[0]]: _, ...rest }, i) => (i === 1 ? rest : { ...rows[i] }));
    const nulled = rows.map((r, i) => (i === 1 ? { ...r, [fields[0]]: null } : r));
    const a = await post(base, { dataframe_records: without });
    const b = await post(base, { dataframe_records: nulled });
    assert.deepEqual([a.status, a.text], [b.status, b.text]);
  });

  await t.test("params.output plain answers MLflow's list of labels or values", async () => {
    const r = await post(base, { dataframe_records: rows, params: { output: "plain" } });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    const want = expected.map((p) => ("label" in p ? p.label : p.value));
    assert.equal(r.json.predictions.length, want.length);
    r.json.predictions.forEach((p, i) => (typeof p === "string" ? assert.equal(p, want[i]) : assert.ok(Math.abs(p - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])))));
    const warned = expected.map((p, i) => (p.warnings ?? []).map((w) => ({ row: i, ...w }))).flat();
    assert.deepEqual(r.json.warnings ?? [], warned);
  });
}

/** A dataframe_split body of `rows` with `num` spelled NaN in every row. */
function splitWithNaN(fields, rows, num) {
  const cell = (r, f) => (f === num ? "NaN" : JSON.stringify(r[f] ?? null));
  return `{"dataframe_split": {"columns": ${JSON.stringify(fields)}, "data": [${rows.map((r) => `[${fields.map((f) => cell(r, f)).join(",")}]`).join(",")}]}}`;
}

/** Send only the headers of a POST declaring `length` body bytes; the status and body of the
 *  answer, which must come before any body byte is sent. */
function declareOnly(base, length) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(url.port), url.hostname, () => {
      s.write(`POST /invocations HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`);
    });
    let text = "";
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer before the body: ${text}`)); }, 5000);
    s.on("data", (d) => {
      text += d;
      const m = text.match(/^HTTP\/1\.1 (\d+)[^]*?\r\n\r\n([^]*)$/);
      const len = Number((text.match(/content-length: (\d+)/i) ?? [])[1]);
      if (m && m[2].length >= len) {
        clearTimeout(timer);
        s.destroy();
        resolve({ status: Number(m[1]), body: m[2] });
      }
    });
    s.on("error", (e) => { clearTimeout(timer); reject(e); });
  });
}

// Equal labels and warnings; numbers within tandem-core's SAME_ENGINE_ABS (wasm and native
// libm may differ in the last bit of an exp).
function close(got, want, what) {
  const tolerance = constants().tolerances.same_engine_abs;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), what);
  if ("label" in want) {
    assert.equal(got.label, want.label, what);
    for (const [c, p] of Object.entries(want.probabilities)) assert.ok(Math.abs(got.probabilities[c] - p) <= tolerance, `${what}: ${c}`);
  } else {
    assert.ok(Math.abs(got.value - want.value) <= tolerance * Math.max(1, Math.abs(want.value)), what);
  }
  assert.deepEqual(got.warnings, want.warnings, what);
}

const numeric = (schema) => schema.fields.find((f) => f.type === "number" || f.type === "integer").name;
const categorical = (schema) => schema.fields.find((f) => f.type === "category").name;
const textField = (schema) => schema.fields.find((f) => f.type === "text")?.name;

// One protocol test suite for every Tandem server (native `tandem serve`, the edge worker):
// given a base URL and the parity data, it checks MLflow's scoring protocol end to end, and
// that every answer without a prediction in it is, byte for byte, what tandem-core says
// (asked through the npm package, loaded with the same bundle).
import assert from "node:assert/strict";
import { constants } from "tandem-infer";

/** CSV text of `rows` with the schema's fields as header. */
export function toCsv(fields, rows) {
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [fields.join(","), ...rows.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n";
}

async function post(base, body, type = "application/json") {
  const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text, type: r.headers.get("content-type") };
}

/** Status, content type and body text of a response. */
async function answer(r) {
  return { status: r.status, contentType: r.headers.get("content-type"), body: await r.text() };
}

/**
 * Run the suite. `expected[i]` is `tandem predict`'s prediction for `rows[i]`. `core`: the
 * npm package's Model on the same bundle; `serving`: what the server knows beyond the bundle
 * (`{ model, modelVersion, maxBodyBytes }`, as `Model.route` takes it).
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
      assert.deepEqual(await answer(await fetch(`${base}${route}`)), core.route("GET", route, 0, serving), route);
    }
    for (const [method, route] of [["GET", "/nope"], ["POST", "/ping"], ["DELETE", "/metadata"]]) {
      assert.deepEqual(await answer(await fetch(`${base}${route}`, { method })), core.route(method, route, 0, serving), `${method} ${route}`);
    }
    const big = "x".repeat(limits.maxBody + 1);
    const r = await fetch(`${base}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    assert.deepEqual(await answer(r), core.route("POST", "/invocations", big.length, serving));
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
    ];
    for (const [type, body] of bad) {
      const want = core.invocations(type, body);
      assert.notEqual(want.status, 200, body.slice(0, 80));
      const got = await post(base, body, type);
      assert.deepEqual({ status: got.status, contentType: got.type, body: got.text }, want, body.slice(0, 80));
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
    assert.equal(unknown.json.row, 0);
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
    assert.equal(typed.json.row, 1);
    assert.equal(typed.json.field, numeric(schema));
    assert.equal(typed.json.code, "WRONG_TYPE");
    // The server is still healthy after all of that.
    same(await post(base, { dataframe_records: rows }), "after errors");
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

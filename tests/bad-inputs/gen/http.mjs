// `http`: raw requests sent to a running `tandem serve` over a plain TCP socket, so that
// malformed HTTP is possible. `status` is the answer's status; `code` its JSON body's `code`
// (Tandem's, for a row or option) or else its MLflow `error_code`. A request refused by the
// HTTP layer before Tandem sees it has no JSON body: its code is `HTTP_<status>`; a
// connection closed without any answer is `CLOSED`.

const iris = { sepal_length_cm: 5.1, sepal_width_cm: 3.5, petal_length_cm: 1.4, petal_width_cm: 0.2 };
const j = JSON.stringify;

function post(path, type, body, extraHeaders = "") {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const head = `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${type === null ? "" : `Content-Type: ${type}\r\n`}Content-Length: ${b.length}\r\n${extraHeaders}Connection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), b]);
}
const get = (path, method = "GET", extra = "") => `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;

function table() {
  const c = [];
  const add = (name, raw, status, code, extra = {}) => c.push({ name, raw, status, code, model: "iris", ...extra });
  const json = "application/json";
  // Routes and methods.
  add("unknown path", get("/predict"), 404, "ENDPOINT_NOT_FOUND");
  add("path with a NUL escape", get("/invocations%00"), 404, "ENDPOINT_NOT_FOUND");
  add("path traversal", get("/../../etc/passwd"), 404, "ENDPOINT_NOT_FOUND");
  add("path __proto__", get("/__proto__"), 404, "ENDPOINT_NOT_FOUND");
  add("path constructor", get("/constructor"), 404, "ENDPOINT_NOT_FOUND");
  add("very long path", get(`/${"a".repeat(8000)}`), 404, "ENDPOINT_NOT_FOUND");
  add("GET invocations", get("/invocations"), 405, "METHOD_NOT_ALLOWED");
  add("DELETE ping", get("/ping", "DELETE"), 405, "METHOD_NOT_ALLOWED");
  add("PUT invocations", post("/invocations", json, j({ instances: [iris] })).toString("latin1").replace(/^POST/, "PUT"), 405, "METHOD_NOT_ALLOWED");
  add("POST schema", post("/schema", json, "{}"), 405, "METHOD_NOT_ALLOWED");
  add("custom method", get("/ping", "BREW"), 405, "METHOD_NOT_ALLOWED");
  // Bodies.
  add("empty JSON body", post("/invocations", json, ""), 400, "BAD_REQUEST");
  add("truncated JSON body", post("/invocations", json, j({ instances: [iris] }).slice(0, 25)), 400, "BAD_REQUEST");
  add("body shorter than its Content-Length", Buffer.concat([Buffer.from(`POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: 1000\r\n\r\n`), Buffer.from(j({ instances: [iris] }))]), 400, "BAD_REQUEST", { half_close: true });
  add("no content type", post("/invocations", null, j({ instances: [iris] })), 415, "UNSUPPORTED_MEDIA_TYPE");
  add("content type text/plain", post("/invocations", "text/plain", j({ instances: [iris] })), 415, "UNSUPPORTED_MEDIA_TYPE");
  add("content type with a bad charset", post("/invocations", "application/json; charset=ebcdic", "{\"instances\": 5}"), 400, "BAD_REQUEST");
  add("bare NaN beside a syntax error", post("/invocations", json, `{"instances": [{"sepal_length_cm": NaN,, "sepal_width_cm": 3.5}]}`), 400, "BAD_REQUEST");
  add("bare Infinity", post("/invocations", json, `{"instances": [{"sepal_length_cm": Infinity, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`), 400, "NOT_FINITE", { row: 1 });
  add("deep nesting", post("/invocations", json, `{"instances": ${"[".repeat(10000)}${"]".repeat(10000)}}`), 400, "BAD_REQUEST");
  add("BOM before the JSON", post("/invocations", json, `\ufeff${j({ instances: [iris] })}`), 400, "BAD_REQUEST");
  add("invalid UTF-8 body", post("/invocations", json, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, "BAD_REQUEST");
  add("duplicate key, the last one bad", post("/invocations", json, `{"instances": [{"sepal_length_cm": 5.1, "sepal_length_cm": "x", "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`), 400, "WRONG_TYPE", { row: 1 });
  add("__proto__ holding the rows", post("/invocations", json, `{"__proto__": {"instances": [${j(iris)}]}}`), 400, "BAD_REQUEST");
  add("__proto__ param", post("/invocations", json, `{"instances": [${j(iris)}], "params": {"__proto__": {"output": "plain"}}}`), 400, "BAD_OPTION");
  add("too many rows (--max-rows)", post("/invocations", json, `{"instances": [ROWS{}]}`), 413, "TOO_MANY_ROWS", { expand: { marker: "ROWS", repeat: "{},", count: 1000000 } });
  add("csv body with semicolons and other names", post("/invocations", "text/csv", "a;b;c;d\n1;2;3;4\n"), 400, "MISSING_FIELD");
  add("csv body header only of other names", post("/invocations", "text/csv", "a,b,c,d\n"), 400, "MISSING_FIELD");
  add("csv body ragged", post("/invocations", "text/csv", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n1,2\n"), 400, "CSV", { row: 1 });
  add("text too long", post("/invocations", json, `{"instances": [{"name": "HUGE"}]}`), 400, "TOO_LONG", { model: "titanic", row: 1, expand: { marker: "HUGE", repeat: "q", count: 1048577 } });
  add("unknown category strict", post("/invocations", json, j({ instances: [{ name: "Doe, Mr. John", sex: "robot" }], params: { strict: true } })), 400, "UNKNOWN_CATEGORY", { model: "titanic", row: 1 });
  // Malformed HTTP.
  add("garbage request line", "HELLO\r\n\r\n", 400, "HTTP_400");
  add("request line without a version", "GET /ping\r\n\r\n", 400, "HTTP_400");
  add("HTTP/2 preface on an HTTP/1 port", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, "CLOSED");
  add("unknown HTTP version", "GET /ping HTTP/9.9\r\nHost: localhost\r\n\r\n", 400, "HTTP_400");
  add("header without a colon", "GET /ping HTTP/1.1\r\nHost localhost\r\n\r\n", 400, "HTTP_400");
  add("header name with a space", "GET /ping HTTP/1.1\r\nHo st: localhost\r\n\r\n", 400, "HTTP_400");
  add("NUL in a header value", "GET /ping HTTP/1.1\r\nHost: local\u0000host\r\n\r\n", 400, "HTTP_400");
  add("non-numeric Content-Length", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: ten\r\n\r\n{}`, 400, "HTTP_400");
  add("negative Content-Length", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: -1\r\n\r\n{}`, 400, "HTTP_400");
  add("two different Content-Lengths", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, "HTTP_400");
  add("Content-Length past u64", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: 99999999999999999999999\r\n\r\n{}`, 400, "HTTP_400");
  add("bad chunk size", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400, "BAD_REQUEST");
  add("unknown transfer encoding", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nTransfer-Encoding: gzip\r\n\r\n{}`, 400, "HTTP_400");
  add("huge header section", `GET /ping HTTP/1.1\r\nHost: localhost\r\nX-Big: BIG\r\n\r\n`, 431, "HTTP_431", { expand: { marker: "BIG", repeat: "a", count: 1000000 } });
  add("many headers", `GET /ping HTTP/1.1\r\nHost: localhost\r\n${"X-A: 1\r\n".repeat(500)}\r\n`, 431, "HTTP_431");
  add("Content-Length above the body limit", `POST /invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${json}\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n{}`, 413, "REQUEST_TOO_LARGE", { half_close: true });
  return c;
}

export function http() {
  return table().map((c, i) => {
    const { raw, ...rest } = c;
    const file = `${String(i + 1).padStart(3, "0")}.http`;
    return { case: { ...rest, file }, file, content: Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "latin1") };
  });
}

// `instances`: JSON bodies a Model reads, natively and through the npm package.
// `mode: "predict"`: the file is one instance (JSON both serde_json and JSON.parse read the
// same way) for `Model::predict` / `model.predict(JSON.parse(text), options)`; `code` is the
// TandemError code. `mode: "invocations"`: the file is a scoring-protocol body (any bytes) for
// `protocol::invocations` / `model.invocations(content_type, bytes)`; `status` is the HTTP
// status and `code` the answer's `code` (Tandem's, when a row or option is at fault) or else
// its MLflow `error_code`.

const iris = { sepal_length_cm: 5.1, sepal_width_cm: 3.5, petal_length_cm: 1.4, petal_width_cm: 0.2 };
const titanic = { name: "Allen, Miss. Elisabeth Walton", sex: "female", age: 29, passengerClass: "1st" };
const nodes = { when: "2025-11-02 02:52", member: "n", amount: 0, items: 6, city: "Cork", review: "broken delivery" };
const j = JSON.stringify;

function predictCases() {
  const c = [];
  const add = (name, model, text, code, extra = {}) => c.push({ name, model, text, code, mode: "predict", ...extra });
  for (const [what, v] of [["null", "null"], ["array", "[]"], ["string", "\"x\""], ["number", "1"], ["true", "true"], ["array of the instance", `[${j(iris)}]`]]) {
    add(`instance is ${what}`, "iris", v, "NOT_AN_OBJECT");
  }
  const f = "sepal_length_cm";
  for (const [what, v, code] of [
    ["a string", "\"5.1\"", "WRONG_TYPE"], ["text", "\"five\"", "WRONG_TYPE"], ["true", "true", "WRONG_TYPE"],
    ["an array", "[5.1]", "WRONG_TYPE"], ["an object", "{\"v\": 5.1}", "WRONG_TYPE"],
    ["a huge string", "\"HUGE\"", "WRONG_TYPE"], ["deeply nested arrays", `${"[".repeat(100)}${"]".repeat(100)}`, "WRONG_TYPE"],
    ["the string NaN", "\"NaN\"", "WRONG_TYPE"], ["the string Infinity", "\"Infinity\"", "WRONG_TYPE"],
  ]) {
    const extra = v === "\"HUGE\"" ? { expand: { marker: "HUGE", repeat: "9", count: 100000 } } : {};
    add(`number field is ${what}`, "iris", `{"${f}": ${v}, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}`, code, extra);
  }
  add("__proto__ key beside a bad value", "iris", `{"__proto__": ${j(iris)}, "sepal_length_cm": "x", "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}`, "WRONG_TYPE");
  add("constructor key beside a bad value", "iris", `{"constructor": {"prototype": ${j(iris)}}, "sepal_length_cm": [], "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}`, "WRONG_TYPE");
  add("duplicate key, the last one bad", "iris", `{"sepal_length_cm": 5.1, "sepal_length_cm": "x", "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}`, "WRONG_TYPE");
  add("out of range with range error", "iris", j({ ...iris, petal_width_cm: 1e300 }), "OUT_OF_RANGE", { options: { range: "error" } });
  add("negative out of range with range error", "iris", j({ ...iris, petal_width_cm: -1e-300 }), "OUT_OF_RANGE", { options: { range: "error" } });
  add("max double overflows the network", "iris", j({ ...iris, petal_width_cm: 1.7976931348623157e308, petal_length_cm: 1.7976931348623157e308 }), "NON_FINITE_OUTPUT");
  add("unknown option", "iris", j(iris), "BAD_OPTION", { options: { strcit: true } });
  add("__proto__ option", "iris", j(iris), "BAD_OPTION", { options_json: "{\"__proto__\": {\"strict\": true}}" });
  add("range option of a wrong word", "iris", j(iris), "BAD_OPTION", { options: { range: "maybe" } });
  add("strict option as a string", "iris", j(iris), "BAD_OPTION", { options: { strict: "yes" } });
  // Titanic: text and categories.
  add("text field as a number", "titanic", j({ ...titanic, name: 42 }), "WRONG_TYPE");
  add("text field as an array of words", "titanic", j({ ...titanic, name: ["Allen", "Miss"] }), "WRONG_TYPE");
  add("category as an object", "titanic", j({ ...titanic, sex: { female: true } }), "WRONG_TYPE");
  add("category as an array", "titanic", j({ ...titanic, passengerClass: ["1st"] }), "WRONG_TYPE");
  add("category as a number with strict", "titanic", j({ ...titanic, sex: 1 }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("unknown category with strict", "titanic", j({ ...titanic, sex: "robot" }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("category __proto__ with strict", "titanic", j({ ...titanic, passengerClass: "__proto__" }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("category constructor with strict", "titanic", j({ ...titanic, passengerClass: "constructor" }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("category with a trailing NUL with strict", "titanic", j({ ...titanic, sex: "male\u0000" }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("category with a BOM with strict", "titanic", j({ ...titanic, sex: "\ufeffmale" }), "UNKNOWN_CATEGORY", { options: { strict: true } });
  add("text over the length limit", "titanic", j({ ...titanic, name: "HUGE" }), "TOO_LONG", { expand: { marker: "HUGE", repeat: "x", count: 1048577 } });
  add("multibyte text over the length limit", "titanic", j({ ...titanic, name: "HUGE" }), "TOO_LONG", { expand: { marker: "HUGE", repeat: "é", count: 524289 } });
  add("category over the length limit", "titanic", j({ ...titanic, sex: "HUGE" }), "TOO_LONG", { expand: { marker: "HUGE", repeat: "m", count: 1048577 } });
  add("age as text", "titanic", j({ ...titanic, age: "29 years" }), "WRONG_TYPE");
  // Nodes: integers, dates, booleans, expressions.
  add("integer with a fraction", "nodes", j({ ...nodes, items: 6.5 }), "NOT_INTEGER");
  add("integer as a string", "nodes", j({ ...nodes, items: "6" }), "WRONG_TYPE");
  add("integer as -0.5", "nodes", j({ ...nodes, items: -0.5 }), "NOT_INTEGER");
  add("date not in its format", "nodes", j({ ...nodes, when: "02/11/2025" }), "INVALID_VALUE");
  add("date with hour 25", "nodes", j({ ...nodes, when: "2025-11-02 25:00" }), "INVALID_VALUE");
  add("date of a huge year", "nodes", j({ ...nodes, when: "999999999-01-01 00:00" }), "INVALID_VALUE");
  add("date as a number", "nodes", j({ ...nodes, when: 1730000000 }), "WRONG_TYPE");
  add("boolean word outside its lists", "nodes", j({ ...nodes, member: "perhaps" }), "INVALID_VALUE");
  add("amount as text", "nodes", j({ ...nodes, amount: "lots" }), "WRONG_TYPE");
  add("amount below its range with range error", "nodes", j({ ...nodes, amount: -2 }), "OUT_OF_RANGE", { options: { range: "error" } });
  return c;
}

function invocationCases() {
  const c = [];
  const json = "application/json";
  const add = (name, model, text, status, code, extra = {}) => c.push({ name, model, text, code, status, mode: "invocations", content_type: json, ...extra });
  const rec = (o) => j({ dataframe_records: [o] });
  add("empty body", "iris", "", 400, "BAD_REQUEST");
  add("truncated JSON", "iris", rec(iris).slice(0, 30), 400, "BAD_REQUEST");
  add("a JSON array", "iris", j([iris]), 400, "BAD_REQUEST");
  add("a JSON string", "iris", "\"dataframe_records\"", 400, "BAD_REQUEST");
  add("no format key", "iris", "{}", 400, "BAD_REQUEST");
  add("two format keys", "iris", j({ instances: [iris], inputs: [iris] }), 400, "BAD_REQUEST");
  add("unknown top key", "iris", j({ instances: [iris], extra: 1 }), 400, "BAD_REQUEST");
  add("__proto__ top key", "iris", `{"__proto__": {"instances": [${j(iris)}]}}`, 400, "BAD_REQUEST");
  add("constructor top key", "iris", `{"instances": [${j(iris)}], "constructor": 1}`, 400, "BAD_REQUEST");
  add("duplicate format key, the last one bad", "iris", `{"instances": [${j(iris)}], "instances": 5}`, 400, "BAD_REQUEST");
  add("records not an array", "iris", j({ dataframe_records: iris }), 400, "BAD_REQUEST");
  add("record is a string", "iris", j({ dataframe_records: ["x"] }), 400, "NOT_AN_OBJECT", { row: 1 });
  add("record is null", "iris", j({ instances: [null] }), 400, "NOT_AN_OBJECT", { row: 1 });
  add("second record bad", "iris", j({ instances: [iris, { ...iris, sepal_width_cm: "w" }] }), 400, "WRONG_TYPE", { row: 2 });
  add("bare Infinity", "iris", `{"instances": [{"sepal_length_cm": Infinity, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`, 400, "NOT_FINITE", { row: 1 });
  add("bare -Infinity", "iris", `{"instances": [{"sepal_length_cm": -Infinity, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`, 400, "NOT_FINITE", { row: 1 });
  add("bare NaN and a syntax error", "iris", `{"instances": [{"sepal_length_cm": NaN,, }]}`, 400, "BAD_REQUEST");
  add("Infinity sentinel spelled in a string", "iris", `{"instances": [{"sepal_length_cm": "\\u0000tandem:+Infinity", "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`, 400, "WRONG_TYPE", { row: 1 });
  add("number 1e400", "iris", `{"instances": [{"sepal_length_cm": 1e400, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}]}`, 400, "BAD_REQUEST");
  add("deep nesting", "iris", `{"instances": ${"[".repeat(10000)}${"]".repeat(10000)}}`, 400, "BAD_REQUEST");
  add("deep nesting of objects", "iris", `${"{\"a\":".repeat(10000)}1${"}".repeat(10000)}`, 400, "BAD_REQUEST");
  add("BOM before the JSON", "iris", `\ufeff${rec(iris)}`, 400, "BAD_REQUEST");
  add("invalid UTF-8 in a string", "titanic", Buffer.concat([Buffer.from("{\"instances\": [{\"name\": \""), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from("\"}]}")]), 400, "BAD_REQUEST");
  add("lone surrogate escape", "titanic", `{"instances": [{"name": "\\udc00"}]}`, 400, "BAD_REQUEST");
  add("text over the length limit", "titanic", `{"instances": [{"name": "HUGE"}]}`, 400, "TOO_LONG", { row: 1, expand: { marker: "HUGE", repeat: "z", count: 1048577 } });
  add("params not an object", "iris", j({ instances: [iris], params: [1] }), 400, "BAD_OPTION");
  add("unknown param", "iris", j({ instances: [iris], params: { nope: 1 } }), 400, "BAD_OPTION");
  add("__proto__ param", "iris", `{"instances": [${j(iris)}], "params": {"__proto__": {"strict": true}}}`, 400, "BAD_OPTION");
  add("params output of a wrong word", "iris", j({ instances: [iris], params: { output: "xml" } }), 400, "BAD_OPTION");
  add("split without columns", "iris", j({ dataframe_split: { data: [[1, 2, 3, 4]] } }), 400, "BAD_REQUEST");
  add("split columns not strings", "iris", j({ dataframe_split: { columns: [1, 2, 3, 4], data: [[1, 2, 3, 4]] } }), 400, "BAD_REQUEST");
  add("split lacking a column", "iris", j({ dataframe_split: { columns: ["sepal_length_cm"], data: [[5.1]] } }), 400, "MISSING_FIELD");
  add("split row too short", "iris", j({ dataframe_split: { columns: Object.keys(iris), data: [[5.1, 3.5]] } }), 400, "BAD_REQUEST");
  // Of repeated column names the last one counts, as for a repeated key of an object.
  add("split duplicate column, the last one bad", "iris", j({ dataframe_split: { columns: [...Object.keys(iris), "sepal_length_cm"], data: [[5.1, 3.5, 1.4, 0.2, "x"]] } }), 400, "WRONG_TYPE", { row: 1 });
  add("inputs columns of different lengths", "iris", j({ inputs: { sepal_length_cm: [5.1, 5], sepal_width_cm: [3.5], petal_length_cm: [1.4], petal_width_cm: [0.2] } }), 400, "COLUMN_LENGTH");
  add("inputs column not an array", "iris", j({ inputs: { ...iris } }), 400, "NOT_AN_ARRAY");
  add("inputs lacking a column", "iris", j({ inputs: { sepal_length_cm: [5.1] } }), 400, "MISSING_FIELD");
  add("too many rows (counted before parsing)", "iris", `{"instances": [ROWS{}]}`, 413, "TOO_MANY_ROWS", { expand: { marker: "ROWS", repeat: "{},", count: 100000 } });
  add("too many values (counted before parsing)", "iris", `{"instances": [ROWS{}]}`, 413, "TOO_MANY_CELLS", { expand: { marker: "ROWS", repeat: '{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0},', count: 95000 } });
  add("content type xml", "iris", rec(iris), 415, "UNSUPPORTED_MEDIA_TYPE", { content_type: "application/xml" });
  add("content type empty", "iris", rec(iris), 415, "UNSUPPORTED_MEDIA_TYPE", { content_type: "" });
  add("content type json with a NUL", "iris", rec(iris), 415, "UNSUPPORTED_MEDIA_TYPE", { content_type: "application/json\u0000" });
  add("csv body empty", "iris", "", 400, "EMPTY_FILE", { content_type: "text/csv" });
  add("csv body lacking a column", "iris", "sepal_length_cm\n5.1\n", 400, "MISSING_FIELD", { content_type: "text/csv" });
  add("csv body duplicate header", "iris", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,petal_width_cm\n5.1,3.5,1.4,0.2,0.2\n", 400, "DUPLICATE_HEADER", { content_type: "text/csv" });
  add("csv body invalid UTF-8", "iris", Buffer.concat([Buffer.from("sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n"), Buffer.from([0xff]), Buffer.from(",3.5,1.4,0.2\n")]), 400, "CSV", { content_type: "text/csv", row: 1 });
  add("csv body bad number", "iris", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,inf\n", 400, "NOT_FINITE", { content_type: "text/csv", row: 1 });
  return c;
}

export function instances() {
  return [...predictCases(), ...invocationCases()].map((c, i) => {
    const { text, ...rest } = c;
    const file = `${String(i + 1).padStart(3, "0")}.json`;
    return { case: { ...rest, file }, file, content: text };
  });
}

export const GOOD = { iris, titanic, nodes };

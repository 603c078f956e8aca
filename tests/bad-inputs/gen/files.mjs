// `files`: CSV and JSON Lines files fed to `tandem predict` and `tandem validate`.
// `exit` 1: the whole file is refused (stderr names `[CODE]`); `exit` 2: rows are rejected
// (the first rejected row's code is `code`, at `row` when given).

const IRIS = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm";
const irisRow = "5.1,3.5,1.4,0.2";
const TITANIC = "name,sex,age,passengerClass";
const titanicRow = "\"Allen, Miss. Elisabeth Walton\",female,29,1st";
const NODES = "when,member,amount,items,city,review";
const nodesRow = "2025-11-02 02:52,n,0,6,Cork,broken delivery";
const j = (o) => JSON.stringify(o);
const irisObj = { sepal_length_cm: 5.1, sepal_width_cm: 3.5, petal_length_cm: 1.4, petal_width_cm: 0.2 };

/** [name, model, file extension, content, code, exit, extra] */
function table() {
  const rows = [];
  const add = (name, model, ext, content, code, exit, extra = {}) => rows.push({ name, model, ext, content, code, exit, extra });
  // Whole-file refusals.
  add("empty csv", "iris", "csv", "", "EMPTY_FILE", 1);
  add("only a BOM", "iris", "csv", "\uFEFF", "EMPTY_FILE", 1);
  add("only newlines", "iris", "csv", "\n\n\n", "EMPTY_FILE", 1);
  add("empty header name where a field should be", "iris", "csv", "sepal_length_cm,,petal_length_cm,petal_width_cm\n5.1,3.5,1.4,0.2\n", "MISSING_FIELD", 1);
  add("duplicate header", "iris", "csv", `${IRIS},sepal_length_cm\n${irisRow},5\n`, "DUPLICATE_HEADER", 1);
  add("duplicate header after BOM", "iris", "csv", `\uFEFF${IRIS},petal_width_cm\n${irisRow},1\n`, "DUPLICATE_HEADER", 1);
  add("semicolon file read as one column", "titanic", "csv", `name;sex;age;passengerClass\nA;female;29;1st\n`, "ONE_COLUMN", 1, { args: ["--delimiter", ","] });
  add("header lacks a field", "iris", "csv", "sepal_length_cm,sepal_width_cm,petal_length_cm\n5.1,3.5,1.4\n", "MISSING_FIELD", 1);
  add("header of other names", "iris", "csv", "a,b,c,d\n1,2,3,4\n", "MISSING_FIELD", 1);
  add("header with prototype names", "iris", "csv", "__proto__,constructor,toString,hasOwnProperty\n1,2,3,4\n", "MISSING_FIELD", 1);
  add("header names differ in case", "iris", "csv", `${IRIS.toUpperCase()}\n${irisRow}\n`, "MISSING_FIELD", 1);
  add("decimal equals thousands", "iris", "csv", `${IRIS}\n${irisRow}\n`, "BAD_READ_OPTION", 1, { args: ["--decimal", ",", "--thousands", ","] });
  add("invalid UTF-8 in jsonl", "iris", "jsonl", Buffer.concat([Buffer.from(j(irisObj) + "\n{\"sepal_length_cm\": \""), Buffer.from([0xff, 0xfe]), Buffer.from("\"}\n")]), "JSON", 2, { row: 2 });
  // Rows rejected in place.
  add("ragged row with an extra cell", "iris", "csv", `${IRIS}\n${irisRow}\n${irisRow},9\n`, "CSV", 2, { row: 2 });
  add("ragged row with a cell short", "iris", "csv", `${IRIS}\n${irisRow}\n5.1,3.5,1.4\n`, "CSV", 2, { row: 2 });
  add("text in a number column", "iris", "csv", `${IRIS}\n${irisRow}\nfive,3.5,1.4,0.2\n`, "WRONG_TYPE", 2, { row: 2 });
  add("number cell inf", "iris", "csv", `${IRIS}\ninf,3.5,1.4,0.2\n`, "NOT_FINITE", 2, { row: 1 });
  add("number cell -Infinity", "iris", "csv", `${IRIS}\n5.1,-Infinity,1.4,0.2\n`, "NOT_FINITE", 2, { row: 1 });
  add("number cell 1e400 overflows", "iris", "csv", `${IRIS}\n1e400,3.5,1.4,0.2\n`, "NOT_FINITE", 2, { row: 1 });
  add("number with a comma decimal", "iris", "csv", `${IRIS}\n"5,1",3.5,1.4,0.2\n`, "WRONG_TYPE", 2, { row: 1 });
  add("hex number", "iris", "csv", `${IRIS}\n0x10,3.5,1.4,0.2\n`, "WRONG_TYPE", 2, { row: 1 });
  add("out of range with range error", "iris", "csv", `${IRIS}\n99,3.5,1.4,0.2\n`, "OUT_OF_RANGE", 2, { row: 1, args: ["--range", "error"] });
  add("far out of range with range error", "iris", "csv", `${IRIS}\n1e300,3.5,1.4,0.2\n`, "OUT_OF_RANGE", 2, { row: 1, args: ["--range", "error"] });
  add("unknown category with strict", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John",robot,40,3rd\n`, "UNKNOWN_CATEGORY", 2, { row: 1, args: ["--strict"] });
  add("category differing in case with strict", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John",MALE,40,3rd\n`, "UNKNOWN_CATEGORY", 2, { row: 1, args: ["--strict"] });
  add("category with a BOM inside with strict", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John",\uFEFFmale,40,3rd\n`, "UNKNOWN_CATEGORY", 2, { row: 1, args: ["--strict"] });
  add("text over the length limit", "titanic", "csv", `${TITANIC}\nHUGE,male,40,3rd\n`, "TOO_LONG", 2, { row: 1, expand: { marker: "HUGE", repeat: "a", count: 1048577 } });
  add("age as text", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John",male,forty,3rd\n`, "WRONG_TYPE", 2, { row: 1 });
  add("age infinite", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John",male,Infinity,3rd\n`, "NOT_FINITE", 2, { row: 1 });
  add("integer with a fraction", "nodes", "csv", `${NODES}\n2025-11-02 02:52,n,0,6.5,Cork,ok\n`, "NOT_INTEGER", 2, { row: 1 });
  add("integer as text", "nodes", "csv", `${NODES}\n2025-11-02 02:52,n,0,six,Cork,ok\n`, "WRONG_TYPE", 2, { row: 1 });
  add("date that does not match its format", "nodes", "csv", `${NODES}\n2025/11/02,n,0,6,Cork,ok\n`, "INVALID_VALUE", 2, { row: 1 });
  add("date with an impossible day", "nodes", "csv", `${NODES}\n2025-02-30 10:00,n,0,6,Cork,ok\n`, "INVALID_VALUE", 2, { row: 1 });
  add("boolean word not in the lists", "nodes", "csv", `${NODES}\n2025-11-02 02:52,maybe,0,6,Cork,ok\n`, "INVALID_VALUE", 2, { row: 1 });
  add("jsonl __proto__ key beside a bad value", "iris", "jsonl", `{"__proto__": ${j(irisObj)}, "sepal_length_cm": "x"}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("csv column named __proto__ beside a bad value", "iris", "csv", `__proto__,${IRIS}\n1,x,3.5,1.4,0.2\n`, "WRONG_TYPE", 2, { row: 1 });
  add("bad row after good rows", "iris", "csv", `${IRIS}\n${irisRow}\n${irisRow}\n${irisRow}\n5.1,3.5,x,0.2\n`, "WRONG_TYPE", 2, { row: 4 });
  add("unterminated quote", "titanic", "csv", `${TITANIC}\n"Doe, Mr. John,male,40,3rd\n`, "CSV", 2, { row: 1 });
  add("invalid UTF-8 in a csv cell", "titanic", "csv", Buffer.concat([Buffer.from(`${TITANIC}\n${titanicRow}\n"Doe, `), Buffer.from([0xc3, 0x28]), Buffer.from(`",male,40,3rd\n`)]), "CSV", 2, { row: 2 });
  add("NUL bytes in a cell", "titanic", "csv", `${TITANIC}\n"Doe\u0000\u0000",male,fo\u0000rty,3rd\n`, "WRONG_TYPE", 2, { row: 1 });
  // JSON Lines.
  add("jsonl truncated object", "iris", "jsonl", `${j(irisObj)}\n{"sepal_length_cm": 5.1, "sepal_w\n`, "JSON", 2, { row: 2 });
  add("jsonl array line", "iris", "jsonl", `${j(irisObj)}\n[5.1, 3.5, 1.4, 0.2]\n`, "NOT_AN_OBJECT", 2, { row: 2 });
  add("jsonl string line", "iris", "jsonl", `"hello"\n`, "NOT_AN_OBJECT", 2, { row: 1 });
  add("jsonl null line", "iris", "jsonl", `null\n`, "NOT_AN_OBJECT", 2, { row: 1 });
  add("jsonl bare NaN", "iris", "jsonl", `{"sepal_length_cm": NaN, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}\n`, "JSON", 2, { row: 1 });
  add("jsonl number as string", "iris", "jsonl", `${j({ ...irisObj, sepal_width_cm: "wide" })}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("jsonl boolean number", "iris", "jsonl", `${j({ ...irisObj, sepal_width_cm: true })}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("jsonl nested object value", "iris", "jsonl", `${j({ ...irisObj, sepal_width_cm: { v: 3.5 } })}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("jsonl duplicate key, the last one bad", "iris", "jsonl", `{"sepal_length_cm": 5.1, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2, "petal_width_cm": "x"}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("jsonl deep nesting", "iris", "jsonl", `{"sepal_length_cm": ${"[".repeat(10000)}${"]".repeat(10000)}}\n`, "JSON", 2, { row: 1 });
  add("jsonl number too large for f64", "iris", "jsonl", `{"sepal_length_cm": 1e400, "sepal_width_cm": 3.5, "petal_length_cm": 1.4, "petal_width_cm": 0.2}\n`, "JSON", 2, { row: 1 });
  add("jsonl lone surrogate", "titanic", "jsonl", `{"name": "\\ud800", "sex": "male", "age": 40, "passengerClass": "3rd"}\n`, "JSON", 2, { row: 1 });
  add("jsonl text over the length limit", "titanic", "jsonl", `{"name": "HUGE", "sex": "male"}\n`, "TOO_LONG", 2, { row: 1, expand: { marker: "HUGE", repeat: "b", count: 1048577 } });
  add("jsonl strict unknown category", "titanic", "jsonl", `{"name": "Doe, Mr. John", "sex": "__proto__"}\n`, "UNKNOWN_CATEGORY", 2, { row: 1, args: ["--strict"] });
  add("jsonl integer with a fraction", "nodes", "jsonl", `{"items": 2.5}\n`, "NOT_INTEGER", 2, { row: 1 });
  add("jsonl integer past 2^53", "nodes", "jsonl", `{"items": 9007199254740993.5}\n`, "OUT_OF_RANGE", 2, { row: 1, args: ["--range", "error"] });
  add("jsonl date as a number", "nodes", "jsonl", `{"when": 20251102}\n`, "WRONG_TYPE", 2, { row: 1 });
  add("jsonl bad row after a BOM", "iris", "jsonl", `\uFEFF${j({ ...irisObj, sepal_length_cm: "x" })}\n`, "WRONG_TYPE", 2, { row: 1 });
  return rows;
}

export function files() {
  const out = [];
  let n = 0;
  for (const r of table()) {
    n += 1;
    for (const command of ["predict", "validate"]) {
      const file = `${String(n).padStart(3, "0")}.${r.ext}`;
      out.push({
        case: { name: `${command}: ${r.name}`, file, code: r.code, model: r.model, command, exit: r.exit, ...r.extra },
        file,
        content: r.content,
      });
    }
  }
  return out;
}

// `specs`: pipeline specs for `tandem train --spec`, on a 30-row slice of iris (`tiny.csv`).
// Spec errors carry no code of their own, so `code` names the shape of the refusal: `SPEC`,
// located (stderr starts `error: <file>:<line>:<column>: `; `at` is `line:column`);
// `SPEC_READ`, the file cannot be read as text (`error: cannot read spec <file>`); `DATA`, the
// data file is refused (`message` names it). `message` is a fragment of the reason.

const HEAD = `version = 1\n\n[data]\npath = "tiny.csv"\nlabel = "target"\n\n[model]\nhidden = [4]\nmax_epochs = 2\n`;
const feat = (body) => `\n[[feature]]\n${body}\n`;
const ok = feat(`field = "sepal_length_cm"`);

function table() {
  const c = [];
  const add = (name, text, at, message, code = "SPEC") => c.push({ name, text, at, message, code });
  // Syntax and encoding.
  add("empty spec", "", "1:1", "missing field `version`");
  add("truncated table header", `${HEAD}\n[[feat`, "11:7", "expected `]]`");
  add("truncated string", `${HEAD}${feat(`field = "sepal_len`)}`, "12:19", "invalid basic string");
  add("invalid UTF-8", Buffer.concat([Buffer.from(HEAD), Buffer.from([0xff, 0xfe]), Buffer.from(ok)]), null, "valid UTF-8", "SPEC_READ");
  add("NUL byte", `${HEAD}\u0000${ok}`, "10:2", "");
  add("duplicate key", `${HEAD}${feat(`field = "sepal_length_cm"\nfield = "petal_length_cm"`)}`, "13:1", "duplicate key");
  add("duplicate table", `${HEAD}\n[model]\nhidden = [2]\n${ok}`, "11:2", "duplicate key");
  add("deep nesting of arrays", `${HEAD}${feat(`field = "sepal_length_cm"\nclip = ${"[".repeat(10000)}${"]".repeat(10000)}`)}`, "13:88", "max recursion depth");
  add("deep nesting of inline tables", `${HEAD}${feat(`field = "sepal_length_cm"\nboolean = ${"{a = ".repeat(10000)}1${"}".repeat(10000)}`)}`, "13:411", "max recursion depth");
  add("huge string", `${HEAD}${feat(`field = "HUGE"`)}`, "12:9", "", "SPEC");
  // Versions and unknown keys.
  add("version 2", HEAD.replace("version = 1", "version = 2") + ok, "1:11", "version");
  add("version 0", HEAD.replace("version = 1", "version = 0") + ok, "1:11", "version");
  add("version as a string", HEAD.replace("version = 1", "version = \"1\"") + ok, "1:11", "");
  add("version huge", HEAD.replace("version = 1", "version = 99999999999999999999") + ok, "1:11", "");
  add("unknown top key", `${HEAD}${ok}\n[extra]\nx = 1\n`, "14:2", "unknown field `extra`");
  add("__proto__ top key", `__proto__ = 1\n${HEAD}${ok}`, "1:1", "unknown");
  add("constructor key in data", HEAD.replace(`label = "target"`, `label = "target"\nconstructor = "x"`) + ok, "6:1", "unknown");
  add("unknown feature key", `${HEAD}${feat(`field = "sepal_length_cm"\nscael = "none"`)}`, "13:1", "unknown");
  // Values.
  add("label missing from the data", HEAD.replace(`label = "target"`, `label = "nope"`) + ok, null, "tiny.csv: label column `nope` is not in the file", "DATA");
  add("label is __proto__", HEAD.replace(`label = "target"`, `label = "__proto__"`) + ok, null, "tiny.csv: label column `__proto__` is not in the file", "DATA");
  add("field missing from the data", `${HEAD}${feat(`field = "petal"`)}`, "12:9", "");
  add("field is the label", `${HEAD}${feat(`field = "target"`)}`, "12:9", "label");
  add("expression reading the label", `${HEAD}${feat(`name = "x"\nexpr = "target * 2"`)}`, "13:9", "label");
  add("expression that does not parse", `${HEAD}${feat(`name = "x"\nexpr = "sepal_length_cm * * 2"`)}`, "13:27", "");
  add("expression nested deeply", `${HEAD}${feat(`name = "x"\nexpr = "${"(".repeat(2000)}sepal_length_cm${")".repeat(2000)}"`)}`, "13:9", "");
  add("expression too long", `${HEAD}${feat(`name = "x"\nexpr = "${"sepal_length_cm + ".repeat(200)}1"`)}`, "13:9", "");
  add("regex that does not compile", `${HEAD}${feat(`name = "x"\nfield = "sepal_length_cm"\nextract = "("`)}`, "14:11", "");
  add("unknown encoder", `${HEAD}${feat(`field = "sepal_length_cm"\nencode = "magic"`)}`, "13:10", "");
  add("key for another encoder", `${HEAD}${feat(`field = "sepal_length_cm"\nbuckets = 4`)}`, "13:11", "hashing");
  add("duplicate feature names", `${HEAD}${ok}${ok}`, "14:1", "is already used by feature 1");
  add("learning rate NaN", HEAD.replace("max_epochs = 2", "max_epochs = 2\nlearning_rate = nan") + ok, "10:17", "learning_rate");
  add("learning rate infinite", HEAD.replace("max_epochs = 2", "max_epochs = 2\nlearning_rate = inf") + ok, "10:17", "learning_rate");
  add("learning rate negative", HEAD.replace("max_epochs = 2", "max_epochs = 2\nlearning_rate = -1") + ok, "10:17", "learning_rate");
  add("hidden layer of zero", HEAD.replace("hidden = [4]", "hidden = [0]") + ok, "8:10", "hidden");
  add("hidden layer huge", HEAD.replace("hidden = [4]", "hidden = [1000000000]") + ok, "8:10", "must be at most 16384");
  add("max epochs negative", HEAD.replace("max_epochs = 2", "max_epochs = -2") + ok, "9:14", "");
  add("validation fraction 1", HEAD.replace("[model]", "[split]\nvalidation = 1.0\n\n[model]") + ok, "8:14", "validation");
  add("validation fraction NaN", HEAD.replace("[model]", "[split]\nvalidation = nan\n\n[model]") + ok, "8:14", "validation");
  add("folds 1", HEAD.replace("[model]", "[split]\nfolds = 1\n\n[model]") + ok, "8:9", "folds");
  add("clip reversed", `${HEAD}${feat(`field = "sepal_length_cm"\nclip = [10, 1]`)}`, "13:8", "");
  add("bins zero", `${HEAD}${feat(`field = "sepal_length_cm"\nbins = 0`)}`, "13:8", "");
  add("hashing buckets huge", `${HEAD}${feat(`field = "sepal_length_cm"\nencode = "hashing"\nbuckets = 99999999999`)}`, "14:11", "");
  add("data path missing", HEAD.replace("tiny.csv", "absent.csv") + ok, null, "cannot read absent.csv", "DATA");
  return c;
}

export function specs() {
  return table().map((c, i) => {
    const { text, ...rest } = c;
    const file = `${String(i + 1).padStart(3, "0")}.toml`;
    const extra = rest.name === "huge string" ? { expand: { marker: "HUGE", repeat: "s", count: 1048577 } } : {};
    return { case: { ...rest, file, ...extra }, file, content: text };
  });
}

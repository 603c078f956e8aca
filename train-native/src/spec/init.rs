//! `tandem init`: a commented starter `tandem.toml` written from the inferred schema.
//!
//! The output parses as a valid spec and trains as is; every feature states its default node
//! and, in comments, the alternatives that fit its type. Every value it writes is a
//! [`super::defaults`] constant, so the template says what a spec without the key does.

use std::collections::BTreeMap;
use std::fmt::Write;

use tandem_core::schema::{Field, FieldType, Schema, Task};

use super::defaults as d;

/// A TOML string literal.
fn quote(v: &str) -> String {
    toml::Value::String(v.to_string()).to_string()
}

/// Render a starter spec for `schema`, reading `data` (relative to where the spec is written).
/// `dates`: text fields written as ISO dates and their format ([`tandem_core::schema::infer_dates`]),
/// which get `encode = "datetime"` as the default pipeline gives them.
pub fn render(schema: &Schema, data: &str, dates: &BTreeMap<String, &str>) -> String {
    let mut s = String::new();
    header(&mut s, schema, data);
    split_and_training(&mut s, &numeric_example(schema));
    model(&mut s);
    s.push_str(
        "# Shared nodes: fitted on the training split, applied identically natively and in wasm.\n\
         # Remove a [[feature]] to leave its field out of the model.\n",
    );
    for f in &schema.fields {
        feature(&mut s, f, dates.get(&f.name).copied());
    }
    s.push_str(
        "\n# A derived numeric feature is a [[feature]] table with `name` and `expr` instead of\n\
         # `field`, e.g. name \"ratio\" and expr \"a / (b + 1)\" (docs/pipeline-spec.md).\n",
    );
    s
}

/// A numeric field of the schema, for the template's examples (`fare` if there is none).
fn numeric_example(schema: &Schema) -> String {
    schema
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldType::Number | FieldType::Integer))
        .map_or_else(|| "fare".to_string(), |f| f.name.clone())
}

/// What the label is: "regression" or "classification over 3 classes: a, b, c".
fn task(schema: &Schema) -> String {
    match &schema.label.task {
        Task::Classification { classes } => format!(
            "classification over {} classes: {}",
            classes.len(),
            classes
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Task::Regression => "regression".into(),
    }
}

fn header(s: &mut String, schema: &Schema, data: &str) {
    let _ = writeln!(
        s,
        "# Tandem pipeline spec (docs/pipeline-spec.md lists every key).\n\
         # Train with: tandem train --spec <this file>\n\
         version = {}\n\n\
         [data]\n\
         path = {}  # CSV, relative to this file\n\
         label = {}  # inferred task: {}\n\
         # schema = \"schema.json\"  # a fixed schema instead of inferring one\n",
        super::SPEC_VERSION,
        quote(data),
        quote(&schema.label.name),
        task(schema)
    );
}

fn split_and_training(s: &mut String, numeric: &str) {
    let _ = writeln!(
        s,
        "[split]\n\
         validation = {:?}  # early stopping and validation metrics\n\
         test = {:?}        # held out from everything; reported as test_*\n\
         seed = {}\n\
         # folds = 5       # k-fold cross-validation, reported as cv_*\n",
        d::VALIDATION,
        d::TEST,
        d::SEED
    );
    let _ = writeln!(
        s,
        "[training]  # training-only nodes: never part of the inference pipeline\n\
         dedupe = false\n\
         filter = []  # e.g. [\"age >= 0\", \"sex != \\\"unknown\\\"\", \"fare is not missing\"]\n\
         # winsorize = [{{ field = {}, low = 0.01, high = 0.99 }}]\n\
         rebalance = \"none\"  # or \"class_weights\", \"oversample\"\n",
        quote(numeric)
    );
}

fn model(s: &mut String) {
    let _ = writeln!(
        s,
        "[model]\n\
         hidden = [{}]  # [] for logistic / linear regression\n\
         learning_rate = {:?}\n\
         batch_size = {}  # rows per step, or \"auto\" (scaled to the data)\n\
         max_epochs = {}\n\
         patience = {}\n\
         weight_decay = {:?}\n\
         lr_schedule = \"{}\"  # or \"plateau\": halved after patience/4 epochs without improvement\n\
         ensemble = {}  # networks trained on as many folds and averaged; 1 for one network\n",
        d::HIDDEN_FLAG,
        d::LEARNING_RATE,
        d::BATCH_SIZE.toml(),
        d::MAX_EPOCHS,
        d::PATIENCE,
        d::WEIGHT_DECAY,
        d::LR_SCHEDULE.name(),
        d::ENSEMBLE
    );
}

/// `[low, high]` of a numeric field's observed range, or a placeholder range.
fn clip_example(f: &Field) -> String {
    let (lo, hi) = (f.min.unwrap_or(0.0), f.max.unwrap_or(1.0));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo, lo + 1.0) };
    format!("[{lo:?}, {hi:?}]")
}

/// One `[[feature]]` table: what was observed, the default node, the alternatives.
fn feature(s: &mut String, f: &Field, date: Option<&str>) {
    let observed = match (f.min, f.max, &f.categories) {
        (Some(lo), Some(hi), _) => format!(", range [{lo}, {hi}]"),
        (_, _, Some(c)) => format!(", {} categories", c.len()),
        _ => String::new(),
    };
    let missing = if f.nullable {
        ", has missing values"
    } else {
        ""
    };
    let kind = serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "\n[[feature]]\nfield = {}\n# {kind}{observed}{missing}",
        quote(&f.name)
    );
    let _ = match f.kind {
        FieldType::Number | FieldType::Integer | FieldType::Boolean => writeln!(
            s,
            "encode = \"number\"\n\
             impute = \"mean\"      # median, constant (+ fill_value)\n\
             scale = \"standard\"   # none, min_max, robust\n\
             # indicator = true   # extra column: 1 when missing\n\
             # log1p = true       # log(1 + x) before scaling\n\
             # clip = {}  # clamp to [low, high] first\n\
             # (or fitted bins instead of scale: remove `scale` and write bins = 5, or bins = [edges])",
            clip_example(f)
        ),
        FieldType::Category => writeln!(
            s,
            "encode = \"one_hot\"   # ordinal, hashing (+ buckets = {})\n\
             # min_frequency = 10  # rarer categories share one column\n\
             # max_categories = 20 # at most this many columns\n\
             # (or read yes/no, true/false, 1/0 words as a number: boolean = true, encode = \"number\")",
            d::HASH_BUCKETS
        ),
        FieldType::Text if date.is_some() => writeln!(
            s,
            "encode = \"datetime\"  # the cells are ISO dates\n\
             format = {}\n\
             # parts = [\"year\", \"month_cycle\", \"weekday_cycle\"]  # also month, day, weekday, day_of_year, hour, minute, hour_cycle",
            quote(date.unwrap_or_default())
        ),
        FieldType::Text => writeln!(
            s,
            "encode = \"tfidf\"     # counts; or one_hot after extract\n\
             min_df = {}\n\
             max_features = {}\n\
             # extract = ',\\s*([^.]+)\\.'  # keep a regex capture group, e.g. a title",
            d::TEXT_MIN_DF,
            d::TEXT_MAX_FEATURES
        ),
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use tandem_core::schema::Label;

    use super::*;
    use crate::spec::{LoadedSpec, ModelSpec, SplitSpec};

    fn schema() -> Schema {
        let mut age = Field::new("age", FieldType::Number, true);
        (age.min, age.max) = (Some(0.5), Some(80.0));
        Schema {
            fields: vec![
                age,
                Field::new("sex", FieldType::Category, false),
                Field::new("name", FieldType::Text, false),
            ],
            label: Label {
                name: "survived".into(),
                task: Task::Classification {
                    classes: vec!["no".into(), "yes".into()],
                },
            },
        }
    }

    #[test]
    fn the_template_parses_to_the_defaults_a_spec_without_those_keys_gets() {
        let text = render(&schema(), "data.csv", &BTreeMap::new());
        let spec = LoadedSpec::parse(Path::new("tandem.toml"), &text).unwrap();
        let (split, model) = (SplitSpec::default(), ModelSpec::default());
        assert_eq!(spec.split.validation.get_ref(), split.validation.get_ref());
        assert_eq!(spec.split.test.get_ref(), split.test.get_ref());
        assert_eq!(spec.split.seed, split.seed);
        assert_eq!(spec.model.hidden, model.hidden);
        assert_eq!(spec.model.learning_rate, model.learning_rate);
        assert_eq!(spec.model.batch_size, model.batch_size);
        assert_eq!(spec.model.max_epochs, model.max_epochs);
        assert_eq!(spec.model.patience, model.patience);
        assert_eq!(spec.model.weight_decay, model.weight_decay);
        assert_eq!(spec.model.ensemble, model.ensemble);
        assert_eq!(spec.model.lr_schedule, model.lr_schedule);
        assert_eq!(spec.features.len(), 3);
        let name = spec.features[2].get_ref();
        assert_eq!(
            name.min_df.as_ref().map(|v| *v.get_ref()),
            Some(d::TEXT_MIN_DF)
        );
        assert_eq!(
            name.max_features.as_ref().map(|v| *v.get_ref()),
            Some(d::TEXT_MAX_FEATURES)
        );
    }

    /// The schema `tandem init` infers for an example data set.
    fn example_schema(file: &str, label: &str) -> Schema {
        use tandem_core::schema::{InferConfig, infer_schema};
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/data")
            .join(file);
        let table =
            crate::table::Table::read(&path, &tandem_core::read::ReadOptions::default()).unwrap();
        infer_schema(
            &table.header_strings(),
            &table.row_strings(),
            label,
            &InferConfig::default(),
        )
        .unwrap()
    }

    #[test]
    fn iso_date_fields_start_as_datetime_features_whose_commented_parts_are_valid() {
        let schema = Schema {
            fields: vec![
                Field::new("when", FieldType::Text, false),
                Field::new("amount", FieldType::Number, false),
            ],
            label: Label {
                name: "y".into(),
                task: Task::Regression,
            },
        };
        let dates = BTreeMap::from([("when".to_string(), "%Y-%m-%d")]);
        let text = render(&schema, "data.csv", &dates);
        assert!(
            text.contains("field = \"when\"\n# text\nencode = \"datetime\""),
            "{text}"
        );
        assert!(text.contains("format = \"%Y-%m-%d\""), "{text}");
        let path = Path::new("tandem.toml");
        LoadedSpec::parse(path, &text).unwrap();
        let uncommented = text.replace("# parts = ", "parts = ");
        assert_ne!(uncommented, text);
        LoadedSpec::parse(path, &uncommented).unwrap();
    }

    #[test]
    fn every_commented_key_of_the_template_is_a_valid_setting_once_uncommented() {
        for (file, label) in [
            ("titanic.csv", "survived"),
            ("cps1985.csv", "wage"),
            ("iris.csv", "target"),
        ] {
            let schema = example_schema(file, label);
            let text = render(&schema, file, &BTreeMap::new());
            let lines: Vec<&str> = text.lines().collect();
            let mut tried = 0;
            for (i, line) in lines.iter().enumerate() {
                let Some(rest) = line.strip_prefix("# ") else {
                    continue;
                };
                let key_like = rest.split_once(" = ").is_some_and(|(k, _)| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                });
                if !key_like {
                    continue;
                }
                tried += 1;
                let mut edited = lines.clone();
                edited[i] = rest;
                let source = edited.join("\n");
                let path = Path::new("tandem.toml");
                let file_spec = LoadedSpec::parse(path, &source)
                    .unwrap_or_else(|e| panic!("{file}: uncommenting `{rest}`: {e}"));
                for w in &file_spec.training.winsorize {
                    let field = &w.get_ref().field;
                    assert!(
                        schema.fields.iter().any(|f| &f.name == field
                            && matches!(f.kind, FieldType::Number | FieldType::Integer)),
                        "{file}: winsorize names `{field}`, not a numeric field"
                    );
                }
                let spec = LoadedSpec {
                    path: path.to_path_buf(),
                    source,
                    file: file_spec,
                };
                crate::spec::features::compile(&spec, &schema)
                    .unwrap_or_else(|e| panic!("{file}: uncommenting `{rest}`: {e}"));
            }
            assert!(tried >= 5, "{file}: only {tried} commented keys in\n{text}");
        }
    }

    #[test]
    fn the_template_states_the_task_and_what_was_observed() {
        let text = render(&schema(), "data.csv", &BTreeMap::new());
        assert!(
            text.contains(
                "label = \"survived\"  # inferred task: classification over 2 classes: no, yes"
            ),
            "{text}"
        );
        assert!(
            text.contains("# number, range [0.5, 80], has missing values"),
            "{text}"
        );
        assert!(text.contains("# category\nencode = \"one_hot\""), "{text}");
    }
}

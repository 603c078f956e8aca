//! `tandem init`: a commented starter `tandem.toml` written from the inferred schema.
//!
//! The output parses as a valid spec and trains as is; every feature states its default node
//! and, in comments, the alternatives that fit its type.

use std::fmt::Write;

use tandem_core::schema::{FieldType, Schema, Task};

/// Render a starter spec for `schema`, reading `data` (relative to where the spec is written).
pub fn render(schema: &Schema, data: &str) -> String {
    let mut s = String::new();
    let q = |v: &str| toml::Value::String(v.to_string()).to_string();
    let task = match &schema.label.task {
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
    };
    let _ = writeln!(
        s,
        "# Tandem pipeline spec (docs/pipeline-spec.md lists every key)."
    );
    let _ = writeln!(s, "# Train with: tandem train --spec <this file>");
    let _ = writeln!(s, "version = 1\n");
    let _ = writeln!(s, "[data]");
    let _ = writeln!(s, "path = {}  # CSV, relative to this file", q(data));
    let _ = writeln!(
        s,
        "label = {}  # inferred task: {task}",
        q(&schema.label.name)
    );
    let _ = writeln!(
        s,
        "# schema = \"schema.json\"  # a fixed schema instead of inferring one\n"
    );
    let _ = writeln!(s, "[split]");
    let _ = writeln!(
        s,
        "validation = 0.2  # early stopping and validation metrics"
    );
    let _ = writeln!(
        s,
        "test = 0.0        # held out from everything; reported as test_*"
    );
    let _ = writeln!(s, "seed = 0");
    let _ = writeln!(
        s,
        "# folds = 5       # k-fold cross-validation, reported as cv_*\n"
    );
    let _ = writeln!(
        s,
        "[training]  # training-only nodes: never part of the inference pipeline"
    );
    let _ = writeln!(s, "dedupe = false");
    let _ = writeln!(
        s,
        "filter = []  # e.g. [\"age >= 0\", \"sex != \\\"unknown\\\"\", \"fare is not missing\"]"
    );
    let _ = writeln!(
        s,
        "# winsorize = [{{ field = \"fare\", low = 0.01, high = 0.99 }}]"
    );
    let _ = writeln!(
        s,
        "rebalance = \"none\"  # or \"class_weights\", \"oversample\"\n"
    );
    let _ = writeln!(s, "[model]");
    let _ = writeln!(s, "hidden = [32]  # [] for logistic / linear regression");
    let _ = writeln!(s, "learning_rate = 0.01");
    let _ = writeln!(s, "batch_size = 32");
    let _ = writeln!(s, "max_epochs = 300");
    let _ = writeln!(s, "patience = 20");
    let _ = writeln!(s, "weight_decay = 0.0\n");
    let _ = writeln!(
        s,
        "# Shared nodes: fitted on the training split, applied identically natively and in wasm."
    );
    let _ = writeln!(
        s,
        "# Remove a [[feature]] to leave its field out of the model."
    );
    for f in &schema.fields {
        let _ = writeln!(s, "\n[[feature]]");
        let _ = writeln!(s, "field = {}", q(&f.name));
        let observed = match (f.kind, f.min, f.max, &f.categories) {
            (_, Some(lo), Some(hi), _) => format!("range [{lo}, {hi}]"),
            (_, _, _, Some(c)) => format!("{} categories", c.len()),
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
            "# {kind}{}{missing}",
            if observed.is_empty() {
                String::new()
            } else {
                format!(", {observed}")
            }
        );
        match f.kind {
            FieldType::Number | FieldType::Integer | FieldType::Boolean => {
                let _ = writeln!(s, "encode = \"number\"");
                let _ = writeln!(
                    s,
                    "impute = \"mean\"      # median, constant (+ fill_value)"
                );
                let _ = writeln!(s, "scale = \"standard\"   # none, min_max, robust");
                let _ = writeln!(s, "# indicator = true   # extra column: 1 when missing");
                let _ = writeln!(
                    s,
                    "# log1p = true, clip = [low, high], bins = 5 (or [edges]) instead of scale"
                );
            }
            FieldType::Category => {
                let _ = writeln!(s, "encode = \"one_hot\"   # ordinal, hashing (+ buckets)");
                let _ = writeln!(s, "# min_frequency = 10, max_categories = 20");
                let _ = writeln!(
                    s,
                    "# boolean = true      # read yes/no, true/false, 1/0 words as a number instead"
                );
            }
            FieldType::Text => {
                let _ = writeln!(
                    s,
                    "encode = \"tfidf\"     # counts; or one_hot after extract"
                );
                let _ = writeln!(s, "min_df = 2");
                let _ = writeln!(s, "max_features = 100");
                let _ = writeln!(
                    s,
                    "# extract = ',\\s*([^.]+)\\.'  # keep a regex capture group, e.g. a title"
                );
            }
        }
    }
    let _ = writeln!(
        s,
        "\n# Derived numeric feature:\n# [[feature]]\n# name = \"ratio\"\n# expr = \"a / (b + 1)\""
    );
    s
}

//! The `MLmodel` file logged beside the bundle, so MLflow loads a Tandem model like its own.
//!
//! Three flavors: `python_function` (MLflow's generic one: the Python package `tandem_infer`
//! loads the bundle, so `mlflow.pyfunc.load_model`, `mlflow models serve` and
//! `mlflow.pyfunc.spark_udf` predict from raw fields with the bundle's own preprocessing),
//! `onnx` (MLflow's own: `mlflow.onnx.load_model` loads `model.onnx`, the network on
//! preprocessed features) and `tandem` (the bundle: raw instances in, predictions out). The
//! signature is the Tandem schema's raw input fields, so MLflow's UI lists the inputs a
//! user_app sends and MLflow checks them, and the prediction columns `tandem serve` answers
//! (flat, as `tandem predict` writes them; `spark_udf` turns them into its result type). [`Environment`] writes the pip requirement
//! beside it.

use serde_json::{Value as Json, json};
use tandem_core::{FieldType, Schema, Task};

/// The Python module MLflow imports to load a Tandem model (`_load_pyfunc`).
pub const PYFUNC_LOADER: &str = "tandem_infer.pyfunc";

/// The Python distribution that provides [`PYFUNC_LOADER`].
pub const PYTHON_PACKAGE: &str = "tandem-infer";

/// The environment files the `python_function` flavor names: the pip requirement
/// (`tandem-infer` at this crate's version) as `requirements.txt`, `python_env.yaml` and
/// `conda.yaml`. MLflow reads them when it builds an environment itself; with
/// `env_manager="local"` the installed package is used.
pub struct Environment;

impl Environment {
    /// `(artifact name, contents)` of each file, under `model/`.
    pub fn files() -> [(&'static str, String); 3] {
        let requirement = format!("{PYTHON_PACKAGE}=={}", tandem_core::VERSION);
        [
            ("requirements.txt", format!("{requirement}\n")),
            (
                "python_env.yaml",
                "python: '3.9'\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"
                    .to_string(),
            ),
            (
                "conda.yaml",
                format!(
                    "channels:\n- conda-forge\ndependencies:\n- python>=3.9\n- pip\n- pip:\n  - {requirement}\nname: tandem_env\n"
                ),
            ),
        ]
    }
}

/// What the MLmodel file needs to know.
pub struct MlModel<'a> {
    /// The input schema and task.
    pub schema: &'a Schema,
    /// The run.
    pub run_id: &'a str,
    /// Bundle format version.
    pub bundle_format: u32,
    /// Bytes of the bundle.
    pub bundle_size: usize,
    /// Width of the ONNX input (features after preprocessing).
    pub n_features: usize,
    /// ONNX input and output names.
    pub onnx_io: (&'a str, &'a str),
    /// `YYYY-MM-DD HH:MM:SS` UTC.
    pub created: &'a str,
}

/// MLflow's column type for a Tandem field: `string` for text, else `any`. MLflow checks a
/// typed column before the model sees it, more strictly than Tandem reads it: it refuses an
/// int64 column as `double` ("can not safely convert"), a float64 one (how pandas holds
/// integers with missing values) as `long`, 0/1 or `"yes"` as `boolean`, and numbered classes
/// as `string`, all of which Tandem reads (and checks itself, with its codes). `any` leaves the
/// checking to Tandem; the field's Tandem type is in `schema.json` beside it.
fn column_type(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Text => "string",
        FieldType::Number | FieldType::Integer | FieldType::Boolean | FieldType::Category => "any",
    }
}

/// The signature's input columns (MLflow's column-based schema, as JSON). Every field is
/// `required`: a DataFrame must have its column (values may be missing), so a misspelled
/// column is refused by MLflow rather than predicted as missing.
pub fn inputs(schema: &Schema) -> Json {
    Json::Array(
        schema
            .fields
            .iter()
            .map(|f| json!({"type": column_type(f.kind), "name": f.name, "required": true}))
            .collect(),
    )
}

/// The signature's output columns, flat as `tandem predict` writes them and `tandem_infer`
/// returns them: `label` and `probability_<class>` per class, or `value`. Flat on purpose:
/// `spark_udf` turns them into a struct of primitive columns, converted a column at a time
/// (a nested `probabilities` struct is converted by MLflow a row at a time: 11.3 s vs 5.2 s
/// on 1M rows, docs/NOTES.md).
pub fn outputs(schema: &Schema) -> Json {
    match &schema.label.task {
        Task::Classification { classes } => {
            let mut columns = vec![json!({"type": "string", "name": "label", "required": true})];
            columns.extend(classes.iter().map(
                |c| json!({"type": "double", "name": format!("probability_{c}"), "required": true}),
            ));
            Json::Array(columns)
        }
        Task::Regression => json!([{"type": "double", "name": "value", "required": true}]),
    }
}

/// Quote a string for YAML (single quotes: only `'` needs escaping).
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl MlModel<'_> {
    fn uuid(&self) -> String {
        crate::ids::sha256_hex(format!("{}:model", self.run_id).as_bytes())[..32].to_string()
    }

    /// The `mlflow.log-model.history` run tag MLflow's own `log_model` sets: the run page
    /// then lists the model under the run (with its register button).
    pub fn history_tag(&self) -> String {
        json!([{
            "run_id": self.run_id,
            "artifact_path": "model",
            "utc_time_created": format!("{}.000000", self.created),
            "model_uuid": self.uuid(),
            "flavors": {
                "python_function": {
                    "loader_module": PYFUNC_LOADER, "data": "model.tandem",
                    "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                },
                "onnx": {"data": "model.onnx", "providers": ["CPUExecutionProvider"], "code": null},
                "tandem": {"bundle": "model.tandem", "bundle_format": self.bundle_format},
            },
        }])
        .to_string()
    }

    /// The `MLmodel` file's text (YAML).
    pub fn to_yaml(&self) -> String {
        let uuid = self.uuid();
        format!(
            "artifact_path: model\n\
             flavors:\n\
             \x20 python_function:\n\
             \x20   data: model.tandem\n\
             \x20   env:\n\
             \x20     conda: conda.yaml\n\
             \x20     virtualenv: python_env.yaml\n\
             \x20   loader_module: {loader}\n\
             \x20 onnx:\n\
             \x20   code: null\n\
             \x20   data: model.onnx\n\
             \x20   onnx_version: 1.17.0\n\
             \x20   providers:\n\
             \x20   - CPUExecutionProvider\n\
             \x20 tandem:\n\
             \x20   bundle: model.tandem\n\
             \x20   bundle_format: {fmt}\n\
             \x20   tandem_version: {ver}\n\
             \x20   onnx_input: {input}\n\
             \x20   onnx_input_meaning: {meaning}\n\
             \x20   onnx_output: {output}\n\
             metadata:\n\
             \x20 tandem_bundle: model.tandem\n\
             model_size_bytes: {size}\n\
             model_uuid: {uuid}\n\
             run_id: {run}\n\
             signature:\n\
             \x20 inputs: {inputs}\n\
             \x20 outputs: {outputs}\n\
             \x20 params: null\n\
             utc_time_created: {created}\n",
            fmt = self.bundle_format,
            loader = PYFUNC_LOADER,
            ver = tandem_core::VERSION,
            input = self.onnx_io.0,
            meaning = quote(&format!(
                "float32 [batch, {}] features after the bundle's preprocessing",
                self.n_features
            )),
            output = self.onnx_io.1,
            size = self.bundle_size,
            uuid = uuid,
            run = self.run_id,
            inputs = quote(&inputs(self.schema).to_string()),
            outputs = quote(&outputs(self.schema).to_string()),
            created = quote(&format!("{}.000000", self.created)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_tag_is_a_json_list_naming_the_model() {
        let schema: Schema = serde_json::from_value(json!({
            "fields": [{"name": "x", "type": "number", "nullable": false}],
            "label": {"name": "y", "task": {"kind": "regression"}}
        }))
        .unwrap();
        let m = MlModel {
            schema: &schema,
            run_id: "0123456789abcdef0123456789abcdef",
            bundle_format: 1,
            bundle_size: 10,
            n_features: 1,
            onnx_io: ("features", "value"),
            created: "2026-11-28 20:00:00",
        };
        let tag: Json = serde_json::from_str(&m.history_tag()).unwrap();
        assert_eq!(tag[0]["artifact_path"], "model");
        assert_eq!(tag[0]["model_uuid"].as_str().unwrap().len(), 32);
        assert!(m.to_yaml().contains(tag[0]["model_uuid"].as_str().unwrap()));
        assert_eq!(
            tag[0]["flavors"]["python_function"]["loader_module"],
            PYFUNC_LOADER
        );
        assert!(
            m.to_yaml()
                .contains("  python_function:\n    data: model.tandem\n")
        );
        assert_eq!(
            outputs(&schema),
            json!([{"type": "double", "name": "value", "required": true}])
        );
    }

    #[test]
    fn quoting_escapes_single_quotes() {
        assert_eq!(quote("it's"), "'it''s'");
    }
}

//! `NativeModel`: a loaded bundle and what Python asks of it. The Python class
//! `tandem_infer.Model` wraps it (argument checks, pandas in and out); this layer reads the
//! values, drops the GIL while predicting, and hands numbers back as bytes numpy reads without
//! a copy per value.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use tandem_core::bundle::PublicKey;
use tandem_core::columnar::Columns;
use tandem_core::explain::ExplainOptions;
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::runtime::{EngineChoice, LoadOptions};
use tandem_core::{Instance, InstanceError, Model, Prediction};
use tandem_tracking::StoreConfig;
use tandem_tracking::uri::ModelUri;

use crate::batch::{self, Rows};
use crate::cells::{Column, raw_of};
use crate::errors::{self, Kind};

/// A loaded bundle.
#[pyclass(frozen, module = "tandem_infer._native")]
pub struct NativeModel {
    model: Model,
    source: String,
}

/// `(row, code, field, message)`: one row's error or warning, as Python receives it.
type Problem = (usize, String, Option<String>, String);

/// Scores, labels (u32 class indices; classification only), errors, warnings.
type Predicted<'py> = (
    Bound<'py, PyBytes>,
    Option<Bound<'py, PyBytes>>,
    Vec<Problem>,
    Vec<Problem>,
);

fn options(py: Python<'_>, strict: bool, range: &str) -> PyResult<TransformOptions> {
    let range: RangePolicy = range.parse().map_err(|why: String| {
        errors::raise(py, Kind::Input, "BAD_OPTION", why, Some("range"), None)
    })?;
    Ok(TransformOptions {
        strict_categories: strict,
        range,
    })
}

fn load_options(py: Python<'_>, public_key: Option<&str>, engine: &str) -> PyResult<LoadOptions> {
    let bad =
        |why: String, option| errors::raise(py, Kind::Model, "BAD_OPTION", why, Some(option), None);
    let engine: EngineChoice = engine.parse().map_err(|why| bad(why, "engine"))?;
    let mut options = LoadOptions::with_engine(engine);
    if let Some(text) = public_key {
        options.public_key =
            Some(PublicKey::parse(text).map_err(|e| bad(e.to_string(), "public_key"))?);
    }
    Ok(options)
}

fn thread_count(requested: Option<usize>) -> usize {
    requested
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn bytes_of<'py, T: Copy>(
    py: Python<'py>,
    values: &[T],
    to: impl Fn(T) -> [u8; 8],
) -> Bound<'py, PyBytes> {
    let mut out = Vec::with_capacity(values.len() * 8);
    for &v in values {
        out.extend_from_slice(&to(v));
    }
    PyBytes::new(py, &out)
}

fn problem(row: usize, code: &str, field: Option<&str>, message: String) -> Problem {
    (row, code.to_string(), field.map(str::to_string), message)
}

impl NativeModel {
    fn load(
        py: Python<'_>,
        bytes: &[u8],
        source: String,
        options: &LoadOptions,
    ) -> PyResult<NativeModel> {
        let model = py
            .detach(|| Model::load_options(bytes, options))
            .map_err(|e| errors::model(py, &e))?;
        Ok(NativeModel { model, source })
    }

    /// A record (a dict) as an instance; anything else is `NOT_AN_OBJECT`.
    fn instance(&self, record: &Bound<'_, PyAny>) -> Result<Instance, tandem_core::Error> {
        let Ok(dict) = record.cast::<PyDict>() else {
            return Err(InstanceError::NotAnObject {
                found: raw_of(record).describe(),
            }
            .into());
        };
        Instance::from_raw(self.model.schema(), |name| {
            dict.get_item(name)
                .ok()
                .flatten()
                .map_or(tandem_core::Raw::Null, |v| raw_of(&v))
        })
    }

    /// Read the column specs the Python layer built and match them to the schema
    /// (`MISSING_FIELD`, `DUPLICATE_HEADER`, `BAD_COLUMN`), then hand them to `f`.
    fn with_columns<'py, R>(
        &self,
        py: Python<'py>,
        rows: usize,
        specs: Vec<(String, Bound<'py, PyTuple>)>,
        f: impl FnOnce(&Columns<'_>) -> PyResult<R>,
    ) -> PyResult<R> {
        let parsed: Vec<(String, Column<'py>)> = specs
            .into_iter()
            .map(|(name, spec)| Ok((name, Column::parse(&spec)?)))
            .collect::<PyResult<_>>()?;
        let named = parsed.iter().map(|(n, c)| (n.clone(), c.cells())).collect();
        let columns = Columns::new(self.model.schema(), rows, named)
            .map_err(|e| errors::input(py, &e, None))?;
        f(&columns)
    }

    /// The features of each instance, float32 bytes (zeros for a failed row), their width,
    /// and the failed rows.
    fn features_of<'py>(
        &self,
        py: Python<'py>,
        instances: &[Result<Instance, tandem_core::Error>],
        options: TransformOptions,
    ) -> (Bound<'py, PyBytes>, usize, Vec<Problem>) {
        let width = self.model.metadata().model.n_features;
        let mut out = Vec::with_capacity(instances.len() * width * 4);
        let mut failed = Vec::new();
        for (row, instance) in instances.iter().enumerate() {
            let features = match instance {
                Ok(x) => self.model.features(x, options),
                Err(e) => Err(e.clone()),
            };
            match features {
                Ok(f) => f
                    .iter()
                    .for_each(|v| out.extend_from_slice(&v.to_ne_bytes())),
                Err(e) => {
                    out.resize(out.len() + width * 4, 0);
                    failed.push(problem(row, e.code(), e.field(), errors::message(&e)));
                }
            }
        }
        (PyBytes::new(py, &out), width, failed)
    }

    fn predicted<'py>(&self, py: Python<'py>, out: batch::Outcome) -> Predicted<'py> {
        let scores = bytes_of(py, &out.scores, f64::to_ne_bytes);
        let labels = self
            .model
            .schema()
            .classes()
            .map(|_| bytes_of(py, &out.labels, |l| u64::from(l).to_ne_bytes()));
        let errors = out
            .errors
            .iter()
            .map(|(row, e)| problem(*row, e.code(), e.field(), errors::message(e)))
            .collect();
        let warnings = out
            .warnings
            .into_iter()
            .map(|(row, w)| problem(row, w.code, Some(&w.field), w.message))
            .collect();
        (scores, labels, errors, warnings)
    }
}

#[pymethods]
impl NativeModel {
    /// Load a bundle from its bytes.
    #[staticmethod]
    #[pyo3(signature = (data, source, public_key=None, engine="auto"))]
    fn from_bytes(
        py: Python<'_>,
        data: &Bound<'_, PyBytes>,
        source: String,
        public_key: Option<&str>,
        engine: &str,
    ) -> PyResult<NativeModel> {
        let options = load_options(py, public_key, engine)?;
        Self::load(py, data.as_bytes(), source, &options)
    }

    /// Load the bundle a path, `runs:/<id>[/path]` or `models:/<name>@<alias>` names, from
    /// the MLflow server `tracking_uri` or the local store `runs_dir`.
    #[staticmethod]
    #[pyo3(signature = (uri, tracking_uri=None, runs_dir="tandem-runs".into(), public_key=None, engine="auto"))]
    fn resolve(
        py: Python<'_>,
        uri: &str,
        tracking_uri: Option<String>,
        runs_dir: PathBuf,
        public_key: Option<&str>,
        engine: &str,
    ) -> PyResult<NativeModel> {
        let options = load_options(py, public_key, engine)?;
        let parsed = ModelUri::parse(uri).map_err(|e| errors::tracking(py, &e))?;
        let stores = StoreConfig {
            tracking_uri,
            runs_dir,
        };
        let found = py
            .detach(|| parsed.resolve(&stores))
            .map_err(|e| errors::tracking(py, &e))?;
        Self::load(py, &found.bytes, found.source, &options)
    }

    /// Where the bundle came from.
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    /// The engine running the network (`dense` or `tract`).
    #[getter]
    fn engine(&self) -> &'static str {
        self.model.engine()
    }

    /// The input schema, as JSON.
    fn schema_json(&self) -> String {
        serde_json::to_string(self.model.schema()).unwrap_or_default()
    }

    /// The bundle's metadata, as JSON.
    fn metadata_json(&self) -> String {
        serde_json::to_string(self.model.metadata()).unwrap_or_default()
    }

    /// Per field read by a datetime node, the format it parses (how a date column is written
    /// as text for it).
    fn date_formats(&self) -> Vec<(String, String)> {
        let prep = self.model.preprocessing();
        self.model
            .schema()
            .fields
            .iter()
            .filter_map(|f| Some((f.name.clone(), prep.date_format(&f.name)?.to_string())))
            .collect()
    }

    /// Predict a column batch of `rows` rows: `columns` is a list of `(name, spec)` built by
    /// `tandem_infer._columns`.
    #[pyo3(signature = (rows, columns, strict=false, range="warn", threads=None))]
    fn predict_columns<'py>(
        &self,
        py: Python<'py>,
        rows: usize,
        columns: Vec<(String, Bound<'py, PyTuple>)>,
        strict: bool,
        range: &str,
        threads: Option<usize>,
    ) -> PyResult<Predicted<'py>> {
        let options = options(py, strict, range)?;
        let n = thread_count(threads);
        let out = self.with_columns(py, rows, columns, |columns| {
            py.detach(|| batch::predict(&self.model, &Rows::Columns(columns), options, n))
                .map_err(|e| errors::model(py, &e))
        })?;
        Ok(self.predicted(py, out))
    }

    /// Predict a list of records (dicts).
    #[pyo3(signature = (records, strict=false, range="warn", threads=None))]
    fn predict_records<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyList>,
        strict: bool,
        range: &str,
        threads: Option<usize>,
    ) -> PyResult<Predicted<'py>> {
        let options = options(py, strict, range)?;
        let instances: Vec<_> = records.iter().map(|r| self.instance(&r)).collect();
        let n = thread_count(threads);
        let out = py
            .detach(|| batch::predict(&self.model, &Rows::Instances(&instances), options, n))
            .map_err(|e| errors::model(py, &e))?;
        Ok(self.predicted(py, out))
    }

    /// Predict one record: `({"label", "probabilities"} or {"value"}, warnings)`.
    #[pyo3(signature = (record, strict=false, range="warn"))]
    fn predict_one<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        strict: bool,
        range: &str,
    ) -> PyResult<(Bound<'py, PyDict>, Vec<Problem>)> {
        let options = options(py, strict, range)?;
        let instance = self
            .instance(record)
            .map_err(|e| errors::input(py, &e, None))?;
        let prediction = self
            .model
            .predict(&instance, options)
            .map_err(|e| errors::input(py, &e, None))?;
        let warnings = self
            .model
            .warnings(&instance, options)
            .into_iter()
            .map(|w| problem(0, w.code, Some(&w.field), w.message))
            .collect();
        let out = PyDict::new(py);
        match prediction {
            Prediction::Class {
                label,
                probabilities,
            } => {
                out.set_item("label", label)?;
                out.set_item("probabilities", probabilities)?;
            }
            Prediction::Value { value } => out.set_item("value", value)?,
        }
        Ok((out, warnings))
    }

    /// The feature vectors the network sees for a column batch: `(float32 bytes, errors)`,
    /// one row of [`Model::preprocessing`]'s width per input row (zeros for a failed row).
    #[pyo3(signature = (rows, columns, strict=false, range="warn"))]
    fn features<'py>(
        &self,
        py: Python<'py>,
        rows: usize,
        columns: Vec<(String, Bound<'py, PyTuple>)>,
        strict: bool,
        range: &str,
    ) -> PyResult<(Bound<'py, PyBytes>, usize, Vec<Problem>)> {
        let options = options(py, strict, range)?;
        self.with_columns(py, rows, columns, |columns| {
            let instances = columns.instances(self.model.schema(), 0..rows);
            Ok(self.features_of(py, &instances, options))
        })
    }

    /// [`NativeModel::features`] of a list of records (dicts).
    #[pyo3(signature = (records, strict=false, range="warn"))]
    fn features_records<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyList>,
        strict: bool,
        range: &str,
    ) -> PyResult<(Bound<'py, PyBytes>, usize, Vec<Problem>)> {
        let options = options(py, strict, range)?;
        let instances: Vec<_> = records.iter().map(|r| self.instance(&r)).collect();
        Ok(self.features_of(py, &instances, options))
    }

    /// Explain one record against the bundle's background sample: the explanation as JSON
    /// (the shape `tandem explain` writes).
    #[pyo3(signature = (record, method="auto", permutations=None, seed=0, max_evaluations=None, strict=false, range="warn"))]
    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        method: &str,
        permutations: Option<usize>,
        seed: u64,
        max_evaluations: Option<u64>,
        strict: bool,
        range: &str,
    ) -> PyResult<String> {
        let transform = options(py, strict, range)?;
        let mut explain = ExplainOptions {
            method: method.parse().map_err(|why: String| {
                errors::raise(py, Kind::Input, "BAD_OPTION", why, Some("method"), None)
            })?,
            seed,
            ..ExplainOptions::default()
        };
        if let Some(p) = permutations {
            explain.permutations = p;
        }
        if let Some(m) = max_evaluations {
            explain.max_evaluations = m;
        }
        let instance = self
            .instance(record)
            .map_err(|e| errors::input(py, &e, None))?;
        let explanation = py
            .detach(|| self.model.explain(&instance, transform, &explain))
            .map_err(|e| errors::input(py, &e, None))?;
        let json = tandem_core::protocol::explanation_json(&self.model, &explanation);
        serde_json::to_string(&json)
            .map_err(|e| errors::raise(py, Kind::Model, "SERIALIZE", e.to_string(), None, None))
    }
}

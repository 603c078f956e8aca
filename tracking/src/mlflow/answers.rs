//! MLflow's JSON answers, read into structs: a field Tandem needs that is missing, or a value
//! it cannot use, is an [`Error::BadAnswer`] naming the endpoint, never a silent default.
//!
//! MLflow writes 64-bit integers as JSON numbers or as strings (model versions are `"3"`):
//! both are read. Fields MLflow leaves out when empty (params, tags, aliases, pages) default to
//! empty.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value as Json;

use crate::{Error, Metric, ModelVersion, Result, Run, Status};

/// `experiments/get-by-name`.
#[derive(Deserialize)]
pub(super) struct ExperimentAnswer {
    pub experiment: ExperimentInfo,
}

/// An experiment in `experiments/get-by-name|search`.
#[derive(Deserialize)]
pub(super) struct ExperimentInfo {
    pub experiment_id: String,
    /// `active` or `deleted`.
    #[serde(default)]
    pub lifecycle_stage: String,
}

/// `experiments/create`.
#[derive(Deserialize)]
pub(super) struct CreatedExperiment {
    pub experiment_id: String,
}

/// `experiments/search`.
#[derive(Deserialize)]
pub(super) struct Experiments {
    #[serde(default)]
    pub experiments: Vec<ExperimentInfo>,
    pub next_page_token: Option<String>,
}

/// `runs/get`, `runs/create`.
#[derive(Deserialize)]
pub(super) struct RunAnswer {
    pub run: RunJson,
}

/// `runs/search`.
#[derive(Deserialize)]
pub(super) struct RunsPage {
    #[serde(default)]
    pub runs: Vec<RunJson>,
    pub next_page_token: Option<String>,
}

/// A run: `info` and `data`.
#[derive(Deserialize)]
pub(super) struct RunJson {
    pub info: RunInfo,
    #[serde(default)]
    data: RunData,
}

/// A run's `info`.
#[derive(Deserialize)]
pub(super) struct RunInfo {
    pub run_id: String,
    experiment_id: String,
    run_name: Option<String>,
    #[serde(deserialize_with = "status")]
    status: Status,
    #[serde(default, deserialize_with = "int")]
    start_time: i64,
    #[serde(default, deserialize_with = "int")]
    end_time: i64,
    artifact_uri: Option<String>,
}

/// A run's `data`.
#[derive(Default, Deserialize)]
struct RunData {
    #[serde(default)]
    metrics: Vec<MetricJson>,
    #[serde(default)]
    params: Vec<KeyValue>,
    #[serde(default)]
    tags: Vec<KeyValue>,
}

/// A param or a tag.
#[derive(Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: String,
}

/// A metric in a run's `data` or in `metrics/get-history`.
#[derive(Deserialize)]
pub(super) struct MetricJson {
    key: String,
    /// A number; MLflow may write NaN and infinities as strings, which are left out.
    value: Json,
    #[serde(default, deserialize_with = "int")]
    step: i64,
    #[serde(default, deserialize_with = "int")]
    timestamp: i64,
}

/// `metrics/get-history`.
#[derive(Deserialize)]
pub(super) struct History {
    #[serde(default)]
    pub metrics: Vec<MetricJson>,
}

/// `model-versions/get|create`, `registered-models/alias`.
#[derive(Deserialize)]
pub(super) struct VersionAnswer {
    pub model_version: VersionJson,
}

/// `model-versions/search`.
#[derive(Deserialize)]
pub(super) struct VersionsPage {
    #[serde(default)]
    pub model_versions: Vec<VersionJson>,
    pub next_page_token: Option<String>,
}

/// A model version.
#[derive(Deserialize)]
pub(super) struct VersionJson {
    name: String,
    #[serde(deserialize_with = "int")]
    version: u64,
    /// `<run artifact uri>/<artifact path>`.
    #[serde(default)]
    source: String,
    run_id: String,
    #[serde(default, deserialize_with = "int")]
    creation_timestamp: i64,
    #[serde(default)]
    aliases: Vec<String>,
    /// Tags: Tandem records the bundle's SHA-256 as [`BUNDLE_SHA256_TAG`].
    #[serde(default)]
    tags: Vec<KeyValue>,
}

/// The model-version tag holding the SHA-256 of the bundle registered.
pub const BUNDLE_SHA256_TAG: &str = "tandem.bundle_sha256";

/// `registered-models/search`.
#[derive(Deserialize)]
pub(super) struct ModelsPage {
    #[serde(default)]
    pub registered_models: Vec<ModelJson>,
    pub next_page_token: Option<String>,
}

/// A registered model.
#[derive(Deserialize)]
pub(super) struct ModelJson {
    pub name: String,
    #[serde(default)]
    aliases: Vec<AliasJson>,
}

/// One alias of a registered model.
#[derive(Deserialize)]
struct AliasJson {
    alias: String,
    #[serde(deserialize_with = "int")]
    version: u64,
}

/// `mlflow-artifacts/artifacts?path=...`: a folder's listing.
#[derive(Deserialize)]
pub(super) struct Listing {
    #[serde(default)]
    pub files: Vec<ListedFile>,
}

/// One entry of a listing.
#[derive(Deserialize)]
pub(super) struct ListedFile {
    pub path: String,
}

impl RunJson {
    /// The run, its id checked; `endpoint` names the call for messages.
    pub fn into_run(self, endpoint: &str) -> Result<Run> {
        let RunJson { info, data } = self;
        if crate::local::check_run_id(&info.run_id).is_err() {
            return Err(Error::BadAnswer {
                endpoint: endpoint.into(),
                reason: format!("run id `{}` is not 32 hex digits", info.run_id),
            });
        }
        let pairs = |kv: Vec<KeyValue>| -> BTreeMap<String, String> {
            kv.into_iter().map(|p| (p.key, p.value)).collect()
        };
        let tags = pairs(data.tags);
        Ok(Run {
            run_name: info
                .run_name
                .or_else(|| tags.get("mlflow.runName").cloned())
                .unwrap_or_default(),
            experiment_id: info.experiment_id,
            status: info.status,
            start_time: info.start_time,
            end_time: Some(info.end_time).filter(|t| *t > 0),
            params: pairs(data.params),
            metrics: data
                .metrics
                .into_iter()
                .filter_map(|m| Some((m.key, m.value.as_f64()?)))
                .collect(),
            tags,
            run_id: info.run_id,
        })
    }
}

impl RunInfo {
    /// Where the run's artifacts are (`mlflow-artifacts:/1/<run id>/artifacts`).
    pub fn artifact_uri(&self) -> Result<&str> {
        self.artifact_uri
            .as_deref()
            .ok_or_else(|| Error::BadAnswer {
                endpoint: "runs/get".into(),
                reason: format!("run {} has no artifact_uri", self.run_id),
            })
    }
}

impl MetricJson {
    /// The metric, under `key` (history answers may leave the key out); `None` for a value
    /// that is not a number.
    pub fn into_metric(self, key: &str) -> Option<Metric> {
        Some(Metric {
            key: key.into(),
            value: self.value.as_f64()?,
            step: self.step,
            timestamp: self.timestamp,
        })
    }
}

impl From<VersionJson> for ModelVersion {
    fn from(v: VersionJson) -> ModelVersion {
        // A version Tandem registered has `<artifact uri>/model` as its source.
        let artifact_path = v
            .source
            .split_once("/artifacts/")
            .map_or("model", |(_, p)| p)
            .to_string();
        ModelVersion {
            name: v.name,
            version: v.version,
            run_id: v.run_id,
            artifact_path,
            creation_time: v.creation_timestamp,
            aliases: v.aliases,
            bundle_sha256: v
                .tags
                .into_iter()
                .find(|t| t.key == BUNDLE_SHA256_TAG)
                .map(|t| t.value),
        }
    }
}

impl ModelJson {
    /// alias -> version.
    pub fn aliases(&self) -> BTreeMap<String, u64> {
        self.aliases
            .iter()
            .map(|a| (a.alias.clone(), a.version))
            .collect()
    }
}

/// An integer written as a JSON number or as a string.
fn int<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + TryFrom<i64> + TryFrom<u64>,
{
    let v = Json::deserialize(d)?;
    let n = match &v {
        Json::Number(n) => n
            .as_i64()
            .and_then(|i| T::try_from(i).ok())
            .or_else(|| n.as_u64().and_then(|u| T::try_from(u).ok())),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.ok_or_else(|| D::Error::custom(format!("expected an integer, found {v}")))
}

/// A run status by MLflow's name.
fn status<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Status, D::Error> {
    let s = String::deserialize(d)?;
    Status::parse(&s).ok_or_else(|| D::Error::custom(format!("unknown run status `{s}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn run(info: Json) -> Result<Run> {
        let answer: RunAnswer = serde_json::from_value(serde_json::json!({
            "run": {"info": info, "data": {
                "metrics": [{"key": "auc", "value": 0.9, "step": "3", "timestamp": 1},
                            {"key": "bad", "value": "NaN", "step": 0, "timestamp": 1}],
                "tags": [{"key": "mlflow.runName", "value": "from-tag"}]
            }}
        }))
        .map_err(|e| Error::BadAnswer {
            endpoint: "runs/get".into(),
            reason: e.to_string(),
        })?;
        answer.run.into_run("runs/get")
    }

    #[test]
    fn a_run_answer_reads_numbers_and_strings_and_skips_non_numeric_metrics() {
        let r = run(serde_json::json!({
            "run_id": ID, "experiment_id": "1", "status": "SCHEDULED",
            "start_time": "1700000000000", "end_time": 0
        }))
        .unwrap();
        assert_eq!(r.status, Status::Running);
        assert_eq!(r.start_time, 1_700_000_000_000);
        assert_eq!(r.end_time, None);
        assert_eq!(r.run_name, "from-tag");
        assert_eq!(r.metrics.len(), 1);
        assert_eq!(r.metrics["auc"], 0.9);
    }

    #[test]
    fn a_run_answer_with_an_unknown_status_or_no_id_is_an_error() {
        let e = run(serde_json::json!({"run_id": ID, "experiment_id": "1", "status": "DONE"}))
            .unwrap_err();
        assert!(e.to_string().contains("unknown run status `DONE`"), "{e}");
        let e = run(serde_json::json!({"experiment_id": "1", "status": "FINISHED"})).unwrap_err();
        assert!(e.to_string().contains("missing field `run_id`"), "{e}");
        let e = run(serde_json::json!({"run_id": "x", "experiment_id": "1", "status": "FINISHED"}))
            .unwrap_err();
        assert!(
            e.to_string().contains("run id `x` is not 32 hex digits"),
            "{e}"
        );
    }

    #[test]
    fn a_model_version_needs_a_name_a_number_and_a_run() {
        let v: VersionJson = serde_json::from_value(serde_json::json!({
            "name": "titanic", "version": "3", "run_id": ID,
            "source": "mlflow-artifacts:/1/x/artifacts/model", "aliases": ["champion"]
        }))
        .unwrap();
        let v = ModelVersion::from(v);
        assert_eq!((v.version, v.artifact_path.as_str()), (3, "model"));
        assert_eq!(v.aliases, ["champion"]);
        for missing in ["name", "version", "run_id"] {
            let mut j = serde_json::json!({"name": "t", "version": 1, "run_id": ID});
            j.as_object_mut().unwrap().remove(missing);
            let e = serde_json::from_value::<VersionJson>(j).err().unwrap();
            assert!(e.to_string().contains(missing), "{missing}: {e}");
        }
    }
}

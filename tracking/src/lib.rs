//! Run tracking and the model registry: one interface, two stores.
//!
//! A library: no command-line parsing here; the `tandem` binary (tandem-cli) maps its flags
//! onto [`StoreConfig`].
//!
//! - [`local::LocalStore`]: a folder (`tandem-runs/` by default), zero setup. Atomic writes,
//!   a lock per running run (a run whose process died reads as `KILLED`), a store lock for
//!   experiments and the registry, so concurrent `tandem train` processes can share it.
//! - [`mlflow::MlflowStore`]: a real MLflow tracking server through its REST API
//!   (`--tracking-uri http://host:port` or `MLFLOW_TRACKING_URI`), artifacts through the
//!   `mlflow-artifacts` proxy, the registry through MLflow's registry API.
//!
//! Model URIs (`runs:/<id>`, `models:/<name>@<alias>`, `models:/<name>/<version>`) resolve
//! against either ([`uri`]).
//!
//! Errors are typed ([`Error`], with a stable [`Error::code`]); nothing here depends on anyhow.
#![warn(missing_docs)]

pub mod error;
pub mod ids;
pub mod local;
pub mod mlflow;
pub mod mlmodel;
pub mod recorder;
pub mod uri;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use error::{Error, NameKind, Result};

/// Where runs and registered models live: an MLflow tracking server (`tracking_uri`), or else
/// the local folder store `runs_dir`. With a server, training also keeps a local copy in
/// `runs_dir`.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// MLflow tracking server (`http://host:port`), if any.
    pub tracking_uri: Option<String>,
    /// The local run store.
    pub runs_dir: PathBuf,
}

impl StoreConfig {
    /// Open the store these arguments name.
    pub fn open(&self) -> Result<Box<dyn Store>> {
        match self.remote()? {
            Some(m) => Ok(Box::new(m)),
            None => Ok(Box::new(local::LocalStore::open(&self.runs_dir)?)),
        }
    }

    /// The MLflow store, when a tracking URI names one.
    pub fn remote(&self) -> Result<Option<mlflow::MlflowStore>> {
        match self.tracking_uri.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(uri) => {
                if let Some(path) = uri.strip_prefix("file://").or(uri.strip_prefix("file:")) {
                    return Err(Error::InvalidTrackingUri {
                        uri: uri.into(),
                        reason: format!(
                            "a local store is chosen with --runs-dir {path}, not a file: URI (unset MLFLOW_TRACKING_URI or pass --tracking-uri '')"
                        ),
                    });
                }
                Ok(Some(mlflow::MlflowStore::new(uri)?))
            }
        }
    }
}

/// A run's lifecycle state, as MLflow names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Training is in progress (and its process is alive).
    Running,
    /// Training completed and every artifact is in place.
    Finished,
    /// Training stopped on an error.
    Failed,
    /// The training process died (killed, crashed) before finishing.
    Killed,
}

impl Status {
    /// MLflow's name (`FINISHED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Finished => "FINISHED",
            Status::Failed => "FAILED",
            Status::Killed => "KILLED",
        }
    }

    /// Parse MLflow's name; `SCHEDULED` reads as running.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "RUNNING" | "SCHEDULED" => Status::Running,
            "FINISHED" => Status::Finished,
            "FAILED" => Status::Failed,
            "KILLED" => Status::Killed,
            _ => return None,
        })
    }
}

/// One metric value at one step (an epoch, or 0 for end-of-run metrics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name.
    pub key: String,
    /// Value (finite).
    pub value: f64,
    /// Step: the epoch for per-epoch metrics.
    pub step: i64,
    /// Unix milliseconds.
    pub timestamp: i64,
}

impl Metric {
    /// End-of-run metrics (step 0, stamped now) from `(key, value)` pairs; values that are not
    /// finite are left out (MLflow refuses them).
    pub fn finals<K: Into<String>>(values: impl IntoIterator<Item = (K, f64)>) -> Vec<Metric> {
        let timestamp = now_ms();
        values
            .into_iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(key, value)| Metric {
                key: key.into(),
                value,
                step: 0,
                timestamp,
            })
            .collect()
    }
}

/// A run as stores report it.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// 32-hex id.
    pub run_id: String,
    /// The experiment's id.
    pub experiment_id: String,
    /// Human-readable name.
    pub run_name: String,
    /// Lifecycle state.
    pub status: Status,
    /// Unix milliseconds.
    pub start_time: i64,
    /// Unix milliseconds, once ended.
    pub end_time: Option<i64>,
    /// Parameters.
    pub params: BTreeMap<String, String>,
    /// Latest value of each metric.
    pub metrics: BTreeMap<String, f64>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// One version of a registered model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelVersion {
    /// Registered model name.
    pub name: String,
    /// 1, 2, ...
    pub version: u64,
    /// The run that produced it.
    pub run_id: String,
    /// The artifact folder inside the run holding the bundle (`model`).
    pub artifact_path: String,
    /// Unix milliseconds.
    pub creation_time: i64,
    /// Aliases pointing at this version.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// SHA-256 (hex) of the bundle's bytes when it was registered; `models:/` resolution
    /// refuses a bundle that no longer matches. `None` for versions registered before Tandem
    /// recorded it (they still resolve, unchecked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_sha256: Option<String>,
}

/// The registry's models, and those that could not be read (a corrupt file): a listing skips
/// them instead of failing whole.
#[derive(Debug, Default)]
pub struct ModelListing {
    /// The models that read, by name.
    pub models: Vec<RegisteredModel>,
    /// The models skipped, by name, with why.
    pub skipped: Vec<(String, Error)>,
}

/// A registered model and its versions.
#[derive(Debug, Clone, Serialize)]
pub struct RegisteredModel {
    /// Name.
    pub name: String,
    /// alias -> version.
    pub aliases: BTreeMap<String, u64>,
    /// Versions, oldest first.
    pub versions: Vec<ModelVersion>,
}

/// An experiment: a named group of runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Experiment {
    /// Id (`"0"` is MLflow's `Default`).
    pub experiment_id: String,
    /// Unique name.
    pub name: String,
}

/// What a run store can do. Both stores implement all of it.
pub trait Store {
    /// Where this store is (a folder or a server URI), for messages.
    fn location(&self) -> String;
    /// Get the experiment named `name`, creating it if needed.
    fn experiment(&self, name: &str) -> Result<Experiment>;
    /// Start a run: status `RUNNING`.
    fn create_run(
        &self,
        experiment: &Experiment,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<String>;
    /// Log metrics, params and tags (any sizes: stores split them into legal batches).
    fn log(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()>;
    /// Store an artifact at `path` (`/`-separated, relative to the run's artifact root).
    fn put_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()>;
    /// End a run.
    fn end_run(&self, run_id: &str, status: Status) -> Result<()>;
    /// One run.
    fn run(&self, run_id: &str) -> Result<Run>;
    /// Runs, newest first; only `experiment` if given.
    fn runs(&self, experiment: Option<&str>, max: usize) -> Result<Vec<Run>>;
    /// Runs `keep` accepts, newest first, up to `max` (a store pages until it has them); with
    /// the number of runs passed over among the newer ones.
    fn runs_kept(
        &self,
        experiment: Option<&str>,
        max: usize,
        keep: &dyn Fn(&Run) -> bool,
    ) -> Result<(Vec<Run>, usize)> {
        // Every run as one page.
        let mut runs = Some(self.runs(experiment, usize::MAX)?);
        mlflow::paging::kept_pages(max, keep, |_| Ok((runs.take().unwrap_or_default(), None)))
    }
    /// Every logged value of one metric, by step.
    fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>>;
    /// Read an artifact of a run.
    fn get_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>>;
    /// Register the bundle under `artifact_path` of `run_id` as a new version of `name`.
    fn register(&self, name: &str, run_id: &str, artifact_path: &str) -> Result<ModelVersion>;
    /// Point `alias` of `name` at `version`.
    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()>;
    /// Remove an alias.
    fn delete_alias(&self, name: &str, alias: &str) -> Result<()>;
    /// A version by number.
    fn version(&self, name: &str, version: u64) -> Result<ModelVersion>;
    /// The version an alias points at.
    fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion>;
    /// The highest version of `name`.
    fn latest_version(&self, name: &str) -> Result<ModelVersion>;
    /// Every registered model; one that cannot be read is skipped, with why.
    fn models(&self) -> Result<ModelListing>;
}

/// The aliases of `aliases` (alias -> version) that point at `version`.
pub fn aliases_of(aliases: &BTreeMap<String, u64>, version: u64) -> Vec<String> {
    aliases
        .iter()
        .filter(|(_, v)| **v == version)
        .map(|(a, _)| a.clone())
        .collect()
}

/// What both stores check before registering: the run is FINISHED. Returns the bundle's
/// artifact path under `artifact_path`.
pub fn registrable(run: &Run, artifact_path: &str) -> Result<String> {
    if run.status != Status::Finished {
        return Err(Error::NotRegistrable {
            run_id: run.run_id.clone(),
            status: run.status,
        });
    }
    Ok(format!(
        "{}/model.tandem",
        artifact_path.trim_end_matches('/')
    ))
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Check a registry alias the way MLflow does: letters, digits, `_` and `-`, not `latest`,
/// not a version-like `v<digits>`.
pub fn check_alias(alias: &str) -> Result<()> {
    let ok_chars = !alias.is_empty()
        && alias.len() <= 255
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let versionish = alias
        .strip_prefix(['v', 'V'])
        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    if !ok_chars || versionish || alias.eq_ignore_ascii_case("latest") {
        return Err(Error::InvalidName {
            kind: NameKind::Alias,
            name: alias.into(),
            rule: "use letters, digits, `_` and `-`; `latest` and `v<number>` are reserved",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_follow_mlflow_rules() {
        for ok in ["champion", "challenger-2", "prod_eu", "v1a"] {
            assert!(check_alias(ok).is_ok(), "{ok}");
        }
        for bad in ["", "latest", "LATEST", "v3", "V12", "a b", "a/b", "é"] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            Status::Running,
            Status::Finished,
            Status::Failed,
            Status::Killed,
        ] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("DONE"), None);
    }
}

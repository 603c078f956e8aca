//! A real MLflow tracking server through its REST API (MLflow 2.x / 3.x).
//!
//! Tracking: `experiments/get-by-name|create`, `runs/create|log-batch|update|get|search`,
//! `metrics/get-history`. Artifacts: the tracking server's `mlflow-artifacts` proxy
//! (`mlflow server --serve-artifacts`, the default since MLflow 2.0). Registry:
//! `registered-models/*`, `model-versions/*` (each version tagged with its bundle's SHA-256,
//! [`BUNDLE_SHA256_TAG`]). Authentication as MLflow's own client reads it:
//! `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME` / `_PASSWORD` (basic), with a
//! warning when they would go over plain http to another machine; TLS as its variables say
//! (`MLFLOW_TRACKING_SERVER_CERT_PATH`, `_INSECURE_TLS`, `_CLIENT_CERT_PATH`: [`tls`]).
//! Searches page with `page_token` ([`paging`]).
//! Transient failures (connection refused, 429, 5xx) are retried
//! `MLFLOW_HTTP_REQUEST_MAX_RETRIES` times (default 3) with exponential backoff; each request
//! times out after `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds (default 120).

mod answers;
mod client;
pub mod paging;
pub mod tls;

use serde_json::{Value as Json, json};

use super::{
    Error, Experiment, Metric, ModelListing, ModelVersion, RegisteredModel, Result, Run, Status,
    Store, aliases_of, check_alias, now_ms, registrable,
};

pub use answers::BUNDLE_SHA256_TAG;
use answers::{
    CreatedExperiment, ExperimentAnswer, Experiments, History, Listing, ModelsPage, RunAnswer,
    RunInfo, RunJson, RunsPage, VersionAnswer, VersionsPage,
};
use client::{Body, MAX_ARTIFACT, MAX_JSON_ANSWER, encode_path};
pub use client::{Method, MlflowStore};
use paging::all_pages;

/// MLflow's per-call limits of `runs/log-batch`.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// Params per `log-batch` call.
pub const MAX_PARAMS_PER_BATCH: usize = 100;
/// Tags per `log-batch` call.
pub const MAX_TAGS_PER_BATCH: usize = 100;
/// Metrics + params + tags per `log-batch` call.
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
/// MLflow refuses param values longer than this.
pub const MAX_PARAM_VALUE: usize = 6000;

/// MLflow's `error_code` for a missing run, experiment, model, version or alias.
const DOES_NOT_EXIST: &str = "RESOURCE_DOES_NOT_EXIST";
/// MLflow's `error_code` for creating what exists.
const ALREADY_EXISTS: &str = "RESOURCE_ALREADY_EXISTS";

/// `Ok(None)` instead of the error when MLflow answered `error_code` (`RESOURCE_DOES_NOT_EXIST`,
/// ...): the one place that matches MLflow's error codes.
fn except<T>(result: Result<T>, error_code: &str) -> Result<Option<T>> {
    match result {
        Err(e) if e.mlflow_code() == Some(error_code) => Ok(None),
        other => other.map(Some),
    }
}

/// Nothing to read in the answer.
type Ignored = serde::de::IgnoredAny;

impl MlflowStore {
    /// One page of `runs/search` over `ids`, newest first.
    fn runs_page(
        &self,
        ids: &[String],
        size: usize,
        token: Option<&str>,
    ) -> Result<(Vec<Run>, Option<String>)> {
        let mut body = json!({
            "experiment_ids": ids,
            "max_results": size,
            "order_by": ["attributes.start_time DESC"],
        });
        if let Some(t) = token {
            body["page_token"] = json!(t);
        }
        let page: RunsPage = self.json(Method::Post, "runs/search", &[], Some(&body))?;
        let runs = page
            .runs
            .into_iter()
            .map(|r| r.into_run("runs/search"))
            .collect::<Result<Vec<_>>>()?;
        Ok((runs, page.next_page_token))
    }

    /// Every version of a registered model, oldest first (`model-versions/search`).
    fn versions_of(&self, name: &str) -> Result<Vec<ModelVersion>> {
        let filter = format!("name='{}'", name.replace('\'', "\\'"));
        let size = self.page_size.to_string();
        let mut versions: Vec<ModelVersion> = all_pages(usize::MAX, |token| {
            let mut query = vec![("filter", filter.as_str()), ("max_results", &size)];
            query.extend(token.map(|t| ("page_token", t)));
            let page: VersionsPage =
                self.json(Method::Get, "model-versions/search", &query, None)?;
            let versions = page.model_versions.into_iter().map(Into::into).collect();
            Ok((versions, page.next_page_token))
        })?;
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }

    /// `experiments/get-by-name`; `None` if there is none.
    fn experiment_by_name(&self, name: &str) -> Result<Option<answers::ExperimentInfo>> {
        let answer: Option<ExperimentAnswer> = except(
            self.json(
                Method::Get,
                "experiments/get-by-name",
                &[("experiment_name", name)],
                None,
            ),
            DOES_NOT_EXIST,
        )?;
        Ok(answer.map(|a| a.experiment))
    }

    /// `experiments/get-by-name`, else `experiments/create`; once more if another process
    /// created it in between.
    fn get_or_create_experiment(&self, name: &str, retry: bool) -> Result<Experiment> {
        if let Some(e) = self.experiment_by_name(name)? {
            if e.lifecycle_stage == "deleted" {
                return Err(Error::DeletedExperiment { name: name.into() });
            }
            return Ok(Experiment {
                experiment_id: e.experiment_id,
                name: name.into(),
            });
        }
        let created: Option<CreatedExperiment> = except(
            self.json(
                Method::Post,
                "experiments/create",
                &[],
                Some(&json!({"name": name})),
            ),
            ALREADY_EXISTS,
        )?;
        match created {
            Some(c) => Ok(Experiment {
                experiment_id: c.experiment_id,
                name: name.into(),
            }),
            // Another process created it first.
            None if retry => self.get_or_create_experiment(name, false),
            None => Err(Error::BadAnswer {
                endpoint: "experiments/create".into(),
                reason: format!(
                    "experiment `{name}` both exists (create) and does not (get-by-name)"
                ),
            }),
        }
    }

    /// `runs/get`, with an unknown id said plainly.
    fn get_run(&self, run_id: &str) -> Result<RunJson> {
        super::local::check_run_id(run_id)?;
        let answer: Option<RunAnswer> = except(
            self.json(Method::Get, "runs/get", &[("run_id", run_id)], None),
            DOES_NOT_EXIST,
        )?;
        answer.map(|a| a.run).ok_or_else(|| Error::UnknownRun {
            run_id: run_id.into(),
            store: format!("the MLflow server {}", self.base),
        })
    }

    /// The artifact root of a run as a path under the `mlflow-artifacts` proxy (asked once
    /// per run).
    fn artifact_root(&self, run_id: &str) -> Result<String> {
        let cached = self
            .artifact_roots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(run_id)
            .cloned();
        match cached {
            Some(root) => Ok(root),
            None => self.remember_artifact_root(&self.get_run(run_id)?.info),
        }
    }

    /// The artifact root of the run `info` describes, remembered for later calls.
    fn remember_artifact_root(&self, info: &RunInfo) -> Result<String> {
        let uri = info.artifact_uri()?;
        let root = proxied_path(uri).ok_or_else(|| Error::ArtifactsNotProxied {
            run_id: info.run_id.clone(),
            artifact_uri: uri.into(),
        })?;
        self.artifact_roots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(info.run_id.clone(), root.clone());
        Ok(root)
    }

    fn artifact_url_path(&self, run_id: &str, path: &str) -> Result<String> {
        super::local::check_artifact_path(path)?;
        let root = self.artifact_root(run_id)?;
        Ok(format!(
            "api/2.0/mlflow-artifacts/artifacts/{}/{}",
            encode_path(&root),
            encode_path(path)
        ))
    }

    /// The ids of the experiment named (or numbered) `experiment`, or of every experiment.
    fn experiment_ids(&self, experiment: Option<&str>) -> Result<Vec<String>> {
        let Some(name) = experiment else {
            return all_pages(usize::MAX, |token| {
                let mut body = json!({"max_results": self.page_size});
                if let Some(t) = token {
                    body["page_token"] = json!(t);
                }
                let page: Experiments =
                    self.json(Method::Post, "experiments/search", &[], Some(&body))?;
                let ids = page.experiments.into_iter().map(|e| e.experiment_id);
                Ok((ids.collect(), page.next_page_token))
            });
        };
        match self.experiment_by_name(name)? {
            Some(e) => Ok(vec![e.experiment_id]),
            // Not a name: an id, if it looks like one.
            None if name.chars().all(|c| c.is_ascii_digit()) => Ok(vec![name.to_string()]),
            None => Err(Error::UnknownExperiment {
                name: name.into(),
                store: self.base.clone(),
            }),
        }
    }

    /// Whether the run's artifact folder `artifact_path` holds `model.tandem`.
    fn has_bundle(&self, root: &str, artifact_path: &str) -> Result<bool> {
        let listing = self.call(
            Method::Get,
            "api/2.0/mlflow-artifacts/artifacts",
            &[(
                "path",
                &format!("{root}/{}", artifact_path.trim_end_matches('/')),
            )],
            Body::None,
            MAX_JSON_ANSWER,
        )?;
        // An empty or unreadable listing holds no bundle.
        let listed: Listing =
            serde_json::from_slice(&listing).unwrap_or(Listing { files: Vec::new() });
        Ok(listed.files.iter().any(|f| f.path == "model.tandem"))
    }
}

fn kv(entries: &[(String, String)]) -> Vec<Json> {
    entries
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect()
}

impl Store for MlflowStore {
    fn location(&self) -> String {
        self.base.clone()
    }

    fn experiment(&self, name: &str) -> Result<Experiment> {
        self.get_or_create_experiment(name, true)
    }

    fn create_run(
        &self,
        experiment: &Experiment,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        let answer: RunAnswer = self.json(
            Method::Post,
            "runs/create",
            &[],
            Some(&json!({
                "experiment_id": experiment.experiment_id,
                "run_name": run_name,
                "start_time": now_ms(),
                "tags": kv(tags),
            })),
        )?;
        Ok(answer.run.into_run("runs/create")?.run_id)
    }

    fn log(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        if let Some((k, v)) = params.iter().find(|(_, v)| v.len() > MAX_PARAM_VALUE) {
            return Err(Error::ParamTooLong {
                key: k.clone(),
                len: v.len(),
                max: MAX_PARAM_VALUE,
            });
        }
        for batch in batches(metrics, params, tags) {
            let _: Ignored = self.json(
                Method::Post,
                "runs/log-batch",
                &[],
                Some(&json!({
                    "run_id": run_id,
                    "metrics": batch.0.iter().map(|m| json!({
                        "key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step,
                    })).collect::<Vec<_>>(),
                    "params": kv(batch.1),
                    "tags": kv(batch.2),
                })),
            )?;
        }
        Ok(())
    }

    fn put_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()> {
        let url = self.artifact_url_path(run_id, path)?;
        self.call(Method::Put, &url, &[], Body::Bytes(bytes), MAX_JSON_ANSWER)
            .map_err(|e| Error::Transfer {
                action: "upload",
                path: path.into(),
                run_id: run_id.into(),
                source: Box::new(e),
            })?;
        Ok(())
    }

    fn end_run(&self, run_id: &str, status: Status) -> Result<()> {
        let _: Ignored = self.json(
            Method::Post,
            "runs/update",
            &[],
            Some(&json!({"run_id": run_id, "status": status.as_str(), "end_time": now_ms()})),
        )?;
        Ok(())
    }

    fn run(&self, run_id: &str) -> Result<Run> {
        self.get_run(run_id)?.into_run("runs/get")
    }

    fn runs(&self, experiment: Option<&str>, max: usize) -> Result<Vec<Run>> {
        let ids = self.experiment_ids(experiment)?;
        let size = max.clamp(1, self.page_size);
        all_pages(max, |token| self.runs_page(&ids, size, token))
    }

    fn runs_kept(
        &self,
        experiment: Option<&str>,
        max: usize,
        keep: &dyn Fn(&Run) -> bool,
    ) -> Result<(Vec<Run>, usize)> {
        let ids = self.experiment_ids(experiment)?;
        // Full pages: the runs passed over may be many.
        paging::kept_pages(max, keep, |token| {
            self.runs_page(&ids, self.page_size, token)
        })
    }

    fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        let history: History = self.json(
            Method::Get,
            "metrics/get-history",
            &[
                ("run_id", run_id),
                ("metric_key", key),
                ("max_results", "25000"),
            ],
            None,
        )?;
        let mut h: Vec<Metric> = history
            .metrics
            .into_iter()
            .filter_map(|m| m.into_metric(key))
            .collect();
        h.sort_by_key(|m| (m.step, m.timestamp));
        Ok(h)
    }

    fn get_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        let url = self.artifact_url_path(run_id, path)?;
        self.call(Method::Get, &url, &[], Body::None, MAX_ARTIFACT)
            .map_err(|e| Error::Transfer {
                action: "download",
                path: path.into(),
                run_id: run_id.into(),
                source: Box::new(e),
            })
    }

    fn register(&self, name: &str, run_id: &str, artifact_path: &str) -> Result<ModelVersion> {
        let run = self.get_run(run_id)?;
        let artifact_uri = run.info.artifact_uri()?.to_string();
        let root = self.remember_artifact_root(&run.info);
        let bundle = registrable(&run.into_run("runs/get")?, artifact_path)?;
        let root = root?;
        // The bundle must be there: a version that cannot be loaded is worse than none.
        if !self.has_bundle(&root, artifact_path)? {
            return Err(Error::NoBundle {
                run_id: run_id.into(),
                bundle,
                store: self.base.clone(),
            });
        }
        // The hash of the bytes registered, as a version tag: `models:/` resolution checks
        // the bundle it downloads against it.
        let bundle_sha256 = crate::ids::sha256_hex(&self.get_artifact(run_id, &bundle)?);
        let _: Option<Ignored> = except(
            self.json(
                Method::Post,
                "registered-models/create",
                &[],
                Some(&json!({"name": name})),
            ),
            ALREADY_EXISTS,
        )?;
        let answer: VersionAnswer = self.json(
            Method::Post,
            "model-versions/create",
            &[],
            Some(&json!({
                "name": name,
                "source": format!("{artifact_uri}/{}", artifact_path.trim_end_matches('/')),
                "run_id": run_id,
                "description": format!("Tandem bundle {bundle}"),
                "tags": [{"key": BUNDLE_SHA256_TAG, "value": bundle_sha256}],
            })),
        )?;
        Ok(answer.model_version.into())
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        check_alias(alias)?;
        let _: Ignored = self.json(
            Method::Post,
            "registered-models/alias",
            &[],
            Some(&json!({"name": name, "alias": alias, "version": version.to_string()})),
        )?;
        Ok(())
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        let _: Ignored = self.json(
            Method::Delete,
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        Ok(())
    }

    fn version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        let answer: VersionAnswer = self.json(
            Method::Get,
            "model-versions/get",
            &[("name", name), ("version", &version.to_string())],
            None,
        )?;
        Ok(answer.model_version.into())
    }

    fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        let answer: VersionAnswer = self.json(
            Method::Get,
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        Ok(answer.model_version.into())
    }

    fn latest_version(&self, name: &str) -> Result<ModelVersion> {
        self.versions_of(name)?
            .pop()
            .ok_or_else(|| Error::NoVersions {
                name: name.into(),
                store: self.base.clone(),
            })
    }

    fn models(&self) -> Result<ModelListing> {
        let size = self.page_size.to_string();
        let models = all_pages(usize::MAX, |token| {
            let mut query = vec![("max_results", size.as_str())];
            query.extend(token.map(|t| ("page_token", t)));
            let page: ModelsPage =
                self.json(Method::Get, "registered-models/search", &query, None)?;
            Ok((page.registered_models, page.next_page_token))
        })?;
        let mut out = Vec::new();
        for m in models {
            let aliases = m.aliases();
            let mut versions = self.versions_of(&m.name)?;
            for v in &mut versions {
                v.aliases = aliases_of(&aliases, v.version);
            }
            out.push(RegisteredModel {
                name: m.name,
                aliases,
                versions,
            });
        }
        Ok(ModelListing {
            models: out,
            skipped: Vec::new(),
        })
    }
}

/// One `log-batch` call's metrics, params and tags.
pub type Batch<'a> = (&'a [Metric], &'a [(String, String)], &'a [(String, String)]);

/// Split metrics, params and tags into `log-batch` calls within MLflow's limits.
pub fn batches<'a>(
    metrics: &'a [Metric],
    params: &'a [(String, String)],
    tags: &'a [(String, String)],
) -> Vec<Batch<'a>> {
    let mut out = Vec::new();
    let (mut m, mut p, mut t) = (metrics, params, tags);
    while !m.is_empty() || !p.is_empty() || !t.is_empty() {
        let np = p.len().min(MAX_PARAMS_PER_BATCH);
        let nt = t.len().min(MAX_TAGS_PER_BATCH);
        let nm = m
            .len()
            .min(MAX_METRICS_PER_BATCH)
            .min(MAX_ENTITIES_PER_BATCH - np - nt);
        out.push((&m[..nm], &p[..np], &t[..nt]));
        (m, p, t) = (&m[nm..], &p[np..], &t[nt..]);
    }
    out
}

/// `mlflow-artifacts:/1/<run>/artifacts` or `mlflow-artifacts://host:port/1/...` → `1/<run>/artifacts`.
pub fn proxied_path(artifact_uri: &str) -> Option<String> {
    let rest = artifact_uri.strip_prefix("mlflow-artifacts:")?;
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path.split_once('/').map_or("", |(_, p)| p),
        None => rest.trim_start_matches('/'),
    };
    Some(path.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_mlflow_limits() {
        let m: Vec<Metric> = (0..2500)
            .map(|i| Metric {
                key: "k".into(),
                value: 1.0,
                step: i,
                timestamp: 0,
            })
            .collect();
        let p: Vec<(String, String)> = (0..250).map(|i| (i.to_string(), "v".into())).collect();
        let t: Vec<(String, String)> = (0..130).map(|i| (i.to_string(), "v".into())).collect();
        let b = batches(&m, &p, &t);
        for (m, p, t) in &b {
            assert!(m.len() <= 1000 && p.len() <= 100 && t.len() <= 100);
            assert!(m.len() + p.len() + t.len() <= 1000);
        }
        assert_eq!(b.iter().map(|x| x.0.len()).sum::<usize>(), 2500);
        assert_eq!(b.iter().map(|x| x.1.len()).sum::<usize>(), 250);
        assert_eq!(b.iter().map(|x| x.2.len()).sum::<usize>(), 130);
        assert!(batches(&[], &[], &[]).is_empty());
    }

    #[test]
    fn artifact_uris_map_to_the_proxy() {
        assert_eq!(
            proxied_path("mlflow-artifacts:/1/abc/artifacts").as_deref(),
            Some("1/abc/artifacts")
        );
        assert_eq!(
            proxied_path("mlflow-artifacts://h:5000/2/x/artifacts/").as_deref(),
            Some("2/x/artifacts")
        );
        assert_eq!(proxied_path("s3://bucket/1/x"), None);
        assert_eq!(encode_path("a b/ü"), "a%20b/%C3%BC");
    }
}

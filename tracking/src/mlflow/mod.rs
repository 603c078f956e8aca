//! A real MLflow tracking server through its REST API (MLflow 2.x / 3.x).
//!
//! Tracking: `experiments/get-by-name|create`, `runs/create|log-batch|update|get|search`,
//! `metrics/get-history`. Artifacts: the tracking server's `mlflow-artifacts` proxy
//! (`mlflow server --serve-artifacts`, the default since MLflow 2.0). Registry:
//! `registered-models/*`, `model-versions/*`. Authentication as MLflow's own client reads
//! it: `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME` / `_PASSWORD` (basic).
//! Transient failures (connection refused, 429, 5xx) are retried
//! `MLFLOW_HTTP_REQUEST_MAX_RETRIES` times (default 3) with exponential backoff; each request
//! times out after `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds (default 120).

mod client;

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value as Json, json};

use super::{
    Experiment, Metric, ModelVersion, RegisteredModel, Run, Status, Store, aliases_of, check_alias,
    now_ms, registrable,
};

use client::{Body, MAX_ARTIFACT, MAX_JSON_ANSWER, encode_path, excerpt};
pub use client::{MlflowError, MlflowStore};

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

impl MlflowStore {
    /// Every version of a registered model, oldest first (`model-versions/search`).
    fn versions_of(&self, name: &str) -> Result<Vec<ModelVersion>> {
        let filter = format!("name='{}'", name.replace('\'', "\\'"));
        let j = self.json(
            "GET",
            "model-versions/search",
            &[("filter", &filter), ("max_results", "1000")],
            None,
        )?;
        let mut versions = j["model_versions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(Self::version_of)
            .collect::<Result<Vec<_>>>()?;
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }

    /// `runs/get`, with an unknown id said plainly.
    /// `experiments/get-by-name`, else `experiments/create`; once more if another process
    /// created it in between.
    fn get_or_create_experiment(&self, name: &str, retry: bool) -> Result<Experiment> {
        match self.json(
            "GET",
            "experiments/get-by-name",
            &[("experiment_name", name)],
            None,
        ) {
            Ok(j) => {
                let e = &j["experiment"];
                if e["lifecycle_stage"].as_str() == Some("deleted") {
                    bail!(
                        "MLflow experiment `{name}` is deleted: restore it or choose another name"
                    );
                }
                Ok(Experiment {
                    experiment_id: e["experiment_id"]
                        .as_str()
                        .ok_or_else(|| anyhow!("MLflow experiments/get-by-name: no experiment_id"))?
                        .into(),
                    name: name.into(),
                })
            }
            Err(e)
                if e.downcast_ref::<MlflowError>().and_then(MlflowError::code)
                    == Some("RESOURCE_DOES_NOT_EXIST") =>
            {
                match self.json(
                    "POST",
                    "experiments/create",
                    &[],
                    Some(&json!({"name": name})),
                ) {
                    Ok(j) => Ok(Experiment {
                        experiment_id: j["experiment_id"]
                            .as_str()
                            .ok_or_else(|| anyhow!("MLflow experiments/create: no experiment_id"))?
                            .into(),
                        name: name.into(),
                    }),
                    // Another process created it first.
                    Err(e)
                        if e.downcast_ref::<MlflowError>().and_then(MlflowError::code)
                            == Some("RESOURCE_ALREADY_EXISTS") =>
                    {
                        if retry {
                            self.get_or_create_experiment(name, false)
                        } else {
                            Err(e.context(format!(
                                "MLflow says experiment `{name}` both exists (create) and does not (get-by-name)"
                            )))
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// `runs/get`, with an unknown id said plainly.
    fn get_run(&self, run_id: &str) -> Result<Json> {
        super::local::check_run_id(run_id)?;
        self.json("GET", "runs/get", &[("run_id", run_id)], None)
            .map_err(
                |e| match e.downcast_ref::<MlflowError>().and_then(MlflowError::code) {
                    Some("RESOURCE_DOES_NOT_EXIST") => {
                        anyhow!("unknown run id {run_id} on the MLflow server {}", self.base)
                    }
                    _ => e,
                },
            )
    }

    /// The artifact root of a run as a path under the `mlflow-artifacts` proxy.
    fn artifact_root(&self, run_id: &str) -> Result<String> {
        let cached = |roots: &std::collections::HashMap<String, String>| roots.get(run_id).cloned();
        if let Some(root) = self.artifact_roots.lock().ok().and_then(|r| cached(&r)) {
            return Ok(root);
        }
        let info = self.get_run(run_id)?;
        let uri = info["run"]["info"]["artifact_uri"]
            .as_str()
            .ok_or_else(|| anyhow!("MLflow runs/get: run {run_id} has no artifact_uri"))?;
        let root = proxied_path(uri).ok_or_else(|| {
            anyhow!(
                "run {run_id} stores artifacts at `{uri}`, which Tandem cannot reach through the tracking server: start `mlflow server` with --serve-artifacts (the default since MLflow 2.0) and an `mlflow-artifacts:` artifact root"
            )
        })?;
        if let Ok(mut roots) = self.artifact_roots.lock() {
            roots.insert(run_id.to_string(), root.clone());
        }
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

    fn version_of(v: &Json) -> Result<ModelVersion> {
        let name = v["name"].as_str().unwrap_or_default().to_string();
        let version = v["version"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| v["version"].as_u64())
            .ok_or_else(|| anyhow!("MLflow model version without a version number: {v}"))?;
        let source = v["source"].as_str().unwrap_or_default();
        let artifact_path = source
            .split_once("/artifacts/")
            .map_or("model", |(_, p)| p)
            .to_string();
        Ok(ModelVersion {
            name,
            version,
            run_id: v["run_id"].as_str().unwrap_or_default().to_string(),
            artifact_path,
            creation_time: v["creation_timestamp"].as_i64().unwrap_or_default(),
            aliases: v["aliases"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn run_of(j: &Json) -> Result<Run> {
        let info = &j["info"];
        let run_id = info["run_id"]
            .as_str()
            .ok_or_else(|| {
                anyhow!(
                    "MLflow answered a run without run_id: {}",
                    excerpt(j.to_string().as_bytes())
                )
            })?
            .to_string();
        super::local::check_run_id(&run_id)
            .with_context(|| "MLflow answered a run with a malformed id")?;
        let pairs = |key: &str| -> BTreeMap<String, String> {
            j["data"][key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| {
                            Some((
                                p["key"].as_str()?.to_string(),
                                p["value"].as_str()?.to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let metrics = j["data"]["metrics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| Some((m["key"].as_str()?.to_string(), m["value"].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let tags = pairs("tags");
        Ok(Run {
            experiment_id: info["experiment_id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            run_name: info["run_name"]
                .as_str()
                .map(str::to_string)
                .or_else(|| tags.get("mlflow.runName").cloned())
                .unwrap_or_default(),
            status: Status::parse(info["status"].as_str().unwrap_or_default())
                .unwrap_or(Status::Failed),
            start_time: as_i64(&info["start_time"]),
            end_time: Some(as_i64(&info["end_time"])).filter(|t| *t > 0),
            params: pairs("params"),
            metrics,
            tags,
            run_id,
        })
    }
}

fn as_i64(v: &Json) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_default()
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
        let j = self.json(
            "POST",
            "runs/create",
            &[],
            Some(&json!({
                "experiment_id": experiment.experiment_id,
                "run_name": run_name,
                "start_time": now_ms(),
                "tags": kv(tags),
            })),
        )?;
        let id = j["run"]["info"]["run_id"]
            .as_str()
            .ok_or_else(|| anyhow!("MLflow runs/create answered no run id"))?;
        super::local::check_run_id(id)
            .with_context(|| format!("MLflow runs/create answered run id `{id}`"))?;
        Ok(id.to_string())
    }

    fn log(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        for (k, v) in params {
            if v.len() > MAX_PARAM_VALUE {
                bail!(
                    "param {k} is {} characters; MLflow accepts at most {MAX_PARAM_VALUE}",
                    v.len()
                );
            }
        }
        for batch in batches(metrics, params, tags) {
            self.json(
                "POST",
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
        self.call("PUT", &url, &[], Body::Bytes(bytes), MAX_JSON_ANSWER)
            .with_context(|| format!("cannot upload artifact `{path}` of run {run_id}"))?;
        Ok(())
    }

    fn end_run(&self, run_id: &str, status: Status) -> Result<()> {
        self.json(
            "POST",
            "runs/update",
            &[],
            Some(&json!({"run_id": run_id, "status": status.as_str(), "end_time": now_ms()})),
        )?;
        Ok(())
    }

    fn run(&self, run_id: &str) -> Result<Run> {
        Self::run_of(&self.get_run(run_id)?["run"])
    }

    fn runs(&self, experiment: Option<&str>, max: usize) -> Result<Vec<Run>> {
        let ids: Vec<String> = match experiment {
            Some(name) => match self.json(
                "GET",
                "experiments/get-by-name",
                &[("experiment_name", name)],
                None,
            ) {
                Ok(j) => vec![
                    j["experiment"]["experiment_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ],
                // Not a name: an id, if it looks like one.
                Err(e)
                    if e.downcast_ref::<MlflowError>().and_then(MlflowError::code)
                        == Some("RESOURCE_DOES_NOT_EXIST") =>
                {
                    if name.chars().all(|c| c.is_ascii_digit()) {
                        vec![name.to_string()]
                    } else {
                        bail!("unknown experiment `{name}` on {}", self.base);
                    }
                }
                Err(e) => return Err(e),
            },
            None => {
                let j = self.json(
                    "POST",
                    "experiments/search",
                    &[],
                    Some(&json!({"max_results": 1000})),
                )?;
                j["experiments"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|e| e["experiment_id"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            }
        };
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({
                "experiment_ids": ids,
                "max_results": max.clamp(1, 1000),
                "order_by": ["attributes.start_time DESC"],
            });
            if let Some(t) = &token {
                body["page_token"] = json!(t);
            }
            let j = self.json("POST", "runs/search", &[], Some(&body))?;
            let page = j["runs"].as_array().map_or(&[][..], Vec::as_slice);
            for r in page {
                out.push(Self::run_of(r)?);
            }
            let next = j["next_page_token"].as_str().map(str::to_string);
            // An empty page or a token that does not move would page forever.
            if page.is_empty() || next.is_none() || next == token || out.len() >= max {
                break;
            }
            token = next;
        }
        out.truncate(max);
        Ok(out)
    }

    fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        let j = self.json(
            "GET",
            "metrics/get-history",
            &[
                ("run_id", run_id),
                ("metric_key", key),
                ("max_results", "25000"),
            ],
            None,
        )?;
        let mut h: Vec<Metric> = j["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(Metric {
                    key: key.into(),
                    value: m["value"].as_f64()?,
                    step: as_i64(&m["step"]),
                    timestamp: as_i64(&m["timestamp"]),
                })
            })
            .collect();
        h.sort_by_key(|m| (m.step, m.timestamp));
        Ok(h)
    }

    fn get_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        let url = self.artifact_url_path(run_id, path)?;
        self.call("GET", &url, &[], Body::None, MAX_ARTIFACT)
            .with_context(|| format!("cannot download artifact `{path}` of run {run_id}"))
    }

    fn register(&self, name: &str, run_id: &str, artifact_path: &str) -> Result<ModelVersion> {
        let bundle = registrable(&self.run(run_id)?, artifact_path)?;
        // The bundle must be there: a version that cannot be loaded is worse than none.
        let root = self.artifact_root(run_id)?;
        let listing = self.call(
            "GET",
            "api/2.0/mlflow-artifacts/artifacts",
            &[(
                "path",
                &format!("{root}/{}", artifact_path.trim_end_matches('/')),
            )],
            Body::None,
            MAX_JSON_ANSWER,
        )?;
        let listed: Json = serde_json::from_slice(&listing).unwrap_or_default();
        if !listed["files"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["path"].as_str() == Some("model.tandem"))
        {
            bail!("run {run_id} has no bundle at `{bundle}` on {}", self.base);
        }
        match self.json(
            "POST",
            "registered-models/create",
            &[],
            Some(&json!({"name": name})),
        ) {
            Ok(_) => {}
            Err(e)
                if e.downcast_ref::<MlflowError>().and_then(MlflowError::code)
                    == Some("RESOURCE_ALREADY_EXISTS") => {}
            Err(e) => return Err(e),
        }
        let info = self.get_run(run_id)?;
        let artifact_uri = info["run"]["info"]["artifact_uri"]
            .as_str()
            .unwrap_or_default();
        let j = self.json(
            "POST",
            "model-versions/create",
            &[],
            Some(&json!({
                "name": name,
                "source": format!("{artifact_uri}/{}", artifact_path.trim_end_matches('/')),
                "run_id": run_id,
                "description": format!("Tandem bundle {bundle}"),
            })),
        )?;
        Self::version_of(&j["model_version"])
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        check_alias(alias)?;
        self.json(
            "POST",
            "registered-models/alias",
            &[],
            Some(&json!({"name": name, "alias": alias, "version": version.to_string()})),
        )?;
        Ok(())
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.json(
            "DELETE",
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        Ok(())
    }

    fn version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        let j = self.json(
            "GET",
            "model-versions/get",
            &[("name", name), ("version", &version.to_string())],
            None,
        )?;
        Self::version_of(&j["model_version"])
    }

    fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        let j = self.json(
            "GET",
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        Self::version_of(&j["model_version"])
    }

    fn latest_version(&self, name: &str) -> Result<ModelVersion> {
        self.versions_of(name)?
            .pop()
            .ok_or_else(|| anyhow!("model `{name}` has no versions on {}", self.base))
    }

    fn models(&self) -> Result<Vec<RegisteredModel>> {
        let j = self.json(
            "GET",
            "registered-models/search",
            &[("max_results", "1000")],
            None,
        )?;
        let mut out = Vec::new();
        for m in j["registered_models"].as_array().into_iter().flatten() {
            let name = m["name"].as_str().unwrap_or_default().to_string();
            let mut versions = self.versions_of(&name)?;
            let aliases: BTreeMap<String, u64> = m["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    Some((
                        a["alias"].as_str()?.to_string(),
                        a["version"].as_str()?.parse().ok()?,
                    ))
                })
                .collect();
            for v in &mut versions {
                v.aliases = aliases_of(&aliases, v.version);
            }
            out.push(RegisteredModel {
                name,
                aliases,
                versions,
            });
        }
        Ok(out)
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

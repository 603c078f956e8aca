//! One training run, recorded in the local store and, with a tracking URI, mirrored to MLflow.
//!
//! The local store always gets the whole run (the local copy), under the same run id as the
//! MLflow run. The MLflow server is checked and the run created there before training starts
//! (a wrong URI fails in a second, not after the training). If the server fails mid-run,
//! training goes on and finishes locally; the remote run is marked `FAILED` if the server
//! answers again, and the command ends with an error naming the local copy.

use std::fmt::Display;
use std::time::{Duration, Instant};

use super::error::report;
use super::local::LocalStore;
use super::mlflow::MlflowStore;
use super::{Error, Experiment, Metric, Result, Status, Store, StoreConfig};

/// Per-epoch metrics are sent to MLflow at most this often (and at the end).
const REMOTE_FLUSH: Duration = Duration::from_secs(1);

/// A run being recorded.
pub struct Recorder {
    local: LocalStore,
    remote: Option<MlflowStore>,
    remote_error: Option<Error>,
    /// The run id (MLflow's when mirrored).
    pub run_id: String,
    /// The experiment.
    pub experiment: Experiment,
    pending: Vec<Metric>,
    last_flush: Instant,
    /// Set once `finish` or `fail` ended the run; a recorder dropped before (a panic)
    /// marks its run FAILED.
    ended: bool,
}

impl Recorder {
    /// Create the run (remote first, then the local copy with the same id).
    pub fn start(
        stores: &StoreConfig,
        experiment: &str,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<Recorder> {
        let local = LocalStore::open(&stores.runs_dir)?;
        let remote = stores.remote()?;
        let (run_id, experiment) = match &remote {
            Some(r) => {
                let e = r.experiment(experiment)?;
                let id = r.create_run(&e, run_name, tags)?;
                let mut tags = tags.to_vec();
                tags.push(("tandem.mlflow.tracking_uri".into(), r.location()));
                tags.push((
                    "tandem.mlflow.experiment_id".into(),
                    e.experiment_id.clone(),
                ));
                let local_copy = local
                    .experiment(&e.name)
                    .and_then(|le| local.create_run_with_id(&le, &id, run_name, &tags));
                if let Err(err) = local_copy {
                    let _ = r.end_run(&id, Status::Failed);
                    return Err(Error::LocalCopy {
                        run_id: id,
                        source: Box::new(err),
                    });
                }
                (id, e)
            }
            None => {
                let e = local.experiment(experiment)?;
                (local.create_run(&e, run_name, tags)?, e)
            }
        };
        Ok(Recorder {
            local,
            remote,
            remote_error: None,
            run_id,
            experiment,
            pending: Vec::new(),
            last_flush: Instant::now(),
            ended: false,
        })
    }

    /// The local store.
    pub fn local(&self) -> &LocalStore {
        &self.local
    }

    /// Where the run lives, for messages: the server or the folder.
    pub fn location(&self) -> String {
        match &self.remote {
            Some(r) => r.location(),
            None => self.local.location(),
        }
    }

    fn remote_do(&mut self, f: impl FnOnce(&MlflowStore) -> Result<()>) {
        if self.remote_error.is_some() {
            return;
        }
        if let Some(r) = &self.remote
            && let Err(e) = f(r)
        {
            self.remote_error = Some(e);
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let id = self.run_id.clone();
        self.remote_do(|r| r.log(&id, &pending, &[], &[]));
        self.last_flush = Instant::now();
    }

    /// One epoch's metrics: written locally now, sent to MLflow in batches.
    pub fn epoch(&mut self, metrics: &[Metric]) -> Result<()> {
        self.local.log(&self.run_id, metrics, &[], &[])?;
        if self.remote.is_some() {
            self.pending.extend_from_slice(metrics);
            if self.last_flush.elapsed() >= REMOTE_FLUSH {
                self.flush();
            }
        }
        Ok(())
    }

    /// Metrics, params and tags.
    pub fn log(
        &mut self,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        self.local.log(&self.run_id, metrics, params, tags)?;
        self.flush();
        let id = self.run_id.clone();
        self.remote_do(|r| r.log(&id, metrics, params, tags));
        Ok(())
    }

    /// An artifact, atomically in place locally, then uploaded.
    pub fn artifact(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.local.put_artifact(&self.run_id, path, bytes)?;
        let id = self.run_id.clone();
        self.remote_do(|r| r.put_artifact(&id, path, bytes));
        Ok(())
    }

    /// End the run as `FINISHED`. With a failed mirror: the local copy is finished, the remote
    /// run marked `FAILED` if the server answers, and the error says where the copy is.
    pub fn finish(mut self) -> Result<String> {
        self.ended = true;
        self.flush();
        let id = self.run_id.clone();
        self.remote_do(|r| r.end_run(&id, Status::Finished));
        if let Some(e) = self.remote_error.take() {
            self.local
                .log(&id, &[], &[], &[("tandem.mlflow.error".into(), report(&e))])?;
            self.local.end_run(&id, Status::Finished)?;
            let remote = match &self.remote {
                Some(r) => match r.end_run(&id, Status::Failed) {
                    Ok(()) => "marked FAILED there".to_string(),
                    Err(e2) => format!("could not be marked FAILED: {}", report(&e2)),
                },
                None => String::new(),
            };
            return Err(Error::MirrorFailed {
                local_copy: self.local.artifact_file(&id, "model/model.tandem")?,
                run_id: id,
                remote,
                source: Box::new(e),
            });
        }
        self.local.end_run(&id, Status::Finished)?;
        Ok(id)
    }

    /// End the run as `FAILED` because of `err` (recorded as its `tandem.error` tag, with the
    /// alternate form `{:#}`, so an anyhow error records its whole chain). Returns the run id,
    /// for the caller's message.
    pub fn fail(mut self, err: &dyn Display) -> String {
        self.ended = true;
        let id = self.run_id.clone();
        let msg = format!("{err:#}");
        let _ = self
            .local
            .log(&id, &[], &[], &[("tandem.error".into(), msg.clone())]);
        let _ = self.local.end_run(&id, Status::Failed);
        self.flush();
        // Even after an earlier server error: the server may answer again, and a run left
        // RUNNING there forever is worse than one more failed call.
        if let Some(r) = &self.remote {
            let _ = r.log(
                &id,
                &[],
                &[],
                &[("tandem.error".into(), truncate(&msg, 5000))],
            );
            let _ = r.end_run(&id, Status::Failed);
        }
        id
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let _ = self.local.end_run(&self.run_id, Status::Failed);
        if let Some(r) = &self.remote {
            let _ = r.end_run(&self.run_id, Status::Failed);
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

//! The embedded run store: a folder, no server.
//!
//! ```text
//! tandem-runs/
//!   .lock                        store lock: experiments and registry changes
//!   experiments/<id>.json        {experiment_id, name}
//!   <run id>/
//!     lock                       held (flock) by the training process while it runs
//!     run.json                   id, experiment, name, status, start/end times
//!     params.json  tags.json     {key: value}
//!     metrics.jsonl              one {key, value, step, timestamp} per line, appended
//!     artifacts/...              model/ (bundle, MLmodel, ONNX), plots, spec, split
//!   models/<name>/model.json     {name, creation_time, aliases}
//!   models/<name>/<n>.json       version n: run id, artifact path
//! ```
//!
//! Every file except `metrics.jsonl` is replaced whole: written to a hidden temporary file in
//! the same folder, synced, renamed, and the folder synced, so a reader (or a process killed
//! with SIGKILL at any moment) sees the old file or the new one, never half of one. A metrics
//! line cut short by a kill is skipped on read. A run is `RUNNING` only while its process holds
//! `lock`; a reader that can take the lock knows the process died and records the run as
//! `KILLED`. Temporaries a killed process left are ignored by every reader and removed by the
//! next registry change (or when its run is found killed).
//!
//! No path of the store leads outside its folder: a run folder, an artifact, a model folder or
//! a registry file that is a symlink to elsewhere is refused ([`Error::OutsideStore`]) on every
//! read and write.

mod files;

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{
    Error, Experiment, Metric, ModelListing, ModelVersion, NameKind, RegisteredModel, Result, Run,
    Status, Store, aliases_of, check_alias, now_ms, registrable,
};
pub use files::{AtomicFile, write_atomic};
use files::{confine, create_dirs, read_json, remove_temporaries, sync_folder_of, write_json};

/// A run store in a folder.
pub struct LocalStore {
    root: PathBuf,
    /// Locks of the runs this process is running (released by `end_run` or by exiting).
    held: Mutex<HashMap<String, File>>,
}

#[derive(Serialize, Deserialize)]
struct RunFile {
    run_id: String,
    experiment_id: String,
    run_name: String,
    status: Status,
    start_time: i64,
    end_time: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    name: String,
    creation_time: i64,
    aliases: BTreeMap<String, u64>,
}

impl LocalStore {
    /// Open (not create) the store at `root`; folders appear on the first write.
    pub fn open(root: &Path) -> Result<LocalStore> {
        if root.exists() && !root.is_dir() {
            return Err(Error::NotAFolder {
                path: root.to_path_buf(),
            });
        }
        Ok(LocalStore {
            root: root.to_path_buf(),
            held: Mutex::new(HashMap::new()),
        })
    }

    /// A run's folder.
    pub fn run_dir(&self, run_id: &str) -> PathBuf {
        self.root.join(run_id)
    }

    /// Where an artifact of a run lives on disk; refused if it leads outside the store.
    pub fn artifact_file(&self, run_id: &str, path: &str) -> Result<PathBuf> {
        self.confined(
            self.run_dir(run_id)
                .join("artifacts")
                .join(check_artifact_path(path)?),
        )
    }

    /// `path`, a path inside the store, if it does not lead outside it.
    fn confined(&self, path: PathBuf) -> Result<PathBuf> {
        confine(&self.root, &path)?;
        Ok(path)
    }

    /// A file of a run's folder (`run.json`), if it stays inside the store.
    fn run_file(&self, run_id: &str, file: &str) -> Result<PathBuf> {
        self.confined(self.run_dir(run_id).join(file))
    }

    /// The locks of the runs this process is running. A panic while the table was held
    /// leaves it usable: each entry is a whole file handle.
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, File>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Create the store's folder if needed.
    fn create_root(&self) -> Result<()> {
        create_dirs(&self.root)
    }

    /// Run `f` holding the store lock (experiments and registry changes are serialised
    /// across processes).
    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.create_root()?;
        let path = self.confined(self.root.join(".lock"))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io("open", &path))?;
        lock.lock().map_err(Error::io("lock", &path))?;
        // Experiments and registry files are written only under this lock: a temporary file
        // there now was left by a killed process.
        remove_temporaries(&self.root.join("experiments"));
        remove_temporaries(&self.root.join("models"));
        let out = f();
        drop(lock);
        out
    }

    /// Start a run with a given id (the MLflow store's id, for the local copy).
    pub fn create_run_with_id(
        &self,
        experiment: &Experiment,
        run_id: &str,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<()> {
        check_run_id(run_id)?;
        self.create_root()?;
        let dir = self.run_dir(run_id);
        // create_dir does not follow a symlink planted under the run's name: it fails.
        fs::create_dir(&dir).map_err(Error::io("create run", &dir))?;
        sync_folder_of(&dir)?;
        let created = self.fill_new_run(&dir, experiment, run_id, run_name, tags);
        if created.is_err() {
            // Nothing half-made stays behind: no lock held, no folder without its run.json.
            self.held().remove(run_id);
            let _ = fs::remove_dir_all(&dir);
        }
        created
    }

    /// The files of a new run in its new folder `dir`, its lock taken.
    fn fill_new_run(
        &self,
        dir: &Path,
        experiment: &Experiment,
        run_id: &str,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<()> {
        sync_folder_of(dir)?;
        // Take the run's lock before run.json exists: a reader never sees a RUNNING run
        // whose lock is free unless its process is gone.
        let lock_path = dir.join("lock");
        let lock = File::create(&lock_path).map_err(Error::io("create", &lock_path))?;
        lock.try_lock()
            .map_err(|e| Error::io("lock new run", &lock_path)(e.into()))?;
        self.held().insert(run_id.to_string(), lock);
        write_json(&dir.join("tags.json"), &to_map(tags))?;
        write_json(&dir.join("params.json"), &BTreeMap::<String, String>::new())?;
        write_json(
            &dir.join("run.json"),
            &RunFile {
                run_id: run_id.into(),
                experiment_id: experiment.experiment_id.clone(),
                run_name: run_name.into(),
                status: Status::Running,
                start_time: now_ms(),
                end_time: None,
            },
        )
    }

    fn read_run_file(&self, run_id: &str) -> Result<RunFile> {
        check_run_id(run_id)?;
        let path = self.run_file(run_id, "run.json")?;
        if !path.is_file() {
            return Err(Error::UnknownRun {
                run_id: run_id.into(),
                store: self.location(),
            });
        }
        let run: RunFile = read_json(&path)?;
        if run.status != Status::Running {
            return Ok(run);
        }
        let Some(_lock) = self.lock_of_dead_run(run_id)? else {
            return Ok(run);
        };
        // Holding the dead process's lock: read again (it may have ended its run between our
        // read and our lock), and record KILLED only if it still says RUNNING.
        let mut run: RunFile = read_json(&path)?;
        if run.status == Status::Running {
            run.status = Status::Killed;
            run.end_time = Some(
                fs::metadata(self.run_dir(run_id).join("metrics.jsonl"))
                    .or_else(|_| fs::metadata(&path))
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or_else(now_ms, |d| d.as_millis() as i64),
            );
            // A store we cannot write (read-only, another user's) still reads as KILLED.
            if write_json(&path, &run).is_ok() {
                remove_temporaries(&self.run_dir(run_id));
            }
        }
        Ok(run)
    }

    /// The run's lock, taken, when no live process holds it (its owner died); `None` while
    /// the owner runs.
    fn lock_of_dead_run(&self, run_id: &str) -> Result<Option<File>> {
        if self.held().contains_key(run_id) {
            return Ok(None);
        }
        let path = self.run_file(run_id, "lock")?;
        // A lock file removed by hand: recreate it to have something to lock.
        let file = match File::open(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::create(&path),
            other => other,
        }
        .map_err(Error::io("open", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("check", &path)(e)),
        }
    }

    fn read_metrics(&self, run_id: &str) -> Result<Vec<Metric>> {
        let path = self.run_file(run_id, "metrics.jsonl")?;
        let text = match fs::read(&path) {
            // Lossy: a kill can cut a line inside a multi-byte character.
            Ok(t) => String::from_utf8_lossy(&t).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        // A line without its newline was cut short by a kill: skip it.
        Ok(text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }

    fn model_dir(&self, name: &str) -> Result<PathBuf> {
        check_model_name(name)?;
        self.confined(self.root.join("models").join(name))
    }

    fn read_model(&self, name: &str) -> Result<ModelFile> {
        let path = self.confined(self.model_dir(name)?.join("model.json"))?;
        if !path.is_file() {
            return Err(Error::UnknownModel {
                name: name.into(),
                store: self.location(),
            });
        }
        read_json(&path)
    }

    fn versions_of(&self, name: &str) -> Result<Vec<ModelVersion>> {
        let model = self.read_model(name)?;
        let dir = self.model_dir(name)?;
        let mut versions = Vec::new();
        for entry in fs::read_dir(&dir).map_err(Error::io("list", &dir))? {
            let entry = entry.map_err(Error::io("list", &dir))?;
            let file = entry.file_name();
            let Some(n) = file
                .to_str()
                .and_then(|f| f.strip_suffix(".json"))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            let mut v: ModelVersion = read_json(&self.confined(entry.path())?)?;
            v.version = n;
            v.aliases = aliases_of(&model.aliases, n);
            versions.push(v);
        }
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }
}

impl Store for LocalStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn experiment(&self, name: &str) -> Result<Experiment> {
        if name.trim().is_empty() {
            return Err(Error::InvalidName {
                kind: NameKind::ExperimentName,
                name: name.into(),
                rule: "it cannot be empty",
            });
        }
        self.locked(|| {
            let dir = self.confined(self.root.join("experiments"))?;
            create_dirs(&dir)?;
            let existing = self.experiments()?;
            if let Some(e) = existing.iter().find(|e| e.name == name) {
                return Ok(e.clone());
            }
            let max_id = existing
                .iter()
                .map(|e| e.experiment_id.parse().unwrap_or(-1))
                .fold(-1i64, i64::max);
            let next = max_id
                .checked_add(1)
                .ok_or_else(|| Error::CounterExhausted {
                    what: "experiment".into(),
                    dir: dir.clone(),
                    max: max_id.to_string(),
                })?;
            let e = Experiment {
                experiment_id: if name == "Default" && max_id < 0 {
                    "0".into()
                } else {
                    next.max(1).to_string()
                },
                name: name.into(),
            };
            write_json(
                &self.confined(dir.join(format!("{}.json", e.experiment_id)))?,
                &e,
            )?;
            Ok(e)
        })
    }

    fn create_run(
        &self,
        experiment: &Experiment,
        run_name: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        let id = crate::ids::new_run_id(&format!("{}:{run_name}", self.root.display()));
        self.create_run_with_id(experiment, &id, run_name, tags)?;
        Ok(id)
    }

    fn log(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        self.read_run_file(run_id)?;
        if !metrics.is_empty() {
            let mut lines = String::new();
            let path = self.run_file(run_id, "metrics.jsonl")?;
            for m in metrics {
                if !m.value.is_finite() {
                    return Err(Error::NonFiniteMetric {
                        key: m.key.clone(),
                        value: m.value,
                    });
                }
                let line = serde_json::to_string(m)
                    .map_err(|e| Error::io("append to", &path)(e.into()))?;
                lines.push_str(&line);
                lines.push('\n');
            }
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(Error::io("open", &path))?;
            f.write_all(lines.as_bytes())
                .map_err(Error::io("append to", &path))?;
        }
        for (file, entries) in [("params.json", params), ("tags.json", tags)] {
            if entries.is_empty() {
                continue;
            }
            let path = self.run_file(run_id, file)?;
            let mut map: BTreeMap<String, String> = read_json(&path)?;
            map.extend(entries.iter().cloned());
            write_json(&path, &map)?;
        }
        Ok(())
    }

    fn put_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()> {
        self.read_run_file(run_id)?;
        let file = self.artifact_file(run_id, path)?;
        if let Some(parent) = file.parent() {
            create_dirs(parent)?;
        }
        write_atomic(&file, bytes)
    }

    fn end_run(&self, run_id: &str, status: Status) -> Result<()> {
        let path = self.run_file(run_id, "run.json")?;
        let mut run = self.read_run_file(run_id)?;
        run.status = status;
        run.end_time = Some(now_ms());
        write_json(&path, &run)?;
        self.held().remove(run_id);
        Ok(())
    }

    fn run(&self, run_id: &str) -> Result<Run> {
        let file = self.read_run_file(run_id)?;
        let mut metrics: BTreeMap<String, (i64, i64, f64)> = BTreeMap::new();
        for m in self.read_metrics(run_id)? {
            let e = metrics
                .entry(m.key)
                .or_insert((i64::MIN, i64::MIN, m.value));
            // MLflow's "latest": the highest step, then the latest timestamp.
            if (m.step, m.timestamp) >= (e.0, e.1) {
                *e = (m.step, m.timestamp, m.value);
            }
        }
        Ok(Run {
            run_id: file.run_id,
            experiment_id: file.experiment_id,
            run_name: file.run_name,
            status: file.status,
            start_time: file.start_time,
            end_time: file.end_time,
            params: read_json(&self.run_file(run_id, "params.json")?).unwrap_or_default(),
            metrics: metrics.into_iter().map(|(k, v)| (k, v.2)).collect(),
            tags: read_json(&self.run_file(run_id, "tags.json")?).unwrap_or_default(),
        })
    }

    fn runs(&self, experiment: Option<&str>, max: usize) -> Result<Vec<Run>> {
        let experiment_id = match experiment {
            None => None,
            Some(name) => Some(
                self.experiments()?
                    .into_iter()
                    .find(|e| e.name == name || e.experiment_id == name)
                    .ok_or_else(|| Error::UnknownExperiment {
                        name: name.into(),
                        store: self.location(),
                    })?
                    .experiment_id,
            ),
        };
        let mut runs = Vec::new();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return Ok(runs);
        };
        for entry in entries {
            let name = entry.map_err(Error::io("list", &self.root))?.file_name();
            let Some(id) = name.to_str().filter(|n| check_run_id(n).is_ok()) else {
                continue;
            };
            // A run folder without run.json is a run being created (or killed while it
            // was): not a run yet.
            if !self.run_dir(id).join("run.json").is_file() {
                continue;
            }
            let run = match self.run(id) {
                Ok(run) => run,
                Err(e) => {
                    eprintln!("warning: skipping run {id}: {}", crate::error::report(&e));
                    continue;
                }
            };
            if experiment_id
                .as_ref()
                .is_none_or(|e| *e == run.experiment_id)
            {
                runs.push(run);
            }
        }
        runs.sort_by(|a, b| {
            b.start_time
                .cmp(&a.start_time)
                .then(b.run_id.cmp(&a.run_id))
        });
        runs.truncate(max);
        Ok(runs)
    }

    fn metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        self.read_run_file(run_id)?;
        let mut h: Vec<Metric> = self
            .read_metrics(run_id)?
            .into_iter()
            .filter(|m| m.key == key)
            .collect();
        h.sort_by_key(|m| (m.step, m.timestamp));
        Ok(h)
    }

    fn get_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        self.read_run_file(run_id)?;
        let file = self.artifact_file(run_id, path)?;
        fs::read(&file).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::MissingArtifact {
                run_id: run_id.into(),
                path: path.into(),
                file: file.clone(),
            },
            _ => Error::io("read", &file)(e),
        })
    }

    fn register(&self, name: &str, run_id: &str, artifact_path: &str) -> Result<ModelVersion> {
        let dir = self.model_dir(name)?;
        let bundle = registrable(&self.run(run_id)?, artifact_path)?;
        let bundle_file = self.artifact_file(run_id, &bundle)?;
        if !bundle_file.is_file() {
            return Err(Error::NoBundle {
                run_id: run_id.into(),
                bundle,
                store: self.location(),
            });
        }
        // The hash of the bytes registered: `models:/` resolution checks the bundle against it.
        let bytes = fs::read(&bundle_file).map_err(Error::io("read", &bundle_file))?;
        let bundle_sha256 = crate::ids::sha256_hex(&bytes);
        self.locked(|| {
            create_dirs(&dir)?;
            let model_json = self.confined(dir.join("model.json"))?;
            if !model_json.is_file() {
                write_json(
                    &model_json,
                    &ModelFile {
                        name: name.into(),
                        creation_time: now_ms(),
                        aliases: BTreeMap::new(),
                    },
                )?;
            }
            let last = self.versions_of(name)?.last().map_or(0, |v| v.version);
            let next = last.checked_add(1).ok_or_else(|| Error::CounterExhausted {
                what: format!("version of model `{name}`"),
                dir: dir.clone(),
                max: last.to_string(),
            })?;
            let v = ModelVersion {
                name: name.into(),
                version: next,
                run_id: run_id.into(),
                artifact_path: artifact_path.into(),
                creation_time: now_ms(),
                aliases: Vec::new(),
                bundle_sha256: Some(bundle_sha256),
            };
            write_json(&self.confined(dir.join(format!("{next}.json")))?, &v)?;
            Ok(v)
        })
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        check_alias(alias)?;
        self.version(name, version)?;
        self.locked(|| {
            let path = self.confined(self.model_dir(name)?.join("model.json"))?;
            let mut model: ModelFile = read_json(&path)?;
            model.aliases.insert(alias.into(), version);
            write_json(&path, &model)
        })
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.locked(|| {
            let path = self.confined(self.model_dir(name)?.join("model.json"))?;
            let mut model = self.read_model(name)?;
            if model.aliases.remove(alias).is_none() {
                return Err(Error::UnknownAlias {
                    name: name.into(),
                    alias: alias.into(),
                });
            }
            write_json(&path, &model)
        })
    }

    fn version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        self.versions_of(name)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| Error::UnknownVersion {
                name: name.into(),
                version,
            })
    }

    fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        let model = self.read_model(name)?;
        let v = *model
            .aliases
            .get(alias)
            .ok_or_else(|| Error::UnknownAlias {
                name: name.into(),
                alias: alias.into(),
            })?;
        self.version(name, v)
    }

    fn latest_version(&self, name: &str) -> Result<ModelVersion> {
        self.versions_of(name)?
            .pop()
            .ok_or_else(|| Error::NoVersions {
                name: name.into(),
                store: self.location(),
            })
    }

    fn models(&self) -> Result<ModelListing> {
        let dir = self.confined(self.root.join("models"))?;
        let mut listing = ModelListing::default();
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(listing);
        };
        for entry in entries {
            let entry = entry.map_err(Error::io("list", &dir))?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            // A folder without model.json is a registration killed before its first write.
            if check_model_name(&name).is_err()
                || fs::symlink_metadata(dir.join(&name).join("model.json")).is_err()
            {
                continue;
            }
            // One unreadable model (a corrupt file, a link out of the store) does not hide
            // the others: it is listed as skipped, with why.
            let model = self
                .read_model(&name)
                .and_then(|m| Ok((m.aliases, self.versions_of(&name)?)));
            match model {
                Ok((aliases, versions)) => listing.models.push(RegisteredModel {
                    name,
                    aliases,
                    versions,
                }),
                Err(error) => listing.skipped.push((name, error)),
            }
        }
        listing.models.sort_by(|a, b| a.name.cmp(&b.name));
        listing.skipped.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(listing)
    }
}

impl LocalStore {
    /// Every experiment.
    pub fn experiments(&self) -> Result<Vec<Experiment>> {
        let dir = self.confined(self.root.join("experiments"))?;
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries {
            let path = entry.map_err(Error::io("list", &dir))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                out.push(read_json::<Experiment>(&self.confined(path)?)?);
            }
        }
        Ok(out)
    }
}

/// A run id is 32 lowercase or uppercase hex digits (MLflow's form).
pub fn check_run_id(id: &str) -> Result<()> {
    if id.len() != 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::MalformedRunId { id: id.into() });
    }
    Ok(())
}

/// Registered model names in the local store become folder names: keep them portable.
fn check_model_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return Err(Error::InvalidName {
            kind: NameKind::ModelName,
            name: name.into(),
            rule: "use letters, digits, `_`, `-` and `.` (not leading), at most 128",
        });
    }
    Ok(())
}

/// An artifact path: relative, `/`-separated, no `..`, no hidden or empty segments.
pub fn check_artifact_path(path: &str) -> Result<PathBuf> {
    let segments: Vec<&str> = path.split('/').collect();
    if path.is_empty()
        || segments
            .iter()
            .any(|s| s.is_empty() || s.starts_with('.') || s.contains('\\') || s.contains('\0'))
    {
        return Err(Error::InvalidName {
            kind: NameKind::ArtifactPath,
            name: path.into(),
            rule: "expected a relative path like `model/model.tandem`",
        });
    }
    Ok(segments.iter().collect())
}

fn to_map(entries: &[(String, String)]) -> BTreeMap<String, String> {
    entries.iter().cloned().collect()
}

#[cfg(test)]
mod hardening_tests;

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn store() -> (PathBuf, LocalStore) {
        let dir = std::env::temp_dir().join(format!(
            "tandem-store-{}-{}",
            std::process::id(),
            crate::ids::new_run_id("t")
        ));
        let s = LocalStore::open(&dir).unwrap();
        (dir, s)
    }

    #[test]
    fn a_run_round_trips_and_ends() {
        let (dir, s) = store();
        let e = s.experiment("titanic").unwrap();
        assert_eq!(
            s.experiment("titanic").unwrap().experiment_id,
            e.experiment_id
        );
        let id = s
            .create_run(&e, "first", &[("k".into(), "v".into())])
            .unwrap();
        assert_eq!(s.run(&id).unwrap().status, Status::Running);
        let m = |step, value| Metric {
            key: "loss".into(),
            value,
            step,
            timestamp: 1,
        };
        s.log(
            &id,
            &[m(1, 0.9), m(2, 0.5)],
            &[("lr".into(), "0.1".into())],
            &[],
        )
        .unwrap();
        s.put_artifact(&id, "model/x.bin", b"abc").unwrap();
        s.end_run(&id, Status::Finished).unwrap();
        let run = s.run(&id).unwrap();
        assert_eq!(run.status, Status::Finished);
        assert_eq!(run.metrics["loss"], 0.5);
        assert_eq!(run.params["lr"], "0.1");
        assert_eq!(run.tags["k"], "v");
        assert_eq!(s.get_artifact(&id, "model/x.bin").unwrap(), b"abc");
        assert_eq!(s.metric_history(&id, "loss").unwrap().len(), 2);
        assert_eq!(s.runs(Some("titanic"), 10).unwrap().len(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_cut_metrics_line_is_skipped() {
        let (dir, s) = store();
        let e = s.experiment("Default").unwrap();
        assert_eq!(e.experiment_id, "0");
        let id = s.create_run(&e, "r", &[]).unwrap();
        let line = r#"{"key":"a","value":1.0,"step":1,"timestamp":1}"#;
        fs::write(
            s.run_dir(&id).join("metrics.jsonl"),
            format!("{line}\n{{\"key\":\"a\",\"val"),
        )
        .unwrap();
        assert_eq!(s.metric_history(&id, "a").unwrap().len(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    /// A store with model `titanic` version 1 (a FINISHED run with a bundle).
    pub(super) fn registry() -> (PathBuf, LocalStore) {
        let (dir, s) = store();
        let e = s.experiment("Default").unwrap();
        let id = s.create_run(&e, "r", &[]).unwrap();
        s.put_artifact(&id, "model/model.tandem", b"bundle")
            .unwrap();
        s.end_run(&id, Status::Finished).unwrap();
        assert_eq!(s.register("titanic", &id, "model").unwrap().version, 1);
        (dir, s)
    }

    #[test]
    fn an_unknown_alias_version_or_model_is_said_plainly() {
        let (dir, s) = registry();
        let e = s.version_by_alias("titanic", "champion").unwrap_err();
        assert_eq!(e.code(), "ALIAS_NOT_FOUND");
        assert_eq!(e.to_string(), "model `titanic` has no alias `champion`");
        s.set_alias("titanic", "champion", 1).unwrap();
        assert_eq!(
            s.version_by_alias("titanic", "champion").unwrap().version,
            1
        );
        let e = s.set_alias("titanic", "champion", 2).unwrap_err();
        assert_eq!(e.to_string(), "model `titanic` has no version 2");
        let e = s.latest_version("ghost").unwrap_err();
        assert_eq!(e.code(), "MODEL_NOT_FOUND");
        assert_eq!(
            e.to_string(),
            format!("unknown registered model `ghost` in {}", dir.display())
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupt_registry_file_is_named_with_why() {
        let (dir, s) = registry();
        let model_json = dir.join("models").join("titanic").join("model.json");
        fs::write(&model_json, "{\"name\": \"titanic\", ").unwrap();
        let e = s.version_by_alias("titanic", "champion").unwrap_err();
        assert_eq!(e.code(), "STORE_CORRUPT");
        let text = crate::error::report(&e);
        assert!(
            text.starts_with(&format!(
                "store file {} is not valid: ",
                model_json.display()
            )),
            "{text}"
        );
        assert!(text.contains("EOF while parsing"), "{text}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn only_a_finished_run_with_its_bundle_is_registered() {
        let (dir, s) = store();
        let e = s.experiment("Default").unwrap();
        let id = s.create_run(&e, "r", &[]).unwrap();
        let err = s.register("m", &id, "model").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("run {id} is RUNNING: only a FINISHED run can be registered")
        );
        s.end_run(&id, Status::Finished).unwrap();
        let err = s.register("m", &id, "model").unwrap_err();
        assert_eq!(err.code(), "NO_BUNDLE");
        let err = s.get_artifact(&id, "model/model.tandem").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("run {id} has no artifact `model/model.tandem` (")),
            "{err}"
        );
        let unknown = "0123456789abcdef0123456789abcdef";
        let err = s.run(unknown).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unknown run id {unknown}: no such run in {}", dir.display())
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_paths_and_names_are_refused() {
        for p in [
            "",
            "../x",
            "a/../b",
            "/etc/passwd",
            "a//b",
            ".hidden",
            "a\\b",
        ] {
            assert!(check_artifact_path(p).is_err(), "{p}");
        }
        for n in ["", ".x", "a/b", "..", "a b"] {
            assert!(check_model_name(n).is_err(), "{n}");
        }
        assert!(check_run_id("zz").is_err());
    }
}

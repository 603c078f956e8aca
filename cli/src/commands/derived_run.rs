//! A run derived from a model's run (an evaluation, a drift check), recorded in the folder
//! store and, with `--tracking-uri`, in MLflow, as training records its runs.
//!
//! Tags: `tandem.kind` (`evaluation`, `drift`), `tandem.model_run_id` (the bundle's run),
//! `tandem.model_uri` (as given), `tandem.data_sha256`; the caller logs the rest.

use anyhow::Result;
use tandem_tracking::StoreConfig;
use tandem_tracking::recorder::Recorder;

/// Who the run is and what it derives from.
pub struct DerivedRun<'a> {
    /// Where runs live.
    pub stores: StoreConfig,
    /// The experiment.
    pub experiment: &'a str,
    /// `evaluation` or `drift` (the `tandem.kind` tag).
    pub kind: &'static str,
    /// The subcommand (`evaluate`, `drift`): the run's name and source.
    pub command: &'static str,
    /// The model as given (`runs:/...`, a path).
    pub model_uri: &'a str,
    /// The run that trained the model (the bundle's metadata).
    pub model_run_id: &'a str,
    /// The data file, as given.
    pub data: &'a str,
    /// Its SHA-256.
    pub data_sha256: &'a str,
}

/// Start the run, let `fill` log into it, finish it (or mark it failed with `fill`'s error);
/// the run id and where it lives.
pub fn record(
    what: &DerivedRun,
    fill: impl FnOnce(&mut Recorder) -> Result<()>,
) -> Result<(String, String)> {
    let short = what.model_run_id.get(..8).unwrap_or(what.model_run_id);
    let file = std::path::Path::new(what.data).file_name().map_or_else(
        || what.data.to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let run_name = format!("{} {short} on {file}", what.command);
    let mut tags = vec![
        ("tandem.kind".to_string(), what.kind.to_string()),
        ("tandem.model_run_id".into(), what.model_run_id.to_string()),
        ("tandem.model_uri".into(), what.model_uri.to_string()),
        ("tandem.data_sha256".into(), what.data_sha256.to_string()),
        ("tandem.version".into(), tandem_core::VERSION.to_string()),
        (
            "mlflow.source.name".into(),
            format!("tandem {}", what.command),
        ),
        ("mlflow.source.type".into(), "LOCAL".into()),
    ];
    if let Ok(user) = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        tags.push(("mlflow.user".into(), user));
    }
    let mut rec = Recorder::start(&what.stores, what.experiment, &run_name, &tags)?;
    match fill(&mut rec) {
        Ok(()) => {
            let location = rec.location();
            Ok((rec.finish()?, location))
        }
        Err(e) => {
            let id = rec.fail(&e);
            Err(e.context(format!("{} run {id} failed", what.kind)))
        }
    }
}

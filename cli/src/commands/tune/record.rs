//! What a search leaves in the run store: each trial a child run of the tuning run (MLflow's
//! nested runs: `mlflow.parentRunId`), and on the tuning run the search's params, the winner's
//! scores, `tune/trials.json` and the winner's `[model]` as `tune/model.toml`.

use std::cell::Cell;

use anyhow::{Result, anyhow};
use tandem_tracking::recorder::Recorder;
use tandem_tracking::{Metric, StoreConfig};
use tandem_train::params::hidden_text;
use tandem_train::tune::{Objective, Search, Trial};

use super::report::trials_json;

/// Where the trials are recorded.
pub struct Children<'a> {
    /// Cross-validation repeats per trial.
    pub repeats: usize,
    /// The stores of the tuning run.
    pub store: &'a StoreConfig,
    /// Its experiment.
    pub experiment: &'a str,
    /// Its run id.
    pub parent: &'a str,
    /// Its name (trials are `<name>-trial-NN`).
    pub run_name: &'a str,
    /// Set once the MLflow server failed a trial: the rest go to the local store only, so a
    /// server gone away costs the search one trial's retries, not every trial's.
    pub local_only: Cell<bool>,
}

impl Children<'_> {
    /// Record `trial` as a finished (or failed) child run: its id, and what went wrong with
    /// the MLflow server if it did (the trial is then in the local store only).
    pub fn record(&self, trial: &Trial) -> Result<(String, Option<String>)> {
        if self.local_only.get() || self.store.tracking_uri.is_none() {
            return Ok((self.record_in(&self.local(), trial)?.0, None));
        }
        match self.record_in(self.store, trial) {
            Ok((id, None)) => Ok((id, None)),
            // Recorded locally, the server failed on the way.
            Ok((id, Some(why))) => {
                self.local_only.set(true);
                Ok((id, Some(why)))
            }
            // The server refused the run: keep it locally.
            Err(e) => {
                self.local_only.set(true);
                let (id, _) = self.record_in(&self.local(), trial)?;
                Ok((id, Some(format!("{e:#}"))))
            }
        }
    }

    fn local(&self) -> StoreConfig {
        StoreConfig {
            tracking_uri: None,
            ..self.store.clone()
        }
    }

    fn record_in(&self, store: &StoreConfig, trial: &Trial) -> Result<(String, Option<String>)> {
        let tags = [
            ("mlflow.parentRunId".to_string(), self.parent.to_string()),
            ("tandem.tune.trial".to_string(), trial.number.to_string()),
            ("tandem.kind".to_string(), "trial".to_string()),
            (
                "tandem.version".to_string(),
                tandem_core::VERSION.to_string(),
            ),
        ];
        let name = format!("{}-trial-{:02}", self.run_name, trial.number);
        let mut rec = Recorder::start(store, self.experiment, &name, &tags)?;
        let mut params: Vec<(String, String)> = tandem_train::params::of_model(&trial.model)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        params.push(("ensemble".into(), trial.model.ensemble.to_string()));
        params.push(("cv_repeats".into(), self.repeats.to_string()));
        if !trial.best_epochs.is_empty() {
            let epochs: Vec<String> = trial.best_epochs.iter().map(usize::to_string).collect();
            params.push(("member_best_epochs".into(), epochs.join(",")));
        }
        let values = Metric::finals(
            trial
                .scores
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .chain([("trial_seconds".to_string(), trial.seconds)]),
        );
        let id = rec.run_id.clone();
        if let Err(e) = rec.log(&values, &params, &[]) {
            rec.fail(&e);
            return Err(e.into());
        }
        match &trial.error {
            Some(e) => {
                rec.fail(&anyhow!("{e}"));
                Ok((id, None))
            }
            None => match rec.finish() {
                Ok(_) => Ok((id, None)),
                Err(e @ tandem_tracking::Error::MirrorFailed { .. }) => {
                    Ok((id, Some(e.to_string())))
                }
                Err(e) => Err(e.into()),
            },
        }
    }
}

/// The search on the tuning run: params, the winner's scores (as `tune_cv_<metric>_mean`),
/// its trial's run id, every trial as `tune/trials.json`, the winner as `tune/model.toml`.
pub fn parent(
    rec: &mut Recorder,
    search: &Search,
    objective: &Objective,
    run_ids: &[Option<String>],
) -> Result<()> {
    let winner = search.winner();
    let metrics = Metric::finals(
        winner
            .scores
            .iter()
            .map(|(k, v)| (format!("tune_{k}"), *v))
            .chain([("tune_seconds".to_string(), search.seconds)]),
    );
    let params = [
        ("tune_metric".to_string(), objective.metric.clone()),
        ("tune_trials".to_string(), search.trials.len().to_string()),
        ("tune_best_trial".to_string(), winner.number.to_string()),
        ("tune_repeats".to_string(), search.repeats.to_string()),
        ("tune_select".to_string(), search.select.name().to_string()),
    ];
    let best_run = run_ids.get(search.best).cloned().flatten();
    let tags: Vec<(String, String)> = best_run
        .map(|id| ("tandem.tune.best_run_id".to_string(), id))
        .into_iter()
        .collect();
    rec.log(&metrics, &params, &tags)?;
    let trials = trials_json(search, objective, run_ids);
    rec.artifact("tune/trials.json", &serde_json::to_vec_pretty(&trials)?)?;
    rec.artifact("tune/model.toml", model_toml(winner).as_bytes())?;
    Ok(())
}

/// The winner's `[model]` as a spec writes it: the tuned keys, and the ones the search kept.
pub fn model_toml(t: &Trial) -> String {
    let m = &t.model;
    let hidden: Vec<String> = m.hidden.iter().map(usize::to_string).collect();
    format!(
        "# tandem tune's winner (trial {}; hidden {}): paste over a spec's [model].\n\
         [model]\n\
         hidden = [{}]\n\
         learning_rate = {:?}\n\
         weight_decay = {:?}\n\
         max_epochs = {}\n\
         batch_size = {}\n\
         patience = {}\n\
         ensemble = {}\n\
         lr_schedule = \"{}\"\n",
        t.number,
        hidden_text(&m.hidden),
        hidden.join(", "),
        m.learning_rate,
        m.weight_decay,
        m.max_epochs,
        m.batch_size.toml(),
        m.patience,
        m.ensemble,
        m.lr_schedule.name(),
    )
}

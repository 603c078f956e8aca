//! `tandem tune`: search the network's settings by k-fold cross-validation within a time or
//! trial budget (tandem-train's [`tandem_train::tune`]), each trial recorded as a child run
//! of the tuning run (MLflow's nested runs: the `mlflow.parentRunId` tag), then train the
//! winner in the tuning run itself, exactly as `tandem train` would with its settings.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::Args;
use serde_json::{Value as Json, json};
use tandem_tracking::recorder::Recorder;
use tandem_tracking::{Metric, StoreConfig};
use tandem_train::params::hidden_text;
use tandem_train::tune::{self, Budget, Objective, Search, Trial};

use crate::commands::train::{self, Section, TrainArgs};

/// Arguments of `tandem tune`: every `tandem train` flag (data, spec, split, the settings the
/// search starts from and keeps), and the search's own.
#[derive(Args)]
pub struct TuneArgs {
    #[command(flatten)]
    train: TrainArgs,
    /// Time for the search: `90`, `90s`, `5m`. No trial starts that would likely end past it
    /// (the slowest trial so far is the guess); the winner's training comes after. `0`: no
    /// time limit (give --trials).
    #[arg(long, default_value = "60s", value_parser = parse_seconds, value_name = "TIME", allow_negative_numbers = true)]
    budget: f64,
    /// Try at most this many settings (with a seed, the same trials every time).
    #[arg(long, value_name = "N")]
    trials: Option<usize>,
    /// The cross-validation metric that picks the winner: log_loss (default for
    /// classification), accuracy, balanced_accuracy, f1_macro, f1_weighted, roc_auc, pr_auc,
    /// brier; rmse (default for regression), mae, r2.
    #[arg(long)]
    metric: Option<String>,
}

fn parse_seconds(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let (number, unit) = match t.strip_suffix('m') {
        Some(n) => (n, 60.0),
        None => (t.strip_suffix('s').unwrap_or(t), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v * unit <= 7.0 * 86_400.0 => Ok(v * unit),
        _ => Err(format!(
            "{text:?} is not a time: seconds (`90`, `90s`) or minutes (`5m`), at most a week"
        )),
    }
}

/// Run `tandem tune`.
pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let budget = Budget {
        seconds: (args.budget > 0.0).then_some(args.budget),
        trials: args.trials,
    };
    match budget {
        Budget {
            seconds: None,
            trials: None,
        } => bail!("--budget 0 searches without a time limit: give --trials N to end it"),
        Budget {
            trials: Some(0), ..
        } => bail!("--trials 0 tries nothing: give at least 1"),
        _ => {}
    }
    let plan = args.train.plan()?;
    if plan.model.ensemble < 3 {
        bail!(
            "tune cross-validates with the ensemble's folds (each candidate is the ensemble `tandem train` would train): --ensemble must be at least 3, not {}",
            plan.model.ensemble
        );
    }
    let tags = [(
        "tandem.tune".to_string(),
        format!(
            "random search, {}",
            describe(&budget).trim_start_matches("within ")
        ),
    )];
    let begun = train::begin(&args.train, plan, &tags)?;
    let store = args.train.store.config();
    let experiment = args.train.experiment.clone();
    let run_name = begun.run_name.clone();
    let quiet = args.train.quiet || args.train.json;
    train::complete(&args.train, begun, |prepared, rec| {
        let objective = Objective::for_task(&prepared.schema.label.task, args.metric.as_deref())?;
        if !args.train.json {
            eprintln!(
                "tuning: {} {} folds, {} ({} is better)",
                objective.key(),
                prepared.plan.model.ensemble,
                describe(&budget),
                if objective.maximize {
                    "higher"
                } else {
                    "lower"
                }
            );
        }
        let children = Children {
            store: &store,
            experiment: &experiment,
            parent: &rec.run_id.clone(),
            run_name: &run_name,
        };
        let mut run_ids: Vec<String> = Vec::new();
        let mut best: Option<f64> = None;
        let search = tune::search(prepared, &objective, budget, &mut |trial| {
            let id = children
                .record(trial)
                .map_err(|e| tandem_train::Error::Training(format!("{e:#}")))?;
            let improved = trial
                .score
                .is_some_and(|s| best.is_none_or(|b| better(&objective, s, b)));
            if improved {
                best = trial.score;
            }
            if !quiet {
                eprintln!("{}", line(trial, &objective, improved));
            }
            run_ids.push(id);
            Ok(())
        })?;
        let winner = search.winner();
        record_parent(rec, &search, &objective, &run_ids)?;
        if !args.train.json {
            eprintln!(
                "best: trial {} ({}) of {} in {:.1}s; training it",
                winner.number,
                settings(winner),
                search.trials.len(),
                search.seconds
            );
        }
        prepared.plan.model = winner.model.clone();
        Ok(Some(section(&search, &objective, &run_ids)))
    })
}

fn better(objective: &Objective, a: f64, b: f64) -> bool {
    if objective.maximize { a > b } else { a < b }
}

fn describe(budget: &Budget) -> String {
    match (budget.seconds, budget.trials) {
        (Some(s), Some(n)) => format!("within {s}s or {n} trials"),
        (Some(s), None) => format!("within {s}s"),
        (None, Some(n)) => format!("{n} trials"),
        (None, None) => String::new(),
    }
}

/// Where the trials are recorded: child runs of the tuning run.
struct Children<'a> {
    store: &'a StoreConfig,
    experiment: &'a str,
    parent: &'a str,
    run_name: &'a str,
}

impl Children<'_> {
    /// Record `trial` as a finished (or failed) child run; its id.
    fn record(&self, trial: &Trial) -> Result<String> {
        let tags = [
            ("mlflow.parentRunId".to_string(), self.parent.to_string()),
            ("tandem.tune.trial".to_string(), trial.number.to_string()),
            ("tandem.kind".to_string(), "trial".to_string()),
        ];
        let name = format!("{}-trial-{:02}", self.run_name, trial.number);
        let mut rec = Recorder::start(self.store, self.experiment, &name, &tags)?;
        let mut params: Vec<(String, String)> = tandem_train::params::of_model(&trial.model)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        params.push(("ensemble".into(), trial.model.ensemble.to_string()));
        if !trial.best_epochs.is_empty() {
            let epochs: Vec<String> = trial.best_epochs.iter().map(usize::to_string).collect();
            params.push(("member_best_epochs".into(), epochs.join(",")));
        }
        let now = tandem_tracking::now_ms();
        let metrics: Vec<Metric> = trial
            .scores
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .chain([("trial_seconds", trial.seconds)])
            .filter(|(_, v)| v.is_finite())
            .map(|(key, value)| Metric {
                key: key.into(),
                value,
                step: 0,
                timestamp: now,
            })
            .collect();
        rec.log(&metrics, &params, &[])?;
        let id = rec.run_id.clone();
        match &trial.error {
            Some(e) => {
                rec.fail(&anyhow!("{e}"));
            }
            None => {
                rec.finish()?;
            }
        }
        Ok(id)
    }
}

/// The search's settings and result on the tuning run: params, the winner's scores (as
/// `tune_cv_<metric>_mean`), its trial's run id, and every trial as `tune/trials.json`.
fn record_parent(
    rec: &mut Recorder,
    search: &Search,
    objective: &Objective,
    run_ids: &[String],
) -> Result<()> {
    let winner = search.winner();
    let now = tandem_tracking::now_ms();
    let metrics: Vec<Metric> = winner
        .scores
        .iter()
        .map(|(k, v)| (format!("tune_{k}"), *v))
        .chain([("tune_seconds".to_string(), search.seconds)])
        .filter(|(_, v)| v.is_finite())
        .map(|(key, value)| Metric {
            key,
            value,
            step: 0,
            timestamp: now,
        })
        .collect();
    let params = [
        ("tune_metric".to_string(), objective.metric.clone()),
        ("tune_trials".to_string(), search.trials.len().to_string()),
        ("tune_best_trial".to_string(), winner.number.to_string()),
    ];
    let tags = [(
        "tandem.tune.best_run_id".to_string(),
        run_ids.get(search.best).cloned().unwrap_or_default(),
    )];
    rec.log(&metrics, &params, &tags)?;
    let trials = trials_json(search, objective, run_ids);
    rec.artifact("tune/trials.json", &serde_json::to_vec_pretty(&trials)?)?;
    Ok(())
}

fn trials_json(search: &Search, objective: &Objective, run_ids: &[String]) -> Json {
    let trials: Vec<Json> = search
        .trials
        .iter()
        .zip(run_ids)
        .map(|(t, id)| {
            json!({
                "trial": t.number,
                "run_id": id,
                "settings": {
                    "hidden": t.model.hidden,
                    "learning_rate": t.model.learning_rate,
                    "weight_decay": t.model.weight_decay,
                    "max_epochs": t.model.max_epochs,
                },
                "score": t.score,
                "scores": t.scores,
                "error": t.error,
                "member_best_epochs": t.best_epochs,
                "seconds": t.seconds,
            })
        })
        .collect();
    json!({
        "metric": objective.key(),
        "maximize": objective.maximize,
        "best_trial": search.winner().number,
        "seconds": search.seconds,
        "trials": trials,
    })
}

/// The winner's settings, as `tandem train` flags.
fn settings(t: &Trial) -> String {
    format!(
        "--hidden {} --learning-rate {} --weight-decay {} --max-epochs {}",
        hidden_text(&t.model.hidden),
        t.model.learning_rate,
        t.model.weight_decay,
        t.model.max_epochs
    )
}

/// One trial's progress line.
fn line(t: &Trial, objective: &Objective, improved: bool) -> String {
    let result = match (&t.error, t.score) {
        (None, Some(s)) => {
            let std = t
                .scores
                .get(&format!("cv_{}_std", objective.metric))
                .copied()
                .unwrap_or(f64::NAN);
            format!("{} {s:.4} ± {std:.4}", objective.metric)
        }
        (Some(e), _) => format!("failed: {e}"),
        (None, None) => "no score".into(),
    };
    format!(
        "  trial {:>3}  hidden {:<7} lr {:<7} wd {:<7} epochs {:<4} {result}  {:.1}s{}",
        t.number,
        hidden_text(&t.model.hidden),
        t.model.learning_rate,
        t.model.weight_decay,
        t.model.max_epochs,
        t.seconds,
        if improved { "  *" } else { "" }
    )
}

/// The summary's `tune` section: the best five trials and the winner's settings.
fn section(search: &Search, objective: &Objective, run_ids: &[String]) -> Section {
    let mut ranked: Vec<&Trial> = search.trials.iter().filter(|t| t.score.is_some()).collect();
    ranked.sort_by(|a, b| {
        let (a, b) = (a.score.unwrap_or(0.0), b.score.unwrap_or(0.0));
        if objective.maximize {
            b.total_cmp(&a)
        } else {
            a.total_cmp(&b)
        }
    });
    let winner = search.winner();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "tuned: {} trials in {:.1}s, best by {} (of {} folds):",
        search.trials.len(),
        search.seconds,
        objective.key(),
        winner.model.ensemble
    );
    for t in ranked.iter().take(5) {
        let _ = writeln!(text, "{}", line(t, objective, t.number == winner.number));
    }
    let _ = writeln!(text, "  winner: {}", settings(winner));
    let mut json = trials_json(search, objective, run_ids);
    json["best_settings"] = json!({
        "hidden": winner.model.hidden,
        "learning_rate": winner.model.learning_rate,
        "weight_decay": winner.model.weight_decay,
        "max_epochs": winner.model.max_epochs,
    });
    Section {
        key: "tune",
        json,
        text,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_seconds_and_minutes() {
        assert_eq!(parse_seconds("90").unwrap(), 90.0);
        assert_eq!(parse_seconds("90s").unwrap(), 90.0);
        assert_eq!(parse_seconds("1.5m").unwrap(), 90.0);
        assert_eq!(parse_seconds("0").unwrap(), 0.0);
        for bad in ["", "-1", "nan", "inf", "5h", "1e9", "m"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}

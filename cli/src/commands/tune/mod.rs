//! `tandem tune`: search the network's settings by k-fold cross-validation within a time or
//! trial budget (tandem-train's [`tandem_train::tune`]), each trial recorded as a child run
//! of the tuning run (MLflow's nested runs: the `mlflow.parentRunId` tag), then train the
//! winner in the tuning run itself, exactly as `tandem train` would with its settings.

mod record;
mod report;
mod watch;

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use tandem_train::tune::{self, Budget, Objective};

use crate::commands::train::{self, TrainArgs};

/// A search's time when neither `--budget` nor `--trials` is given.
const DEFAULT_SECONDS: f64 = 60.0;

/// Arguments of `tandem tune`: every `tandem train` flag (data, spec, split, the settings the
/// search starts from and keeps), and the search's own.
#[derive(Args)]
pub struct TuneArgs {
    #[command(flatten)]
    train: TrainArgs,
    /// Time for the search: `90`, `90s`, `5m` [default: 60s, or no limit with --trials]. No
    /// trial starts that would likely end past it (the slowest trial so far is the guess);
    /// the winner's training comes after. `0`: no time limit (give --trials).
    #[arg(long, value_parser = parse_seconds, value_name = "TIME", allow_negative_numbers = true)]
    budget: Option<f64>,
    /// Try at most this many settings; alone, with no time limit, so the same trials (and
    /// scores) come out every time for a seed.
    #[arg(long, value_name = "N")]
    trials: Option<usize>,
    /// Cross-validate each trial this many times, each with other folds and initialisations
    /// [default: enough to score about 2,000 rows, at most 5: iris 5, titanic 2, large data 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=20))]
    repeats: Option<u64>,
    /// How the winner is chosen: `best` (the best mean score) or `smallest` (the smallest
    /// network within one standard error of the best).
    #[arg(long, value_parser = ["best", "smallest"], default_value = "best")]
    select: String,
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

impl TuneArgs {
    /// `--select` as the library's rule.
    fn select(&self) -> tune::Select {
        tune::Select::ALL
            .into_iter()
            .find(|s| s.name() == self.select)
            .unwrap_or(tune::Select::Best)
    }

    /// The budget the flags give: 60 s by default, no time limit with `--trials` alone.
    fn budget(&self) -> Result<Budget> {
        let seconds = match (self.budget, self.trials) {
            (None, None) => Some(DEFAULT_SECONDS),
            (None, Some(_)) => None,
            (Some(s), _) => (s > 0.0).then_some(s),
        };
        match (seconds, self.trials) {
            (None, None) => {
                bail!("--budget 0 searches without a time limit: give --trials N to end it")
            }
            (_, Some(0)) => bail!("--trials 0 tries nothing: give at least 1"),
            _ => Ok(Budget {
                seconds,
                trials: self.trials,
            }),
        }
    }
}

/// Run `tandem tune`.
pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let budget = args.budget()?;
    let plan = args.train.plan()?;
    refuse(&plan, args.metric.as_deref())?;
    let quiet = args.train.quiet || args.train.json;
    if plan.test == 0.0 && !quiet {
        eprintln!(
            "note: no test rows (--test-fraction 0): the search chooses on every other row, so \
             the winner's validation metrics are not a fresh estimate; --test-fraction 0.2 \
             keeps rows it never sees"
        );
    }
    let tags = [(
        "tandem.tune".to_string(),
        format!("random search, {}", describe(&budget)),
    )];
    let begun = train::begin(&args.train, plan, &tags)?;
    let store = args.train.store.config();
    let experiment = args.train.experiment.clone();
    let run_name = begun.run_name.clone();
    train::complete(&args.train, begun, |prepared, rec| {
        let objective = Objective::for_task(&prepared.schema.label.task, args.metric.as_deref())?;
        let options = tune::Options {
            budget,
            repeats: args.repeats.map(|r| r as usize),
            select: args.select(),
        };
        let repeats = options.repeats_for(prepared);
        let mut watch = watch::Watch::new(quiet, budget);
        watch.say(&format!(
            "tuning: {} over {} folds x {} repeats, {} ({} is better)",
            objective.key(),
            prepared.plan.model.ensemble,
            repeats,
            describe(&budget),
            if objective.maximize {
                "higher"
            } else {
                "lower"
            }
        ));
        let parent = rec.run_id.clone();
        let children = record::Children {
            repeats,
            store: &store,
            experiment: &experiment,
            parent: &parent,
            run_name: &run_name,
            local_only: std::cell::Cell::new(false),
        };
        // A trial the store could not take is still a trial: the search goes on, and the
        // first failure is said once (the tuning run's own recording reports its errors).
        let mut run_ids: Vec<Option<String>> = Vec::new();
        let mut warned = false;
        let search = tune::search(prepared, &objective, &options, &mut |trial| {
            let (id, trouble) = match children.record(trial) {
                Ok((id, trouble)) => (Some(id), trouble.map(|why| {
                    format!("the MLflow server failed trial {}'s run ({why}): it and the next trials are recorded in the local store only", trial.number)
                })),
                Err(e) => (None, Some(format!("trial {} not recorded as a child run: {e:#}", trial.number))),
            };
            if let Some(why) = trouble
                && !warned
            {
                // Even with --quiet or --json: the store is missing something.
                watch.warn(&format!("warning: {why}"));
                warned = true;
            }
            run_ids.push(id);
            watch.trial(trial, &objective);
        });
        watch.finish();
        let search = search?;
        let winner = search.winner();
        record::parent(rec, &search, &objective, &run_ids)?;
        if !quiet {
            eprintln!(
                "best: trial {} ({}) of {} in {:.1}s; training it",
                winner.number,
                report::settings(winner),
                search.trials.len(),
                search.seconds
            );
        }
        prepared.plan.model = winner.model.clone();
        Ok(Some(report::section(&search, &objective, &run_ids)))
    })
}

/// What tune refuses before any data is read.
fn refuse(plan: &tandem_train::Plan, metric: Option<&str>) -> Result<()> {
    if let Some(m) = metric
        && !tune::METRICS.iter().any(|(name, _)| *name == m)
    {
        let names: Vec<&str> = tune::METRICS.iter().map(|(n, _)| *n).collect();
        bail!(
            "--metric {m} is not a metric tune can optimise: {}",
            names.join(", ")
        );
    }
    if plan.model.ensemble < 3 {
        bail!(
            "tune cross-validates with the ensemble's folds (each candidate is the ensemble `tandem train` would train): `[model] ensemble` (--ensemble) must be at least 3, not {}",
            plan.model.ensemble
        );
    }
    if plan.folds.is_some() {
        bail!(
            "tune cross-validates every trial itself: drop --folds (or the spec's `[split] folds`)"
        );
    }
    if plan.stream == Some(true) {
        bail!(
            "tune holds the rows in memory: it cannot train a stream (--stream on / `[data] stream = true`)"
        );
    }
    Ok(())
}

fn describe(budget: &Budget) -> String {
    match (budget.seconds, budget.trials) {
        (Some(s), Some(n)) => format!("{s}s or {n} trials"),
        (Some(s), None) => format!("{s}s"),
        (None, Some(n)) => format!("{n} trials"),
        (None, None) => String::new(),
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

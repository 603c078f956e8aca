//! `tandem tune`: a random search over the network's settings within a time or trial budget,
//! each candidate scored by k-fold cross-validation on the training and validation rows.
//!
//! A candidate is trained as `tandem train` trains its ensemble (the default model), on the
//! same k folds of the non-test rows, with one difference that keeps the score honest: network
//! m learns from k − 2 folds and early-stops on fold m + 1, so fold m, which it scores, chose
//! nothing (early-stopping on the scored fold rewards settings whose noisy validation curve
//! dips by luck). Every row is scored by the network that did not see it, and the fold scores'
//! mean is the candidate's cross-validation score (`cv_<metric>_mean`, as `tandem train
//! --folds` writes it). The test rows are never seen: they judge the winner, which is then
//! trained exactly as `tandem train` would train it.
//!
//! The first candidate is the plan's own settings (the defaults, or the spec's), the second
//! the same with no hidden layer (logistic / linear regression, which small data sets often
//! prefer); the rest are drawn from [`Space`] with a generator seeded by the plan's seed, so a
//! search with `--trials` is reproducible (a time budget stops it wherever the machine got to).
//! Random search rather than a grid: with a few settings that matter, it finds good values in
//! far fewer trials (Bergstra & Bengio, 2012).

use std::collections::BTreeMap;
use std::time::Instant;

use tandem_core::schema::Task;

use crate::error::{Error, Result};
use crate::evaluate;
use crate::pipeline::Context;
use crate::prepare::Prepared;
use crate::spec::ModelSpec;
use crate::split::SplitMix64;

/// The settings a search draws from. Everything else (batch size, patience, the schedule,
/// the ensemble's size, which is the number of folds) stays as the plan says.
pub struct Space {
    /// Hidden layer widths.
    pub hidden: &'static [&'static [usize]],
    /// Adam's learning rate: log-uniform in this range.
    pub learning_rate: (f64, f64),
    /// L2 weight decay: none half of the time, else log-uniform in this range.
    pub weight_decay: (f64, f64),
    /// Epoch limits (early stopping still picks the best epoch below the limit).
    pub max_epochs: &'static [usize],
}

/// The search space `tandem tune` uses (docs/tune.md).
pub const SPACE: Space = Space {
    hidden: &[&[], &[16], &[32], &[64], &[128], &[32, 32], &[64, 64]],
    learning_rate: (1e-3, 0.1),
    weight_decay: (1e-5, 1e-1),
    max_epochs: &[30, 100, 300],
};

impl Space {
    /// A random candidate: `base` with the searched settings drawn from the space.
    fn draw(&self, base: &ModelSpec, rng: &mut SplitMix64) -> ModelSpec {
        let mut uniform = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let log_uniform =
            |(low, high): (f64, f64), u: f64| (low.ln() + u * (high / low).ln()).exp();
        let pick = |n: usize, u: f64| ((u * n as f64) as usize).min(n - 1);
        let hidden = self.hidden[pick(self.hidden.len(), uniform())].to_vec();
        let learning_rate = round3(log_uniform(self.learning_rate, uniform()));
        let weight_decay = if uniform() < 0.5 {
            0.0
        } else {
            round3(log_uniform(self.weight_decay, uniform()))
        };
        let max_epochs = self.max_epochs[pick(self.max_epochs.len(), uniform())];
        if hidden.is_empty() {
            // A linear model is fitted exactly (crate::linear): Adam's rate does not apply and
            // the iteration limit is the plan's, so draws differ only where the fit does.
            return ModelSpec {
                hidden,
                weight_decay,
                ..base.clone()
            };
        }
        ModelSpec {
            hidden,
            learning_rate,
            weight_decay,
            max_epochs,
            ..base.clone()
        }
    }
}

/// Three significant digits: settings a person can read and type again.
fn round3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// Which cross-validation metric picks the winner, and which way is better.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// A metric name as evaluation writes it (`log_loss`, `accuracy`, `rmse`, ...).
    pub metric: String,
    /// Larger is better (accuracy) or smaller is (log loss, RMSE).
    pub maximize: bool,
}

/// Metrics a search can optimise, and whether larger is better.
pub const METRICS: &[(&str, bool)] = &[
    ("accuracy", true),
    ("balanced_accuracy", true),
    ("f1_macro", true),
    ("f1_weighted", true),
    ("roc_auc", true),
    ("pr_auc", true),
    ("log_loss", false),
    ("brier", false),
    ("rmse", false),
    ("mae", false),
    ("r2", true),
];

impl Objective {
    /// `metric`, or the task's default: log loss for classification (a proper scoring rule,
    /// and what early stopping watches: accuracy ties on small data), RMSE for regression.
    pub fn for_task(task: &Task, metric: Option<&str>) -> Result<Objective> {
        let classification = matches!(task, Task::Classification { .. });
        let metric = metric.unwrap_or(if classification { "log_loss" } else { "rmse" });
        let fits = |name: &str| match name {
            "rmse" | "mae" | "r2" => !classification,
            _ => classification,
        };
        let known: Vec<&str> = METRICS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| fits(n))
            .collect();
        let maximize = METRICS
            .iter()
            .find(|(n, _)| *n == metric && fits(n))
            .map(|(_, up)| *up)
            .ok_or_else(|| {
                Error::Plan(format!(
                    "cannot tune for `{metric}` on a {} label: choose one of {}",
                    if classification {
                        "classification"
                    } else {
                        "regression"
                    },
                    known.join(", ")
                ))
            })?;
        Ok(Objective {
            metric: metric.to_string(),
            maximize,
        })
    }

    /// The key of the cross-validation mean this objective reads.
    pub fn key(&self) -> String {
        format!("cv_{}_mean", self.metric)
    }

    /// Whether `a` beats `b`.
    pub fn better(&self, a: f64, b: f64) -> bool {
        if self.maximize { a > b } else { a < b }
    }
}

/// When a search stops: after `trials` candidates, or before a candidate that would likely
/// end past `seconds` (the slowest trial so far is the estimate). At least one runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Seconds of search (the final training of the winner comes after).
    pub seconds: Option<f64>,
    /// Candidates tried.
    pub trials: Option<usize>,
}

/// How the winner is chosen among the scored trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// The best mean score.
    Best,
    /// The smallest network within one standard error of the best
    /// ([`one_standard_error`]).
    Smallest,
}

impl Select {
    /// Every rule, by name.
    pub const ALL: [Select; 2] = [Select::Best, Select::Smallest];

    /// Its name (`--select`).
    pub fn name(self) -> &'static str {
        match self {
            Select::Best => "best",
            Select::Smallest => "smallest",
        }
    }
}

/// How a search runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// When it stops.
    pub budget: Budget,
    /// Cross-validation repeats per trial (`None`: [`repeats_for`] the rows).
    pub repeats: Option<usize>,
    /// How the winner is chosen.
    pub select: Select,
}

impl Options {
    /// The cross-validation repeats a search of `prepared` runs: the given number, else
    /// [`repeats_for`] its non-test rows.
    pub fn repeats_for(&self, prepared: &Prepared) -> usize {
        let split = &prepared.split;
        self.repeats
            .unwrap_or_else(|| repeats_for(split.train.len() + split.validation.len()))
    }
}

/// One candidate and how it did.
#[derive(Debug, Clone)]
pub struct Trial {
    /// 1-based.
    pub number: usize,
    /// Its settings.
    pub model: ModelSpec,
    /// Cross-validation means and standard deviations (`cv_<metric>_mean` / `_std`), empty
    /// when it failed.
    pub scores: BTreeMap<String, f64>,
    /// The objective's value (`None` when it failed or came out non-finite).
    pub score: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Each network's best epoch (k per repeat).
    pub best_epochs: Vec<usize>,
    /// Wall time.
    pub seconds: f64,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Search {
    /// Every candidate tried, in order.
    pub trials: Vec<Trial>,
    /// The index in `trials` of the winner (the first of equals).
    pub best: usize,
    /// Cross-validation repeats per trial.
    pub repeats: usize,
    /// The search ended because the space had no untried settings left to draw.
    pub exhausted: bool,
    /// How the winner was chosen.
    pub select: Select,
    /// Wall time of the search.
    pub seconds: f64,
}

impl Search {
    /// The winning trial.
    pub fn winner(&self) -> &Trial {
        &self.trials[self.best]
    }
}

/// Search `prepared` for the best settings. `on_trial` sees each trial as it ends (to record
/// it). A candidate whose training fails (a diverging learning rate) is kept with its error
/// and the search goes on; the search fails when every trial did (it stops after the first
/// [`MAX_FAILURES_FIRST`] if none succeeded), and at once on an error that does not depend
/// on the settings.
pub fn search(
    prepared: &Prepared,
    objective: &Objective,
    options: &Options,
    on_trial: &mut dyn FnMut(&Trial),
) -> Result<Search> {
    let budget = options.budget;
    let base = &prepared.plan.model;
    if base.ensemble < 3 {
        return Err(Error::Plan(format!(
            "tune cross-validates with the ensemble's folds: `[model] ensemble` (--ensemble) must be at least 3, not {}",
            base.ensemble
        )));
    }
    if prepared.streamed.is_some() {
        return Err(Error::Plan(
            "tune holds the rows in memory and this data set is trained as a stream (--stream, or over 256 MiB): tune on a sample of it (a smaller file), or force --stream off if it fits in memory".into(),
        ));
    }
    let repeats = options.repeats_for(prepared);
    let started = Instant::now();
    let mut rng = SplitMix64::new(prepared.plan.seed ^ 0x7E57_7E57);
    let mut trials: Vec<Trial> = Vec::new();
    let mut slowest = 0.0f64;
    let mut refused = 0usize;
    let mut exhausted = false;
    loop {
        if budget.trials.is_some_and(|n| trials.len() >= n) {
            break;
        }
        if let Some(s) = budget.seconds
            && !trials.is_empty()
            && started.elapsed().as_secs_f64() + slowest > s
        {
            break;
        }
        let model = match trials.len() {
            0 => base.clone(),
            1 if !base.hidden.is_empty() => ModelSpec {
                hidden: Vec::new(),
                ..base.clone()
            },
            _ => {
                // A draw already tried (or one the limits refuse, which this space cannot
                // reach) is drawn again; a long run of them means the space is used up.
                let m = SPACE.draw(base, &mut rng);
                if m.check().is_err() || trials.iter().any(|t| t.model == m) {
                    refused += 1;
                    if refused >= MAX_REDRAWS {
                        exhausted = true;
                        break;
                    }
                    continue;
                }
                refused = 0;
                m
            }
        };
        let trial = run_trial(prepared, objective, model, repeats, trials.len() + 1)?;
        slowest = slowest.max(trial.seconds);
        on_trial(&trial);
        trials.push(trial);
        if trials.len() >= MAX_FAILURES_FIRST && trials.iter().all(|t| t.score.is_none()) {
            break;
        }
    }
    let chosen = match options.select {
        Select::Best => best_of(&trials, objective),
        Select::Smallest => one_standard_error(&trials, objective),
    };
    let best = chosen.ok_or_else(|| {
        let why = trials
            .first()
            .and_then(|t| t.error.clone())
            .unwrap_or_else(|| "no trial ran".into());
        Error::Training(format!("every tuning trial failed; the first: {why}"))
    })?;
    Ok(Search {
        trials,
        best,
        repeats,
        exhausted,
        select: options.select,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The winner by the one-standard-error rule (Breiman et al., 1984; glmnet's `lambda.1se`):
/// of the trials whose score is within one standard error of the best one's (its fold
/// scores' standard deviation / √k, k folds per repeat: repeats share their rows, so they do
/// not shrink it), those with the simplest network (fewest hidden units, then fewest layers),
/// and of those the best score. The best score of many trials is partly luck of the folds; a
/// smaller network that does as well within that noise generalises at least as well, and on
/// small data usually better.
fn one_standard_error(trials: &[Trial], objective: &Objective) -> Option<usize> {
    let best = best_of(trials, objective)?;
    let t = &trials[best];
    let score = t.score?;
    let folds = t.model.ensemble.max(1) as f64;
    let std = t
        .scores
        .get(&format!("cv_{}_std", objective.metric))
        .copied()
        .filter(|s| s.is_finite())
        .unwrap_or(0.0);
    let bound = if objective.maximize {
        score - std / folds.sqrt()
    } else {
        score + std / folds.sqrt()
    };
    let within = |s: f64| {
        if objective.maximize {
            s >= bound
        } else {
            s <= bound
        }
    };
    let size = |t: &Trial| (t.model.hidden.iter().sum::<usize>(), t.model.hidden.len());
    let mut chosen = best;
    for (i, t) in trials.iter().enumerate() {
        let Some(s) = t.score else { continue };
        if !within(s) {
            continue;
        }
        let c = &trials[chosen];
        let smaller = size(t) < size(c);
        let as_small_better =
            size(t) == size(c) && c.score.is_some_and(|cs| objective.better(s, cs));
        if smaller || as_small_better {
            chosen = i;
        }
    }
    Some(chosen)
}

/// Trial `number` of `model`: scored, or failed in training (only training can fail for one
/// setting and not another, as a learning rate that diverges; any other error, such as too
/// few rows for the folds or a feature that does not read, would fail every trial alike and
/// is returned).
fn run_trial(
    prepared: &Prepared,
    objective: &Objective,
    model: ModelSpec,
    repeats: usize,
    number: usize,
) -> Result<Trial> {
    let started = Instant::now();
    let (scores, best_epochs, error) = match cross_validate(prepared, &model, repeats) {
        Ok((scores, best_epochs)) => (scores, best_epochs, None),
        Err(e @ Error::Training(_)) => (BTreeMap::new(), Vec::new(), Some(e.to_string())),
        Err(e) => return Err(e),
    };
    let score = scores
        .get(&objective.key())
        .copied()
        .filter(|v| v.is_finite());
    let error = error.or_else(|| {
        score
            .is_none()
            .then(|| format!("{} is not finite", objective.key()))
    });
    Ok(Trial {
        number,
        model,
        scores,
        score,
        error,
        best_epochs,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The index of the best scored trial (the first of equals).
fn best_of(trials: &[Trial], objective: &Objective) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, t) in trials.iter().enumerate() {
        if let Some(s) = t.score
            && best.is_none_or(|(_, b)| objective.better(s, b))
        {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// `model`'s cross-validation scores on the training and validation rows (the ensemble's
/// folds, out-of-fold outputs), and each network's best epoch.
pub fn cross_validate(
    prepared: &Prepared,
    model: &ModelSpec,
    repeats: usize,
) -> Result<(BTreeMap<String, f64>, Vec<usize>)> {
    let split = &prepared.split;
    let mut per_metric: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut best_epochs = Vec::new();
    for r in 0..repeats.max(1) {
        // Each repeat cuts other folds and initialises other networks.
        let ctx = Context {
            model,
            seed: prepared.plan.seed.wrapping_add(REPEAT_SEED_STEP * r as u64),
            ..prepared.context()
        };
        let fitted = ctx.fit_ensemble(&split.train, &split.validation, true, &mut |_| Ok(()))?;
        let oof = fitted.out_of_fold.as_ref().ok_or_else(|| {
            Error::Training("an ensemble's fit kept no out-of-fold outputs".into())
        })?;
        let n_out = ctx.n_outputs();
        for held in &oof.folds {
            let rows: Vec<usize> = held.iter().map(|&p| oof.rows[p]).collect();
            let outputs: Vec<f32> = held
                .iter()
                .flat_map(|&p| oof.outputs[p * n_out..(p + 1) * n_out].iter().copied())
                .collect();
            let scaling = fitted.target_scaling.as_ref();
            for (name, v) in evaluate::of_outputs(&ctx, &outputs, scaling, &rows) {
                per_metric.entry(name).or_default().push(v);
            }
        }
        best_epochs.extend_from_slice(&fitted.trained.member_best_epochs);
    }
    Ok((evaluate::mean_and_std(per_metric), best_epochs))
}

/// Draws in a row that were all tried already before a search calls the space used up.
const MAX_REDRAWS: usize = 1000;

/// A search whose first this many trials all failed stops.
const MAX_FAILURES_FIRST: usize = 10;

/// Seeds of successive cross-validation repeats are this far apart (members of one repeat
/// take consecutive seeds).
const REPEAT_SEED_STEP: u64 = 1000;

/// Cross-validation is repeated (other folds, other initialisations) until a trial has scored
/// about this many rows, at most [`MAX_REPEATS`] times: on small data one cut of the folds is
/// noisy enough to pick the winner by itself.
pub const REPEAT_ROWS: usize = 2000;
/// The most repeats [`repeats_for`] gives.
pub const MAX_REPEATS: usize = 5;

/// Repeats of the cross-validation for `rows` non-test rows: ⌈[`REPEAT_ROWS`] / rows⌉, 1 to
/// [`MAX_REPEATS`] (iris: 5, titanic's 1,309 rows: 2, past 2,000 rows: 1).
pub fn repeats_for(rows: usize) -> usize {
    REPEAT_ROWS.div_ceil(rows.max(1)).clamp(1, MAX_REPEATS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn trial(number: usize, score: Option<f64>) -> Trial {
        Trial {
            number,
            model: ModelSpec::default(),
            scores: BTreeMap::new(),
            score,
            error: None,
            best_epochs: Vec::new(),
            seconds: 0.0,
        }
    }

    #[test]
    fn draws_stay_in_the_space_and_repeat_with_the_seed() {
        // Settings outside the space, so that a linear draw visibly keeps the plan's.
        let base = ModelSpec {
            learning_rate: 0.5,
            max_epochs: 77,
            ..ModelSpec::default()
        };
        let draws = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..200)
                .map(|_| SPACE.draw(&base, &mut rng))
                .collect::<Vec<_>>()
        };
        let a = draws(3);
        assert_eq!(a, draws(3));
        assert_ne!(a, draws(4));
        for m in &a {
            assert!(SPACE.hidden.contains(&m.hidden.as_slice()));
            assert!(m.weight_decay == 0.0 || (1e-5..=0.1).contains(&m.weight_decay));
            assert_eq!(m.batch_size, base.batch_size);
            assert_eq!(m.ensemble, base.ensemble);
            if m.hidden.is_empty() {
                // Fitted exactly: Adam's rate and the epoch limit are the plan's.
                assert_eq!((m.learning_rate, m.max_epochs), (0.5, 77));
                continue;
            }
            assert!(
                (1e-3..=0.1).contains(&m.learning_rate),
                "{}",
                m.learning_rate
            );
            assert!(SPACE.max_epochs.contains(&m.max_epochs));
        }
        // Every width and epoch limit comes up; the learning rate spans its two decades.
        for h in SPACE.hidden {
            assert!(a.iter().any(|m| m.hidden == *h), "{h:?} never drawn");
        }
        for e in SPACE.max_epochs {
            assert!(a.iter().any(|m| m.max_epochs == *e));
        }
        assert!(a.iter().any(|m| m.learning_rate < 3e-3));
        assert!(a.iter().any(|m| m.learning_rate > 3e-2));
        let none = a.iter().filter(|m| m.weight_decay == 0.0).count();
        assert!(
            (60..140).contains(&none),
            "{none} of 200 without weight decay"
        );
    }

    #[test]
    fn settings_are_rounded_to_three_digits() {
        assert_eq!(round3(0.012_345_6), 0.0123);
        assert_eq!(round3(0.099_96), 0.1);
        assert_eq!(round3(2.5e-5), 2.5e-5);
        assert_eq!(round3(0.0), 0.0);
    }

    #[test]
    fn the_objective_knows_its_direction_and_refuses_other_tasks_metrics() {
        let classes = Task::Classification {
            classes: vec!["a".into(), "b".into()],
        };
        let o = Objective::for_task(&classes, None).unwrap();
        assert_eq!((o.metric.as_str(), o.maximize), ("log_loss", false));
        let o = Objective::for_task(&classes, Some("accuracy")).unwrap();
        assert!(o.maximize && o.better(0.9, 0.8));
        let o = Objective::for_task(&Task::Regression, None).unwrap();
        assert_eq!((o.key().as_str(), o.maximize), ("cv_rmse_mean", false));
        assert!(o.better(1.0, 2.0));
        let e = Objective::for_task(&Task::Regression, Some("accuracy")).unwrap_err();
        assert!(e.to_string().contains("rmse, mae, r2"), "{e}");
        assert!(Objective::for_task(&classes, Some("rmse")).is_err());
        assert!(Objective::for_task(&classes, Some("residual_mean")).is_err());
    }

    fn scored(hidden: &[usize], weight_decay: f64, score: f64, std: f64) -> Trial {
        let mut t = trial(0, Some(score));
        t.model.hidden = hidden.to_vec();
        t.model.weight_decay = weight_decay;
        t.model.ensemble = 4;
        t.scores.insert("cv_log_loss_std".into(), std);
        t
    }

    #[test]
    fn the_winner_is_the_smallest_network_within_one_standard_error_of_the_best() {
        let lower = Objective {
            metric: "log_loss".into(),
            maximize: false,
        };
        // Best 0.10 ± 0.08 over 4 folds: the bound is 0.14.
        let mut trials = vec![
            scored(&[32], 0.0, 0.10, 0.08),
            scored(&[64, 64], 0.0, 0.11, 0.01),
            scored(&[], 0.1, 0.139, 0.01),
            scored(&[], 0.0, 0.13, 0.01),
            scored(&[16], 0.0, 0.12, 0.01),
            scored(&[], 0.0, 0.141, 0.01),
        ];
        // Three linear models, two within the bound: the better of those.
        assert_eq!(one_standard_error(&trials, &lower), Some(3));
        // A sharper best (± 0.02: bound 0.11) leaves only itself and the deep model.
        trials[0].scores.insert("cv_log_loss_std".into(), 0.02);
        assert_eq!(one_standard_error(&trials, &lower), Some(0));
        // Fewer units first, then fewer layers: [16] beats [32] and [64, 64].
        trials[0].scores.insert("cv_log_loss_std".into(), 0.08);
        for t in [2, 3, 5] {
            trials[t].score = Some(0.5);
        }
        assert_eq!(one_standard_error(&trials, &lower), Some(4));
        // Larger is better: the bound is below the best.
        let higher = Objective {
            metric: "log_loss".into(),
            maximize: true,
        };
        let flipped: Vec<Trial> = trials
            .iter()
            .map(|t| Trial {
                score: t.score.map(|s| 1.0 - s),
                ..t.clone()
            })
            .collect();
        assert_eq!(one_standard_error(&flipped, &higher), Some(4));
        assert_eq!(one_standard_error(&[trial(1, None)], &lower), None);
    }

    /// iris (examples/data, 150 rows), 20% held out for test.
    fn iris(dir: &std::path::Path) -> Prepared {
        let data =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/iris.csv");
        let spec = dir.join("tandem.toml");
        std::fs::write(
            &spec,
            format!(
                "version = 1\n[data]\npath = {data:?}\nlabel = \"target\"\n[split]\ntest = 0.2\n\
                 [model]\nmax_epochs = 60\n"
            ),
        )
        .unwrap();
        crate::prepare(crate::Plan::from_spec(&spec).unwrap()).unwrap()
    }

    #[test]
    fn a_search_scores_real_data_and_its_first_trials_are_the_plan_and_its_linear_twin() {
        let dir = tempfile::tempdir().unwrap();
        let prepared = iris(dir.path());
        // Every out-of-fold row scored by the right network: iris is easy.
        let (scores, epochs) = cross_validate(&prepared, &prepared.plan.model, 2).unwrap();
        assert!(scores["cv_accuracy_mean"] > 0.85, "{scores:?}");
        assert_eq!(epochs.len(), 10);
        let objective = Objective::for_task(&prepared.schema.label.task, None).unwrap();
        let options = Options {
            budget: Budget {
                seconds: None,
                trials: Some(3),
            },
            repeats: Some(1),
            select: Select::Best,
        };
        let mut seen = Vec::new();
        let search = search(&prepared, &objective, &options, &mut |t| {
            seen.push(t.number)
        })
        .unwrap();
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(search.trials[0].model, prepared.plan.model);
        assert!(search.trials[1].model.hidden.is_empty());
        assert_eq!(
            search.trials[1].model.learning_rate,
            prepared.plan.model.learning_rate
        );
        let winner = search.winner().score.unwrap();
        assert!(search.trials.iter().all(|t| t.score.unwrap() >= winner));
        assert!(!search.exhausted);
        assert_eq!(search.repeats, 1);
    }

    #[test]
    fn small_data_is_cross_validated_more_than_once() {
        assert_eq!(repeats_for(120), 5);
        assert_eq!(repeats_for(455), 5);
        assert_eq!(repeats_for(712), 3);
        assert_eq!(repeats_for(2000), 1);
        assert_eq!(repeats_for(1_000_000), 1);
        assert_eq!(repeats_for(0), 5);
    }

    #[test]
    fn the_best_trial_is_the_first_of_the_best_scores_and_failures_never_win() {
        let lower = Objective {
            metric: "rmse".into(),
            maximize: false,
        };
        let higher = Objective {
            metric: "accuracy".into(),
            maximize: true,
        };
        let trials = vec![
            trial(1, Some(0.5)),
            trial(2, None),
            trial(3, Some(0.3)),
            trial(4, Some(0.3)),
            trial(5, Some(0.9)),
        ];
        assert_eq!(best_of(&trials, &lower), Some(2));
        assert_eq!(best_of(&trials, &higher), Some(4));
        assert_eq!(best_of(&[trial(1, None)], &lower), None);
    }
}

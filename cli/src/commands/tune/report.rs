//! What `tandem tune` prints: a line per trial, and the summary's `tune` section (the best
//! trials and the winner as `tandem train` flags; the trials in JSON).

use std::fmt::Write as _;

use serde_json::{Value as Json, json};
use tandem_train::params::hidden_text;
use tandem_train::tune::{Objective, Search, Trial};

use crate::commands::train::Section;

/// Every trial, as `tune/trials.json` and the `--json` summary hold them.
pub fn trials_json(search: &Search, objective: &Objective, run_ids: &[Option<String>]) -> Json {
    let trials: Vec<Json> = search
        .trials
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({
                "trial": t.number,
                "run_id": run_ids.get(i).cloned().flatten(),
                "settings": settings_json(t),
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
        "best_settings": settings_json(search.winner()),
        "repeats": search.repeats,
        "select": search.select.name(),
        "exhausted": search.exhausted,
        "seconds": search.seconds,
        "trials": trials,
    })
}

fn settings_json(t: &Trial) -> Json {
    json!({
        "hidden": t.model.hidden,
        "learning_rate": t.model.learning_rate,
        "weight_decay": t.model.weight_decay,
        "max_epochs": t.model.max_epochs,
    })
}

/// A trial's settings, as `tandem train` flags.
pub fn settings(t: &Trial) -> String {
    format!(
        "--hidden {} --learning-rate {} --weight-decay {} --max-epochs {}",
        hidden_text(&t.model.hidden),
        t.model.learning_rate,
        t.model.weight_decay,
        t.model.max_epochs
    )
}

/// One trial's line, with `mark` at its end.
pub fn line(t: &Trial, objective: &Objective, mark: &str) -> String {
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
        "  trial {:>3}  hidden {:<7} lr {:<7} wd {:<9} epochs {:<4} {result}  {:.1}s{mark}",
        t.number,
        hidden_text(&t.model.hidden),
        t.model.learning_rate,
        t.model.weight_decay,
        t.model.max_epochs,
        t.seconds,
    )
}

/// The summary's `tune` section: the five best scores and the winner (with `--select
/// smallest`, often not among them).
pub fn section(search: &Search, objective: &Objective, run_ids: &[Option<String>]) -> Section {
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
        "tuned: {} trials in {:.1}s{}, by {} over {} folds x {} repeats; the best:",
        search.trials.len(),
        search.seconds,
        if search.exhausted {
            " (every setting of the space tried)"
        } else {
            ""
        },
        objective.key(),
        winner.model.ensemble,
        search.repeats,
    );
    for t in ranked.iter().take(5) {
        let mark = if t.number == winner.number {
            "  <- winner"
        } else {
            ""
        };
        let _ = writeln!(text, "{}", line(t, objective, mark));
    }
    if !ranked.iter().take(5).any(|t| t.number == winner.number) {
        let why = "  <- winner: the smallest within one standard error of the best";
        let _ = writeln!(text, "{}", line(winner, objective, why));
    }
    let _ = writeln!(text, "  winner: {}", settings(winner));
    Section {
        key: "tune",
        json: trials_json(search, objective, run_ids),
        text,
    }
}

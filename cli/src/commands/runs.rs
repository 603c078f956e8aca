//! `tandem runs list|show|compare`: what was trained, from either store.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::StoreArgs;
use crate::tabulate::{number, render};
use tandem_tracking::{Run, Store};

/// Arguments of `tandem runs`.
#[derive(Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    command: RunsCommand,
    /// Where runs live.
    #[command(flatten)]
    store: StoreArgs,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum RunsCommand {
    /// Runs, newest first.
    #[command(after_help = crate::help::RUNS_LIST)]
    List {
        /// Only this experiment (name or id).
        #[arg(long)]
        experiment: Option<String>,
        /// At most this many runs.
        #[arg(long, default_value_t = 20)]
        max: usize,
        /// Also list `tandem tune`'s trials (child runs of a tuning run; hidden by default, as
        /// a minute of tuning makes hundreds).
        #[arg(long)]
        all: bool,
    },
    /// One run: status, params, metrics, tags and its per-epoch history.
    #[command(after_help = crate::help::RUNS_SHOW)]
    Show {
        /// Run id.
        run_id: String,
    },
    /// Runs side by side: params and metrics, the differing ones first.
    #[command(after_help = crate::help::RUNS_COMPARE)]
    Compare {
        /// Two or more run ids.
        #[arg(num_args = 2.., required = true)]
        run_ids: Vec<String>,
    },
}

fn time(ms: i64) -> String {
    tandem_tracking::ids::rfc3339(ms.div_euclid(1000))
}

fn duration(run: &Run) -> String {
    run.end_time.map_or_else(
        || "-".into(),
        |e| format!("{:.1}s", (e - run.start_time) as f64 / 1000.0),
    )
}

/// The headline metric of a run: validation accuracy or RMSE (a tuning trial's: their
/// cross-validation means).
fn headline(run: &Run) -> (&'static str, Option<f64>) {
    // A training run's validation metric; an evaluation's own; a drift check's share.
    for k in [
        "validation_accuracy",
        "validation_rmse",
        "accuracy",
        "rmse",
        "drifted_share",
        "cv_accuracy_mean",
        "cv_rmse_mean",
    ] {
        if let Some(v) = run.metrics.get(k) {
            return (k, Some(*v));
        }
    }
    ("", None)
}

/// What made the run: `training`, `evaluation`, `drift` or `trial` (its `tandem.kind` tag).
fn kind(run: &Run) -> &str {
    run.tags
        .get("tandem.kind")
        .map_or("training", String::as_str)
}

/// Run `tandem runs`.
pub fn run(args: RunsArgs) -> Result<ExitCode> {
    let store = args.store.open()?;
    let store = &*store;
    let text = match args.command {
        RunsCommand::List {
            experiment,
            max,
            all,
        } => list(store, experiment.as_deref(), max, all, args.json)?,
        RunsCommand::Show { run_id } => show(store, &run_id, args.json)?,
        RunsCommand::Compare { run_ids } => compare(store, &run_ids, args.json)?,
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `runs list`: one line per run, newest first; tuning trials only with `all`.
fn list(
    store: &dyn Store,
    experiment: Option<&str>,
    max: usize,
    all: bool,
    json: bool,
) -> Result<String> {
    let (runs, hidden) = if all {
        (store.runs(experiment, max)?, 0)
    } else {
        store.runs_kept(experiment, max, &|r| kind(r) != "trial")?
    };
    let note = if hidden > 0 {
        format!("({hidden} tuning trials not shown: `tandem runs list --all`)\n")
    } else {
        String::new()
    };
    if json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&runs)?));
    }
    if runs.is_empty() {
        return Ok(format!("no runs in {}\n{note}", store.location()));
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let (k, v) = headline(r);
            vec![
                r.run_id.clone(),
                r.run_name.clone(),
                kind(r).to_string(),
                r.experiment_id.clone(),
                r.status.as_str().into(),
                time(r.start_time),
                duration(r),
                if k.is_empty() {
                    "-".into()
                } else {
                    format!("{} {}", k.trim_start_matches("validation_"), number(v))
                },
            ]
        })
        .collect();
    let headers = [
        "run id", "name", "kind", "exp", "status", "started", "took", "headline",
    ];
    Ok(render(&headers, &rows) + &note)
}

/// `runs show`: one run's status, metrics, params, tags and loss history.
fn show(store: &dyn Store, run_id: &str, json: bool) -> Result<String> {
    let run = store.run(run_id)?;
    let history: BTreeMap<&str, Vec<(i64, f64)>> = ["train_loss", "validation_loss"]
        .into_iter()
        .map(|k| {
            let h = store.metric_history(run_id, k).unwrap_or_default();
            (k, h.into_iter().map(|m| (m.step, m.value)).collect())
        })
        .collect();
    if json {
        let doc = json!({ "run": run, "history": history });
        return Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    let mut o = String::new();
    let _ = writeln!(o, "run {}  ({})", run.run_id, run.run_name);
    let _ = writeln!(o, "  status      {}", run.status.as_str());
    let _ = writeln!(o, "  experiment  {}", run.experiment_id);
    let _ = writeln!(o, "  started     {}", time(run.start_time));
    let _ = writeln!(o, "  took        {}", duration(&run));
    let _ = writeln!(o, "  store       {}", store.location());
    let losses = &history["validation_loss"];
    if let Some((step, v)) = losses.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        let epochs = losses.len();
        let _ = writeln!(
            o,
            "  epochs      {epochs} logged, lowest validation loss {v:.4} at epoch {step}"
        );
    }
    let pairs = |m: &BTreeMap<String, String>| -> Vec<Vec<String>> {
        m.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect()
    };
    let metrics = run
        .metrics
        .iter()
        .map(|(k, v)| vec![k.clone(), format!("{v:.6}")])
        .collect();
    section(&mut o, "metrics", metrics);
    section(&mut o, "params", pairs(&run.params));
    section(&mut o, "tags", pairs(&run.tags));
    Ok(o)
}

/// A titled key/value table, indented; nothing when empty.
fn section(o: &mut String, title: &str, rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{title}");
    for line in render(&["key", "value"], &rows).lines().skip(1) {
        let _ = writeln!(o, "  {line}");
    }
}

/// `runs compare`: params and metrics side by side, the differing ones first.
fn compare(store: &dyn Store, run_ids: &[String], json: bool) -> Result<String> {
    let runs = run_ids
        .iter()
        .map(|id| store.run(id))
        .collect::<Result<Vec<_>, _>>()?;
    let unique: BTreeSet<&str> = run_ids.iter().map(String::as_str).collect();
    if unique.len() < run_ids.len() {
        bail!("the same run id is given twice");
    }
    let metric_keys: BTreeSet<&String> = runs.iter().flat_map(|r| r.metrics.keys()).collect();
    let param_keys: BTreeSet<&String> = runs.iter().flat_map(|r| r.params.keys()).collect();
    if json {
        let table = json!({
            "metrics": side_by_side(&metric_keys, |k| runs.iter().map(|r| json!(r.metrics.get(k))).collect()),
            "params": side_by_side(&param_keys, |k| runs.iter().map(|r| json!(r.params.get(k))).collect()),
        });
        let doc = json!({ "runs": run_ids, "compare": table });
        return Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    let mut rows = vec![
        row("name", runs.iter().map(|r| r.run_name.clone())),
        row("status", runs.iter().map(|r| r.status.as_str().to_string())),
    ];
    for k in &metric_keys {
        let cells = runs.iter().map(|r| number(r.metrics.get(*k).copied()));
        rows.push(row(&format!("metric {k}"), cells));
    }
    for k in &param_keys {
        let cells = runs
            .iter()
            .map(|r| r.params.get(*k).cloned().unwrap_or("-".into()));
        rows.push(row(&format!("param {k}"), cells));
    }
    let (same, differ): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|row| row[1..].iter().all(|c| *c == row[1]));
    let mut headers = vec![String::new()];
    headers.extend(
        runs.iter()
            .map(|r| r.run_id.get(..8).unwrap_or(&r.run_id).to_string()),
    );
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut o = format!("differs ({} rows)\n", differ.len());
    o.push_str(&render(&h, &differ));
    if !same.is_empty() {
        let _ = writeln!(o, "\nsame in every run ({} rows)", same.len());
        o.push_str(&render(&h, &same));
    }
    Ok(o)
}

/// `{ key: [value per run] }`.
fn side_by_side(
    keys: &BTreeSet<&String>,
    values: impl Fn(&String) -> Vec<serde_json::Value>,
) -> BTreeMap<String, Vec<serde_json::Value>> {
    keys.iter().map(|k| ((*k).clone(), values(k))).collect()
}

/// A table row: a label, then one cell per run.
fn row(label: &str, cells: impl Iterator<Item = String>) -> Vec<String> {
    std::iter::once(label.to_string()).chain(cells).collect()
}

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
use tandem_tracking::Run;

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
    List {
        /// Only this experiment (name or id).
        #[arg(long)]
        experiment: Option<String>,
        /// At most this many runs.
        #[arg(long, default_value_t = 20)]
        max: usize,
    },
    /// One run: status, params, metrics, tags and its per-epoch history.
    Show {
        /// Run id.
        run_id: String,
    },
    /// Runs side by side: params and metrics, the differing ones first.
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

/// The headline metric of a run: validation accuracy or RMSE.
fn headline(run: &Run) -> (&'static str, Option<f64>) {
    for k in ["validation_accuracy", "validation_rmse"] {
        if let Some(v) = run.metrics.get(k) {
            return (k, Some(*v));
        }
    }
    ("validation", None)
}

/// Run `tandem runs`.
pub fn run(args: RunsArgs) -> Result<ExitCode> {
    let store = args.store.open()?;
    let mut o = String::new();
    match args.command {
        RunsCommand::List { experiment, max } => {
            let runs = store.runs(experiment.as_deref(), max)?;
            if args.json {
                let _ = writeln!(o, "{}", serde_json::to_string_pretty(&runs)?);
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            if runs.is_empty() {
                let _ = writeln!(o, "no runs in {}", store.location());
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|r| {
                    let (k, v) = headline(r);
                    vec![
                        r.run_id.clone(),
                        r.run_name.clone(),
                        r.experiment_id.clone(),
                        r.status.as_str().into(),
                        time(r.start_time),
                        duration(r),
                        format!("{} {}", k.trim_start_matches("validation_"), number(v)),
                    ]
                })
                .collect();
            let _ = write!(
                o,
                "{}",
                render(
                    &[
                        "run id",
                        "name",
                        "exp",
                        "status",
                        "started",
                        "took",
                        "validation"
                    ],
                    &rows
                )
            );
        }
        RunsCommand::Show { run_id } => {
            let run = store.run(&run_id)?;
            let history: BTreeMap<&str, Vec<(i64, f64)>> = ["train_loss", "validation_loss"]
                .into_iter()
                .map(|k| {
                    let h = store.metric_history(&run_id, k).unwrap_or_default();
                    (k, h.into_iter().map(|m| (m.step, m.value)).collect())
                })
                .collect();
            if args.json {
                let _ = writeln!(
                    o,
                    "{}",
                    serde_json::to_string_pretty(&json!({ "run": run, "history": history }))?
                );
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            let _ = writeln!(o, "run {}  ({})", run.run_id, run.run_name);
            let _ = writeln!(o, "  status      {}", run.status.as_str());
            let _ = writeln!(o, "  experiment  {}", run.experiment_id);
            let _ = writeln!(o, "  started     {}", time(run.start_time));
            let _ = writeln!(o, "  took        {}", duration(&run));
            let _ = writeln!(o, "  store       {}", store.location());
            let epochs = history["validation_loss"].len();
            if let Some((step, v)) = history["validation_loss"]
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
            {
                let _ = writeln!(
                    o,
                    "  epochs      {epochs} logged, lowest validation loss {v:.4} at epoch {step}"
                );
            }
            let mut section = |title: &str, m: Vec<Vec<String>>| {
                if !m.is_empty() {
                    let _ = writeln!(o, "\n{title}");
                    for line in render(&["key", "value"], &m).lines().skip(1) {
                        let _ = writeln!(o, "  {line}");
                    }
                }
            };
            section(
                "metrics",
                run.metrics
                    .iter()
                    .map(|(k, v)| vec![k.clone(), format!("{v:.6}")])
                    .collect(),
            );
            section(
                "params",
                run.params
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect(),
            );
            section(
                "tags",
                run.tags
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect(),
            );
        }
        RunsCommand::Compare { run_ids } => {
            let runs = run_ids
                .iter()
                .map(|id| store.run(id))
                .collect::<Result<Vec<_>, _>>()?;
            let unique: BTreeSet<&str> = run_ids.iter().map(String::as_str).collect();
            if unique.len() < run_ids.len() {
                bail!("the same run id is given twice");
            }
            let metric_keys: BTreeSet<&String> =
                runs.iter().flat_map(|r| r.metrics.keys()).collect();
            let param_keys: BTreeSet<&String> = runs.iter().flat_map(|r| r.params.keys()).collect();
            if args.json {
                let table: BTreeMap<&str, BTreeMap<&String, Vec<serde_json::Value>>> = [
                    (
                        "metrics",
                        metric_keys
                            .iter()
                            .map(|k| (*k, runs.iter().map(|r| json!(r.metrics.get(*k))).collect()))
                            .collect(),
                    ),
                    (
                        "params",
                        param_keys
                            .iter()
                            .map(|k| (*k, runs.iter().map(|r| json!(r.params.get(*k))).collect()))
                            .collect(),
                    ),
                ]
                .into_iter()
                .collect();
                let _ = writeln!(
                    o,
                    "{}",
                    serde_json::to_string_pretty(&json!({ "runs": run_ids, "compare": table }))?
                );
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut headers = vec!["".to_string()];
            headers.extend(
                runs.iter()
                    .map(|r| r.run_id.get(..8).unwrap_or(&r.run_id).to_string()),
            );
            let mut differ = Vec::new();
            let mut same = Vec::new();
            let mut push = |row: Vec<String>| {
                if row[1..].iter().all(|c| *c == row[1]) {
                    same.push(row);
                } else {
                    differ.push(row);
                }
            };
            push(
                std::iter::once("name".to_string())
                    .chain(runs.iter().map(|r| r.run_name.clone()))
                    .collect(),
            );
            push(
                std::iter::once("status".to_string())
                    .chain(runs.iter().map(|r| r.status.as_str().to_string()))
                    .collect(),
            );
            for k in &metric_keys {
                push(
                    std::iter::once(format!("metric {k}"))
                        .chain(runs.iter().map(|r| number(r.metrics.get(*k).copied())))
                        .collect(),
                );
            }
            for k in &param_keys {
                push(
                    std::iter::once(format!("param {k}"))
                        .chain(
                            runs.iter()
                                .map(|r| r.params.get(*k).cloned().unwrap_or("-".into())),
                        )
                        .collect(),
                );
            }
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            let _ = writeln!(o, "differs ({} rows)", differ.len());
            let _ = write!(o, "{}", render(&h, &differ));
            if !same.is_empty() {
                let _ = writeln!(o, "\nsame in every run ({} rows)", same.len());
                let _ = write!(o, "{}", render(&h, &same));
            }
        }
    }
    std::io::stdout().write_all(o.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

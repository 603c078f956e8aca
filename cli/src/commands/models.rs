//! `tandem models register|alias|list`: the model registry of either store.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::StoreArgs;
use crate::tabulate::render;

/// Arguments of `tandem models`.
#[derive(Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    command: ModelsCommand,
    /// Where the registry lives.
    #[command(flatten)]
    store: StoreArgs,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Register a run's bundle as a new version of a named model.
    #[command(after_help = crate::help::MODELS_REGISTER)]
    Register {
        /// The run.
        #[arg(long)]
        run: String,
        /// The registered model's name (created if needed).
        #[arg(long)]
        name: String,
        /// The run's artifact folder holding `model.tandem`.
        #[arg(long, default_value = "model")]
        artifact_path: String,
    },
    /// Point an alias (`champion`) at a version; `models:/<name>@<alias>` then resolves to it.
    #[command(after_help = crate::help::MODELS_ALIAS)]
    Alias {
        /// Registered model name.
        name: String,
        /// Alias.
        alias: String,
        /// Version number (not with --delete).
        version: Option<u64>,
        /// Remove the alias instead.
        #[arg(long)]
        delete: bool,
    },
    /// Registered models, their versions and aliases.
    #[command(after_help = crate::help::MODELS_LIST)]
    List,
}

/// Run `tandem models`.
pub fn run(args: ModelsArgs) -> Result<ExitCode> {
    let store = args.store.open()?;
    let mut o = String::new();
    match args.command {
        ModelsCommand::Register {
            run,
            name,
            artifact_path,
        } => {
            tandem_tracking::local::check_run_id(&run)?;
            let v = store.register(&name, &run, &artifact_path)?;
            if args.json {
                let _ = writeln!(o, "{}", serde_json::to_string(&v)?);
            } else {
                let _ = writeln!(
                    o,
                    "registered {name} version {} (run {run}): models:/{name}/{}",
                    v.version, v.version
                );
            }
        }
        ModelsCommand::Alias {
            name,
            alias,
            version,
            delete,
        } => match (delete, version) {
            (true, None) => {
                store.delete_alias(&name, &alias)?;
                if !args.json {
                    let _ = writeln!(o, "removed alias {alias} of {name}");
                }
            }
            (false, Some(v)) => {
                store.set_alias(&name, &alias, v)?;
                if args.json {
                    let _ = writeln!(o, "{}", json!({"name": name, "alias": alias, "version": v}));
                } else {
                    let _ = writeln!(o, "{name}@{alias} -> version {v}: models:/{name}@{alias}");
                }
            }
            (true, Some(_)) => bail!("--delete takes no version"),
            (false, None) => bail!("which version should `{alias}` point at? (or --delete)"),
        },
        ModelsCommand::List => {
            let listing = store.models()?;
            // A model whose files do not read is skipped, not fatal: say which, and why.
            for (name, error) in &listing.skipped {
                eprintln!(
                    "warning: skipping registered model `{name}`: {} [{}]",
                    tandem_tracking::error::report(error),
                    error.code()
                );
            }
            let models = listing.models;
            if args.json {
                let _ = writeln!(o, "{}", serde_json::to_string_pretty(&models)?);
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            if models.is_empty() {
                let _ = writeln!(o, "no registered models in {}", store.location());
                std::io::stdout().write_all(o.as_bytes())?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = models
                .iter()
                .flat_map(|m| {
                    m.versions.iter().rev().map(|v| {
                        vec![
                            m.name.clone(),
                            v.version.to_string(),
                            if v.aliases.is_empty() {
                                "-".into()
                            } else {
                                v.aliases.join(",")
                            },
                            v.run_id.clone(),
                            tandem_tracking::ids::rfc3339(v.creation_time.div_euclid(1000)),
                        ]
                    })
                })
                .collect();
            let _ = write!(
                o,
                "{}",
                render(
                    &["model", "version", "aliases", "run id", "registered"],
                    &rows
                )
            );
        }
    }
    std::io::stdout().write_all(o.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

//! `tandem`: train a model natively, export it as a bundle, predict with it, serve it.
//!
//! The only crate that knows clap and anyhow: each subcommand parses its flags, maps them
//! onto a library's settings (tandem-train, tandem-tracking, tandem-serve) and reports.
#![warn(missing_docs)]

mod commands;
mod help;
mod tabulate;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Train natively, predict everywhere with the same preprocessing.
#[derive(Parser)]
#[command(name = "tandem", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a commented starter pipeline spec (`tandem.toml`) from a CSV file.
    #[command(after_help = help::INIT)]
    Init(commands::init::InitArgs),
    /// Train a model from a pipeline spec (`--spec`) or a CSV file, and record the run.
    #[command(after_help = help::TRAIN)]
    Train(Box<commands::train::TrainArgs>),
    /// Search the network's settings by cross-validation within a budget, each trial a child
    /// run, then train the best (the `tandem train` flags apply).
    #[command(after_help = help::TUNE)]
    Tune(Box<commands::tune::TuneArgs>),
    /// Predict a CSV / JSON Lines file of raw instances with a bundle.
    #[command(after_help = help::PREDICT)]
    Predict(commands::predict::PredictArgs),
    /// Score a model on labelled data: metrics, confusion matrix, rejected rows.
    #[command(after_help = help::EVALUATE)]
    Evaluate(commands::evaluate::EvaluateArgs),
    /// Explain predictions: how much each raw field moved each one (Shapley values).
    #[command(after_help = help::EXPLAIN)]
    Explain(commands::explain::ExplainArgs),
    /// Compare new data with the training data, field by field (PSI, JS, Wasserstein).
    #[command(after_help = help::DRIFT)]
    Drift(commands::drift::DriftArgs),
    /// Serve a model over HTTP with MLflow's scoring protocol.
    #[command(after_help = help::SERVE)]
    Serve(commands::serve::ServeArgs),
    /// Print a bundle's manifest, schema and metadata as JSON.
    #[command(after_help = help::INSPECT)]
    Inspect(commands::inspect::InspectArgs),
    /// Schema tools: `tandem schema infer data.csv`.
    #[command(after_help = help::SCHEMA)]
    Schema(commands::schema::SchemaArgs),
    /// Check a CSV file against a schema (JSON file or bundle); report every bad row.
    #[command(after_help = help::VALIDATE)]
    Validate(commands::validate::ValidateArgs),
    /// Tracked runs: `tandem runs list|show <id>|compare <id> <id>`.
    #[command(after_help = help::RUNS)]
    Runs(commands::runs::RunsArgs),
    /// The model registry: `tandem models register|alias|list`.
    #[command(after_help = help::MODELS)]
    Models(commands::models::ModelsArgs),
    /// Ed25519 keys for signed bundles: `tandem keys new --out DIR`, `tandem keys show FILE`.
    #[command(after_help = help::KEYS)]
    Keys(commands::keys::KeysArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Train(args) => commands::train::run(*args),
        Command::Tune(args) => commands::tune::run(*args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Evaluate(args) => commands::evaluate::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Drift(args) => commands::drift::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Runs(args) => commands::runs::run(args),
        Command::Models(args) => commands::models::run(args),
        Command::Keys(args) => commands::keys::run(args),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`tandem inspect m | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}{e:#}", tracking_code(&e));
            ExitCode::from(1)
        }
    }
}

/// `[CODE] ` when the error is the run store's, registry's or MLflow client's (their stable
/// codes, docs/tracking.md), as tandem-core's errors carry theirs.
fn tracking_code(e: &anyhow::Error) -> String {
    e.chain()
        .find_map(|cause| cause.downcast_ref::<tandem_tracking::Error>())
        .map(|t| format!("[{}] ", t.code()))
        .unwrap_or_default()
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

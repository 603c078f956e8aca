//! `tandem`: train a model natively, export it as a bundle, predict with it.
#![warn(missing_docs)]

mod commands;
mod export;
mod metrics;
mod net;
mod run;
mod split;
mod table;
mod trainer;

use std::process::ExitCode;

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
    /// Train a model on a CSV file and write a run folder with its bundle.
    Train(commands::train::TrainArgs),
    /// Predict a CSV / JSON Lines file of raw instances with a bundle.
    Predict(commands::predict::PredictArgs),
    /// Print a bundle's manifest, schema and metadata as JSON.
    Inspect(commands::inspect::InspectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => commands::train::run(args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

//! `tandem schema infer`: what Tandem sees in a CSV or JSON Lines file (types, nullability, categories,
//! ranges), as JSON that `tandem train --schema` accepts once a label is added.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use tandem_core::schema::{InferConfig, TaskKind, infer_fields, infer_schema};

use super::read_args::ReadArgs;

use tandem_train::table::Table;

/// Arguments of `tandem schema`.
#[derive(Args)]
pub struct SchemaArgs {
    #[command(subcommand)]
    command: SchemaCommand,
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Infer and print the schema of a CSV file.
    #[command(after_help = crate::help::SCHEMA_INFER)]
    Infer {
        /// The CSV file.
        data: PathBuf,
        /// The label column (adds the label and its task to the output).
        #[arg(long)]
        label: Option<String>,
        /// The label's task instead of the inferred one: `classification` or `regression`.
        #[arg(long, value_name = "TASK", requires = "label")]
        task: Option<TaskKind>,
        /// How the file writes its cells.
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// Run `tandem schema`.
pub fn run(args: SchemaArgs) -> Result<ExitCode> {
    match args.command {
        SchemaCommand::Infer {
            data,
            label,
            task,
            read,
        } => {
            let read = read.options();
            let local = super::data_file(&data)?;
            let table = Table::read_as(local.path(), &data, &read)?;
            if let Some(note) = table.note() {
                eprintln!("note: {note}");
            }
            if let Some((row, reason)) = table.malformed.first() {
                eprintln!(
                    "note: {} ragged rows left out of the inference (row {row}: {reason})",
                    table.malformed.len()
                );
            }
            let (header, rows) = (table.header_strings(), table.row_strings());
            let config = InferConfig {
                read,
                task,
                ..InferConfig::default()
            };
            let out = match label {
                Some(label) => serde_json::to_value(
                    infer_schema(&header, &rows, &label, &config)
                        .map_err(|e| super::core_error(&e))?,
                )?,
                None => serde_json::json!({
                    "fields": infer_fields(&header, &rows, &config).map_err(|e| super::core_error(&e))?
                }),
            };
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `tandem schema infer`: what Tandem sees in a CSV or JSON Lines file (types, nullability, categories,
//! ranges), as JSON that `tandem train --schema` accepts once a label is added. The file is
//! read once as a stream, so a file larger than memory infers too.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use tandem_core::schema::{InferConfig, TaskKind};

use super::read_args::ReadArgs;

use tandem_train::observer::Silent;
use tandem_train::stream::{Input, infer};

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
            let config = InferConfig {
                read,
                task,
                ..InferConfig::default()
            };
            // One pass over the file, in memory bounded whatever its size.
            let input = Input {
                local: local.path(),
                shown: &data,
                read: &config.read,
            };
            let inferred = infer(&input, label.as_deref(), &config, &mut Silent)?;
            if inferred.dropped_index {
                eprintln!(
                    "note: the first column is a pandas index (no name, distinct whole numbers): \
                     it was left out"
                );
            }
            if let (n, Some((row, reason))) = &inferred.unreadable {
                eprintln!("note: {n} ragged rows left out of the inference (row {row}: {reason})");
            }
            let out = match label {
                Some(label) => serde_json::to_value(inferred.schema(&label, &config)?)?,
                None => serde_json::json!({ "fields": inferred.fields(&config) }),
            };
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

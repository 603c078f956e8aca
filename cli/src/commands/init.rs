//! `tandem init --data file.csv --label col`: write a commented starter `tandem.toml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use tandem_core::read::ReadOptions;
use tandem_core::schema::{InferConfig, TaskKind, infer_dates, infer_schema};

use super::read_args::ReadArgs;

use tandem_train::spec::{LoadedSpec, init};
use tandem_train::table::Table;

/// Arguments of `tandem init`.
#[derive(Args)]
pub struct InitArgs {
    /// Training data (CSV with a header row).
    #[arg(long)]
    data: PathBuf,
    /// The label column.
    #[arg(long)]
    label: String,
    /// Where to write the spec.
    #[arg(long, default_value = "tandem.toml")]
    out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
    /// The label's task instead of the inferred one: `classification` or `regression`.
    #[arg(long, value_name = "TASK")]
    task: Option<TaskKind>,
    /// How the data file writes its cells (written into the spec's `[data]`).
    #[command(flatten)]
    read: ReadArgs,
}

/// The `[data]` keys that make training read the file as `init` read it.
fn data_keys(read: &ReadOptions, task: Option<TaskKind>) -> String {
    // A JSON string is a valid TOML basic string.
    let text = |v: &str| serde_json::Value::from(v).to_string();
    let quote = |c: char| text(&c.to_string());
    let mut keys = String::new();
    if let Some(t) = task {
        let name = match t {
            TaskKind::Classification => "classification",
            TaskKind::Regression => "regression",
        };
        keys.push_str(&format!("task = \"{name}\"\n"));
    }
    if !read.na_values.is_empty() {
        let list: Vec<String> = read.na_values.iter().map(|v| text(v)).collect();
        keys.push_str(&format!("na_values = [{}]\n", list.join(", ")));
    }
    if let Some(t) = read.thousands {
        keys.push_str(&format!("thousands = {}\n", quote(t)));
    }
    if read.decimal != '.' {
        keys.push_str(&format!("decimal = {}\n", quote(read.decimal)));
    }
    if let Some(d) = read.delimiter {
        keys.push_str(&format!("delimiter = {}\n", quote(d)));
    }
    keys
}

/// `data` as seen from the spec's folder (`../data/x.csv`).
fn relative_to(data: &Path, spec: &Path) -> String {
    use std::path::Component;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let data = abs(data);
    let dir = abs(spec)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let (d, s): (Vec<Component>, Vec<Component>) =
        (data.components().collect(), dir.components().collect());
    let common = d.iter().zip(&s).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return data.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..s.len() {
        rel.push("..");
    }
    for c in &d[common..] {
        rel.push(c);
    }
    rel.display().to_string()
}

/// Run `tandem init`.
pub fn run(args: InitArgs) -> Result<ExitCode> {
    if args.out.exists() && !args.force {
        bail!("{} exists (use --force to replace it)", args.out.display());
    }
    let read = args.read.options();
    let data = super::data_file(&args.data)?;
    let table = Table::read_as(data.path(), &args.data, &read)?;
    if let Some(note) = table.note() {
        eprintln!("note: {note}");
    }
    let config = InferConfig {
        read: read.clone(),
        task: args.task,
        ..InferConfig::default()
    };
    let schema = infer_schema(
        &table.header_strings(),
        &table.row_strings(),
        &args.label,
        &config,
    )
    .map_err(|e| super::core_error(&e))?;
    // Text fields written as ISO dates start as datetime features, as the default pipeline
    // encodes them.
    let dates = infer_dates(&table.header_strings(), &table.row_strings(), &read);
    let text = init::render(&schema, &relative_to(&args.data, &args.out), &dates);
    // The reading options and the task go right after `[data]`'s keys.
    let text = text.replacen(
        "# schema = ",
        &format!("{}# schema = ", data_keys(&read, args.task)),
        1,
    );
    // What we write must be a valid spec.
    LoadedSpec::parse(&args.out, &text)?;
    tandem_tracking::local::write_atomic(&args.out, text.as_bytes())?;
    eprintln!(
        "wrote {} ({} features); train with: tandem train --spec {}",
        args.out.display(),
        schema.fields.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

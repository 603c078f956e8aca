//! `tandem init --data file.csv --label col`: write a commented starter `tandem.toml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use tandem_core::schema::{InferConfig, infer_schema};

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
    let table = Table::read(&args.data)?;
    let schema = infer_schema(
        &table.header_strings(),
        &table.row_strings(),
        &args.label,
        &InferConfig::default(),
    )
    .map_err(|e| super::core_error(&e))?;
    let text = init::render(&schema, &relative_to(&args.data, &args.out));
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

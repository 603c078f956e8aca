//! `tandem inspect`: what a bundle holds.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use tandem_core::Bundle;

/// Arguments of `tandem inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// Bundle path, run folder or runs:/<id>.
    model: String,
    /// Where `runs:/` ids live.
    #[arg(long, default_value = "tandem-runs")]
    runs_dir: PathBuf,
}

/// Print manifest, schema, preprocessing and metadata.
pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let path = super::resolve_model(&args.model, &args.runs_dir)?;
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let load = |e: tandem_core::error::BundleError| super::core_error(&e.into());
    let manifest = Bundle::manifest(&bytes).map_err(load)?;
    let bundle = Bundle::from_bytes(&bytes).map_err(load)?;
    let out = serde_json::json!({
        "manifest": manifest,
        "schema": bundle.schema,
        "preprocessing": bundle.preprocessing,
        "metadata": bundle.metadata,
    });
    writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
    Ok(ExitCode::SUCCESS)
}

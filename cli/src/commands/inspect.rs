//! `tandem inspect`: what a bundle holds.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::StoreArgs;
use clap::Args;
use tandem_core::Bundle;

/// Arguments of `tandem inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...` (every form below).
    model: String,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
}

/// Print manifest, schema, preprocessing and metadata.
pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let bytes = super::fetch_model(&args.model, &args.store)?.bytes;
    let load = |e: tandem_core::error::BundleError| super::core_error(&e.into());
    let manifest = Bundle::manifest(&bytes).map_err(load)?;
    let bundle =
        Bundle::from_bytes_with(&bytes, &args.store.load_options().limits).map_err(load)?;
    let out = serde_json::json!({
        "manifest": manifest,
        "schema": bundle.schema,
        "preprocessing": bundle.preprocessing,
        "metadata": bundle.metadata,
    });
    writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
    Ok(ExitCode::SUCCESS)
}

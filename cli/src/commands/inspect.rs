//! `tandem inspect`: what a bundle holds, and who signed it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::StoreArgs;
use clap::Args;
use tandem_core::Bundle;
use tandem_core::bundle::signature;

/// Arguments of `tandem inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...` (every form below).
    model: String,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// With a key: refuse a bundle not signed with it, as every other command does.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// Print manifest, signature, schema, preprocessing, metadata, the explanations' background
/// rows and the training profile for drift checks (`null`: none).
pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let bytes = super::fetch_model(&args.model, &args.store)?.bytes;
    let load = |e: tandem_core::error::BundleError| super::core_error(&e.into());
    let options = args.key.load_options(args.store.load_options())?;
    if let Some(key) = &options.public_key {
        signature::verify_within(&bytes, key, &options.limits).map_err(load)?;
    }
    // Who signed it (null: unsigned); a malformed signature part is shown, not fatal.
    let signed = match signature::signer_within(&bytes, &options.limits) {
        Ok(signer) => serde_json::to_value(signer)?,
        Err(e) => serde_json::json!({ "error": format!("[{}] {e}", e.code()) }),
    };
    let manifest = Bundle::manifest_with(&bytes, &options.limits).map_err(load)?;
    let bundle = Bundle::from_bytes_with(&bytes, &options.limits).map_err(load)?;
    let reference = bundle.reference(&options.limits).map_err(load)?;
    let out = serde_json::json!({
        "manifest": manifest,
        "signature": signed,
        "schema": bundle.schema,
        "preprocessing": bundle.preprocessing,
        "metadata": bundle.metadata,
        "background": bundle.background,
        "reference": reference,
    });
    writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&out)?)?;
    Ok(ExitCode::SUCCESS)
}

//! `tandem serve`: flags → [`tandem_serve::ServeConfig`] → the server (tandem-serve).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tandem_serve::ServeConfig;

use super::StoreArgs;

/// Arguments of `tandem serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The model: a bundle path, a run folder, `runs:/...` or `models:/...` (every form below).
    #[arg(long)]
    model: String,
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0: any free port; the chosen one is printed).
    #[arg(long, default_value_t = 5000)]
    port: u16,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = tandem_core::constants::MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Longest a prediction may take before the answer is 504, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// With `models:/<name>@<alias>` or `/latest`: check every this many seconds whether it
    /// moved, and reload if it did (0: only on SIGHUP).
    #[arg(long, default_value_t = 10.0)]
    poll_seconds: f64,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
}

/// Run `tandem serve`.
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    tandem_serve::run(ServeConfig {
        model: args.model,
        host: args.host,
        port: args.port,
        max_body_bytes: args.max_body_bytes,
        timeout_ms: args.timeout_ms,
        poll_seconds: args.poll_seconds,
        stores: args.store.config(),
    })?;
    Ok(ExitCode::SUCCESS)
}

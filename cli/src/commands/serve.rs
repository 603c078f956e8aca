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
    /// Let a browser page from this origin call the server (CORS), e.g.
    /// `--cors-origin https://app.example`; repeatable; `*` for any origin. Without it, no
    /// CORS header is sent and browsers refuse cross-origin calls.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// The shape of the predictions unless a request's `params.output` says otherwise:
    /// `full` (`{label, probabilities}` / `{value}` per row, with warnings) or `plain`
    /// (MLflow's list of labels or values, for drop-in clients).
    #[arg(long, default_value = "full", value_parser = ["full", "plain"])]
    output: String,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
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
        cors_origins: args.cors_origins,
        output: args.output.parse().map_err(anyhow::Error::msg)?,
        load: args.key.load_options()?,
    })?;
    Ok(ExitCode::SUCCESS)
}

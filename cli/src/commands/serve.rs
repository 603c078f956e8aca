//! `tandem serve`: flags → [`tandem_serve::ServeConfig`] → the server (tandem-serve).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use tandem_serve::{Limits, ServeConfig};

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
    /// Require `Authorization: Bearer <token>` on every route but `/ping` and `/health`;
    /// the token is this file's content (read once at start; an empty file is an error).
    #[arg(long, value_name = "FILE")]
    auth_token_file: Option<PathBuf>,
    /// Keep the newest this many scored rows for `GET /metrics`' drift gauges (against the
    /// training profile in the bundle); 0 keeps none.
    #[arg(long, default_value_t = 10_000, value_name = "ROWS")]
    drift_window: usize,
    /// Timeouts, connection cap, queue and request sizes (docs/serving.md).
    #[command(flatten)]
    limits: LimitArgs,
    /// Where `runs:/` and `models:/` resolve.
    #[command(flatten)]
    store: StoreArgs,
    /// The key the bundle must be signed with.
    #[command(flatten)]
    key: super::key_args::KeyArgs,
}

/// The server's limits (defaults: [`Limits::default`]).
#[derive(Args)]
struct LimitArgs {
    /// Close a connection whose request headers are not in this many ms after it opened or
    /// went idle (also the keep-alive idle timeout).
    #[arg(long, default_value_t = 20_000)]
    header_timeout_ms: u64,
    /// Answer 408 and close when a body is not in this many ms after its headers.
    #[arg(long, default_value_t = 30_000)]
    body_timeout_ms: u64,
    /// Answer 408 and close when a body, after its first second, arrives slower than this
    /// many bytes per second (0: no minimum).
    #[arg(long, default_value_t = 16 * 1024)]
    min_body_rate: u64,
    /// Open connections at most; more wait in the accept backlog.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Predictions running at once [default: the number of cores].
    #[arg(long)]
    workers: Option<usize>,
    /// Requests waiting for a worker at most; more get 503 with Retry-After.
    #[arg(long, default_value_t = 256)]
    queue: usize,
    /// Requests with a body over 64 KiB in memory at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 16)]
    max_large_requests: usize,
    /// Rows in one request at most (413 TOO_MANY_ROWS).
    #[arg(long, default_value_t = tandem_core::constants::MAX_REQUEST_ROWS)]
    max_rows: usize,
    /// Values (cells, records, arrays) in one request at most (413 TOO_MANY_CELLS).
    #[arg(long, default_value_t = tandem_core::constants::MAX_REQUEST_CELLS)]
    max_cells: usize,
    /// On SIGTERM / SIGINT, seconds in-flight requests get to finish before the exit.
    #[arg(long, default_value_t = 10.0)]
    drain_seconds: f64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            header_timeout: Duration::from_millis(self.header_timeout_ms.max(1)),
            body_timeout: Duration::from_millis(self.body_timeout_ms.max(1)),
            min_body_rate: self.min_body_rate,
            max_connections: self.max_connections.max(1),
            workers: self
                .workers
                .unwrap_or_else(tandem_serve::default_workers)
                .max(1),
            queue: self.queue,
            large_requests: self.max_large_requests.max(1),
            max_rows: self.max_rows,
            max_cells: self.max_cells,
            drain: Duration::from_secs_f64(self.drain_seconds.clamp(0.0, 86_400.0)),
        }
    }
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
        limits: args.limits.limits(),
        auth_token_file: args.auth_token_file,
        load: args.key.load_options(args.store.load_options())?,
        drift_window: args.drift_window,
    })?;
    Ok(ExitCode::SUCCESS)
}

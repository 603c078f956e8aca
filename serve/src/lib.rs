//! The model behind MLflow's scoring protocol.
//!
//! `GET /ping`, `/health`, `/version`, `/schema`, `/metadata`; `POST /invocations`, and `POST /explain`
//! (protocol in `tandem_core::protocol`, shared with the edge worker: every answer, `HEAD`,
//! `OPTIONS`, 404 and 405 included, comes from it). A body whose `Content-Length` is past
//! `--max-body-bytes` gets 413 before it is read, predictions past `--timeout-ms` get 504
//! and stop; the timeouts, connection cap, prediction queue and request sizes of
//! [`Limits`] keep slow or greedy clients from starving the others (`docs/serving.md`);
//! `--auth-token-file` asks for a bearer token; `--cors-origin` opts in to CORS, `--output plain` answers MLflow's plain lists by default;
//! every request is logged as one JSON line on stderr. SIGHUP reloads the model from its
//! path or URI (the old one keeps serving if the new one fails to load); a
//! `models:/<name>@<alias>` (or `/latest`) model is also polled and reloaded when the alias
//! moves. A reload swaps one pointer: requests in flight finish on the model they started
//! with, none fails. SIGINT / SIGTERM stop accepting, finish in-flight requests within
//! `--drain-seconds`, and exit.
#![warn(missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tandem_core::Model;
use tandem_core::protocol::{self, Answer, Output, Serving};
use tandem_core::runtime::LoadOptions;

use tandem_tracking::StoreConfig;
use tandem_tracking::error::report;
use tandem_tracking::uri::ModelUri;

mod accept;
mod auth;
mod body;
mod invoke;
mod json_log;
mod limits;
mod logline;
mod monitor;
mod queue;

pub use auth::TokenError;
pub use limits::{LARGE_BODY_BYTES, Limits, default_workers};

/// What to serve and how: the settings of `tandem serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The model: a bundle path, a run folder, `runs:/<run id>`, `models:/<name>/<version>`
    /// or `models:/<name>@<alias>`.
    pub model: String,
    /// Interface to listen on.
    pub host: String,
    /// Port (0: any free port; the chosen one is printed).
    pub port: u16,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Longest a prediction may take before the answer is 504, in milliseconds.
    pub timeout_ms: u64,
    /// With `models:/<name>@<alias>` or `/latest`: check every this many seconds whether it
    /// moved, and reload if it did (0: only on SIGHUP).
    pub poll_seconds: f64,
    /// Where `runs:/` and `models:/` resolve.
    pub stores: StoreConfig,
    /// Browser origins allowed to call the server (CORS); empty: none, `"*"`: any.
    pub cors_origins: Vec<String>,
    /// The shape of the predictions when a request's `params` do not say.
    pub output: Output,
    /// Timeouts, connection cap, prediction queue and request sizes.
    pub limits: Limits,
    /// A file holding the bearer token every route but `/ping` and `/health` requires.
    pub auth_token_file: Option<PathBuf>,
    /// How bundles load, at start and on every reload (engine, bundle limits, pinned public
    /// key: a bundle it refuses is never served, and a refused reload keeps the old model).
    pub load: LoadOptions,
    /// Live inputs kept for `/metrics`' drift gauges, the newest (0: none kept).
    pub drift_window: usize,
}

/// Why the server could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The model URI does not parse or does not resolve in the store.
    #[error(transparent)]
    Resolve(#[from] tandem_tracking::Error),
    /// The bundle was found but does not load. The core error is shown with its stable code
    /// (`[BUNDLE_CHECKSUM] ...`) as part of this message.
    #[error("cannot load model {model}: [{}] {error}", error.code())]
    Load {
        /// Where the bundle came from.
        model: String,
        /// Why it does not load.
        error: Box<tandem_core::Error>,
    },
    /// `host:port` is not a socket address.
    #[error("invalid listen address {address}")]
    Address {
        /// What was given.
        address: String,
        /// Why it does not parse.
        source: std::net::AddrParseError,
    },
    /// The socket could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The auth token file is unreadable or empty.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The async runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The server loop failed.
    #[error("server error")]
    Io(#[from] std::io::Error),
}

struct App {
    model_arg: String,
    uri: ModelUri,
    stores: StoreConfig,
    /// The model and its registry version, swapped together.
    served: RwLock<Arc<Served>>,
    /// One reload at a time (SIGHUP and the registry poll may coincide).
    reloading: std::sync::Mutex<()>,
    max_body: usize,
    cors_origins: Vec<String>,
    output: Output,
    limits: Limits,
    queue: queue::Queue,
    token: Option<auth::Token>,
    load: LoadOptions,
    monitor: Arc<monitor::Monitor>,
}

/// What is being served.
struct Served {
    model: Model,
    /// The registry version (`models:/` URIs).
    version: Option<u64>,
    /// The training profile `/metrics` compares the live inputs with (`None`: the bundle
    /// predates it, or it does not parse: drift gauges are left out, predictions go on).
    reference: Option<tandem_core::drift::Reference>,
}

/// The training profile of a bundle, if it has one that parses.
fn reference_of(bytes: &[u8], load: &LoadOptions) -> Option<tandem_core::drift::Reference> {
    tandem_core::Bundle::from_bytes_with(bytes, &load.limits)
        .ok()?
        .reference(&load.limits)
        .ok()
        .flatten()
}

impl App {
    fn served(&self) -> Arc<Served> {
        match self.served.read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn version(&self) -> Option<u64> {
        self.served().version
    }

    /// What the protocol needs to know about this server.
    fn serving<'a>(&'a self, served: &Served) -> Serving<'a> {
        Serving {
            model: Some(&self.model_arg),
            model_version: served.version,
            max_body_bytes: self.max_body,
            max_rows: self.limits.max_rows,
            max_cells: self.limits.max_cells,
            cors_origins: &self.cors_origins,
            output: self.output,
        }
    }

    /// Fetch and load the model again; swap it in only if it loads.
    fn reload(&self) -> Result<(), ServeError> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = self
            .uri
            .resolve(&self.stores)
            .map_err(ServeError::Resolve)?;
        let fresh =
            Model::load_options(&found.bytes, &self.load).map_err(|source| ServeError::Load {
                model: found.source.clone(),
                error: Box::new(source),
            })?;
        let id = fresh.metadata().run_id.clone();
        let version = found.version.map(|v| v.version);
        let fresh = Arc::new(Served {
            model: fresh,
            version,
            reference: reference_of(&found.bytes, &self.load),
        });
        match self.served.write() {
            Ok(mut m) => *m = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        tracing::info!(event = "reloaded", run_id = %id, source = %found.source, version);
        Ok(())
    }

    /// Reload if the registry URI now names another version.
    fn reload_if_moved(&self) -> Result<bool, ServeError> {
        let store = self.stores.open().map_err(ServeError::Resolve)?;
        let now = self
            .uri
            .version(&*store)
            .map_err(ServeError::Resolve)?
            .version;
        if Some(now) == self.version() {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }
}

/// Poll a movable registry URI and reload when it moves.
async fn poll_registry(app: Arc<App>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let a = app.clone();
        match tokio::task::spawn_blocking(move || a.reload_if_moved()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(event = "poll_failed", error = %report(&e)),
            Err(e) => tracing::warn!(event = "poll_failed", error = %e),
        }
    }
}

/// A protocol answer (`tandem_core::protocol`) as an HTTP response.
fn answer_response(a: Answer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, a.body).into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    for (name, value) in a.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    r
}

/// Every request: 401 without the token (`--auth-token-file`), else what
/// `tandem_core::protocol::route` answers (as the edge worker answers it), else the
/// predictions; then the CORS headers of `--cors-origin`.
async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let served = app.served();
    let serving = app.serving(&served);
    let method = req.method().as_str().to_string();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A declared length past the limit is refused before a byte of the body is read.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    let refused = app.token.as_ref().and_then(|token| {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        (!auth::is_open(&method, req.uri().path()) && !token.admits(given)).then(auth::unauthorized)
    });
    let answer = match refused {
        Some(answer) => answer,
        None if req.uri().path() == monitor::PATH => monitor::answer(&app, &served, &method),
        None => match protocol::route(
            &served.model,
            &method,
            req.uri().path(),
            declared.unwrap_or(0),
            &serving,
        ) {
            Some(answer) => answer,
            None => invoke::post(&app, served.clone(), req, declared).await,
        },
    };
    answer_response(protocol::with_cors(
        answer,
        &method,
        origin.as_deref(),
        &serving,
    ))
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            access_log,
        ))
        .with_state(app)
}

/// The label a request's path gets in `/metrics`: a route, or `other` (so that a scan of
/// random paths cannot grow the metrics without bound).
fn route_label(path: &str) -> &'static str {
    [protocol::INVOCATIONS, protocol::EXPLAIN, monitor::PATH]
        .into_iter()
        .chain(protocol::GET_ROUTES)
        .find(|r| *r == path)
        .unwrap_or("other")
}

/// One log line and one `/metrics` observation per request.
async fn access_log(
    State(app): State<Arc<App>>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let started = Instant::now();
    let (method, path) = (req.method().to_string(), req.uri().path().to_string());
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    app.monitor.request(route_label(&path), status, seconds);
    tracing::info!(
        method = %method,
        path = %path,
        status,
        ms = (seconds * 1000.0 * 1000.0).round() / 1000.0
    );
    response
}

async fn shutdown_and_reload(app: Arc<App>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        // No signal handling: serve until killed.
        std::future::pending::<()>().await;
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => {
                // In the background: a slow store must not hold up SIGTERM.
                let a = app.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = a.reload() {
                        tracing::warn!(event = "reload_failed", error = %report(&e));
                    }
                });
            }
        }
    }
    tracing::info!(event = "shutting_down");
}

/// Write out queued log lines before the process exits.
fn flush_logs() {
    logline::flush(Duration::from_secs(2));
}

/// Serve `config.model` until SIGINT or SIGTERM (blocking; starts its own async runtime).
/// Prints `serving <run id> on http://<address>` on stdout once listening.
pub fn run(config: ServeConfig) -> Result<(), ServeError> {
    json_log::install();
    let token = config
        .auth_token_file
        .as_deref()
        .map(auth::Token::read)
        .transpose()?;
    let uri = ModelUri::parse(&config.model).map_err(ServeError::Resolve)?;
    let found = uri.resolve(&config.stores).map_err(ServeError::Resolve)?;
    let model =
        Model::load_options(&found.bytes, &config.load).map_err(|source| ServeError::Load {
            model: found.source.clone(),
            error: Box::new(source),
        })?;
    let poll = (uri.can_move() && config.poll_seconds > 0.0)
        .then(|| Duration::from_secs_f64(config.poll_seconds.clamp(0.05, 86_400.0)));
    let app = Arc::new(App {
        model_arg: config.model.clone(),
        uri,
        stores: config.stores.clone(),
        load: config.load.clone(),
        served: RwLock::new(Arc::new(Served {
            model,
            version: found.version.map(|v| v.version),
            reference: reference_of(&found.bytes, &config.load),
        })),
        reloading: std::sync::Mutex::new(()),
        max_body: config.max_body_bytes,
        cors_origins: config.cors_origins.clone(),
        output: config.output,
        queue: queue::Queue::new(
            &config.limits,
            Duration::from_millis(config.timeout_ms.max(1)),
        ),
        limits: config.limits.clone(),
        token,
        monitor: Arc::new(monitor::Monitor::new(config.drift_window)),
    });
    // Predictions never take more threads than the workers (reloads and polls two more).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.limits.blocking_threads())
        .build()
        .map_err(ServeError::Runtime)?;
    let served = runtime.block_on(async move {
        let addr: SocketAddr =
            format!("{}:{}", config.host, config.port)
                .parse()
                .map_err(|source| ServeError::Address {
                    address: format!("{}:{}", config.host, config.port),
                    source,
                })?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen { addr, source })?;
        let local = listener.local_addr()?;
        let m = app.served();
        tracing::info!(
            event = "listening",
            url = %format!("http://{local}"),
            run_id = %m.model.metadata().run_id,
            engine = m.model.engine()
        );
        println!("serving {} on http://{local}", m.model.metadata().run_id);
        drop(m);
        if let Some(every) = poll {
            tokio::spawn(poll_registry(app.clone(), every));
        }
        let monitor = app.monitor.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                monitor.upkeep();
            }
        });
        let limits = app.limits.clone();
        accept::serve(
            listener,
            router(app.clone()),
            &limits,
            shutdown_and_reload(app),
        )
        .await;
        Ok(())
    });
    // A prediction still running stops at its deadline; do not wait for it past a second.
    runtime.shutdown_timeout(Duration::from_secs(1));
    flush_logs();
    served
}

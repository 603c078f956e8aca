//! The server's limits: what a client may hold (connections, time, bytes, rows, cells) and
//! how much prediction work runs or waits at once. Every value has a default that keeps a
//! small machine responsive under hostile clients; `docs/serving.md` derives the memory
//! bound they imply.

use std::time::Duration;

/// Bodies over this many bytes (or of unknown length) need a large-body slot before a byte
/// of them is read: the bytes buffered at once stay bounded.
pub const LARGE_BODY_BYTES: usize = 64 * 1024;

/// Seconds a client is told to wait after a 503 (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u64 = 1;

/// The limits of `tandem serve` (the flags of the same names).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// From the moment a connection waits for a request (just opened, or idle after an
    /// answer) until that request's headers are in; past it the connection is closed. This
    /// is also the keep-alive idle timeout (hyper counts an idle connection as one reading
    /// its next header).
    pub header_timeout: Duration,
    /// From the end of the headers until the whole body is in; past it 408 and the
    /// connection is closed.
    pub body_timeout: Duration,
    /// Bytes per second a body must keep up after its first second (0: no minimum); slower
    /// is 408 and the connection is closed. Frees a large-body slot from a client that
    /// declares a large body and trickles it.
    pub min_body_rate: u64,
    /// Open connections at most; beyond it new ones wait in the kernel's accept backlog.
    pub max_connections: usize,
    /// Predictions running at once (each on its own thread of the blocking pool).
    pub workers: usize,
    /// Read requests waiting for a worker at most; beyond it 503 `OVERLOADED`.
    pub queue: usize,
    /// Requests with a body over [`LARGE_BODY_BYTES`] being read, waiting or predicted at
    /// once; beyond it 503 `OVERLOADED` before the body is read.
    pub large_requests: usize,
    /// Rows in one request at most (413 `TOO_MANY_ROWS`).
    pub max_rows: usize,
    /// Values (cells, and the objects and arrays holding them) in one request at most
    /// (413 `TOO_MANY_CELLS`), counted before the body is parsed.
    pub max_cells: usize,
    /// After SIGTERM / SIGINT: how long in-flight requests may take to finish before the
    /// process exits anyway.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
            min_body_rate: 16 * 1024,
            max_connections: 1024,
            workers: default_workers(),
            queue: 256,
            large_requests: 16,
            max_rows: tandem_core::constants::MAX_REQUEST_ROWS,
            max_cells: tandem_core::constants::MAX_REQUEST_CELLS,
            drain: Duration::from_secs(10),
        }
    }
}

/// One worker per core the process may use (at least 1).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl Limits {
    /// Threads of the blocking pool: the workers, plus two for reloads and registry polls.
    pub fn blocking_threads(&self) -> usize {
        self.workers.max(1) + 2
    }
}

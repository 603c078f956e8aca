//! Admission to the prediction workers: a bounded number of requests run (`workers`, each
//! on a thread of the blocking pool), a bounded number wait (`queue`), and a bounded number
//! of large bodies are in memory at once (`large_requests`). When a bound is reached the
//! answer is 503 `OVERLOADED` with `Retry-After` at once, not a wait: a client sees the
//! overload instead of a timeout.
//!
//! The prediction runs under a deadline that starts when its body is in: waiting for a
//! worker counts, and the work itself checks it between chunks of rows (so a 504 stops the
//! work; the worker is free for the next request).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tandem_core::constants::http;
use tandem_core::protocol::{Answer, ProtocolError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::limits::{Limits, RETRY_AFTER_SECONDS};

/// The permits a request holds until its work ends (dropped on the worker thread).
pub struct Held {
    _large: Option<OwnedSemaphorePermit>,
    _slot: Option<OwnedSemaphorePermit>,
}

/// The semaphores of [`Limits::workers`], [`Limits::queue`] and [`Limits::large_requests`].
pub struct Queue {
    workers: Arc<Semaphore>,
    /// Running plus waiting.
    slots: Arc<Semaphore>,
    large: Arc<Semaphore>,
    timeout: Duration,
}

/// 503 `OVERLOADED` with `Retry-After`.
pub fn overloaded(what: &str) -> Answer {
    ProtocolError::new(
        503,
        http::OVERLOADED,
        format!("the server is busy ({what}); retry in {RETRY_AFTER_SECONDS} s"),
    )
    .answer()
    .with_header("retry-after", &RETRY_AFTER_SECONDS.to_string())
}

/// 504 `TIMEOUT`.
pub fn timed_out(timeout: Duration) -> Answer {
    ProtocolError::new(
        504,
        http::TIMEOUT,
        format!("the prediction took longer than {} ms", timeout.as_millis()),
    )
    .answer()
}

impl Queue {
    /// The queue of these limits; predictions time out after `timeout`.
    pub fn new(limits: &Limits, timeout: Duration) -> Self {
        let workers = limits.workers.max(1);
        Queue {
            workers: Arc::new(Semaphore::new(workers)),
            slots: Arc::new(Semaphore::new(workers + limits.queue)),
            large: Arc::new(Semaphore::new(limits.large_requests.max(1))),
            timeout,
        }
    }

    /// A large-body slot, taken before the body is read; 503 when none is free.
    pub fn large(&self) -> Result<OwnedSemaphorePermit, Answer> {
        self.large
            .clone()
            .try_acquire_owned()
            .map_err(|_| overloaded("too many large requests"))
    }

    /// Run `work` on a worker once one is free, under the deadline (`expired` tells the
    /// work whether it has passed): on the blocking pool, or `inline` on this task for a
    /// small body. 503 when the queue is full, 504 past the deadline.
    pub async fn run<F>(&self, large: Option<OwnedSemaphorePermit>, inline: bool, work: F) -> Answer
    where
        F: FnOnce(&dyn Fn() -> bool) -> Answer + Send + 'static,
    {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return overloaded("the prediction queue is full");
        };
        let deadline = tokio::time::Instant::now() + self.timeout;
        let Ok(Ok(worker)) =
            tokio::time::timeout_at(deadline, self.workers.clone().acquire_owned()).await
        else {
            return timed_out(self.timeout);
        };
        let held = Held {
            _large: large,
            _slot: Some(slot),
        };
        let until: Instant = deadline.into_std();
        if inline {
            // A small body (at most LARGE_BODY_BYTES, so at most a few thousand values) is
            // scored on this async worker under its permit: a hand-off to the blocking pool
            // costs more than the work itself (measured: 2.3x the throughput of single-row
            // requests), and the reactor waits at most about a millisecond.
            let _held = (held, worker);
            return work(&|| Instant::now() >= until);
        }
        let task = tokio::task::spawn_blocking(move || {
            // Released when the work really ends, not when the client stops waiting.
            let _held = (held, worker);
            work(&|| Instant::now() >= until)
        });
        match tokio::time::timeout_at(deadline, task).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(join)) => ProtocolError::new(
                500,
                http::INTERNAL_ERROR,
                format!("the prediction failed: {join}"),
            )
            .answer(),
            Err(_) => timed_out(self.timeout),
        }
    }
}

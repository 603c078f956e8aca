//! The accept loop: HTTP/1 connections driven by hyper with its header timer on, at most
//! `max_connections` open at once, and a drain with a deadline on shutdown.
//!
//! Past the connection cap the loop stops accepting until a connection closes: new clients
//! wait in the kernel's backlog (they are not refused), and the header timeout guarantees
//! that slots held by silent clients come back. On shutdown the listener closes, idle
//! connections close, requests in flight finish; when the drain deadline passes first, the
//! remaining connections are dropped and the server returns anyway.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::limits::Limits;

/// Serve `router` on `listener` until `shutdown` completes, then drain.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) {
    let cap = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let open = Arc::new(Semaphore::new(cap));
    let (stopping, stop_rx) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = open.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(event = "accept_failed", error = %e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _open = permit;
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = async { let _ = stop.wait_for(|s| *s).await; } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    drain(&open, cap, &stopping, limits.drain).await;
}

/// Ask every connection to finish and wait until all have, or until `deadline`.
async fn drain(
    open: &Arc<Semaphore>,
    cap: usize,
    stopping: &watch::Sender<bool>,
    deadline: Duration,
) {
    let _ = stopping.send(true);
    let busy = cap - open.available_permits();
    tracing::info!(
        event = "draining",
        connections = busy,
        deadline_ms = deadline.as_millis() as u64
    );
    let all = u32::try_from(cap).unwrap_or(u32::MAX);
    if tokio::time::timeout(deadline, open.acquire_many(all))
        .await
        .is_err()
    {
        let left = cap - open.available_permits();
        tracing::warn!(event = "drain_deadline", connections_dropped = left);
    }
}

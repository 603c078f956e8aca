//! A request body read under three bounds: its size, the body timeout (the whole body within
//! it) and a minimum rate (after a grace second, the bytes in must keep up with
//! `--min-body-rate`). The rate is what frees a large-body slot from a client that declares
//! 10 MB and sends a byte a second: the timeout alone would let it hold the slot for the whole
//! timeout, again and again, at no cost.

use std::future::poll_fn;
use std::pin::Pin;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use hyper::body::Body as _;

/// The time a body may take before its rate is judged.
pub const RATE_GRACE: Duration = Duration::from_secs(1);

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// Not all in within the body timeout.
    Timeout(Duration),
    /// Slower than the minimum rate (bytes per second) after the grace period.
    TooSlow(u64),
    /// The connection failed while reading.
    Read(String),
}

/// What a body read is held to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// Bytes at most: one more and the read stops with [`BodyError::TooLarge`].
    pub most: usize,
    /// The whole body within this.
    pub timeout: Duration,
    /// Bytes per second at least, after [`RATE_GRACE`] (0: no rate).
    pub min_rate: u64,
}

impl Bounds {
    /// When `received` bytes stop being enough: the grace plus the time they buy at the rate.
    fn slow_after(&self, received: usize) -> Option<Duration> {
        (self.min_rate > 0)
            .then(|| RATE_GRACE + Duration::from_secs_f64(received as f64 / self.min_rate as f64))
    }
}

/// Read `body` whole under `bounds`, with room for `declared` bytes (its `Content-Length`).
pub(crate) async fn read(
    mut body: Body,
    declared: Option<usize>,
    bounds: Bounds,
) -> Result<Bytes, BodyError> {
    let start = Instant::now();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(bounds.most));
    loop {
        let timeout_at = start + bounds.timeout;
        let slow_at = bounds.slow_after(bytes.len()).map(|d| start + d);
        let until = slow_at.map_or(timeout_at, |s| s.min(timeout_at));
        let next = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let frame = match tokio::time::timeout_at(until.into(), next).await {
            Err(_) if Some(until) == slow_at && until < timeout_at => {
                return Err(BodyError::TooSlow(bounds.min_rate));
            }
            Err(_) => return Err(BodyError::Timeout(bounds.timeout)),
            Ok(None) => return Ok(Bytes::from(bytes)),
            Ok(Some(Err(e))) => return Err(BodyError::Read(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > bounds.most {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(most: usize, timeout_ms: u64, min_rate: u64) -> Bounds {
        Bounds {
            most,
            timeout: Duration::from_millis(timeout_ms),
            min_rate,
        }
    }

    /// A body fed by a channel.
    struct Trickle(tokio::sync::mpsc::Receiver<Bytes>);

    impl hyper::body::Body for Trickle {
        type Data = Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
            self.0
                .poll_recv(cx)
                .map(|chunk| chunk.map(|b| Ok(hyper::body::Frame::data(b))))
        }
    }

    /// A body that sends `chunks` of `size` bytes, `every` apart.
    fn trickled(chunks: usize, size: usize, every: Duration) -> Body {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            for _ in 0..chunks {
                tokio::time::sleep(every).await;
                if tx.send(Bytes::from(vec![b'x'; size])).await.is_err() {
                    return;
                }
            }
        });
        Body::new(Trickle(rx))
    }

    #[tokio::test]
    async fn a_body_in_time_and_fast_enough_is_read_whole() {
        let body = trickled(4, 1000, Duration::from_millis(100));
        let got = read(body, Some(4000), bounds(10_000, 30_000, 1000)).await;
        assert_eq!(got.map(|b| b.len()), Ok(4000));
    }

    #[tokio::test]
    async fn a_body_slower_than_the_rate_is_cut_after_the_grace_long_before_the_timeout() {
        let started = Instant::now();
        let body = trickled(1000, 10, Duration::from_millis(100)); // 100 B/s
        let got = read(body, Some(10_000), bounds(100_000, 30_000, 1000)).await;
        assert_eq!(got, Err(BodyError::TooSlow(1000)));
        // Cut at the grace second plus the few bytes' worth, not at the 30 s timeout.
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn without_a_rate_only_the_timeout_cuts_a_slow_body() {
        let body = trickled(1000, 10, Duration::from_millis(100));
        let got = read(body, Some(10_000), bounds(100_000, 1500, 0)).await;
        assert_eq!(got, Err(BodyError::Timeout(Duration::from_millis(1500))));
    }

    #[tokio::test]
    async fn a_body_past_the_size_limit_stops_being_read() {
        let body = trickled(10, 1000, Duration::from_millis(1));
        let got = read(body, None, bounds(2500, 30_000, 0)).await;
        assert_eq!(got, Err(BodyError::TooLarge));
    }
}

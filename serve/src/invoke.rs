//! `POST /invocations` and `POST /explain` under the limits: a large body needs a slot before
//! it is read, the body must arrive within the body timeout, its rows and values are counted
//! before it is parsed (by tandem-core's protocol, as in the edge worker), and the prediction
//! or explanation runs on a worker under the deadline ([`crate::queue`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header;
use tandem_core::constants::http;
use tandem_core::protocol::{self, Answer, ProtocolError, Serving, Shape};

use crate::body::{self, BodyError, Bounds};
use crate::limits::LARGE_BODY_BYTES;
use crate::{App, Served};

/// Answer one `POST /invocations` or `POST /explain` request (`declared`: its
/// `Content-Length`, if any).
pub(crate) async fn post(
    app: &App,
    served: Arc<Served>,
    req: Request,
    declared: Option<usize>,
) -> Answer {
    let path = req.uri().path().to_string();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // A body that may be large takes its slot before it is read: the bytes held at once stay
    // bounded however many clients send 10 MB.
    let large = match declared {
        Some(n) if n <= LARGE_BODY_BYTES => None,
        _ => match app.queue.large() {
            Ok(permit) => Some(permit),
            Err(busy) => return busy,
        },
    };
    let body = match read_body(app, req, declared).await {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    // Counted here, before the request waits for a worker (the protocol, which would count
    // again, is then given no limit).
    let (max_rows, max_cells) = (app.limits.max_rows, app.limits.max_cells);
    if let Err(refused) = Shape::of(&content_type, &body).check(max_rows, max_cells) {
        return refused.answer();
    }
    let output = app.output;
    let monitor = app.monitor.clone();
    // A small body is scored inline under its permit; an explanation (up to a million
    // network runs a row) always goes to a blocking worker.
    let inline = body.len() <= LARGE_BODY_BYTES && path != protocol::EXPLAIN;
    app.queue
        .run(large, inline, move |expired| {
            let serving = Serving {
                output,
                max_rows: usize::MAX,
                max_cells: usize::MAX,
                ..Serving::default()
            };
            let run_id = &served.model.metadata().run_id;
            protocol::post_watched(
                &served.model,
                &path,
                &content_type,
                &body,
                &serving,
                expired,
                &mut |rows| monitor.scored(run_id, rows),
            )
        })
        .await
}

/// The body, within the size limit, the body timeout and the minimum rate.
async fn read_body(app: &App, req: Request, declared: Option<usize>) -> Result<Bytes, Answer> {
    // Read up to 1 MiB past the limit, so a client slightly over it (without a
    // Content-Length) gets its 413 instead of a connection reset mid-upload; beyond that the
    // connection is dropped.
    let bounds = Bounds {
        most: app.max_body.saturating_add(1 << 20),
        timeout: app.limits.body_timeout,
        min_rate: app.limits.min_body_rate,
    };
    let late = |message: String| {
        ProtocolError::new(408, http::REQUEST_TIMEOUT, message)
            .answer()
            .with_header("connection", "close")
    };
    match body::read(req.into_body(), declared, bounds).await {
        Ok(b) if b.len() > app.max_body => Err(protocol::too_large(app.max_body).answer()),
        Ok(b) => Ok(b),
        Err(BodyError::TooLarge) => Err(protocol::too_large(app.max_body).answer()),
        Err(BodyError::Timeout(t)) => Err(late(format!(
            "the body did not arrive within {} ms",
            t.as_millis()
        ))),
        Err(BodyError::TooSlow(rate)) => Err(late(format!(
            "the body arrived slower than {rate} bytes/s (after the first {} s), the \
             server's minimum rate",
            body::RATE_GRACE.as_secs()
        ))),
        Err(BodyError::Read(e)) => {
            Err(
                ProtocolError::new(400, http::BAD_REQUEST, format!("cannot read the body: {e}"))
                    .answer(),
            )
        }
    }
}

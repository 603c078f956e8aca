//! The opt-in CORS policy (`tandem serve --cors-origin`, the worker's `CORS_ORIGINS`), so a
//! browser user_app on another origin can call a server. One function for both servers:
//! [`with_cors`] adds the headers to any answer.
//!
//! Without configured origins nothing is added (browsers then refuse cross-origin calls). With
//! them, a request whose `Origin` is allowed gets `Access-Control-Allow-Origin` (`*` for a
//! `"*"` policy, else its own origin and `Vary: Origin`); an `OPTIONS` preflight (204 with
//! `Allow`, from [`super::route`]) also gets the allowed methods, `Content-Type` as the allowed
//! request header, and a max age.

use super::{Answer, Serving};

/// How long a browser may cache a preflight answer, in seconds.
pub const PREFLIGHT_MAX_AGE: u32 = 600;

/// `answer` with the CORS headers the policy gives a `method` request from `origin` (the
/// request's `Origin` header, `None` without one).
pub fn with_cors(answer: Answer, method: &str, origin: Option<&str>, serving: &Serving) -> Answer {
    let origins = serving.cors_origins;
    if origins.is_empty() {
        return answer;
    }
    let any = origins.iter().any(|o| o == "*");
    // The answer depends on the request's origin: caches must key on it.
    let answer = if any {
        answer
    } else {
        answer.with_header("vary", "Origin")
    };
    let Some(origin) = origin.filter(|o| any || origins.iter().any(|a| a == o)) else {
        return answer;
    };
    let answer = answer.with_header(
        "access-control-allow-origin",
        if any { "*" } else { origin },
    );
    match answer.header("allow") {
        Some(allow) if method == "OPTIONS" && answer.status == 204 => {
            let allow = allow.to_string();
            answer
                .with_header("access-control-allow-methods", &allow)
                .with_header("access-control-allow-headers", "Content-Type")
                .with_header("access-control-max-age", &PREFLIGHT_MAX_AGE.to_string())
        }
        _ => answer,
    }
}

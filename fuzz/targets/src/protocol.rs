//! The JSON instance target and the scoring-protocol target, both against the real bundles.

use serde_json::Value as Json;
use tandem_core::prep::{RangePolicy, TransformOptions};
use tandem_core::protocol;

use crate::bundles::models;

/// The content types a [`protocol_request`] input's first byte chooses from (modulo their
/// count): the two accepted media types, with parameters and odd case, and one refused.
pub const CONTENT_TYPES: [&str; 6] = [
    "application/json",
    "text/csv",
    "application/json; charset=utf-8",
    "Text/CSV ; header=present",
    "text/plain",
    "",
];

/// A JSON instance: parsed (`Model::parse`) and predicted by every real bundle, and the same
/// bytes as a `POST /invocations` JSON body.
pub fn instance_json(data: &[u8]) {
    let parsed = serde_json::from_slice::<Json>(data).ok();
    for model in models() {
        if let Some(json) = &parsed
            && let Ok(instance) = model.parse(json)
        {
            for range in [RangePolicy::Warn, RangePolicy::Clip, RangePolicy::Error] {
                let options = TransformOptions {
                    strict_categories: false,
                    range,
                };
                let _ = model.predict(&instance, options);
                let _ = model.warnings(&instance, options);
            }
        }
        let _ = protocol::invocations(model, "application/json", data);
    }
}

/// A `POST /invocations` request: the first byte chooses the content type
/// ([`CONTENT_TYPES`]), the rest is the body, answered by every real bundle.
pub fn protocol_request(data: &[u8]) {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(choice) % CONTENT_TYPES.len()];
    for model in models() {
        let _ = protocol::invocations(model, content_type, body);
    }
}

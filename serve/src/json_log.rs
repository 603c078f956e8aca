//! The server's structured logs: call sites emit `tracing` events, and this layer writes each
//! as one JSON object per line on stderr (through [`crate::logline`]'s background writer):
//! `{"ts": ..., "level": "info", <the event's fields>}`. An application embedding tandem-serve
//! with its own `tracing` subscriber gets the same events through it instead.

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Writes every event as a JSON line.
pub(crate) struct JsonLines;

struct Fields(Map<String, Json>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), Json::String(value.into()));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        let v = serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number);
        self.0.insert(field.name().into(), v);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Json::String(format!("{value:?}")));
    }
}

impl<S: Subscriber> Layer<S> for JsonLines {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields(Map::new());
        fields.0.insert(
            "ts".into(),
            Json::String(tandem_tracking::ids::now_rfc3339()),
        );
        fields.0.insert(
            "level".into(),
            Json::String(event.metadata().level().as_str().to_ascii_lowercase()),
        );
        event.record(&mut fields);
        crate::logline::emit(Json::Object(fields.0).to_string());
    }
}

/// Send this process's `tracing` events to [`JsonLines`], unless the process already has a
/// subscriber (an application embedding the server).
pub(crate) fn install() {
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(JsonLines);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

//! `GET /metrics`: what a monitoring stack scrapes, in Prometheus' text format (the `metrics`
//! facade with `metrics-exporter-prometheus`'s recorder, owned by the server rather than
//! installed globally): requests by route and status, their latency as a histogram, rows
//! scored, the model served, and drift over a bounded rolling window of the live inputs
//! scored, against the training profile in the bundle (`tandem_core::drift`, the same
//! measures as `tandem drift`), computed when scraped.

use std::collections::VecDeque;
use std::sync::Mutex;

use metrics::{
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
    with_local_recorder,
};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use tandem_core::Instance;
use tandem_core::drift::Reference;
use tandem_core::protocol::{self, Answer};
use tandem_core::schema::Schema;

/// The content type of `GET /metrics` (Prometheus text exposition format 0.0.4).
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `# HELP` line of every metric.
fn describe() {
    describe_counter!(
        "tandem_requests_total",
        "Requests answered, by route and HTTP status"
    );
    describe_histogram!(
        "tandem_request_duration_seconds",
        "Time from a request's head to its answer, by route"
    );
    describe_counter!(
        "tandem_rows_scored_total",
        "Rows predicted (POST /invocations)"
    );
}

/// The `# HELP` line of every gauge (set afresh at each scrape).
fn describe_gauges() {
    describe_gauge!(
        "tandem_model_info",
        "The model served (its training run id), always 1"
    );
    describe_gauge!(
        "tandem_drift_window_rows",
        "Scored rows in the drift window"
    );
    describe_gauge!(
        "tandem_drift_window_capacity",
        "Most rows the drift window keeps (--drift-window)"
    );
    describe_gauge!(
        "tandem_drift_drifted_share",
        "Share of fields drifted (PSI >= 0.25) over the window"
    );
    describe_gauge!(
        "tandem_drift_psi",
        "Population stability index of the window against training, by field"
    );
    describe_gauge!(
        "tandem_drift_js",
        "Jensen-Shannon distance (base 2) of the window against training, by field"
    );
    describe_gauge!(
        "tandem_drift_status",
        "0 stable (PSI < 0.1), 1 moderate (< 0.25), 2 drifted, by field"
    );
    describe_gauge!(
        "tandem_drift_missing_rate",
        "Share of window rows missing the field"
    );
    describe_gauge!(
        "tandem_drift_wasserstein",
        "Wasserstein distance in training standard deviations, number fields"
    );
    describe_gauge!(
        "tandem_drift_unseen_rate",
        "Share of window rows with a category unseen in training"
    );
}

/// The most bytes the window's rows may hold (text values count their length): with the
/// row cap, what bounds its memory whatever clients send (1 MiB texts included).
pub(crate) const WINDOW_BYTES: usize = 64 << 20;

/// The live inputs scored by one model, newest last.
struct Window {
    run_id: String,
    rows: VecDeque<Instance>,
    bytes: usize,
}

/// What a row costs the window, about.
fn row_bytes(row: &Instance) -> usize {
    row.values
        .iter()
        .map(|v| match v {
            tandem_core::Value::Text(s) => 24 + s.len(),
            _ => 24,
        })
        .sum::<usize>()
        + 24
}

/// The server's metrics and its window of live inputs.
pub(crate) struct Monitor {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    window: Mutex<Window>,
    capacity: usize,
}

impl Monitor {
    /// A monitor keeping the last `capacity` scored rows (0: no window, no drift gauges).
    pub(crate) fn new(capacity: usize) -> Monitor {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("tandem_request_duration_seconds".into()),
                &LATENCY_BUCKETS,
            )
            .map_or_else(
                |_| PrometheusBuilder::new().build_recorder(),
                |b| b.build_recorder(),
            );
        let handle = recorder.handle();
        with_local_recorder(&recorder, describe);
        Monitor {
            recorder,
            handle,
            window: Mutex::new(Window {
                run_id: String::new(),
                rows: VecDeque::new(),
                bytes: 0,
            }),
            capacity,
        }
    }

    /// One answered request: its route (unknown paths count as `other`), status and time.
    pub(crate) fn request(&self, route: &'static str, status: u16, seconds: f64) {
        with_local_recorder(&self.recorder, || {
            counter!("tandem_requests_total", "route" => route, "status" => status.to_string())
                .increment(1);
            histogram!("tandem_request_duration_seconds", "route" => route).record(seconds);
        });
    }

    /// Rows the model `run_id` scored: counted, and kept in the window (a new model starts a
    /// new window: its inputs are compared with its own training data).
    pub(crate) fn scored(&self, run_id: &str, rows: &[Result<Instance, tandem_core::Error>]) {
        with_local_recorder(&self.recorder, || {
            counter!("tandem_rows_scored_total").increment(rows.len() as u64);
        });
        if self.capacity == 0 {
            return;
        }
        let mut w = self
            .window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.run_id != run_id {
            w.run_id = run_id.to_string();
            w.rows.clear();
            w.bytes = 0;
        }
        let skip = rows.len().saturating_sub(self.capacity);
        for row in rows[skip..].iter().filter_map(|r| r.as_ref().ok()) {
            let size = row_bytes(row);
            if size > WINDOW_BYTES {
                continue;
            }
            while w.rows.len() >= self.capacity || w.bytes + size > WINDOW_BYTES {
                let Some(old) = w.rows.pop_front() else {
                    break;
                };
                w.bytes -= row_bytes(&old);
            }
            w.bytes += size;
            w.rows.push_back(row.clone());
        }
    }

    /// The text a scrape gets: the model gauge and the drift of the window against
    /// `reference` refreshed, then everything rendered.
    pub(crate) fn render(
        &self,
        run_id: &str,
        schema: &Schema,
        reference: Option<&Reference>,
    ) -> String {
        let rows: Vec<Instance> = {
            let w = self
                .window
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if w.run_id == run_id {
                w.rows.iter().cloned().collect()
            } else {
                Vec::new()
            }
        };
        // Gauges of this model and this window only, in a recorder made for this scrape: a
        // reloaded model's old series (its run id, fields it no longer has, a drift that is
        // gone with its window) never linger.
        let scrape = PrometheusBuilder::new().build_recorder();
        with_local_recorder(&scrape, || {
            describe_gauges();
            gauge!("tandem_model_info", "run_id" => run_id.to_string()).set(1.0);
            gauge!("tandem_drift_window_rows").set(rows.len() as f64);
            gauge!("tandem_drift_window_capacity").set(self.capacity as f64);
            let (Some(reference), false) = (reference, rows.is_empty()) else {
                return;
            };
            let report = reference.compare(schema, &rows);
            gauge!("tandem_drift_drifted_share").set(report.drifted_share);
            for f in &report.fields {
                let field = f.field.clone();
                gauge!("tandem_drift_psi", "field" => field.clone()).set(f.psi);
                gauge!("tandem_drift_js", "field" => field.clone()).set(f.js);
                let level = f.status as u8;
                gauge!("tandem_drift_status", "field" => field.clone()).set(f64::from(level));
                gauge!("tandem_drift_missing_rate", "field" => field.clone()).set(f.missing_new);
                if let Some(w) = f.wasserstein {
                    gauge!("tandem_drift_wasserstein", "field" => field.clone()).set(w);
                }
                if let Some(u) = f.unseen {
                    gauge!("tandem_drift_unseen_rate", "field" => field).set(u);
                }
            }
        });
        let mut text = self.handle.render();
        text.push_str(&scrape.handle().render());
        text
    }

    /// Drain the histograms' pending samples into their buckets (the exporter's upkeep), so
    /// a server nobody scrapes does not hold every request's sample.
    pub(crate) fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// The route.
pub(crate) const PATH: &str = "/metrics";

/// The answer to any request for [`PATH`]: the scrape for `GET` / `HEAD`, 204 with `Allow` for
/// `OPTIONS`, 405 otherwise.
pub(crate) fn answer(app: &crate::App, served: &crate::Served, method: &str) -> Answer {
    const ALLOW: &str = "GET, HEAD, OPTIONS";
    match method {
        "GET" | "HEAD" => Answer {
            status: 200,
            content_type: CONTENT_TYPE,
            body: app.monitor.render(
                &served.model.metadata().run_id,
                served.model.schema(),
                served.reference.as_ref(),
            ),
            headers: Vec::new(),
        },
        "OPTIONS" => Answer {
            status: 204,
            content_type: CONTENT_TYPE,
            body: String::new(),
            headers: Vec::new(),
        }
        .with_header("allow", ALLOW),
        _ => protocol::not_allowed(method, PATH, ALLOW)
            .answer()
            .with_header("allow", ALLOW),
    }
}

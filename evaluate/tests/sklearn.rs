//! Every metric equals scikit-learn's on the same predictions within 1e-9: real predictions
//! of models on the held-out rows of the example data sets, and edge cases (ties, a class
//! never predicted, a zero true value), from `tests/fixtures/metrics/make.py`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture, floats};
use serde_json::Value;
use tandem_evaluate::{classification, regression};

const TOLERANCE: f64 = 1e-9;

fn close(name: &str, metric: &str, got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("{name}: no {metric}"));
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{name}: {metric} {got} vs scikit-learn's {want}"
    );
}

fn check_classification(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let n_classes = case["classes"].as_array().unwrap().len();
    let truth: Vec<usize> = floats(&case["truth"]).iter().map(|&t| t as usize).collect();
    let probs: Vec<Vec<f64>> = case["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let report = classification(&probs, &truth, n_classes);
    let want = case["metrics"].as_object().unwrap();
    for (metric, value) in want {
        close(
            name,
            metric,
            report.metrics.get(metric).copied(),
            value.as_f64().unwrap(),
        );
    }
    assert_eq!(
        report.metrics.len(),
        want.len(),
        "{name}: {:?}",
        report.metrics.keys()
    );
    let confusion: Vec<Vec<usize>> = case["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| floats(row).iter().map(|&c| c as usize).collect())
        .collect();
    assert_eq!(report.confusion.counts, confusion, "{name}");
    let observed = floats(&case["reliability"]["reliability_true"]);
    let predicted = floats(&case["reliability"]["reliability_predicted"]);
    let bins = &report.calibration.reliability;
    assert_eq!(bins.len(), observed.len(), "{name}: reliability bins");
    for (i, bin) in bins.iter().enumerate() {
        close(
            name,
            &format!("reliability observed {i}"),
            Some(bin.observed),
            observed[i],
        );
        close(
            name,
            &format!("reliability predicted {i}"),
            Some(bin.predicted),
            predicted[i],
        );
    }
}

fn check_regression(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let got = regression(&floats(&case["predictions"]), &floats(&case["truth"]));
    let want = case["metrics"].as_object().unwrap();
    for (metric, value) in want {
        close(
            name,
            metric,
            got.get(metric).copied(),
            value.as_f64().unwrap(),
        );
    }
    assert_eq!(got.len(), want.len(), "{name}: {:?}", got.keys());
}

#[test]
fn every_metric_equals_scikit_learns_on_the_same_predictions() {
    let fixture = fixture();
    assert_eq!(fixture["bins"].as_u64(), Some(tandem_evaluate::BINS as u64));
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        match case["task"].as_str().unwrap() {
            "classification" => check_classification(case),
            _ => check_regression(case),
        }
    }
}

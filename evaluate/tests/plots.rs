//! The plots of an evaluation are drawn in both formats: an SVG document with its title and
//! axis names as text, and a PNG of the same size that decodes, with more than one colour (the
//! chart is drawn, not a blank canvas).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{case, floats};
use tandem_evaluate::{Evaluation, Report, Scored, classification, plots, regression};

fn classified(name: &str) -> (Evaluation, Vec<String>) {
    let case = case(name);
    let classes: Vec<String> = case["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let truth: Vec<usize> = floats(&case["truth"]).iter().map(|&t| t as usize).collect();
    let probs: Vec<Vec<f64>> = case["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let report = classification(&probs, &truth, classes.len());
    let scored = Scored {
        probabilities: probs,
        classes: truth,
        ..Scored::default()
    };
    let evaluation = Evaluation {
        rows: scored.classes.len(),
        scored: scored.classes.len(),
        rejected: vec![],
        report: Some(Report::Classification(report)),
        scored_rows: scored,
    };
    (evaluation, classes)
}

/// Width and height of a PNG, and how many distinct pixels it has.
fn decode(png_bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let colours: std::collections::HashSet<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
    (info.width, info.height, colours.len())
}

#[test]
fn a_classifier_gets_confusion_roc_precision_recall_and_reliability_plots() {
    for name in ["breast_cancer", "iris"] {
        let (evaluation, classes) = classified(name);
        let drawn = plots(&evaluation, &classes).unwrap();
        let names: Vec<&str> = drawn.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["confusion", "roc", "precision_recall", "reliability"]
        );
        for (plot, title) in
            drawn
                .iter()
                .zip(["Confusion matrix", "ROC", "Precision-recall", "Reliability"])
        {
            assert!(
                plot.svg.starts_with("<svg") && plot.svg.contains(title),
                "{name} {}",
                plot.name
            );
            let (w, h, colours) = decode(&plot.png);
            assert_eq!((w, h), (480, 400));
            assert!(colours > 10, "{name} {}: {colours} colours", plot.name);
        }
        // One curve per class past two classes (one-vs-rest), named by the class.
        if classes.len() > 2 {
            for class in &classes {
                assert!(
                    drawn[1].svg.contains(class.as_str()),
                    "{name}: {class} in the ROC legend"
                );
            }
        }
    }
}

#[test]
fn a_regressor_gets_a_residual_plot() {
    let case = case("cps1985");
    let (truth, predicted) = (floats(&case["truth"]), floats(&case["predictions"]));
    let metrics = regression(&predicted, &truth);
    let scored = Scored {
        values: predicted,
        truths: truth,
        ..Scored::default()
    };
    let evaluation = Evaluation {
        rows: scored.values.len(),
        scored: scored.values.len(),
        rejected: vec![],
        report: Some(Report::Regression { metrics }),
        scored_rows: scored,
    };
    let drawn = plots(&evaluation, &[]).unwrap();
    assert_eq!(drawn.len(), 1);
    assert!(drawn[0].svg.contains("Residuals") && drawn[0].svg.contains("<circle"));
    assert!(decode(&drawn[0].png).2 > 2);
}

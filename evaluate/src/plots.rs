//! The evaluation's plots, drawn with plotters as SVG and PNG: the confusion matrix, ROC and
//! precision-recall curves (one-vs-rest per class past two) and the reliability curve for a
//! classifier; residuals against predictions for a regressor. Text is set in the embedded
//! DejaVu Sans (`assets/`), so no system font is needed.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::pipeline::{Evaluation, Report, Scored};
use crate::ranking::curve;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const SIZE: (u32, u32) = (480, 400);

/// One plot, in both formats.
#[derive(Debug, Clone)]
pub struct Plot {
    /// Its file name without extension (`roc`, `confusion`, ...).
    pub name: &'static str,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// What one plot shows.
enum Spec {
    Lines {
        title: &'static str,
        x: &'static str,
        y: &'static str,
        series: Vec<(String, Vec<(f64, f64)>)>,
    },
    Confusion {
        counts: Vec<Vec<usize>>,
        classes: Vec<String>,
    },
    Residuals {
        points: Vec<(f64, f64)>,
    },
}

/// The plots of `evaluation` (`classes`: the model's, in order). An error names the plot.
pub fn plots(evaluation: &Evaluation, classes: &[String]) -> Result<Vec<Plot>, String> {
    let specs = match &evaluation.report {
        None => Vec::new(),
        Some(Report::Classification(report)) => {
            let rows = &evaluation.scored_rows;
            let reliability = report
                .calibration
                .reliability
                .iter()
                .map(|b| (b.predicted, b.observed))
                .collect();
            vec![
                (
                    "confusion",
                    Spec::Confusion {
                        counts: report.confusion.counts.clone(),
                        classes: classes.to_vec(),
                    },
                ),
                ("roc", roc(rows, classes)),
                ("precision_recall", precision_recall(rows, classes)),
                (
                    "reliability",
                    Spec::Lines {
                        title: "Reliability",
                        x: "mean predicted probability",
                        y: "observed frequency",
                        series: vec![("model".into(), reliability)],
                    },
                ),
            ]
        }
        Some(Report::Regression { .. }) => {
            let rows = &evaluation.scored_rows;
            let points = rows
                .values
                .iter()
                .zip(&rows.truths)
                .map(|(&p, &t)| (p, t - p))
                .collect();
            vec![("residuals", Spec::Residuals { points })]
        }
    };
    specs
        .into_iter()
        .map(|(name, spec)| render(&spec).map(|(svg, png)| Plot { name, svg, png }))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot draw a plot: {e}"))
}

/// The per-class (binary: the positive class) scores and truths.
fn per_class(rows: &Scored, classes: &[String]) -> Vec<(String, Vec<f64>, Vec<bool>)> {
    let which: Vec<usize> = if classes.len() == 2 {
        vec![1]
    } else {
        (0..classes.len()).collect()
    };
    which
        .into_iter()
        .map(|c| {
            let scores = rows
                .probabilities
                .iter()
                .map(|p| p.get(c).copied().unwrap_or(0.0))
                .collect();
            let positive = rows.classes.iter().map(|&t| t == c).collect();
            (
                classes.get(c).cloned().unwrap_or_default(),
                scores,
                positive,
            )
        })
        .collect()
}

fn roc(rows: &Scored, classes: &[String]) -> Spec {
    let series = per_class(rows, classes)
        .into_iter()
        .filter_map(|(name, scores, positive)| {
            let points = curve(&scores, &positive);
            let &(n, p) = points.last()?;
            (n > 0.0 && p > 0.0).then(|| {
                let line = std::iter::once((0.0, 0.0))
                    .chain(points.iter().map(|&(fp, tp)| (fp / n, tp / p)))
                    .collect();
                (name, line)
            })
        })
        .collect();
    Spec::Lines {
        title: "ROC",
        x: "false positive rate",
        y: "true positive rate",
        series,
    }
}

fn precision_recall(rows: &Scored, classes: &[String]) -> Spec {
    let series = per_class(rows, classes)
        .into_iter()
        .filter_map(|(name, scores, positive)| {
            let points = curve(&scores, &positive);
            let &(_, p) = points.last()?;
            (p > 0.0).then(|| {
                let line = std::iter::once((0.0, 1.0))
                    .chain(points.iter().map(|&(fp, tp)| (tp / p, tp / (tp + fp))))
                    .collect();
                (name, line)
            })
        })
        .collect();
    Spec::Lines {
        title: "Precision-recall",
        x: "recall",
        y: "precision",
        series,
    }
}

/// Register the embedded font as `sans-serif`, once per process.
pub(crate) fn register_fonts() {
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        // Only fails on a font that does not parse: the embedded one does (tested).
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// The SVG and the PNG of `spec`.
fn render(spec: &Spec) -> Result<(String, Vec<u8>), String> {
    register_fonts();
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
        spec,
    )?;
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(
        BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(),
        spec,
    )?;
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    }
    Ok((svg, png))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, spec: &Spec) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    match spec {
        Spec::Lines {
            title,
            x,
            y,
            series,
        } => lines(&root, title, x, y, series).map_err(e)?,
        Spec::Confusion { counts, classes } => confusion(&root, counts, classes).map_err(e)?,
        Spec::Residuals { points } => residuals(&root, points).map_err(e)?,
    }
    root.present().map_err(e)
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x: &str,
    y: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Drawn<DB> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)?;
    chart.configure_mesh().x_desc(x).y_desc(y).draw()?;
    chart.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.25)))?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()?;
    }
    Ok(())
}

fn confusion<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    counts: &[Vec<usize>],
    classes: &[String],
) -> Drawn<DB> {
    let n = counts.len().max(1) as i32;
    let most = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    // True classes top to bottom, as the table prints them: row t is drawn at n - 1 - t.
    let class = |i: i32| {
        classes
            .get(usize::try_from(i).unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    let x_name = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => class(*i),
        _ => String::new(),
    };
    let y_name = |v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) => class(n - 1 - *i),
        _ => String::new(),
    };
    let mut chart = ChartBuilder::on(root)
        .caption("Confusion matrix", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        // A discrete range holds its end: n segments are 0..n - 1.
        .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(n as usize)
        .y_labels(n as usize)
        .x_label_formatter(&x_name)
        .y_label_formatter(&y_name)
        .x_desc("predicted")
        .y_desc("true")
        .draw()?;
    for (t, row) in (0..n).zip(counts) {
        for (p, &count) in (0..n).zip(row) {
            let y = n - 1 - t;
            let shade = 1.0 - 0.75 * count as f64 / most;
            let fill = RGBColor((255.0 * shade) as u8, (255.0 * shade) as u8, 255);
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (SegmentValue::Exact(p), SegmentValue::Exact(y + 1)),
                    (SegmentValue::Exact(p + 1), SegmentValue::Exact(y)),
                ],
                fill.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                count.to_string(),
                (SegmentValue::CenterOf(p), SegmentValue::CenterOf(y)),
                TextStyle::from(("sans-serif", 14).into_font())
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
    }
    Ok(())
}

fn residuals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
) -> Drawn<DB> {
    let range = |f: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if lo.is_finite() && hi > lo {
            lo..hi
        } else {
            -1.0..1.0
        }
    };
    let mut chart = ChartBuilder::on(root)
        .caption("Residuals", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(range(|p| p.0), range(|p| p.1))?;
    chart
        .configure_mesh()
        .x_desc("predicted")
        .y_desc("true - predicted")
        .draw()?;
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, 2, BLUE.mix(0.6).filled())),
    )?;
    Ok(())
}

//! The run's plots as standalone SVG files (logged as artifacts, viewable in MLflow's UI):
//! training curves, and the validation confusion matrix or residuals. Drawn from the same
//! `metadata.evaluation` the site's model card draws.

use std::fmt::Write as _;

use tandem_core::bundle::Evaluation;
use tandem_core::{Schema, Task};

const W: f64 = 480.0;
const H: f64 = 300.0;
const PAD: f64 = 44.0;

/// `(file name, SVG text)` for every plot the evaluation supports.
pub fn all(eval: Option<&Evaluation>, schema: &Schema) -> Vec<(&'static str, String)> {
    let Some(eval) = eval else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !eval.history.is_empty() {
        out.push(("loss.svg", loss(&eval.history)));
    }
    if let Task::Classification { classes } = &schema.label.task
        && !eval.confusion.is_empty()
    {
        out.push(("confusion.svg", confusion(&eval.confusion, classes)));
    }
    if !eval.residuals.is_empty() {
        out.push(("residuals.svg", residuals(&eval.residuals)));
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"11\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <text x=\"{PAD}\" y=\"18\" font-size=\"13\">{}</text>",
        escape(title)
    )
}

/// Map `v` in `[lo, hi]` to `[a, b]`.
fn scale(v: f64, lo: f64, hi: f64, a: f64, b: f64) -> f64 {
    if hi > lo {
        a + (v - lo) / (hi - lo) * (b - a)
    } else {
        (a + b) / 2.0
    }
}

fn axes(svg: &mut String, x: (f64, f64, &str), y: (f64, f64, &str)) {
    let _ = write!(
        svg,
        "<g stroke=\"#888\"><line x1=\"{PAD}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/><line x1=\"{PAD}\" y1=\"{t}\" x2=\"{PAD}\" y2=\"{b}\"/></g>\
         <text x=\"{PAD}\" y=\"{yl}\">{x0:.3}</text><text x=\"{r}\" y=\"{yl}\" text-anchor=\"end\">{x1:.3}</text>\
         <text x=\"{mid}\" y=\"{yl}\" text-anchor=\"middle\">{xn}</text>\
         <text x=\"4\" y=\"{b}\">{y0:.3}</text><text x=\"4\" y=\"{t}\">{y1:.3}</text>\
         <text x=\"4\" y=\"{ym}\">{yn}</text>",
        b = H - PAD,
        r = W - 12.0,
        t = PAD,
        yl = H - PAD + 16.0,
        mid = W / 2.0,
        ym = H / 2.0,
        x0 = x.0,
        x1 = x.1,
        xn = escape(x.2),
        y0 = y.0,
        y1 = y.1,
        yn = escape(y.2),
    );
}

fn polyline(points: impl Iterator<Item = (f64, f64)>, color: &str) -> String {
    let pts: Vec<String> = points.map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    format!(
        "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"/>",
        pts.join(" ")
    )
}

/// Training and validation loss per epoch.
pub fn loss(history: &[[f64; 3]]) -> String {
    let mut svg = open("Loss per epoch");
    let (e0, e1) = (history[0][0], history[history.len() - 1][0]);
    let ys = history.iter().flat_map(|h| [h[1], h[2]]);
    let lo = ys.clone().fold(f64::INFINITY, f64::min);
    let hi = ys.fold(f64::NEG_INFINITY, f64::max);
    axes(&mut svg, (e0, e1, "epoch"), (lo, hi, "loss"));
    for (i, color, name) in [(1, "#1f77b4", "train"), (2, "#ff7f0e", "validation")] {
        svg.push_str(&polyline(
            history.iter().map(|h| {
                (
                    scale(h[0], e0, e1, PAD, W - 12.0),
                    scale(h[i], lo, hi, H - PAD, PAD),
                )
            }),
            color,
        ));
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{name}</text>",
            W - 90.0,
            18.0 + 14.0 * i as f64
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The validation confusion matrix (rows: true class, columns: predicted).
pub fn confusion(matrix: &[Vec<usize>], classes: &[String]) -> String {
    let mut svg = open("Validation confusion matrix (rows: true, columns: predicted)");
    let n = matrix.len().max(1);
    let cell = ((H - 2.0 * PAD).min(W - 2.0 * PAD - 60.0) / n as f64).max(4.0);
    let max = matrix.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let x0 = PAD + 60.0;
    for (i, row) in matrix.iter().enumerate() {
        let name = classes.get(i).map_or("?", String::as_str);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            x0 - 4.0,
            PAD + (i as f64 + 0.6) * cell,
            escape(name)
        );
        for (j, &v) in row.iter().enumerate() {
            let shade = 255.0 - 200.0 * v as f64 / max;
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{cell:.1}\" height=\"{cell:.1}\" fill=\"rgb({s:.0},{s:.0},255)\" stroke=\"#fff\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v}</text>",
                x0 + j as f64 * cell,
                PAD + i as f64 * cell,
                x0 + (j as f64 + 0.5) * cell,
                PAD + (i as f64 + 0.6) * cell,
                s = shade,
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Validation predictions against the truth, with the diagonal.
pub fn residuals(pairs: &[[f64; 2]]) -> String {
    let mut svg = open("Validation: prediction vs truth");
    let vals = pairs.iter().flatten().copied().filter(|v| v.is_finite());
    let lo = vals.clone().fold(f64::INFINITY, f64::min);
    let hi = vals.fold(f64::NEG_INFINITY, f64::max);
    axes(&mut svg, (lo, hi, "truth"), (lo, hi, "prediction"));
    let x = |v| scale(v, lo, hi, PAD, W - 12.0);
    let y = |v| scale(v, lo, hi, H - PAD, PAD);
    svg.push_str(&polyline(
        [(x(lo), y(lo)), (x(hi), y(hi))].into_iter(),
        "#bbb",
    ));
    for p in pairs {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#1f77b4\" fill-opacity=\"0.6\"/>",
            x(p[0]),
            y(p[1])
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_are_well_formed_svg() {
        let l = loss(&[[1.0, 0.9, 1.0], [2.0, 0.5, 0.7]]);
        assert!(l.starts_with("<svg") && l.trim_end().ends_with("</svg>"));
        assert_eq!(l.matches("<polyline").count(), 2);
        let c = confusion(&[vec![5, 1], vec![2, 7]], &["a<b".into(), "c".into()]);
        assert_eq!(c.matches("<rect").count(), 5);
        assert!(c.contains("a&lt;b"));
        assert_eq!(
            residuals(&[[1.0, 1.5], [2.0, 1.9]])
                .matches("<circle")
                .count(),
            2
        );
    }
}

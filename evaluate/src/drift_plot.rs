//! The drift report as one SVG: a panel per field, the training and the new share of each
//! bin side by side, titled with the field's status and PSI.

use plotters::coord::Shift;
use plotters::prelude::*;
use tandem_core::drift::{DriftReport, FieldDrift, Status};

use crate::plots::register_fonts;

const PANEL: (u32, u32) = (320, 220);
const COLUMNS: usize = 3;
const REFERENCE: RGBColor = RGBColor(140, 150, 160);
const NEW: RGBColor = RGBColor(11, 107, 203);
const DRIFTED: RGBColor = RGBColor(179, 38, 30);
const MODERATE: RGBColor = RGBColor(138, 90, 0);

/// The SVG of `report` (an error only if plotters fails to draw).
pub fn drift_svg(report: &DriftReport) -> Result<String, String> {
    register_fonts();
    let rows = report.fields.len().div_ceil(COLUMNS).max(1);
    let columns = report.fields.len().clamp(1, COLUMNS);
    let size = (PANEL.0 * columns as u32, PANEL.1 * rows as u32 + 40);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let (title, body) = root.split_vertically(40);
        title
            .titled(
                &format!(
                    "Drift: {} of {} fields drifted, {} moderate ({} new rows; grey training, blue new)",
                    report.drifted,
                    report.fields.len(),
                    report.moderate,
                    report.rows
                ),
                ("sans-serif", 16),
            )
            .map_err(e)?;
        for (panel, field) in body
            .split_evenly((rows, columns))
            .iter()
            .zip(&report.fields)
        {
            draw_field(panel, field).map_err(e)?;
        }
        root.present().map_err(e)?;
    }
    Ok(svg)
}

fn draw_field<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    f: &FieldDrift,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let color = match f.status {
        Status::Drifted => DRIFTED,
        Status::Moderate => MODERATE,
        Status::Stable => BLACK,
    };
    let top = f
        .bins
        .iter()
        .map(|b| b.reference.max(b.new))
        .fold(0.0, f64::max)
        .max(1e-9);
    let n = f.bins.len().max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{} ({}): {}, PSI {:.3}",
                f.field,
                f.kind,
                f.status.name(),
                f.psi
            ),
            ("sans-serif", 13).into_font().color(&color),
        )
        .margin(8)
        .x_label_area_size(18)
        .y_label_area_size(36)
        .build_cartesian_2d(0f64..n, 0f64..top * 1.1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(4)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .x_desc("bins (the last: missing)")
        .label_style(("sans-serif", 10))
        .draw()?;
    chart.draw_series(f.bins.iter().enumerate().map(|(i, b)| {
        let x = i as f64;
        Rectangle::new([(x + 0.1, 0.0), (x + 0.5, b.reference)], REFERENCE.filled())
    }))?;
    chart.draw_series(f.bins.iter().enumerate().map(|(i, b)| {
        let x = i as f64;
        Rectangle::new([(x + 0.5, 0.0), (x + 0.9, b.new)], NEW.filled())
    }))?;
    Ok(())
}

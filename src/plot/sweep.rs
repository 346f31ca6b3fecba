//! Sweep figure: the off-diagonal to diagonal block ratio against the number of classes.
//!
//! The left panel is log-log: the limit ratio and the finite-size prediction as lines, and the Monte
//! Carlo ratios as points with ±1 standard-error bars. The legend carries the fitted slopes. The right panel shows the standardised differences (Monte Carlo − finite-size
//! prediction)/standard error against C, with the ±3 band, so agreement is visible at every C even
//! where the ratio is tiny.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{
    ChartBuilder, Circle, DrawingArea, DrawingBackend, IntoLogRange, LineSeries, PathElement,
    SeriesLabelPosition, TriangleMarker,
};
use plotters::style::{Color, RGBColor};

use crate::plot::PlotError;
use crate::plot::output::{Figure, backend_error, save};
use crate::plot::panel::split_frame;
use crate::plot::style::{
    AXIS_LABEL_SIZE, LAW_COLOR, LINE_WIDTH, SAMPLE_COLOR, TICK_LABEL_SIZE, axis_style, grid_style,
    line_style, text_style,
};

/// Colour of the finite-size prediction.
const FINITE_COLOR: RGBColor = RGBColor(0, 158, 115);

/// One class count of a sweep figure.
#[derive(Clone, Copy, Debug)]
pub struct SweepFigurePoint {
    /// C.
    pub classes: usize,
    /// Limit ratio.
    pub theory: f64,
    /// Finite-size prediction.
    pub theory_finite: f64,
    /// Monte Carlo ratio and its standard error, when sampled.
    pub empirical: Option<(f64, f64)>,
    /// A second Monte Carlo estimate (the average over all pairs) and its standard error.
    pub empirical_all: Option<(f64, f64)>,
    /// Standardised difference of the judged estimate from the finite-size prediction.
    pub z: Option<f64>,
}

/// Input of [`draw_sweep`].
#[derive(Clone, Debug)]
pub struct SweepFigure<'a> {
    /// Title above both panels.
    pub title: String,
    /// Caption with the parameters, the seed and the version.
    pub caption: String,
    /// Label of the y axis of the left panel.
    pub ratio_label: String,
    /// Legend label of the limit curve (with its slope).
    pub theory_label: String,
    /// Legend label of the Monte Carlo points (with their slope).
    pub empirical_label: String,
    /// Legend label of the second Monte Carlo estimate.
    pub empirical_all_label: String,
    /// Label of the y axis of the right panel.
    pub residual_label: String,
    /// Points, ascending in C.
    pub points: &'a [SweepFigurePoint],
}

/// Draws the sweep figure at `path` (PNG or SVG by the extension).
///
/// # Errors
/// [`PlotError::Empty`] without a point with a positive ratio, [`PlotError::NonFinite`] for a
/// non-finite ratio, and the errors of the image backends.
pub fn draw_sweep(path: &Path, figure: &SweepFigure<'_>) -> Result<(), PlotError> {
    if figure
        .points
        .iter()
        .all(|p| p.theory <= 0.0 && p.empirical.is_none())
    {
        return Err(PlotError::Empty {
            series: "positive ratios",
        });
    }
    let values: Vec<f64> = figure
        .points
        .iter()
        .flat_map(|p| [p.theory, p.theory_finite])
        .collect();
    crate::plot::data::check_finite("ratios", &values)?;
    save(path, figure)
}

impl Figure for SweepFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (left, right) = split_frame(root, &self.title, &self.caption)?;
        draw_ratio_panel(&left, self)?;
        draw_residual_panel(&right, self)
    }
}

fn class_range(points: &[SweepFigurePoint]) -> (f64, f64) {
    let lo = points.first().map_or(1, |p| p.classes) as f64;
    let hi = points.last().map_or(10, |p| p.classes) as f64;
    (lo / 1.3, hi * 1.3)
}

fn draw_ratio_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &SweepFigure<'_>,
) -> Result<(), PlotError> {
    let points = figure.points;
    let positive: Vec<f64> = points
        .iter()
        .flat_map(|p| {
            let mut v = vec![p.theory, p.theory_finite];
            if let Some((e, se)) = p.empirical {
                v.extend([e - se, e + se]);
            }
            v
        })
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    let y_lo = positive.iter().copied().fold(f64::INFINITY, f64::min) / 2.0;
    let y_hi = positive.iter().copied().fold(0.0, f64::max) * 2.0;
    let (x_lo, x_hi) = class_range(points);

    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(backend_error)?;
    chart
        .configure_mesh()
        .x_desc("number of classes C")
        .y_desc(figure.ratio_label.as_str())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE))
        .x_label_formatter(&|v| format_power(*v))
        .y_label_formatter(&|v| format_power(*v))
        .bold_line_style(grid_style())
        .light_line_style(plotters::style::TRANSPARENT)
        .axis_style(axis_style())
        .draw()
        .map_err(backend_error)?;

    let theory: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.theory > 0.0)
        .map(|p| (p.classes as f64, p.theory))
        .collect();
    // The limit line is wide and the finite-size line thin on top of it, so both stay visible
    // where they agree.
    chart
        .draw_series(LineSeries::new(
            theory,
            line_style(LAW_COLOR).stroke_width(LINE_WIDTH + 4),
        ))
        .map_err(backend_error)?
        .label(figure.theory_label.as_str())
        .legend(|(x, y)| {
            PathElement::new(
                vec![(x, y), (x + 24, y)],
                line_style(LAW_COLOR).stroke_width(LINE_WIDTH + 4),
            )
        });
    let finite: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.theory_finite > 0.0)
        .map(|p| (p.classes as f64, p.theory_finite))
        .collect();
    chart
        .draw_series(LineSeries::new(
            finite,
            line_style(FINITE_COLOR).stroke_width(LINE_WIDTH),
        ))
        .map_err(backend_error)?
        .label("finite-size prediction at the sampled d, N")
        .legend(|(x, y)| {
            PathElement::new(
                vec![(x, y), (x + 24, y)],
                line_style(FINITE_COLOR).stroke_width(LINE_WIDTH),
            )
        });

    let sampled: Vec<(f64, f64, f64)> = points
        .iter()
        .filter_map(|p| p.empirical.map(|(e, se)| (p.classes as f64, e, se)))
        .filter(|(_, e, _)| *e > 0.0)
        .collect();
    if !sampled.is_empty() {
        for &(c, e, se) in &sampled {
            let lo = (e - se).max(e / 10.0);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(c, lo), (c, e + se)],
                    line_style(SAMPLE_COLOR).stroke_width(LINE_WIDTH),
                )))
                .map_err(backend_error)?;
        }
        chart
            .draw_series(
                sampled
                    .iter()
                    .map(|&(c, e, _)| Circle::new((c, e), 5, SAMPLE_COLOR.filled())),
            )
            .map_err(backend_error)?
            .label(figure.empirical_label.as_str())
            .legend(|(x, y)| Circle::new((x + 12, y), 5, SAMPLE_COLOR.filled()));
    }
    let all: Vec<(f64, f64, f64)> = points
        .iter()
        .filter_map(|p| p.empirical_all.map(|(e, se)| (p.classes as f64, e, se)))
        .filter(|(_, e, _)| *e > 0.0)
        .collect();
    if !all.is_empty() {
        chart
            .draw_series(
                all.iter()
                    .map(|&(c, e, _)| TriangleMarker::new((c, e), 7, FINITE_COLOR.filled())),
            )
            .map_err(backend_error)?
            .label(figure.empirical_all_label.as_str())
            .legend(|(x, y)| TriangleMarker::new((x + 12, y), 7, FINITE_COLOR.filled()));
    }
    crate::plot::legend::draw_series_legend(&mut chart, SeriesLabelPosition::UpperRight)
}

fn draw_residual_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &SweepFigure<'_>,
) -> Result<(), PlotError> {
    let points = figure.points;
    let z: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| p.z.map(|z| (p.classes as f64, z)))
        .collect();
    let bound = z.iter().fold(4.0_f64, |a, (_, v)| a.max(v.abs() * 1.2));
    let (x_lo, x_hi) = class_range(points);
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d((x_lo..x_hi).log_scale(), -bound..bound)
        .map_err(backend_error)?;
    chart
        .configure_mesh()
        .x_desc("number of classes C")
        .y_desc(figure.residual_label.as_str())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE))
        .x_label_formatter(&|v| format_power(*v))
        .bold_line_style(grid_style())
        .light_line_style(plotters::style::TRANSPARENT)
        .axis_style(axis_style())
        .draw()
        .map_err(backend_error)?;
    for level in [-3.0, 3.0] {
        chart
            .draw_series(LineSeries::new(
                vec![(x_lo, level), (x_hi, level)],
                line_style(LAW_COLOR).stroke_width(LINE_WIDTH),
            ))
            .map_err(backend_error)?;
    }
    chart
        .draw_series(LineSeries::new(
            vec![(x_lo, 0.0), (x_hi, 0.0)],
            line_style(FINITE_COLOR).stroke_width(1),
        ))
        .map_err(backend_error)?;
    chart
        .draw_series(
            z.iter()
                .map(|&(c, v)| Circle::new((c, v), 5, SAMPLE_COLOR.filled())),
        )
        .map_err(backend_error)?;
    Ok(())
}

/// Formats a tick of a log axis in one style: integers from 1 to 10⁴ as they are ("1", "20",
/// "1000"), every other value as mantissa and power of ten ("1e-3", "7e-2", "2.5e-1").
pub(crate) fn format_power(value: f64) -> String {
    if (1.0..=1e4).contains(&value) && (value - value.round()).abs() < 1e-9 * value {
        return format!("{}", value.round());
    }
    let exponent = value.log10().floor();
    let mantissa = value / 10f64.powf(exponent);
    // A mantissa that rounds to 10 belongs to the next power.
    let (mantissa, exponent) = if mantissa >= 9.9995 {
        (1.0, exponent + 1.0)
    } else {
        (mantissa, exponent)
    };
    if (mantissa - mantissa.round()).abs() < 1e-6 {
        format!("{}e{exponent}", mantissa.round())
    } else {
        format!("{mantissa:.1}e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_power;

    #[test]
    fn log_ticks_share_one_style() {
        let cases = [
            (1.0, "1"),
            (20.0, "20"),
            (1000.0, "1000"),
            (1e5, "1e5"),
            (0.01, "1e-2"),
            (0.07, "7e-2"),
            (0.25, "2.5e-1"),
            (0.000999999999, "1e-3"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_power(value), expected, "tick {value}");
        }
    }
}

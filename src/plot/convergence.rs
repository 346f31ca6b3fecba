//! Convergence figure: the distance between each block's eigenvalues and its law against the
//! dimension d at fixed γ, in log-log, with the d^(−1/2) and d^(−1) rates for reference.
//!
//! The left panel shows the Kolmogorov–Smirnov distance, the right panel the Wasserstein-1 distance
//! divided by its value at the smallest d (W1 has the units of the eigenvalues, which differ from
//! block to block). The legend gives each case's fitted slope.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::{
    ChartBuilder, Circle, DrawingArea, DrawingBackend, IntoLogRange, LineSeries, PathElement,
    SeriesLabelPosition,
};
use plotters::style::{Color, RGBColor};

use crate::plot::PlotError;
use crate::plot::legend::legend_height;
use crate::plot::output::{Figure, backend_error, save};
use crate::plot::panel::split_frame;
use crate::plot::style::{
    AXIS_LABEL_SIZE, LINE_WIDTH, TICK_LABEL_SIZE, axis_style, grid_style, line_style, text_style,
};
use crate::plot::sweep::format_power;

/// Colour-blind-safe colours (Okabe–Ito) for up to eight cases, then repeated.
const CASE_COLORS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// Greys of the reference rates d^(−1/2) (dark) and d^(−1) (light).
const REFERENCE_COLORS: [RGBColor; 2] = [RGBColor(90, 90, 90), RGBColor(185, 185, 185)];

/// One case's distances over the sizes.
#[derive(Clone, Debug)]
pub struct ConvergenceSeries {
    /// Legend label of the KS panel, with the fitted KS slope.
    pub label: String,
    /// Legend label of the W1 panel, with the fitted W1 slope.
    pub label_w1: String,
    /// KS distance at each size.
    pub ks: Vec<f64>,
    /// W1 distance at each size.
    pub w1: Vec<f64>,
}

/// Input of [`draw_convergence`].
#[derive(Clone, Debug)]
pub struct ConvergenceFigure<'a> {
    /// Title above both panels.
    pub title: String,
    /// Caption with the parameters, the seed and the version.
    pub caption: String,
    /// Dimensions d, ascending.
    pub sizes: &'a [usize],
    /// One series per case.
    pub series: &'a [ConvergenceSeries],
}

/// Draws the convergence figure at `path` (PNG or SVG by the extension).
///
/// # Errors
/// [`PlotError::Empty`] without a series or with fewer than two sizes, [`PlotError::NonFinite`] for
/// a non-finite distance, and the errors of the image backends.
pub fn draw_convergence(path: &Path, figure: &ConvergenceFigure<'_>) -> Result<(), PlotError> {
    if figure.series.is_empty() || figure.sizes.len() < 2 {
        return Err(PlotError::Empty {
            series: "distances at two sizes or more",
        });
    }
    let values: Vec<f64> = figure
        .series
        .iter()
        .flat_map(|s| s.ks.iter().chain(&s.w1).copied())
        .collect();
    crate::plot::data::check_finite("distances", &values)?;
    save(path, figure)
}

impl Figure for ConvergenceFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (left, right) = split_frame(root, &self.title, &self.caption)?;
        let ks: Vec<Vec<f64>> = self.series.iter().map(|s| s.ks.clone()).collect();
        let labels: Vec<&str> = self.series.iter().map(|s| s.label.as_str()).collect();
        draw_panel(&left, self, &ks, &labels, "Kolmogorov–Smirnov distance")?;
        // W1 relative to its value at the smallest size, so that every case shares one axis.
        let w1: Vec<Vec<f64>> = self
            .series
            .iter()
            .map(|s| {
                let first = s.w1.first().copied().unwrap_or(1.0);
                s.w1.iter().map(|v| v / first).collect()
            })
            .collect();
        let labels: Vec<&str> = self.series.iter().map(|s| s.label_w1.as_str()).collect();
        draw_panel(
            &right,
            self,
            &w1,
            &labels,
            "W1 distance / W1 at the smallest d",
        )
    }
}

/// Margin around each panel and height of its x-label area, in pixels.
const PANEL_MARGIN: u32 = 20;
const X_LABEL_AREA: u32 = 60;

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &ConvergenceFigure<'_>,
    values: &[Vec<f64>],
    labels: &[&str],
    y_label: &str,
) -> Result<(), PlotError> {
    let sizes: Vec<f64> = figure.sizes.iter().map(|&d| d as f64).collect();
    let positive: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| *v > 0.0)
        .collect();
    let data_lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let y_hi = positive.iter().copied().fold(0.0, f64::max) * 3.0;
    // The legend sits in the lower-left corner, below the data: its share of the plot's height,
    // the two reference lines included, is kept free under the lowest point.
    let (_, area_height) = area.dim_in_pixel();
    let plot_height = f64::from(
        area_height
            .saturating_sub(2 * PANEL_MARGIN + X_LABEL_AREA)
            .max(1),
    );
    let legend_share = (f64::from(legend_height(values.len() + 2)) / plot_height).min(0.7);
    let data_decades = (y_hi / data_lo).log10();
    let y_lo = data_lo / 10f64.powf(data_decades * legend_share / (1.0 - legend_share) + 0.1);
    let (x_lo, x_hi) = (sizes[0] / 1.3, sizes[sizes.len() - 1] * 1.3);
    let mut chart = ChartBuilder::on(area)
        .margin(PANEL_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(90)
        .build_cartesian_2d(
            // One tick label at every size run, not only at the decades.
            (x_lo..x_hi).log_scale().with_key_points(sizes.clone()),
            (y_lo..y_hi).log_scale(),
        )
        .map_err(backend_error)?;
    chart
        .configure_mesh()
        .x_desc("dimension d (γ fixed)")
        .y_desc(y_label)
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE))
        .x_labels(sizes.len())
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&|v| format_power(*v))
        .bold_line_style(grid_style())
        .light_line_style(plotters::style::TRANSPARENT)
        .axis_style(axis_style())
        .draw()
        .map_err(backend_error)?;

    // Reference rates through the largest first value, so they sit above the data.
    let anchor = values
        .iter()
        .filter_map(|v| v.first().copied())
        .fold(0.0_f64, f64::max);
    for (rate, label, color) in [
        (
            0.5,
            "d^(−1/2), the slowest rate accepted",
            REFERENCE_COLORS[0],
        ),
        (1.0, "d^(−1)", REFERENCE_COLORS[1]),
    ] {
        let line: Vec<(f64, f64)> = sizes
            .iter()
            .map(|&d| (d, anchor * (d / sizes[0]).powf(-rate)))
            .collect();
        let width = if rate == 0.5 {
            LINE_WIDTH + 1
        } else {
            LINE_WIDTH
        };
        chart
            .draw_series(LineSeries::new(line, line_style(color).stroke_width(width)))
            .map_err(backend_error)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 24, y)],
                    line_style(color).stroke_width(width),
                )
            });
    }
    for (index, (label, points)) in labels.iter().zip(values).enumerate() {
        let color = CASE_COLORS[index % CASE_COLORS.len()];
        let line: Vec<(f64, f64)> = sizes
            .iter()
            .zip(points)
            .filter(|(_, v)| **v > 0.0)
            .map(|(&d, &v)| (d, v))
            .collect();
        chart
            .draw_series(LineSeries::new(
                line.clone(),
                line_style(color).stroke_width(LINE_WIDTH),
            ))
            .map_err(backend_error)?
            .label(*label)
            .legend(move |(x, y)| Circle::new((x + 12, y), 5, color.filled()));
        chart
            .draw_series(line.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(backend_error)?;
    }
    crate::plot::legend::draw_series_legend(&mut chart, SeriesLabelPosition::LowerLeft)
}

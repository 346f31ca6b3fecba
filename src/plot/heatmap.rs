//! Heatmap figure: the absolute Hessian, cell-averaged onto a grid, with the parameter groups
//! marked, and a bar chart of the mean |entry| of each kind of block.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::{
    ChartBuilder, DrawingArea, DrawingBackend, IntoLogRange, IntoSegmentedCoord, PathElement,
    Rectangle, SegmentValue, Text,
};
use plotters::style::Color;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::PlotError;
use crate::plot::output::{Figure, backend_error, image_format, save};
use crate::plot::panel::split_frame;
use crate::plot::style::{
    AXIS_LABEL_SIZE, LAW_COLOR, SAMPLE_COLOR, TICK_LABEL_SIZE, axis_style, grid_style, line_style,
    text_style,
};
use crate::plot::sweep::format_power;

/// Colour scale of a heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ColorScale {
    /// Colour proportional to log10 of the value, over eight decades below the largest.
    Log,
    /// Colour proportional to the value.
    Linear,
}

/// Colour of the bar of the cross blocks, which are neither diagonal nor off-diagonal blocks.
const CROSS_COLOR: plotters::style::RGBColor = plotters::style::RGBColor(120, 120, 120);

/// Decades shown by the log scale below the largest cell.
const LOG_DECADES: f64 = 8.0;

/// Input of [`draw_heatmap`].
#[derive(Clone, Debug)]
pub struct HeatmapFigure<'a> {
    /// Title above both panels.
    pub title: String,
    /// Caption with the parameters, the seed and the version.
    pub caption: String,
    /// Cell values (mean |entry| of each cell), `size` × `size`, row-major.
    pub cells: &'a [f64],
    /// Number of cells per side.
    pub size: usize,
    /// Positions, in cells, where a new parameter group starts (drawn as lines).
    pub boundaries: &'a [f64],
    /// Colour scale.
    pub scale: ColorScale,
    /// Bars of the right panel: (label, value).
    pub bars: &'a [(String, f64)],
    /// Label of the value axis of the bars.
    pub bar_label: String,
}

/// Draws the heatmap figure at `path` (PNG or SVG by the extension). SVG files get at most
/// `svg_cells` cells per side (averaged further), so that they stay a few megabytes.
///
/// # Errors
/// [`PlotError::Empty`] without cells, [`PlotError::NonFinite`] for a non-finite cell, and the
/// errors of the image backends.
pub fn draw_heatmap(
    path: &Path,
    figure: &HeatmapFigure<'_>,
    svg_cells: usize,
) -> Result<(), PlotError> {
    if figure.cells.is_empty() {
        return Err(PlotError::Empty { series: "cells" });
    }
    crate::plot::data::check_finite("cells", figure.cells)?;
    let svg = matches!(image_format(path)?, crate::plot::output::ImageFormat::Svg);
    if svg && figure.size > svg_cells {
        let (cells, size) = coarsen(figure.cells, figure.size, svg_cells);
        let ratio = size as f64 / figure.size as f64;
        let boundaries: Vec<f64> = figure.boundaries.iter().map(|b| b * ratio).collect();
        let coarse = HeatmapFigure {
            cells: &cells,
            size,
            boundaries: &boundaries,
            ..figure.clone()
        };
        return save(path, &coarse);
    }
    save(path, figure)
}

/// Averages a size × size grid onto at most `target` × `target` cells.
fn coarsen(cells: &[f64], size: usize, target: usize) -> (Vec<f64>, usize) {
    let factor = size.div_ceil(target);
    let out_size = size.div_ceil(factor);
    let mut out = vec![0.0; out_size * out_size];
    let mut counts = vec![0usize; out_size * out_size];
    for r in 0..size {
        for c in 0..size {
            let k = (r / factor) * out_size + c / factor;
            out[k] += cells[r * size + c];
            counts[k] += 1;
        }
    }
    for (v, n) in out.iter_mut().zip(counts) {
        *v /= n as f64;
    }
    (out, out_size)
}

impl Figure for HeatmapFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (left, right) = split_frame(root, &self.title, &self.caption)?;
        draw_cells(&left, self)?;
        draw_bars(&right, self)
    }
}

fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &HeatmapFigure<'_>,
) -> Result<(), PlotError> {
    let n = figure.size as f64;
    let max = figure.cells.iter().copied().fold(0.0_f64, f64::max);
    let floor = max * 10f64.powf(-LOG_DECADES);
    let level = |v: f64| -> f64 {
        if max <= 0.0 {
            return 0.0;
        }
        match figure.scale {
            ColorScale::Linear => v / max,
            ColorScale::Log => ((v.max(floor) / floor).log10() / LOG_DECADES).clamp(0.0, 1.0),
        }
    };
    // A square plotting area, because the panel is wider than tall. The colour bar goes beside it.
    let (width, height) = area.dim_in_pixel();
    let side = width.min(height);
    let (square, rest) = area.split_horizontally(side);
    draw_colour_bar(&rest, figure.scale, max, floor)?;
    let mut chart = ChartBuilder::on(&square)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..n, n..0.0)
        .map_err(backend_error)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("parameter (column)")
        .y_desc("parameter (row)")
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE))
        .x_labels(0)
        .y_labels(0)
        .axis_style(axis_style())
        .draw()
        .map_err(backend_error)?;

    let size = figure.size;
    chart
        .draw_series((0..size * size).map(|k| {
            let (r, c) = ((k / size) as f64, (k % size) as f64);
            let color = ViridisRGB::get_color(level(figure.cells[k]));
            Rectangle::new([(c, r), (c + 1.0, r + 1.0)], color.filled())
        }))
        .map_err(backend_error)?;
    for &b in figure.boundaries {
        let style = line_style(plotters::style::WHITE).stroke_width(2);
        chart
            .draw_series([
                PathElement::new(vec![(b, 0.0), (b, n)], style),
                PathElement::new(vec![(0.0, b), (n, b)], style),
            ])
            .map_err(backend_error)?;
    }
    Ok(())
}

/// Draws a vertical colour bar for values up to `max` (from `floor` on a log scale, from 0 on a
/// linear one).
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: ColorScale,
    max: f64,
    floor: f64,
) -> Result<(), PlotError> {
    const STEPS: usize = 64;
    if max <= 0.0 {
        return Ok(());
    }
    let (width, _) = area.dim_in_pixel();
    // A narrow strip next to the square: labels on its right.
    let strip = area.margin(10, 40, 10, width.saturating_sub(150));
    // The bar is drawn in colour level t ∈ [0, 1], and only the labels convert t to a value, so
    // one chart serves both scales.
    let value = |t: f64| match scale {
        ColorScale::Log => floor * 10f64.powf(t * LOG_DECADES),
        ColorScale::Linear => t * max,
    };
    // Ticks at round values: the powers of ten on a log scale, plotters' round steps of [0, max]
    // on a linear one, each placed at its colour level.
    let ticks: Vec<f64> = match scale {
        ColorScale::Log => {
            let low = floor.log10().ceil() as i32;
            let high = (floor.log10() + LOG_DECADES).floor() as i32;
            (low..=high)
                .map(|k| (f64::from(k) - floor.log10()) / LOG_DECADES)
                .collect()
        }
        ColorScale::Linear => RangedCoordf64::from(0.0..max)
            .key_points(6)
            .into_iter()
            .map(|v| v / max)
            .collect(),
    };
    let label = |t: f64| match scale {
        ColorScale::Log => format_power(value(t)),
        ColorScale::Linear => format!("{:.1e}", value(t)),
    };
    // The bar takes the left part of x ∈ [0, 1] and the labels the right part, both inside the
    // chart, so that the ticks can sit at any colour level.
    const BAR_RIGHT: f64 = 0.4;
    const LABEL_LEFT: f64 = 0.5;
    let mut chart = ChartBuilder::on(&strip)
        .margin(10)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(backend_error)?;
    chart
        .draw_series((0..STEPS).map(|i| {
            let (a, b) = (i as f64 / STEPS as f64, (i + 1) as f64 / STEPS as f64);
            Rectangle::new(
                [(0.0, a), (BAR_RIGHT, b)],
                ViridisRGB::get_color((a + b) / 2.0).filled(),
            )
        }))
        .map_err(backend_error)?;
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(0.0, 0.0), (BAR_RIGHT, 1.0)],
            axis_style(),
        )))
        .map_err(backend_error)?;
    let label_style = text_style(TICK_LABEL_SIZE - 3.0).pos(Pos::new(HPos::Left, VPos::Center));
    for &t in &ticks {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(BAR_RIGHT, t), (BAR_RIGHT + 0.06, t)],
                axis_style(),
            )))
            .map_err(backend_error)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label(t),
                (LABEL_LEFT, t),
                label_style.clone(),
            )))
            .map_err(backend_error)?;
    }
    Ok(())
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &HeatmapFigure<'_>,
) -> Result<(), PlotError> {
    let positive: Vec<f64> = figure
        .bars
        .iter()
        .map(|b| b.1)
        .filter(|v| *v > 0.0)
        .collect();
    let hi = positive.iter().copied().fold(f64::MIN_POSITIVE, f64::max) * 3.0;
    let lo = positive.iter().copied().fold(hi, f64::min) / 10.0;
    // A kind of block that is exactly 0 has no bar on a log axis, so its label gets "= 0".
    let labels: Vec<String> = figure
        .bars
        .iter()
        .map(|b| {
            if b.1 == 0.0 {
                format!("{} = 0", b.0)
            } else {
                b.0.clone()
            }
        })
        .collect();
    let count = labels.len();
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(
            (0..count.saturating_sub(1)).into_segmented(),
            (lo..hi).log_scale(),
        )
        .map_err(backend_error)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(grid_style())
        .light_line_style(plotters::style::TRANSPARENT)
        .y_desc(figure.bar_label.as_str())
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE - 3.0))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .axis_style(axis_style())
        .draw()
        .map_err(backend_error)?;
    chart
        .draw_series(
            figure
                .bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.1 > 0.0)
                .map(|(i, b)| {
                    let color = if b.0.contains("cross") {
                        CROSS_COLOR
                    } else if b.0.contains("off") {
                        LAW_COLOR
                    } else {
                        SAMPLE_COLOR
                    };
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(i), lo),
                            (SegmentValue::Exact(i + 1), b.1),
                        ],
                        color.mix(0.8).filled(),
                    )
                }),
        )
        .map_err(backend_error)?;
    Ok(())
}

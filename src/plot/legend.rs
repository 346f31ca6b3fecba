//! Legends: entries registered apart from the data, and placed in the candidate corner of a panel
//! that covers the least ink.
//!
//! Ink is recorded while a panel draws its data, as points in units of the plotting area, so the
//! choice works the same for histograms, curves and text boxes.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::{
    Cartesian2d, ChartContext, DrawingBackend, EmptyElement, PathElement, Rectangle,
    SeriesLabelPosition,
};
use plotters::style::RGBColor;

use crate::plot::PlotError;
use crate::plot::output::backend_error;
use crate::plot::style::{
    LEGEND_SIZE, bar_edge_style, bar_fill_style, legend_background_style, legend_border_style,
    line_style, text_style,
};

/// Chart with linear f64 axes, the only kind the figures use.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Inner padding of the legend box, in pixels.
const PADDING: u32 = 10;
/// Width reserved for the marker in front of each entry, and the width of the marker itself.
const MARKER_AREA: u32 = 36;
const MARKER_WIDTH: i32 = 26;
/// Distance between the legend box and the edge of the plotting area, fixed by plotters 0.3.7.
const EDGE_GAP: u32 = 5;
/// Line height of legend text as a multiple of the font size, as in plotters' `MultiLineText`.
const LINE_HEIGHT: f64 = 1.25;

/// Marker drawn in front of a legend entry.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LegendMarker {
    /// A histogram bar.
    Bar,
    /// A line segment of the given colour and width.
    Line(RGBColor, u32),
    /// No marker, for entries that only carry text.
    Blank,
}

/// Corner of a panel where a legend can go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Corner {
    UpperLeft,
    UpperRight,
    LowerRight,
}

impl Corner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight => SeriesLabelPosition::UpperRight,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }

    /// Box of relative size `width` × `height` in this corner of the unit square, y pointing up.
    fn unit_box(self, width: f64, height: f64) -> ((f64, f64), (f64, f64)) {
        match self {
            Corner::UpperLeft => ((0.0, width), (1.0 - height, 1.0)),
            Corner::UpperRight => ((1.0 - width, 1.0), (1.0 - height, 1.0)),
            Corner::LowerRight => ((1.0 - width, 1.0), (0.0, height)),
        }
    }
}

/// Height in pixels of a legend with `entries` lines, including its gap to the edge of the plot.
pub(crate) fn legend_height(entries: usize) -> u32 {
    (entries as f64 * LEGEND_SIZE * LINE_HEIGHT).ceil() as u32 + 2 * PADDING + EDGE_GAP
}

/// Side of the square cells in which ink is counted, in units of the plotting area: about 2 pixels.
const INK_CELL: f64 = 0.004;

/// Points where a panel has ink, in units of the plotting area: (0, 0) is the lower-left corner and
/// (1, 1) the upper-right one.
pub(crate) struct Ink {
    x_range: (f64, f64),
    y_range: (f64, f64),
    points: Vec<(f64, f64)>,
}

impl Ink {
    /// Empty record for a plot showing `x_range` × `y_range` in data coordinates.
    pub(crate) fn new(x_range: (f64, f64), y_range: (f64, f64)) -> Self {
        Ink {
            x_range,
            y_range,
            points: Vec::new(),
        }
    }

    /// Converts a point in data coordinates to units of the plotting area.
    pub(crate) fn to_unit(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let u = (x - self.x_range.0) / (self.x_range.1 - self.x_range.0);
        let v = (y - self.y_range.0) / (self.y_range.1 - self.y_range.0);
        (u, v)
    }

    /// Adds a polyline in data coordinates, with points between its corners at most
    /// [`INK_CELL`] apart, so that long straight pieces count as much as curved ones.
    pub(crate) fn add_polyline(&mut self, points: &[(f64, f64)]) {
        for pair in points.windows(2) {
            let (a, b) = (self.to_unit(pair[0]), self.to_unit(pair[1]));
            let length = (b.0 - a.0).hypot(b.1 - a.1);
            // Pieces far outside the plot are clipped anyway, so their cost is capped.
            let steps = ((length / INK_CELL).ceil() as usize).clamp(1, 4096);
            for step in 0..steps {
                let t = step as f64 / steps as f64;
                self.points
                    .push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            }
        }
        if let Some(&last) = points.last() {
            let unit = self.to_unit(last);
            self.points.push(unit);
        }
    }

    /// Adds a filled box given in units of the plotting area.
    pub(crate) fn add_unit_box(&mut self, (u0, u1): (f64, f64), (v0, v1): (f64, f64)) {
        const STEPS: usize = 6;
        for i in 0..=STEPS {
            for j in 0..=STEPS {
                let u = u0 + (u1 - u0) * i as f64 / STEPS as f64;
                let v = v0 + (v1 - v0) * j as f64 / STEPS as f64;
                self.points.push((u, v));
            }
        }
    }

    /// Number of inked cells of side [`INK_CELL`] inside a box of relative size `width` × `height`
    /// in `corner`. Cells, not points, so that a curve drawn with many corners weighs as much as a
    /// straight line of the same length.
    fn count_in(&self, corner: Corner, width: f64, height: f64) -> usize {
        let ((u0, u1), (v0, v1)) = corner.unit_box(width, height);
        let cells: std::collections::HashSet<(i64, i64)> = self
            .points
            .iter()
            .filter(|&&(u, v)| (u0..=u1).contains(&u) && (v0..=v1).contains(&v))
            .map(|&(u, v)| ((u / INK_CELL).floor() as i64, (v / INK_CELL).floor() as i64))
            .collect();
        cells.len()
    }

    /// Returns the candidate corner with the fewest ink points in a box of the given relative size.
    /// Ties go to the earlier candidate.
    fn emptiest(&self, candidates: &[Corner], width: f64, height: f64) -> Corner {
        let mut best = candidates[0];
        let mut best_count = usize::MAX;
        for &corner in candidates {
            let count = self.count_in(corner, width, height);
            if count < best_count {
                best = corner;
                best_count = count;
            }
        }
        best
    }
}

/// Draws a legend with `entries` in whichever of `candidates` covers the least ink.
///
/// Does nothing when `entries` is empty. `candidates` must not be empty.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    entries: &[(String, LegendMarker)],
    candidates: &[Corner],
    ink: &Ink,
) -> Result<(), PlotError> {
    if entries.is_empty() {
        return Ok(());
    }
    let corner = pick_corner(chart, entries, candidates, ink)?;
    draw_legend_in(chart, entries, corner)
}

/// Picks the candidate corner where a legend with `entries` covers the least ink (the first one when
/// `entries` is empty). `candidates` must not be empty.
pub(crate) fn pick_corner<'a, DB: DrawingBackend + 'a>(
    chart: &Chart<'a, DB>,
    entries: &[(String, LegendMarker)],
    candidates: &[Corner],
    ink: &Ink,
) -> Result<Corner, PlotError> {
    let style = text_style(LEGEND_SIZE);
    // plotters sizes the legend box from its text, so the same estimate here chooses the corner.
    let area = chart.plotting_area();
    let mut text_width = 0;
    for (label, _) in entries {
        let (width, _) = area
            .estimate_text_size(label, &style)
            .map_err(backend_error)?;
        text_width = text_width.max(width);
    }
    let (pixel_width, pixel_height) = area.dim_in_pixel();
    let box_width = text_width + MARKER_AREA + 2 * PADDING + EDGE_GAP;
    Ok(ink.emptiest(
        candidates,
        f64::from(box_width) / f64::from(pixel_width),
        f64::from(legend_height(entries.len())) / f64::from(pixel_height),
    ))
}

/// Draws a legend with `entries` in `corner`; nothing when `entries` is empty.
pub(crate) fn draw_legend_in<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    entries: &[(String, LegendMarker)],
    corner: Corner,
) -> Result<(), PlotError> {
    if entries.is_empty() {
        return Ok(());
    }
    let style = text_style(LEGEND_SIZE);
    for (label, marker) in entries {
        add_entry(chart, label, *marker)?;
    }
    chart
        .configure_series_labels()
        .position(corner.position())
        .margin(PADDING)
        .legend_area_size(MARKER_AREA)
        .label_font(style)
        .background_style(legend_background_style())
        .border_style(legend_border_style())
        .draw()
        .map_err(backend_error)
}

/// Draws the legend of the series labelled so far in a chart with any axes (the log-log figures):
/// the common box style, at `position`.
pub(crate) fn draw_series_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), PlotError>
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .legend_area_size(30)
        .label_font(text_style(LEGEND_SIZE))
        .background_style(legend_background_style())
        .border_style(legend_border_style())
        .draw()
        .map_err(backend_error)
}

/// Registers a legend entry through an empty series, so that legends do not depend on what was drawn.
fn add_entry<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    label: &str,
    marker: LegendMarker,
) -> Result<(), PlotError> {
    let annotation = chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
        .map_err(backend_error)?;
    annotation.label(label);
    match marker {
        LegendMarker::Bar => {
            annotation.legend(|(x, y)| {
                let corners = [(0, -8), (MARKER_WIDTH, 8)];
                EmptyElement::at((x, y))
                    + Rectangle::new(corners, bar_fill_style())
                    + Rectangle::new(corners, bar_edge_style())
            });
        }
        LegendMarker::Line(color, width) => {
            annotation.legend(move |(x, y)| {
                let style = line_style(color).stroke_width(width);
                PathElement::new(vec![(x, y), (x + MARKER_WIDTH, y)], style)
            });
        }
        LegendMarker::Blank => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_prefers_empty_corner() {
        let mut ink = Ink::new((0.0, 1.0), (0.0, 1.0));
        ink.add_polyline(&[(0.6, 0.9), (1.0, 0.95)]);
        let corner = ink.emptiest(&[Corner::UpperRight, Corner::UpperLeft], 0.3, 0.2);
        assert_eq!(corner, Corner::UpperLeft);
    }

    #[test]
    fn ink_ties_go_to_first_candidate() {
        let ink = Ink::new((0.0, 1.0), (0.0, 1.0));
        let corner = ink.emptiest(&[Corner::LowerRight, Corner::UpperLeft], 0.3, 0.2);
        assert_eq!(corner, Corner::LowerRight);
    }

    #[test]
    fn ink_uses_data_coordinates() {
        let mut ink = Ink::new((10.0, 20.0), (0.0, 4.0));
        ink.add_polyline(&[(20.0, 4.0)]);
        assert_eq!(ink.points, vec![(1.0, 1.0)]);
    }

    #[test]
    fn legend_height_grows_with_entries() {
        assert!(legend_height(3) > legend_height(2));
        assert!(legend_height(1) >= (LEGEND_SIZE as u32) + 2 * PADDING);
    }
}

//! Drawing shared by both figures: the frame (title, two panels, caption), the density panel with its
//! histogram and atom arrows, and the CDF panel.
//!
//! Atoms cannot be drawn on a density scale, so each one is a vertical arrow at its location, the usual
//! picture of a Dirac mass, with its mass written in a box beside the arrowhead. Arrows rise just above
//! the highest bar or curve point, and a band above that is kept free of data for these boxes and for
//! the legend.

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::{
    ChartBuilder, DrawingArea, DrawingBackend, EmptyElement, LineSeries, PathElement, Rectangle,
    Text, TriangleMarker,
};
use plotters::style::{RGBColor, TRANSPARENT, TextStyle};

use crate::plot::PlotError;
use crate::plot::data::{Bar, clip_polyline, display_max, empirical_cdf_steps};
use crate::plot::legend::{
    Chart, Corner, Ink, LegendMarker, draw_legend, draw_legend_in, legend_height, pick_corner,
};
use crate::plot::output::backend_error;
use crate::plot::style::{
    AXIS_LABEL_SIZE, LAW_COLOR, LEGEND_SIZE, LINE_WIDTH, MIN_TITLE_SIZE, SAMPLE_COLOR,
    TICK_LABEL_SIZE, TITLE_SIZE, axis_style, bar_edge_style, bar_fill_style, caption_style,
    format_number, format_tick, grid_style, legend_background_style, legend_border_style,
    line_style, text_style, tick_decimals, title_style,
};

/// Drawing area in pixel coordinates, such as the whole canvas or one panel.
type Area<DB> = DrawingArea<DB, Shift>;

/// Height of the band that contains the title.
const TITLE_BAND: u32 = 56;
/// Height of one caption line, and the padding above and below the caption.
const CAPTION_LINE_HEIGHT: u32 = 26;
const CAPTION_PADDING: u32 = 12;
/// Most caption lines, so that the panels keep about three quarters of the canvas height.
const MAX_CAPTION_LINES: usize = 4;
/// Space kept free at the left and right ends of the title and caption.
const SIDE_MARGIN: u32 = 24;

/// Margins around each chart and the sizes of its tick-label areas, in pixels.
const MARGIN_TOP: u32 = 12;
const MARGIN_BOTTOM: u32 = 6;
const MARGIN_LEFT: u32 = 8;
const MARGIN_RIGHT: u32 = 30;
const X_LABEL_AREA: u32 = 60;
const Y_LABEL_AREA: u32 = 78;
/// Maximum number of tick labels per axis. plotters picks round values up to this count.
const X_TICKS: usize = 8;
const Y_TICKS: usize = 6;

/// Axis descriptions of a panel pair: what x is, and what the CDF panel's y is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AxisText {
    /// Description of the x axis of both panels.
    pub x: &'static str,
    /// Description of the y axis of the density panel.
    pub density: &'static str,
    /// Description of the y axis of the CDF panel.
    pub cdf: &'static str,
}

/// Axes of a panel pair over the eigenvalue itself.
pub(crate) const LINEAR_AXES: AxisText = AxisText {
    x: "eigenvalue λ",
    density: "density",
    cdf: "cumulative distribution F(λ)",
};

/// Axes of a panel pair over log₁₀ |λ|, for eigenvalues of one sign spread over decades.
pub(crate) const LOG_MAGNITUDE_AXES: AxisText = AxisText {
    x: "log₁₀ |λ|",
    density: "density of log₁₀ |λ|",
    cdf: "cumulative distribution of |λ|",
};

/// Space above the highest bar or curve point, as a factor, when nothing needs room above the data.
const HEADROOM_PLAIN: f64 = 1.08;
/// Free pixels between the data and the legend or atom boxes, and above the top box.
const BAND_GAP: u32 = 8;

/// Width of an atom stem, wider than data lines so that it reads as a mark and not as a curve.
const STEM_WIDTH: u32 = 3;
/// Size of the arrowhead on an atom stem: distance from its centre to its tip, in pixels.
const ARROWHEAD_SIZE: i32 = 9;
/// Line spacing, height of one line of text and inner padding of an atom box, and the horizontal gap
/// between stem and box. Text of size `LEGEND_SIZE` spans about `LEGEND_SIZE` pixels from the top of
/// its capitals to the bottom of its descenders, since plotters draws it at 1 / 1.24 of that size in ems.
const NOTE_LINE_HEIGHT: i32 = 22;
const NOTE_TEXT_HEIGHT: i32 = LEGEND_SIZE as i32;
const NOTE_PADDING: i32 = 7;
const NOTE_GAP: i32 = 10;

/// Content of the density panel.
pub(crate) struct DensityPanel<'a> {
    /// Visible x range.
    pub x_range: (f64, f64),
    /// Histogram of the eigenvalues that sit on no atom, empty when the figure has no sample.
    pub bars: &'a [Bar],
    /// Legend label of the histogram, or `None` for no histogram entry in the legend.
    pub sample_label: Option<&'a str>,
    /// Grid of the limit density.
    pub grid: &'a [f64],
    /// Limit density on the grid.
    pub density: &'a [f64],
    /// Legend label of the limit density, or `None` for no density entry in the legend.
    pub law_label: Option<&'a str>,
    /// Atoms of the limit law as (location, mass).
    pub atoms: &'a [(f64, f64)],
    /// Fraction of the eigenvalues on each atom, when the figure has a sample.
    pub atom_fractions: Option<&'a [f64]>,
    /// Axis descriptions.
    pub axes: AxisText,
}

/// Content of the CDF panel.
pub(crate) struct CdfPanel<'a> {
    /// Visible x range.
    pub x_range: (f64, f64),
    /// Sorted eigenvalues and the legend label of their empirical CDF, when the figure has a sample.
    pub sample: Option<(&'a [f64], &'a str)>,
    /// Corner points of the limit CDF over the visible range.
    pub law_points: &'a [(f64, f64)],
    /// Legend label of the limit CDF, or `None` for no entry in the legend.
    pub law_label: Option<&'a str>,
    /// Kolmogorov–Smirnov distance, written in the legend when present.
    pub ks: Option<f64>,
    /// Axis descriptions.
    pub axes: AxisText,
}

/// Draws the title and caption on `root` and returns the left and right panel areas between them.
///
/// A caption too wide for one line is broken after commas.
pub(crate) fn split_frame<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    caption: &str,
) -> Result<(Area<DB>, Area<DB>), PlotError> {
    let (width, height) = root.dim_in_pixel();
    let caption_style = caption_style();
    let lines = wrap_at_commas(root, caption, &caption_style, width - 2 * SIDE_MARGIN)?;
    let caption_band = 2 * CAPTION_PADDING + lines.len() as u32 * CAPTION_LINE_HEIGHT;

    let center = (width / 2) as i32;
    if !title.is_empty() {
        let style = fitted_title_style(root, title, width - 2 * SIDE_MARGIN)?;
        root.draw_text(title, &style, (center, (TITLE_BAND / 2) as i32))
            .map_err(backend_error)?;
    }
    let caption_top = height - caption_band + CAPTION_PADDING;
    for (i, line) in lines.iter().enumerate() {
        let y = caption_top + i as u32 * CAPTION_LINE_HEIGHT + CAPTION_LINE_HEIGHT / 2;
        root.draw_text(line, &caption_style, (center, y as i32))
            .map_err(backend_error)?;
    }

    let body_height = height - TITLE_BAND - caption_band;
    let body = root.clone().shrink((0, TITLE_BAND), (width, body_height));
    Ok(body.split_horizontally(width / 2))
}

/// Title style at [`TITLE_SIZE`], or smaller (down to [`MIN_TITLE_SIZE`]) so that `title` fits in
/// `max_width` pixels.
fn fitted_title_style<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    max_width: u32,
) -> Result<TextStyle<'static>, PlotError> {
    let style = title_style(TITLE_SIZE);
    let (width, _) = root
        .estimate_text_size(title, &style)
        .map_err(backend_error)?;
    if width <= max_width {
        return Ok(style);
    }
    let size = (TITLE_SIZE * f64::from(max_width) / f64::from(width)).max(MIN_TITLE_SIZE);
    Ok(title_style(size))
}

/// Breaks `text` after commas into lines no wider than `max_width` pixels where possible, and into at
/// most [`MAX_CAPTION_LINES`] lines.
fn wrap_at_commas<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: u32,
) -> Result<Vec<String>, PlotError> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in text.split_inclusive(", ") {
        let candidate = format!("{current}{piece}");
        let (candidate_width, _) = area
            .estimate_text_size(candidate.trim_end(), style)
            .map_err(backend_error)?;
        if candidate_width > max_width && !current.is_empty() {
            lines.push(current.trim_end().to_string());
            current = piece.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.trim().is_empty() {
        lines.push(current.trim_end().to_string());
    }

    // NOTE: text past MAX_CAPTION_LINES lines goes on the last line, which the canvas edge then cuts.
    if lines.len() > MAX_CAPTION_LINES {
        let rest = lines.split_off(MAX_CAPTION_LINES);
        let last = &mut lines[MAX_CAPTION_LINES - 1];
        last.push(' ');
        last.push_str(&rest.join(" "));
    }
    Ok(lines)
}

/// Height in pixels of the plotting area that [`build_chart`] makes on `area`.
fn plot_height<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> f64 {
    let (_, height) = area.dim_in_pixel();
    f64::from(
        height
            .saturating_sub(MARGIN_TOP + MARGIN_BOTTOM + X_LABEL_AREA)
            .max(1),
    )
}

/// Builds a chart with the shared margins, axes, grid and tick labels on `area`.
fn build_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x_range: (f64, f64),
    y_range: (f64, f64),
    x_description: &str,
    y_description: &str,
) -> Result<Chart<'a, DB>, PlotError> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(MARGIN_TOP)
        .margin_bottom(MARGIN_BOTTOM)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA);
    let mut chart = builder
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(backend_error)?;

    // Every label of an axis gets the same number of decimals, which plotters' default does not do.
    let x_ticks = RangedCoordf64::from(x_range.0..x_range.1).key_points(X_TICKS);
    let y_ticks = RangedCoordf64::from(y_range.0..y_range.1).key_points(Y_TICKS);
    let x_decimals = tick_decimals(&x_ticks);
    let y_decimals = tick_decimals(&y_ticks);
    let format_x = move |value: &f64| format_tick(*value, x_decimals);
    let format_y = move |value: &f64| format_tick(*value, y_decimals);

    chart
        .configure_mesh()
        .x_desc(x_description)
        .y_desc(y_description)
        .axis_desc_style(text_style(AXIS_LABEL_SIZE))
        .label_style(text_style(TICK_LABEL_SIZE))
        .x_label_formatter(&format_x)
        .y_label_formatter(&format_y)
        .bold_line_style(grid_style())
        .light_line_style(TRANSPARENT)
        .axis_style(axis_style())
        .x_labels(X_TICKS)
        .y_labels(Y_TICKS)
        .draw()
        .map_err(backend_error)?;
    Ok(chart)
}

/// Draws the histogram if any, the limit density, the atom arrows and the legend on `area`.
pub(crate) fn draw_density_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &DensityPanel<'_>,
) -> Result<(), PlotError> {
    let mut entries = Vec::new();
    if let Some(label) = panel.sample_label {
        entries.push((label.to_string(), LegendMarker::Bar));
    }
    if let Some(label) = panel.law_label {
        entries.push((label.to_string(), LegendMarker::Line(LAW_COLOR, LINE_WIDTH)));
    }

    // Layout: the data fill the lower part of the plot, the band above contains the legend and atom boxes.
    // A law made of atoms alone has no data height, so its arrows rise to 1 on the density axis.
    let data_max = match density_data_max(panel) {
        max if max > 0.0 => max,
        _ => 1.0,
    };
    let note_height = note_height(panel.atom_fractions.is_some());
    let band = reserved_band(entries.len(), panel.atoms.len(), note_height);
    let plot_height = plot_height(area);
    let y_top = density_axis_top(data_max, band, plot_height);
    let y_range = (0.0, y_top);
    let data_per_pixel = y_top / plot_height;

    let mut chart = build_chart(
        area,
        panel.x_range,
        y_range,
        panel.axes.x,
        panel.axes.density,
    )?;
    let mut ink = Ink::new(panel.x_range, y_range);
    draw_bars(&mut chart, panel.bars, &mut ink)?;
    let curve: Vec<(f64, f64)> = panel
        .grid
        .iter()
        .copied()
        .zip(panel.density.iter().copied())
        .collect();
    draw_clipped(
        &mut chart,
        &curve,
        (panel.x_range, y_range),
        (LAW_COLOR, LINE_WIDTH),
        &mut ink,
    )?;

    // Boxes of several atoms are stacked so that they do not overlap.
    let arrowheads: Vec<(f64, f64)> = panel
        .atoms
        .iter()
        .enumerate()
        .map(|(i, &(location, _))| {
            let lift =
                BAND_GAP as i32 + ARROWHEAD_SIZE / 2 + i as i32 * (note_height + BAND_GAP as i32);
            (location, data_max + f64::from(lift) * data_per_pixel)
        })
        .collect();
    // The legend goes where the data and the arrows leave room. The atom boxes share the band
    // above the data with it, so they go on the side of their arrow away from it.
    for &arrowhead in &arrowheads {
        ink.add_polyline(&[(arrowhead.0, 0.0), arrowhead]);
    }
    let corner = pick_corner(
        &chart,
        &entries,
        &[Corner::UpperRight, Corner::UpperLeft],
        &ink,
    )?;
    let note_side = match corner {
        Corner::UpperLeft => NoteSide::Right,
        _ => NoteSide::Left,
    };
    for (i, (&arrowhead, &(_, mass))) in arrowheads.iter().zip(panel.atoms).enumerate() {
        let fraction = panel.atom_fractions.map(|fractions| fractions[i]);
        draw_atom(&mut chart, arrowhead, mass, fraction, note_side, &mut ink)?;
    }
    draw_legend_in(&mut chart, &entries, corner)
}

/// The side of its arrow on which an atom box is preferred.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NoteSide {
    Left,
    Right,
}

/// Highest bar or displayed curve point in the visible range, or 0 if there is none.
///
/// With a histogram, the curve counts up to three times the highest bar, so that a density that
/// diverges at an edge does not flatten the histogram.
fn density_data_max(panel: &DensityPanel<'_>) -> f64 {
    let visible: Vec<f64> = panel
        .grid
        .iter()
        .zip(panel.density)
        .filter(|&(&x, _)| x >= panel.x_range.0 && x <= panel.x_range.1)
        .map(|(_, &d)| d)
        .collect();
    let curve_max = display_max(&visible);
    let bar_max = panel
        .bars
        .iter()
        .fold(0.0_f64, |max, bar| max.max(bar.height));
    if bar_max > 0.0 {
        bar_max.max(curve_max.min(3.0 * bar_max))
    } else {
        curve_max
    }
}

/// Height in pixels of one atom box.
fn note_height(with_fraction: bool) -> i32 {
    let lines = if with_fraction { 2 } else { 1 };
    note_height_for(lines)
}

/// Height in pixels of an atom box with `lines` lines of text.
fn note_height_for(lines: i32) -> i32 {
    (lines - 1) * NOTE_LINE_HEIGHT + NOTE_TEXT_HEIGHT + 2 * NOTE_PADDING
}

/// Height in pixels of the band above the data that contains the stacked atom boxes and, above them,
/// the legend, or 0 when there is neither.
fn reserved_band(legend_entries: usize, atoms: usize, note_height: i32) -> u32 {
    let legend = if legend_entries > 0 {
        legend_height(legend_entries)
    } else {
        0
    };
    // The atom boxes sit just above the data and the legend at the top; stacking them keeps them
    // apart wherever the atoms are.
    let notes = atoms as u32 * (note_height as u32 + BAND_GAP);
    let band = legend + notes;
    if band == 0 { 0 } else { band + 3 * BAND_GAP }
}

/// Top of the density axis, chosen so that a band of `band` pixels above `data_max` stays free.
///
/// The band takes at most half the plot height. Without a band a small headroom stays.
fn density_axis_top(data_max: f64, band: u32, plot_height: f64) -> f64 {
    if band == 0 {
        return data_max * HEADROOM_PLAIN;
    }
    let band = f64::from(band).min(0.5 * plot_height);
    data_max * plot_height / (plot_height - band)
}

/// Draws the histogram bars, filled and outlined.
fn draw_bars<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    bars: &[Bar],
    ink: &mut Ink,
) -> Result<(), PlotError> {
    let rectangle =
        |bar: &Bar, style| Rectangle::new([(bar.left, 0.0), (bar.right, bar.height)], style);
    chart
        .draw_series(bars.iter().map(|bar| rectangle(bar, bar_fill_style())))
        .map_err(backend_error)?;
    chart
        .draw_series(bars.iter().map(|bar| rectangle(bar, bar_edge_style())))
        .map_err(backend_error)?;

    for bar in bars {
        let center = 0.5 * (bar.left + bar.right);
        ink.add_polyline(&[(center, 0.0), (center, bar.height)]);
        ink.add_polyline(&[(bar.left, bar.height), (bar.right, bar.height)]);
    }
    Ok(())
}

/// Draws the part of a polyline inside the visible box `(x_range, y_range)`, with the given colour
/// and width.
fn draw_clipped<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    points: &[(f64, f64)],
    (x_range, y_range): ((f64, f64), (f64, f64)),
    (color, width): (RGBColor, u32),
    ink: &mut Ink,
) -> Result<(), PlotError> {
    for run in clip_polyline(points, x_range, y_range) {
        ink.add_polyline(&run);
        chart
            .draw_series(LineSeries::new(run, line_style(color).stroke_width(width)))
            .map_err(backend_error)?;
    }
    Ok(())
}

/// Draws one atom as an arrow from the x axis to `arrowhead` (the centre of the arrowhead), with its
/// mass and, when given, the fraction of eigenvalues on it in a box beside the arrowhead.
fn draw_atom<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    arrowhead: (f64, f64),
    mass: f64,
    fraction: Option<f64>,
    side: NoteSide,
    ink: &mut Ink,
) -> Result<(), PlotError> {
    let location = arrowhead.0;
    let stem_style = line_style(LAW_COLOR).stroke_width(STEM_WIDTH);
    let stem = PathElement::new(vec![(location, 0.0), arrowhead], stem_style);
    chart
        .draw_series(std::iter::once(stem))
        .map_err(backend_error)?;
    let head = TriangleMarker::new(arrowhead, ARROWHEAD_SIZE, stem_style.filled());
    chart
        .draw_series(std::iter::once(head))
        .map_err(backend_error)?;
    ink.add_polyline(&[(location, 0.0), arrowhead]);

    let mut lines = vec![format!(
        "atom at λ = {}: mass {mass:.3}",
        format_number(location)
    )];
    if let Some(fraction) = fraction {
        lines.push(format!("fraction of eigenvalues {fraction:.3}"));
    }
    draw_note(chart, arrowhead, &lines, side, ink)
}

/// Draws lines of text in a white box whose lower edge is level with the base of the arrowhead at
/// `anchor`: on the preferred `side` of it when the box fits inside the panel there, on the other
/// side otherwise.
fn draw_note<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    anchor: (f64, f64),
    lines: &[String],
    side: NoteSide,
    ink: &mut Ink,
) -> Result<(), PlotError> {
    let style = text_style(LEGEND_SIZE);
    let area = chart.plotting_area();
    let mut text_width = 0;
    for line in lines {
        let (width, _) = area
            .estimate_text_size(line, &style)
            .map_err(backend_error)?;
        text_width = text_width.max(width as i32);
    }

    // Corners in pixels relative to the anchor, y pointing down.
    let box_width = text_width + 2 * NOTE_PADDING;
    let box_height = note_height_for(lines.len() as i32);
    let (pixel_width, pixel_height) = area.dim_in_pixel();
    let anchor_pixel = ink.to_unit(anchor).0 * f64::from(pixel_width);
    let needed = f64::from(NOTE_GAP + box_width);
    let fits_right = anchor_pixel + needed <= f64::from(pixel_width);
    let fits_left = anchor_pixel - needed >= 0.0;
    let on_right = match side {
        NoteSide::Right => fits_right || !fits_left,
        NoteSide::Left => !fits_left && fits_right,
    };
    let left = if on_right {
        NOTE_GAP
    } else {
        -NOTE_GAP - box_width
    };
    let bottom = ARROWHEAD_SIZE / 2;
    let upper_left = (left, bottom - box_height);
    let lower_right = (left + box_width, bottom);

    let frame = EmptyElement::at(anchor)
        + Rectangle::new([upper_left, lower_right], legend_background_style())
        + Rectangle::new([upper_left, lower_right], legend_border_style());
    area.draw(&frame).map_err(backend_error)?;
    for (i, line) in lines.iter().enumerate() {
        let position = (
            left + NOTE_PADDING,
            upper_left.1 + NOTE_PADDING + i as i32 * NOTE_LINE_HEIGHT,
        );
        let text = EmptyElement::at(anchor) + Text::new(line.clone(), position, style.clone());
        area.draw(&text).map_err(backend_error)?;
    }

    let (u, v) = ink.to_unit(anchor);
    let to_u = |dx: i32| u + f64::from(dx) / f64::from(pixel_width);
    let to_v = |dy: i32| v - f64::from(dy) / f64::from(pixel_height);
    ink.add_unit_box(
        (to_u(upper_left.0), to_u(lower_right.0)),
        (to_v(lower_right.1), to_v(upper_left.1)),
    );
    Ok(())
}

/// Draws the empirical CDF if any, the limit CDF and the legend on `area`.
pub(crate) fn draw_cdf_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &CdfPanel<'_>,
) -> Result<(), PlotError> {
    // The margins keep the flat parts at 0 and 1 off the frame.
    let y_range = (-0.02, 1.04);
    let visible = (panel.x_range, y_range);
    let mut chart = build_chart(area, panel.x_range, y_range, panel.axes.x, panel.axes.cdf)?;
    let mut ink = Ink::new(panel.x_range, y_range);

    let mut entries = Vec::new();
    if let Some((sorted, label)) = panel.sample {
        // Buckets of a quarter pixel, since the plot is less than 800 pixels wide.
        let bucket_width = (panel.x_range.1 - panel.x_range.0) / 3200.0;
        let steps = empirical_cdf_steps(sorted, panel.x_range, bucket_width);
        // The sample line is wider than the law line drawn over it, so it shows where both agree.
        let sample_line = (SAMPLE_COLOR, LINE_WIDTH + 2);
        draw_clipped(&mut chart, &steps, visible, sample_line, &mut ink)?;
        entries.push((
            label.to_string(),
            LegendMarker::Line(sample_line.0, sample_line.1),
        ));
    }
    draw_clipped(
        &mut chart,
        panel.law_points,
        visible,
        (LAW_COLOR, LINE_WIDTH),
        &mut ink,
    )?;
    if let Some(label) = panel.law_label {
        entries.push((label.to_string(), LegendMarker::Line(LAW_COLOR, LINE_WIDTH)));
    }
    if let Some(ks) = panel.ks {
        entries.push((
            format!("Kolmogorov–Smirnov distance {ks:.4}"),
            LegendMarker::Blank,
        ));
    }

    draw_legend(
        &mut chart,
        &entries,
        &[Corner::LowerRight, Corner::UpperLeft],
        &ink,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use plotters::prelude::{IntoDrawingArea, SVGBackend};

    use crate::plot::style::{CANVAS, register_embedded_font};

    #[test]
    fn caption_wraps_after_commas() {
        register_embedded_font().unwrap();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, CANVAS).into_drawing_area();
        let style = caption_style();
        let caption = ["parameter = 12345"; 9].join(", ");

        let lines = wrap_at_commas(&root, &caption, &style, 600).unwrap();

        assert!(lines.len() > 1, "lines {lines:?}");
        assert!(lines.len() < MAX_CAPTION_LINES, "lines {lines:?}");
        assert_eq!(lines.join(" "), caption);
        for line in &lines {
            let (width, _) = root.estimate_text_size(line, &style).unwrap();
            assert!(width <= 600, "line {line:?} is {width} pixels wide");
        }
    }

    #[test]
    fn caption_keeps_overflow_on_last_line() {
        register_embedded_font().unwrap();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, CANVAS).into_drawing_area();
        let caption = ["parameter = 12345"; 40].join(", ");

        let lines = wrap_at_commas(&root, &caption, &caption_style(), 600).unwrap();

        assert_eq!(lines.len(), MAX_CAPTION_LINES);
        assert_eq!(lines.join(" "), caption);
    }

    #[test]
    fn long_title_shrinks() {
        register_embedded_font().unwrap();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, CANVAS).into_drawing_area();
        let title = "a title that is much too long ".repeat(6);

        let style = fitted_title_style(&root, &title, 1000).unwrap();

        let (width, _) = root.estimate_text_size(&title, &style).unwrap();
        assert!(style.font.get_size() < TITLE_SIZE);
        assert!(
            width <= 1000 || style.font.get_size() == MIN_TITLE_SIZE,
            "width {width}"
        );
    }

    #[test]
    fn axis_top_keeps_band_free() {
        let top = density_axis_top(2.0, 100, 500.0);
        // The data end 100 of 500 pixels below the top, at 4/5 of the axis.
        assert!((top - 2.5).abs() < 1e-12, "top {top}");
    }

    #[test]
    fn axis_top_limits_band_to_half() {
        let top = density_axis_top(1.0, 400, 500.0);
        assert!((top - 2.0).abs() < 1e-12, "top {top}");
    }

    #[test]
    fn axis_top_without_band() {
        assert_eq!(density_axis_top(2.0, 0, 500.0), 2.0 * HEADROOM_PLAIN);
    }

    #[test]
    fn reserved_band_fits_legend_and_notes() {
        assert_eq!(reserved_band(0, 0, 40), 0);
        assert!(reserved_band(2, 0, 40) >= legend_height(2));
        assert!(reserved_band(0, 3, 40) >= 3 * 40);
    }
}

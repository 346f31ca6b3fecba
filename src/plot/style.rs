//! Look shared by every figure: embedded font, canvas size, colours, text sizes and line styles.
//!
//! Colours come from the Okabe–Ito palette, which was designed to stay distinguishable under the common
//! forms of colour blindness. Sizes are in pixels of the [`CANVAS`]-sized image, and SVG figures use the
//! same logical size.

use std::sync::OnceLock;

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    FontDesc, FontFamily, FontStyle, RGBAColor, RGBColor, ShapeStyle, TextStyle, register_font,
};

use crate::plot::PlotError;

/// DejaVu Sans 2.37, embedded so that no system font or fontconfig is needed. Its licence is
/// assets/fonts/LICENSE-DejaVu.txt.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Font family under which DejaVu Sans is registered with plotters. plotters' own default text style
/// uses this family too.
pub(crate) const FONT_FAMILY: &str = "sans-serif";

/// Width and height of every figure in pixels.
pub(crate) const CANVAS: (u32, u32) = (1600, 700);

/// Font size of the figure title.
pub(crate) const TITLE_SIZE: f64 = 28.0;
/// Smallest font size a title is shrunk to when it is too wide for the canvas.
pub(crate) const MIN_TITLE_SIZE: f64 = 16.0;
/// Font size of the axis descriptions.
pub(crate) const AXIS_LABEL_SIZE: f64 = 22.0;
/// Font size of the tick labels.
pub(crate) const TICK_LABEL_SIZE: f64 = 18.0;
/// Font size of the caption along the bottom.
pub(crate) const CAPTION_SIZE: f64 = 18.0;
/// Font size of legend entries and annotations inside a panel.
pub(crate) const LEGEND_SIZE: f64 = 18.0;

/// Stroke width of every data line.
pub(crate) const LINE_WIDTH: u32 = 2;

/// Okabe–Ito blue, used for the sample: histogram bars and the empirical CDF.
pub(crate) const SAMPLE_COLOR: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion, used for the limit law: density, CDF and atoms.
pub(crate) const LAW_COLOR: RGBColor = RGBColor(213, 94, 0);
/// Near-black used for text and axes, softer than pure black on screen.
pub(crate) const TEXT_COLOR: RGBColor = RGBColor(34, 34, 34);
/// Colour of the grid lines.
const GRID_COLOR: RGBColor = RGBColor(225, 225, 225);
/// Colour of the legend frame.
const LEGEND_BORDER_COLOR: RGBColor = RGBColor(190, 190, 190);

/// Registers the embedded DejaVu Sans under [`FONT_FAMILY`], once per process.
///
/// This replaces any font that other code registered with plotters under the same name.
///
/// NOTE: plotters 0.3.7 draws ab_glyph text without each glyph's left side bearing, so PNG text has
/// slightly uneven letter spacing around narrow letters such as "l" and "i". SVG text is unaffected
/// because the viewer lays it out.
pub(crate) fn register_embedded_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *REGISTERED
        .get_or_init(|| register_font(FONT_FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if registered {
        Ok(())
    } else {
        Err(PlotError::Backend(
            "the embedded font DejaVuSans.ttf could not be parsed".to_string(),
        ))
    }
}

/// Mixes `color` with white. A `strength` of 1 keeps the colour and 0 gives white.
pub(crate) fn tint(color: RGBColor, strength: f64) -> RGBColor {
    let mix = |channel: u8| (255.0 - strength * (255.0 - f64::from(channel))).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// Text style in the embedded font at `size` pixels, anchored at its top-left corner.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    TextStyle::from(FontDesc::new(
        FontFamily::Name(FONT_FAMILY),
        size,
        FontStyle::Normal,
    ))
    .color(&TEXT_COLOR)
}

/// Text style of the figure title at `size` pixels, normally [`TITLE_SIZE`], centred on its anchor point.
pub(crate) fn title_style(size: f64) -> TextStyle<'static> {
    text_style(size).pos(Pos::new(HPos::Center, VPos::Center))
}

/// Text style of the caption, centred on its anchor point.
pub(crate) fn caption_style() -> TextStyle<'static> {
    text_style(CAPTION_SIZE).pos(Pos::new(HPos::Center, VPos::Center))
}

/// Solid line in `color` at the shared data line width.
pub(crate) fn line_style(color: RGBColor) -> ShapeStyle {
    ShapeStyle {
        color: color.into(),
        filled: false,
        stroke_width: LINE_WIDTH,
    }
}

/// Fill of the histogram bars: a light tint of [`SAMPLE_COLOR`].
pub(crate) fn bar_fill_style() -> ShapeStyle {
    ShapeStyle {
        color: tint(SAMPLE_COLOR, 0.35).into(),
        filled: true,
        stroke_width: 0,
    }
}

/// Outline of the histogram bars, a darker tint so that neighbouring bars stay apart.
pub(crate) fn bar_edge_style() -> ShapeStyle {
    ShapeStyle {
        color: tint(SAMPLE_COLOR, 0.6).into(),
        filled: false,
        stroke_width: 1,
    }
}

/// Grid lines at the major ticks.
pub(crate) fn grid_style() -> ShapeStyle {
    ShapeStyle {
        color: GRID_COLOR.into(),
        filled: false,
        stroke_width: 1,
    }
}

/// Axis lines and tick marks.
pub(crate) fn axis_style() -> ShapeStyle {
    ShapeStyle {
        color: TEXT_COLOR.into(),
        filled: false,
        stroke_width: 1,
    }
}

/// Background of legends and annotation boxes: white at 85 % opacity, so data behind stays faintly visible.
pub(crate) fn legend_background_style() -> ShapeStyle {
    ShapeStyle {
        color: RGBAColor(255, 255, 255, 0.85),
        filled: true,
        stroke_width: 0,
    }
}

/// Frame of legends and annotation boxes.
pub(crate) fn legend_border_style() -> ShapeStyle {
    ShapeStyle {
        color: LEGEND_BORDER_COLOR.into(),
        filled: false,
        stroke_width: 1,
    }
}

/// Minimum number of decimals (at most 6) that write every tick value exactly, so that all labels of an axis have
/// the same number of decimals.
pub(crate) fn tick_decimals(ticks: &[f64]) -> usize {
    let scale = ticks
        .iter()
        .fold(0.0_f64, |max, t| max.max(t.abs()))
        .max(f64::MIN_POSITIVE);
    (0..6)
        .find(|&decimals| {
            let factor = 10_f64.powi(decimals as i32);
            ticks
                .iter()
                .all(|&t| ((t * factor).round() / factor - t).abs() <= 1e-9 * scale)
        })
        .unwrap_or(6)
}

/// Formats a tick value with `decimals` digits after the point, writing zero without a minus sign.
pub(crate) fn format_tick(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let is_zero = text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    if is_zero {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// Formats a number for a label: up to four significant digits without trailing zeros, or scientific
/// notation for very small or large magnitudes.
pub(crate) fn format_number(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 {
        return "0".to_string();
    }
    if !(1e-3..1e5).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_registers_twice() {
        assert!(register_embedded_font().is_ok());
        assert!(register_embedded_font().is_ok());
    }

    #[test]
    fn tint_ends_at_white_and_color() {
        assert_eq!(tint(LAW_COLOR, 0.0), RGBColor(255, 255, 255));
        assert_eq!(tint(LAW_COLOR, 1.0), LAW_COLOR);
    }

    #[test]
    fn tick_decimals_fit_every_tick() {
        assert_eq!(tick_decimals(&[0.0, 1.0, 2.0]), 0);
        assert_eq!(tick_decimals(&[0.0, 0.5, 1.0]), 1);
        assert_eq!(tick_decimals(&[0.05, 0.1, 0.15]), 2);
        assert_eq!(tick_decimals(&[]), 0);
    }

    #[test]
    fn format_tick_drops_negative_zero() {
        assert_eq!(format_tick(-0.0001, 2), "0.00");
        assert_eq!(format_tick(-0.5, 1), "-0.5");
        assert_eq!(format_tick(2.0, 0), "2");
    }

    #[test]
    fn format_number_trims_zeros() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1234.5678), "1235");
        assert_eq!(format_number(2.5e-7), "2.500e-7");
    }
}

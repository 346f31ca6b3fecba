//! Figures of limit laws and of Monte Carlo eigenvalues, drawn with plotters.
//!
//! This module owns every image the crate writes. It receives numbers that other modules computed (a grid
//! with the limit density and CDF, the atoms of the law, pooled eigenvalues) and never computes a law
//! itself. Each figure is one PNG or SVG image with two panels side by side: density on the left,
//! cumulative distribution function (CDF) on the right, the title above and a caption below.
//!
//! - [`draw_overlay`] draws a histogram and the empirical CDF of sampled eigenvalues over the limit law.
//! - [`draw_law`] draws the limit law alone.
//! - [`draw_heatmap`] draws the absolute Hessian as a heatmap, with the mean |entry| per kind of block.
//! - [`draw_sweep`] draws the block ratio against the number of classes, with its residuals.
//! - [`draw_convergence`] draws the distances to the laws against the dimension d.
//!
//! Both functions pick the format from the file extension (`.png` or `.svg`, in any case) and validate
//! the input before drawing. They write to a temporary file in the target folder and then rename it, so
//! the target path ends up with either the complete new figure or its previous content.
//!
//! PNG text uses DejaVu Sans, which is embedded in the binary and registered with plotters under the
//! family name `"sans-serif"`, so no system font is needed and Greek letters such as γ and λ render.
//! SVG files keep text as text in the family `"sans-serif"`, and the viewer chooses the font.

mod convergence;
mod data;
mod heatmap;
mod law;
mod legend;
mod output;
mod overlay;
mod panel;
mod style;
mod sweep;

use std::path::PathBuf;

pub use convergence::{ConvergenceFigure, ConvergenceSeries, draw_convergence};
pub use heatmap::{ColorScale, HeatmapFigure, draw_heatmap};
pub use law::{LawFigure, draw_law};
pub use overlay::{LOG_AXIS_SPREAD, OverlayFigure, XAxis, draw_overlay};
pub use sweep::{SweepFigure, SweepFigurePoint, draw_sweep};

/// Errors of the plotting module.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file name ends in an extension other than `.png` or `.svg`.
    #[error("unsupported image extension \"{extension}\" in {path}: use .png or .svg")]
    UnsupportedExtension {
        /// Extension as written in the file name, without the dot.
        extension: String,
        /// Requested output path.
        path: PathBuf,
    },

    /// The file name has no extension, so the image format is unknown.
    #[error("missing image extension in {path}: use .png or .svg")]
    MissingExtension {
        /// Requested output path.
        path: PathBuf,
    },

    /// An input series has no values.
    #[error("{series} is empty, so there is nothing to plot")]
    Empty {
        /// Name of the empty series, such as `"grid"` or `"eigenvalues"`.
        series: &'static str,
    },

    /// The grid, density and CDF series differ in length.
    #[error("grid, density and cdf must have equal lengths, got {grid}, {density} and {cdf}")]
    LengthMismatch {
        /// Length of the grid.
        grid: usize,
        /// Length of the density series.
        density: usize,
        /// Length of the CDF series.
        cdf: usize,
    },

    /// An input value is NaN or infinite.
    #[error("{series}[{index}] must be finite, got {value}")]
    NonFinite {
        /// Name of the series that contains the value.
        series: &'static str,
        /// Position of the first non-finite value in that series.
        index: usize,
        /// The offending value.
        value: f64,
    },

    /// The grid is not in ascending order.
    #[error("grid must be ascending, but grid[{index}] = {value} follows {previous}")]
    GridNotAscending {
        /// Position of the first value that is smaller than its predecessor.
        index: usize,
        /// Value at `index - 1`.
        previous: f64,
        /// Value at `index`.
        value: f64,
    },

    /// An atom has a mass outside [0, 1].
    #[error("atom mass must lie in [0, 1], got {mass} for the atom at {location}")]
    AtomMass {
        /// Location of the atom.
        location: f64,
        /// The offending mass.
        mass: f64,
    },

    /// plotters failed while drawing or encoding the image.
    #[error("drawing the figure failed: {0}")]
    Backend(String),

    /// Creating, writing or renaming a file failed.
    #[error("failed to write figure {path}")]
    Io {
        /// Requested output path.
        path: PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

//! Law figure: a limit law alone, its density with atom arrows on the left and its CDF on the right.
//!
//! It uses the same frame, axes and colours as the overlay figure, so the two can sit side by side.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::plot::PlotError;
use crate::plot::data::{check_law, law_cdf_points, x_range};
use crate::plot::output::{Figure, save};
use crate::plot::panel::{
    CdfPanel, DensityPanel, LINEAR_AXES, draw_cdf_panel, draw_density_panel, split_frame,
};

/// Input of [`draw_law`]: a limit law tabulated on a grid, with its atoms.
#[derive(Clone, Debug)]
pub struct LawFigure<'a> {
    /// Title above both panels.
    pub title: String,
    /// Caption along the bottom, carrying the parameters and the crate version. It is broken after
    /// commas when it does not fit on one line.
    pub caption: String,
    /// Ascending x grid on which the law is tabulated.
    pub grid: &'a [f64],
    /// Density of the continuous part of the law on the grid, 0 outside its support.
    pub density: &'a [f64],
    /// CDF of the law on the grid, atoms included.
    pub cdf: &'a [f64],
    /// Atoms of the law as (location, mass), masses in [0, 1].
    pub atoms: &'a [(f64, f64)],
}

/// Draws `fig` into one two-panel image at `path`, 1600 × 700 pixels, as PNG or SVG by the extension.
///
/// The x range covers the support of the density (where it is positive) and the atoms. When the density
/// is zero everywhere and there are no atoms, it covers the grid.
///
/// # Errors
///
/// - [`PlotError::UnsupportedExtension`] or [`PlotError::MissingExtension`] unless the extension is
///   `.png` or `.svg` in any case.
/// - [`PlotError::Empty`], [`PlotError::LengthMismatch`], [`PlotError::NonFinite`],
///   [`PlotError::GridNotAscending`] or [`PlotError::AtomMass`] for invalid input, checked before
///   anything is drawn.
/// - [`PlotError::Backend`] or [`PlotError::Io`] when drawing or writing fails.
///
/// On every error `path` is left as it was and no temporary file remains.
pub fn draw_law(path: &Path, fig: &LawFigure<'_>) -> Result<(), PlotError> {
    check_law(fig.grid, fig.density, fig.cdf, fig.atoms)?;
    save(path, fig)
}

impl Figure for LawFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let x_range = x_range(&[], self.grid, self.density, self.atoms);
        let (left, right) = split_frame(root, &self.title, &self.caption)?;

        let density_panel = DensityPanel {
            x_range,
            bars: &[],
            sample_label: None,
            grid: self.grid,
            density: self.density,
            law_label: None,
            atoms: self.atoms,
            atom_fractions: None,
            axes: LINEAR_AXES,
        };
        draw_density_panel(&left, &density_panel)?;

        let law_points = law_cdf_points(self.grid, self.cdf, self.atoms, x_range.0, x_range.1);
        let cdf_panel = CdfPanel {
            x_range,
            sample: None,
            law_points: &law_points,
            law_label: None,
            ks: None,
            axes: LINEAR_AXES,
        };
        draw_cdf_panel(&right, &cdf_panel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs;

    use crate::plot::overlay::tests::{file_names, marchenko_pastur, png_size};

    #[test]
    fn law_png_has_canvas_size() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("law.png");
        let (grid, density, cdf) = marchenko_pastur(2.0, 300);
        let figure = LawFigure {
            title: "Marchenko–Pastur law, γ = 2".to_string(),
            caption: "atom of mass 1 − 1/γ at 0, hessian-rmt 0.1.0".to_string(),
            grid: &grid,
            density: &density,
            cdf: &cdf,
            atoms: &[(0.0, 0.5)],
        };

        draw_law(&path, &figure).unwrap();

        assert_eq!(png_size(&fs::read(&path).unwrap()), (1600, 700));
        assert_eq!(file_names(folder.path()), vec!["law.png"]);
    }

    #[test]
    fn law_svg_contains_title() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("law.svg");
        let (grid, density, cdf) = marchenko_pastur(0.5, 300);
        let figure = LawFigure {
            title: "Marchenko–Pastur law, γ = 0.5".to_string(),
            caption: "hessian-rmt 0.1.0".to_string(),
            grid: &grid,
            density: &density,
            cdf: &cdf,
            atoms: &[],
        };

        draw_law(&path, &figure).unwrap();

        let svg = fs::read_to_string(&path).unwrap();
        assert!(svg.contains("Marchenko–Pastur law, γ = 0.5"));
        assert!(svg.contains("cumulative distribution F(λ)"));
    }

    #[test]
    fn law_rejects_descending_grid() {
        let folder = tempfile::tempdir().unwrap();
        let figure = LawFigure {
            title: String::new(),
            caption: String::new(),
            grid: &[0.0, 2.0, 1.0],
            density: &[0.0, 1.0, 0.0],
            cdf: &[0.0, 0.5, 1.0],
            atoms: &[],
        };

        let result = draw_law(&folder.path().join("law.png"), &figure);

        assert!(matches!(
            result,
            Err(PlotError::GridNotAscending { index: 2, .. })
        ));
        assert!(file_names(folder.path()).is_empty());
    }

    #[test]
    fn law_rejects_empty_grid() {
        let figure = LawFigure {
            title: String::new(),
            caption: String::new(),
            grid: &[],
            density: &[],
            cdf: &[],
            atoms: &[],
        };

        let result = draw_law(Path::new("unused.svg"), &figure);

        assert!(matches!(result, Err(PlotError::Empty { series: "grid" })));
    }
}

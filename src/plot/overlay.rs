//! Overlay figure: Monte Carlo eigenvalues against a limit law, as density and as CDF.
//!
//! The left panel shows a histogram of the eigenvalues that sit on no atom, scaled so that its area is
//! their fraction of all eigenvalues, under the limit density. Atoms appear as arrows labelled with the
//! predicted mass and the observed fraction. The right panel shows the empirical CDF as a step function
//! under the limit CDF, and the Kolmogorov–Smirnov distance when one is given.
//!
//! Eigenvalues of one sign that spread over decades, as on real data with a few dominant directions,
//! fill a sliver of a linear axis. For them both panels can use log₁₀ |λ| instead (see [`XAxis`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::plot::PlotError;
use crate::plot::data::{
    check_finite, check_law, histogram, law_cdf_points, quantile, split_atoms, x_range,
};
use crate::plot::output::{Figure, save};
use crate::plot::panel::{
    AxisText, CdfPanel, DensityPanel, LINEAR_AXES, LOG_MAGNITUDE_AXES, draw_cdf_panel,
    draw_density_panel, split_frame,
};

/// Legend label of the sample in both panels.
const SAMPLE_LABEL: &str = "eigenvalues (pooled)";

/// [`XAxis::Auto`] picks the log axis when the 99th percentile of |λ| off the atoms exceeds this
/// multiple of the median. A sampled Marchenko–Pastur block at γ = 0.5 has a ratio of about 3.3, and
/// the centred MNIST blocks have ratios above 100.
pub const LOG_AXIS_SPREAD: f64 = 30.0;

/// Scale of the x axis of an overlay figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum XAxis {
    /// The eigenvalue λ itself.
    Linear,
    /// log₁₀ |λ|. The density panel shows the density of log₁₀ |λ|, and the CDF panel the CDF of |λ|.
    /// An atom at 0 has no place on this axis: its mass and the fraction of eigenvalues on it go into
    /// the caption, and the CDFs start from that level. Falls back to [`XAxis::Linear`] when the
    /// eigenvalues or the law's support take both signs, or the law has an atom away from 0.
    LogMagnitude,
    /// [`XAxis::LogMagnitude`] when it applies and the spread of |λ| exceeds [`LOG_AXIS_SPREAD`],
    /// [`XAxis::Linear`] otherwise.
    #[default]
    Auto,
}

/// Input of [`draw_overlay`]: sampled eigenvalues and the limit law they should follow.
#[derive(Clone, Debug)]
pub struct OverlayFigure<'a> {
    /// Title above both panels, such as "linear model, cross-entropy, block (1,2)".
    pub title: String,
    /// Caption along the bottom, carrying the parameters, the seed and the crate version. It is broken
    /// after commas when it does not fit on one line.
    pub caption: String,
    /// Legend label of the limit law, such as "GMP(γ, population weight law)".
    pub law_label: String,
    /// Pooled eigenvalues of the sampled blocks. Expected in ascending order, but a sorted copy is used,
    /// so any order gives the same figure.
    pub eigenvalues: &'a [f64],
    /// Ascending x grid on which the law is tabulated.
    pub grid: &'a [f64],
    /// Density of the continuous part of the limit law on the grid, 0 outside its support.
    pub density: &'a [f64],
    /// CDF of the limit law on the grid, atoms included.
    pub cdf: &'a [f64],
    /// Atoms of the limit law as (location, mass), masses in [0, 1]. Usually empty, or one atom at 0.
    pub atoms: &'a [(f64, f64)],
    /// Kolmogorov–Smirnov distance between the eigenvalues and the law, shown in the CDF panel.
    pub ks: Option<f64>,
    /// Scale of the x axis.
    pub x_axis: XAxis,
}

/// Draws `fig` into one two-panel image at `path`, 1600 × 700 pixels, as PNG or SVG by the extension.
///
/// Eigenvalues within 1e-9 · max |λ| of an atom location count for that atom and stay out of the
/// histogram, which has 20 to 120 bins by the Freedman–Diaconis rule. The x range covers the
/// eigenvalues, the support of the density and the atoms.
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
pub fn draw_overlay(path: &Path, fig: &OverlayFigure<'_>) -> Result<(), PlotError> {
    fig.validate()?;
    save(path, fig)
}

impl OverlayFigure<'_> {
    fn validate(&self) -> Result<(), PlotError> {
        if self.eigenvalues.is_empty() {
            return Err(PlotError::Empty {
                series: "eigenvalues",
            });
        }
        check_law(self.grid, self.density, self.cdf, self.atoms)?;
        check_finite("eigenvalues", self.eigenvalues)?;
        if let Some(ks) = self.ks {
            check_finite("ks", &[ks])?;
        }
        Ok(())
    }
}

impl Figure for OverlayFigure<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let mut sorted = self.eigenvalues.to_vec();
        sorted.sort_by(f64::total_cmp);
        let split = split_atoms(&sorted, self.atoms);
        let view = match self.x_axis {
            XAxis::Linear => None,
            XAxis::LogMagnitude => self.log_view(&sorted, &split.continuous, &split.fractions, 0.0),
            XAxis::Auto => self.log_view(
                &sorted,
                &split.continuous,
                &split.fractions,
                LOG_AXIS_SPREAD,
            ),
        };
        let Some(view) = view else {
            let x_range = x_range(&sorted, self.grid, self.density, self.atoms);
            let panels = Panels {
                x_range,
                sorted: &sorted,
                continuous: &split.continuous,
                grid: self.grid,
                density: self.density,
                cdf: self.cdf,
                atoms: self.atoms,
                fractions: &split.fractions,
                cdf_atoms: self.atoms,
                caption: &self.caption,
                axes: LINEAR_AXES,
            };
            return self.draw_panels(root, &panels);
        };
        let x_range = view.x_range();
        // Eigenvalues on the atom sit at the left end, so the empirical CDF starts at their fraction.
        let mut sample = vec![x_range.0; view.on_atom];
        sample.extend_from_slice(&view.continuous);
        let zero_atom: Vec<(f64, f64)> = self
            .atoms
            .iter()
            .map(|&(_, mass)| (x_range.0, mass))
            .collect();
        let panels = Panels {
            x_range,
            sorted: &sample,
            continuous: &view.continuous,
            grid: &view.grid,
            density: &view.density,
            cdf: &view.cdf,
            atoms: &[],
            fractions: &[],
            cdf_atoms: &zero_atom,
            caption: &view.caption,
            axes: LOG_MAGNITUDE_AXES,
        };
        self.draw_panels(root, &panels)
    }
}

/// Content of the two panels, on either axis.
struct Panels<'a> {
    x_range: (f64, f64),
    /// Every eigenvalue, sorted, in the axis variable.
    sorted: &'a [f64],
    /// The eigenvalues on no atom, sorted, in the axis variable.
    continuous: &'a [f64],
    grid: &'a [f64],
    density: &'a [f64],
    cdf: &'a [f64],
    atoms: &'a [(f64, f64)],
    fractions: &'a [f64],
    /// Atoms the limit CDF passes through: `atoms`, or on the log axis the atom at 0 moved to the
    /// left end.
    cdf_atoms: &'a [(f64, f64)],
    caption: &'a str,
    axes: AxisText,
}

/// The figure's data in the variable u = log₁₀ |λ|.
struct LogView {
    /// log₁₀ |λ| of the eigenvalues on no atom, ascending.
    continuous: Vec<f64>,
    /// Number of eigenvalues on the atom at 0.
    on_atom: usize,
    /// Grid in u, ascending, over the law's points of the right sign.
    grid: Vec<f64>,
    /// Density of u: ln 10 · |λ| · f(λ).
    density: Vec<f64>,
    /// CDF of |λ| at the grid points, the atom at 0 included.
    cdf: Vec<f64>,
    /// The caption with a note on the atom at 0.
    caption: String,
}

/// Maximum law mass left of the log axis. Far-off specks of support, such as those of covariance
/// eigenvalues at rounding level, would otherwise stretch the axis over many empty decades.
const LOG_AXIS_HIDDEN_MASS: f64 = 0.01;

impl LogView {
    /// Range of u: the eigenvalues, and the law from where its CDF has passed [`LOG_AXIS_HIDDEN_MASS`]
    /// above its starting level to the end of its support, with a 4 % margin on each side.
    fn x_range(&self) -> (f64, f64) {
        let start = self.cdf[0];
        let law_low = self
            .grid
            .iter()
            .zip(&self.cdf)
            .find(|&(_, &cdf)| cdf - start >= LOG_AXIS_HIDDEN_MASS)
            .map_or(self.grid[0], |(&u, _)| u);
        let law_high = self
            .grid
            .iter()
            .zip(&self.density)
            .rev()
            .find(|&(_, &density)| density > 0.0)
            .map_or(self.grid[self.grid.len() - 1], |(&u, _)| u);
        let low = law_low.min(self.continuous[0]);
        let high = law_high.max(self.continuous[self.continuous.len() - 1]);
        let margin = 0.04 * (high - low).max(1e-3);
        (low - margin, high + margin)
    }
}

impl OverlayFigure<'_> {
    /// Transforms the figure to log₁₀ |λ|. Returns `None` when that axis does not apply or the spread
    /// of |λ| is at most `min_spread`.
    fn log_view(
        &self,
        sorted: &[f64],
        continuous: &[f64],
        fractions: &[f64],
        min_spread: f64,
    ) -> Option<LogView> {
        if self.atoms.iter().any(|&(location, _)| location != 0.0) || continuous.is_empty() {
            return None;
        }
        let sign = if continuous[0] > 0.0 {
            1.0
        } else if continuous[continuous.len() - 1] < 0.0 {
            -1.0
        } else {
            return None;
        };
        let support_has_sign = self
            .grid
            .iter()
            .zip(self.density)
            .all(|(&x, &density)| density <= 0.0 || sign * x > 0.0);
        if !support_has_sign {
            return None;
        }

        let mut magnitudes: Vec<f64> = continuous.iter().map(|&x| sign * x).collect();
        magnitudes.sort_by(f64::total_cmp);
        let median = quantile(&magnitudes, 0.5);
        if quantile(&magnitudes, 0.99) <= min_spread * median {
            return None;
        }

        // Grid points of the right sign, in increasing |λ|, with the CDF of |λ| at each.
        let mut points: Vec<(f64, f64, f64)> = self
            .grid
            .iter()
            .zip(self.density)
            .zip(self.cdf)
            .filter(|((x, _), _)| sign * **x > 0.0)
            .map(|((&x, &density), &cdf)| {
                let magnitude = sign * x;
                let cdf_of_magnitude = if sign > 0.0 { cdf } else { 1.0 - cdf };
                (magnitude, density, cdf_of_magnitude)
            })
            .collect();
        if points.is_empty() {
            return None;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));

        let on_atom = sorted.len() - continuous.len();
        let mut caption = self.caption.clone();
        if let Some(&(_, mass)) = self.atoms.first() {
            let fraction = fractions.first().copied().unwrap_or(0.0);
            caption.push_str(&format!(
                ", atom at λ = 0 (not on the log axis): mass {mass:.3}, fraction of eigenvalues \
                 {fraction:.3}"
            ));
        } else if on_atom > 0 {
            caption.push_str(&format!(
                ", {on_atom} eigenvalues at 0 (not on the log axis)"
            ));
        }
        Some(LogView {
            continuous: magnitudes.iter().map(|m| m.log10()).collect(),
            on_atom,
            grid: points.iter().map(|p| p.0.log10()).collect(),
            density: points
                .iter()
                .map(|p| std::f64::consts::LN_10 * p.0 * p.1)
                .collect(),
            cdf: points.iter().map(|p| p.2).collect(),
            caption,
        })
    }

    fn draw_panels<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        panels: &Panels<'_>,
    ) -> Result<(), PlotError> {
        let bars = histogram(panels.continuous, panels.sorted.len(), panels.x_range);
        let (left, right) = split_frame(root, &self.title, panels.caption)?;
        let density_panel = DensityPanel {
            x_range: panels.x_range,
            bars: &bars,
            sample_label: Some(SAMPLE_LABEL),
            grid: panels.grid,
            density: panels.density,
            law_label: Some(&self.law_label),
            atoms: panels.atoms,
            atom_fractions: Some(panels.fractions),
            axes: panels.axes,
        };
        draw_density_panel(&left, &density_panel)?;

        let law_points = law_cdf_points(
            panels.grid,
            panels.cdf,
            panels.cdf_atoms,
            panels.x_range.0,
            panels.x_range.1,
        );
        let cdf_panel = CdfPanel {
            x_range: panels.x_range,
            sample: Some((panels.sorted, SAMPLE_LABEL)),
            law_points: &law_points,
            law_label: Some(&self.law_label),
            ks: self.ks,
            axes: panels.axes,
        };
        draw_cdf_panel(&right, &cdf_panel)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use std::fs;

    /// Marchenko–Pastur law with ratio `ratio` and unit variance, tabulated on `points` grid points over
    /// its support: (grid, density of the continuous part, CDF with the atom at 0 included).
    pub(crate) fn marchenko_pastur(ratio: f64, points: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let low = (1.0 - ratio.sqrt()).powi(2);
        let high = (1.0 + ratio.sqrt()).powi(2);
        let grid: Vec<f64> = (0..points)
            .map(|i| low + (high - low) * i as f64 / (points - 1) as f64)
            .collect();
        let density: Vec<f64> = grid
            .iter()
            .map(|&x| {
                ((high - x) * (x - low)).max(0.0).sqrt() / (2.0 * std::f64::consts::PI * ratio * x)
            })
            .collect();

        // Trapezoid rule from the lower edge, starting at the atom mass max(0, 1 - 1/ratio).
        let mut cdf = vec![(1.0 - 1.0 / ratio).max(0.0)];
        for i in 1..points {
            let step = 0.5 * (density[i] + density[i - 1]) * (grid[i] - grid[i - 1]);
            cdf.push(cdf[i - 1] + step);
        }
        (grid, density, cdf)
    }

    /// `count` sorted eigenvalues spread like the law: the CDF inverted at (i + 0.5) / count. Levels
    /// below cdf[0] fall on `atom`, the location of the atom below the grid.
    pub(crate) fn quantiles(grid: &[f64], cdf: &[f64], atom: f64, count: usize) -> Vec<f64> {
        (0..count)
            .map(|i| {
                let p = (i as f64 + 0.5) / count as f64;
                match cdf.iter().position(|&c| c >= p) {
                    Some(0) => atom,
                    Some(j) => {
                        let t = (p - cdf[j - 1]) / (cdf[j] - cdf[j - 1]);
                        grid[j - 1] + t * (grid[j] - grid[j - 1])
                    }
                    None => grid[grid.len() - 1],
                }
            })
            .collect()
    }

    /// Width and height from the IHDR chunk of a PNG file, after checking the signature.
    pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
        assert_eq!(&bytes[12..16], b"IHDR", "first chunk is not IHDR");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        (width, height)
    }

    /// File names in `folder`, sorted.
    pub(crate) fn file_names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    struct Example {
        grid: Vec<f64>,
        density: Vec<f64>,
        cdf: Vec<f64>,
        eigenvalues: Vec<f64>,
        atoms: Vec<(f64, f64)>,
        law_label: &'static str,
    }

    impl Example {
        /// Marchenko–Pastur with ratio 0.5: support [0.086, 2.914], no atom.
        fn without_atom() -> Self {
            let (grid, density, cdf) = marchenko_pastur(0.5, 400);
            let eigenvalues = quantiles(&grid, &cdf, 0.0, 1000);
            let atoms = Vec::new();
            let law_label = "MP(γ = 0.5)";
            Example {
                grid,
                density,
                cdf,
                eigenvalues,
                atoms,
                law_label,
            }
        }

        /// Marchenko–Pastur with ratio 2: an atom of mass 0.5 at 0, so half the eigenvalues are 0.
        fn with_atom() -> Self {
            let (grid, density, cdf) = marchenko_pastur(2.0, 400);
            let eigenvalues = quantiles(&grid, &cdf, 0.0, 1000);
            let atoms = vec![(0.0, 0.5)];
            let law_label = "MP(γ = 2)";
            Example {
                grid,
                density,
                cdf,
                eigenvalues,
                atoms,
                law_label,
            }
        }

        fn figure(&self) -> OverlayFigure<'_> {
            OverlayFigure {
                title: "linear model, cross-entropy, block (1,2)".to_string(),
                caption: "d = 500, N = 1000, γ = 0.5, C = 10, s = 1, R = 10 replicates, seed 42, hessian-rmt 0.1.0"
                    .to_string(),
                law_label: self.law_label.to_string(),
                eigenvalues: &self.eigenvalues,
                grid: &self.grid,
                density: &self.density,
                cdf: &self.cdf,
                atoms: &self.atoms,
                ks: Some(0.0123),
                x_axis: XAxis::Auto,
            }
        }
    }

    #[test]
    fn overlay_png_has_canvas_size() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("overlay.png");
        let example = Example::without_atom();

        draw_overlay(&path, &example.figure()).unwrap();

        let bytes = fs::read(&path).unwrap();
        assert_eq!(png_size(&bytes), (1600, 700));
        assert_eq!(file_names(folder.path()), vec!["overlay.png"]);
    }

    #[test]
    fn overlay_svg_contains_text() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("overlay.SVG");
        let example = Example::without_atom();

        draw_overlay(&path, &example.figure()).unwrap();

        let svg = fs::read_to_string(&path).unwrap();
        assert!(
            svg.starts_with("<svg"),
            "svg starts with {:?}",
            &svg[..20.min(svg.len())]
        );
        assert!(svg.contains("linear model, cross-entropy, block (1,2)"));
        assert!(svg.contains("seed 42, hessian-rmt 0.1.0"));
        assert!(svg.contains("eigenvalues (pooled)"));
        assert!(svg.contains("eigenvalue λ"));
        assert!(svg.contains("Kolmogorov–Smirnov distance 0.0123"));
        assert_eq!(file_names(folder.path()), vec!["overlay.SVG"]);
    }

    /// Example law spread evenly over log λ on [1e-4, 1] with an atom of mass 0.1 at 0, and 1000
    /// eigenvalues at its quantiles. A `sign` of −1 mirrors it onto the negative axis.
    fn spread_example(sign: f64) -> Example {
        let decades = 4.0 * std::f64::consts::LN_10;
        let logs: Vec<f64> = (0..400).map(|i| -4.0 + 4.0 * i as f64 / 399.0).collect();
        let magnitude: Vec<f64> = logs.iter().map(|u| 10f64.powf(*u)).collect();
        let density: Vec<f64> = magnitude.iter().map(|t| 0.9 / (t * decades)).collect();
        let cdf_of_magnitude: Vec<f64> = logs
            .iter()
            .map(|u| 0.1 + 0.9 * (u + 4.0) * std::f64::consts::LN_10 / decades)
            .collect();
        let eigenvalues = quantiles(&magnitude, &cdf_of_magnitude, 0.0, 1000);
        if sign > 0.0 {
            return Example {
                grid: magnitude,
                density,
                cdf: cdf_of_magnitude,
                eigenvalues,
                atoms: vec![(0.0, 0.1)],
                law_label: "spread",
            };
        }
        Example {
            grid: magnitude.iter().rev().map(|t| -t).collect(),
            density: density.into_iter().rev().collect(),
            cdf: cdf_of_magnitude.iter().rev().map(|g| 1.0 - g).collect(),
            eigenvalues: eigenvalues.iter().map(|t| -t).collect(),
            atoms: vec![(0.0, 0.1)],
            law_label: "spread",
        }
    }

    /// Text of the SVG drawn from `example` with `x_axis`.
    fn svg_text(example: &Example, x_axis: XAxis) -> String {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("overlay.svg");
        let figure = OverlayFigure {
            x_axis,
            ..example.figure()
        };
        draw_overlay(&path, &figure).unwrap();
        fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn overlay_of_spread_eigenvalues_uses_log_axis() {
        for sign in [1.0, -1.0] {
            let svg = svg_text(&spread_example(sign), XAxis::Auto);
            assert!(svg.contains("log₁₀ |λ|"), "sign {sign}: no log axis");
            assert!(
                svg.contains("cumulative distribution of |λ|"),
                "sign {sign}"
            );
            assert!(
                svg.contains("atom at λ = 0 (not on the log axis): mass 0.100"),
                "sign {sign}: the caption does not give the atom"
            );
            assert!(!svg.contains("eigenvalue λ"), "sign {sign}: linear axis");
        }
    }

    #[test]
    fn overlay_log_axis_needs_spread_and_one_sign() {
        let svg = svg_text(&Example::without_atom(), XAxis::Auto);
        assert!(
            svg.contains("eigenvalue λ"),
            "MP at γ = 0.5 is drawn on a log axis"
        );

        let svg = svg_text(&spread_example(1.0), XAxis::Linear);
        assert!(svg.contains("eigenvalue λ"), "XAxis::Linear is not obeyed");

        let mut mixed = spread_example(1.0);
        mixed.eigenvalues.push(-0.5);
        let svg = svg_text(&mixed, XAxis::LogMagnitude);
        assert!(
            svg.contains("eigenvalue λ"),
            "eigenvalues of both signs are drawn on a log axis"
        );
    }

    #[test]
    fn overlay_with_atom_labels_mass() {
        let folder = tempfile::tempdir().unwrap();
        let example = Example::with_atom();
        let zeros = example.eigenvalues.iter().filter(|&&x| x == 0.0).count();
        assert_eq!(zeros, 500, "fixture must put half the eigenvalues at 0");

        let png = folder.path().join("atom.png");
        let svg = folder.path().join("atom.svg");
        draw_overlay(&png, &example.figure()).unwrap();
        draw_overlay(&svg, &example.figure()).unwrap();

        assert_eq!(png_size(&fs::read(&png).unwrap()), (1600, 700));
        let text = fs::read_to_string(&svg).unwrap();
        assert!(text.contains("atom at λ = 0: mass 0.500"));
        assert!(text.contains("fraction of eigenvalues 0.500"));
    }

    #[test]
    fn overlay_replaces_existing_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("overlay.png");
        fs::write(&path, b"old").unwrap();
        let example = Example::without_atom();

        draw_overlay(&path, &example.figure()).unwrap();

        assert_eq!(png_size(&fs::read(&path).unwrap()), (1600, 700));
        assert_eq!(file_names(folder.path()), vec!["overlay.png"]);
    }

    #[test]
    fn overlay_rejects_jpg() {
        let folder = tempfile::tempdir().unwrap();
        let example = Example::without_atom();

        let result = draw_overlay(&folder.path().join("overlay.jpg"), &example.figure());

        assert!(
            matches!(&result, Err(PlotError::UnsupportedExtension { extension, .. }) if extension == "jpg")
        );
        assert!(file_names(folder.path()).is_empty());
    }

    #[test]
    fn overlay_rejects_length_mismatch() {
        let folder = tempfile::tempdir().unwrap();
        let example = Example::without_atom();
        let mut figure = example.figure();
        figure.cdf = &example.cdf[1..];

        let result = draw_overlay(&folder.path().join("overlay.png"), &figure);

        assert!(matches!(
            result,
            Err(PlotError::LengthMismatch {
                grid: 400,
                density: 400,
                cdf: 399
            })
        ));
        assert!(file_names(folder.path()).is_empty());
    }

    #[test]
    fn overlay_rejects_nan_density() {
        let folder = tempfile::tempdir().unwrap();
        let example = Example::without_atom();
        let mut density = example.density.clone();
        density[7] = f64::NAN;
        let mut figure = example.figure();
        figure.density = &density;

        let result = draw_overlay(&folder.path().join("overlay.svg"), &figure);

        assert!(matches!(
            result,
            Err(PlotError::NonFinite {
                series: "density",
                index: 7,
                ..
            })
        ));
        assert!(file_names(folder.path()).is_empty());
    }

    #[test]
    fn overlay_rejects_empty_eigenvalues() {
        let example = Example::without_atom();
        let mut figure = example.figure();
        figure.eigenvalues = &[];

        let result = draw_overlay(Path::new("unused.png"), &figure);

        assert!(matches!(
            result,
            Err(PlotError::Empty {
                series: "eigenvalues"
            })
        ));
    }

    #[test]
    fn overlay_rejects_missing_folder() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("missing").join("overlay.png");
        let example = Example::without_atom();

        let result = draw_overlay(&path, &example.figure());

        assert!(matches!(&result, Err(PlotError::Io { path: reported, .. }) if *reported == path));
        assert!(file_names(folder.path()).is_empty());
    }

    #[test]
    fn overlay_rejects_file_as_folder() {
        let folder = tempfile::tempdir().unwrap();
        fs::write(folder.path().join("plain"), b"").unwrap();
        let path = folder.path().join("plain").join("overlay.svg");
        let example = Example::without_atom();

        let result = draw_overlay(&path, &example.figure());

        assert!(matches!(result, Err(PlotError::Io { .. })));
        assert_eq!(file_names(folder.path()), vec!["plain"]);
    }

    #[cfg(unix)]
    #[test]
    fn overlay_rejects_read_only_folder() {
        use std::os::unix::fs::PermissionsExt;

        let folder = tempfile::tempdir().unwrap();
        let locked = folder.path().join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();

        // Root ignores permission bits, so the check only means something when a probe write fails.
        let probe = locked.join("probe");
        let privileged = fs::write(&probe, b"").is_ok();
        let _ = fs::remove_file(&probe);
        if !privileged {
            let example = Example::without_atom();
            let result = draw_overlay(&locked.join("overlay.png"), &example.figure());
            assert!(matches!(result, Err(PlotError::Io { .. })));
            assert!(file_names(&locked).is_empty());
        }

        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn overlay_error_keeps_existing_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("overlay.png");
        fs::write(&path, b"old").unwrap();
        let example = Example::without_atom();
        let mut figure = example.figure();
        figure.ks = Some(f64::INFINITY);

        let result = draw_overlay(&path, &figure);

        assert!(matches!(
            result,
            Err(PlotError::NonFinite { series: "ks", .. })
        ));
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(file_names(folder.path()), vec!["overlay.png"]);
    }
}

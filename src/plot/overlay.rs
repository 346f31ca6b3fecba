//! Overlay figure: Monte Carlo eigenvalues against a limit law, as density and as CDF.
//!
//! The left panel shows a histogram of the eigenvalues that sit on no atom, scaled so that its area is
//! their fraction of all eigenvalues, under the limit density. Atoms appear as arrows labelled with the
//! predicted mass and the observed fraction. The right panel shows the empirical CDF as a step function
//! under the limit CDF, and the Kolmogorov–Smirnov distance when one is given.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use crate::plot::PlotError;
use crate::plot::data::{check_finite, check_law, histogram, law_cdf_points, split_atoms, x_range};
use crate::plot::output::{Figure, save};
use crate::plot::panel::{CdfPanel, DensityPanel, draw_cdf_panel, draw_density_panel, split_frame};

/// Legend label of the sample in both panels.
const SAMPLE_LABEL: &str = "eigenvalues (pooled)";

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
        let x_range = x_range(&sorted, self.grid, self.density, self.atoms);
        let bars = histogram(&split.continuous, sorted.len(), x_range);

        let (left, right) = split_frame(root, &self.title, &self.caption)?;
        let density_panel = DensityPanel {
            x_range,
            bars: &bars,
            sample_label: Some(SAMPLE_LABEL),
            grid: self.grid,
            density: self.density,
            law_label: Some(&self.law_label),
            atoms: self.atoms,
            atom_fractions: Some(&split.fractions),
        };
        draw_density_panel(&left, &density_panel)?;

        let law_points = law_cdf_points(self.grid, self.cdf, self.atoms, x_range.0, x_range.1);
        let cdf_panel = CdfPanel {
            x_range,
            sample: Some((&sorted, SAMPLE_LABEL)),
            law_points: &law_points,
            law_label: Some(&self.law_label),
            ks: self.ks,
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

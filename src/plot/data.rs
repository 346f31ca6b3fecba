//! Input checks and the numbers a figure derives from its input: atom counts, histogram bins, axis ranges,
//! step curves and clipping of polylines to the visible range.
//!
//! Nothing here draws. The drawing code in `panel.rs` trusts that input passed these checks.

use crate::plot::PlotError;

/// Eigenvalues within this multiple of max |λ| of an atom location count as sitting on the atom.
pub(crate) const ATOM_RELATIVE_TOLERANCE: f64 = 1e-9;

/// Minimum and maximum number of histogram bins, whatever the bin rule proposes.
const MIN_BINS: usize = 20;
const MAX_BINS: usize = 120;

/// Margin added on each side of the x range, as a fraction of its width.
const X_MARGIN: f64 = 0.04;

/// Histogram bar over [left, right) with `height` in units of density.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bar {
    /// Left edge of the bin.
    pub left: f64,
    /// Right edge of the bin.
    pub right: f64,
    /// Count in the bin divided by (total count × bin width).
    pub height: f64,
}

/// Eigenvalues split into those on atoms of the law and the rest.
#[derive(Debug, PartialEq)]
pub(crate) struct AtomSplit {
    /// Eigenvalues on no atom, sorted ascending.
    pub continuous: Vec<f64>,
    /// Fraction of all eigenvalues on each atom, in the order of the atoms.
    pub fractions: Vec<f64>,
}

/// Returns an error for the first NaN or infinite value in `values`.
pub(crate) fn check_finite(series: &'static str, values: &[f64]) -> Result<(), PlotError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(PlotError::NonFinite {
            series,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks a tabulated law: equal non-empty lengths, finite values, an ascending grid and valid atoms.
pub(crate) fn check_law(
    grid: &[f64],
    density: &[f64],
    cdf: &[f64],
    atoms: &[(f64, f64)],
) -> Result<(), PlotError> {
    if grid.len() != density.len() || grid.len() != cdf.len() {
        return Err(PlotError::LengthMismatch {
            grid: grid.len(),
            density: density.len(),
            cdf: cdf.len(),
        });
    }
    if grid.is_empty() {
        return Err(PlotError::Empty { series: "grid" });
    }

    check_finite("grid", grid)?;
    check_finite("density", density)?;
    check_finite("cdf", cdf)?;
    if let Some(index) = (1..grid.len()).find(|&i| grid[i] < grid[i - 1]) {
        return Err(PlotError::GridNotAscending {
            index,
            previous: grid[index - 1],
            value: grid[index],
        });
    }

    let locations: Vec<f64> = atoms.iter().map(|&(location, _)| location).collect();
    let masses: Vec<f64> = atoms.iter().map(|&(_, mass)| mass).collect();
    check_finite("atom locations", &locations)?;
    check_finite("atom masses", &masses)?;
    if let Some(&(location, mass)) = atoms
        .iter()
        .find(|&&(_, mass)| !(0.0..=1.0).contains(&mass))
    {
        return Err(PlotError::AtomMass { location, mass });
    }
    Ok(())
}

/// Splits sorted eigenvalues into those within the atom tolerance of an atom and the rest.
///
/// The tolerance is [`ATOM_RELATIVE_TOLERANCE`] × max |λ|, so when every eigenvalue is zero only exact
/// matches count. An eigenvalue near two atoms counts for the first of them.
pub(crate) fn split_atoms(sorted: &[f64], atoms: &[(f64, f64)]) -> AtomSplit {
    let scale = sorted.iter().fold(0.0_f64, |max, v| max.max(v.abs()));
    let tolerance = ATOM_RELATIVE_TOLERANCE * scale;

    let mut counts = vec![0_usize; atoms.len()];
    let mut continuous = Vec::with_capacity(sorted.len());
    for &value in sorted {
        let atom = atoms
            .iter()
            .position(|&(location, _)| (value - location).abs() <= tolerance);
        match atom {
            Some(index) => counts[index] += 1,
            None => continuous.push(value),
        }
    }

    let total = sorted.len().max(1) as f64;
    let fractions = counts.iter().map(|&count| count as f64 / total).collect();
    AtomSplit {
        continuous,
        fractions,
    }
}

/// Linear-interpolation quantile of sorted, non-empty values, with `p` in [0, 1].
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let position = p * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let weight = position - below as f64;
    sorted[below] + weight * (sorted[above] - sorted[below])
}

/// Number of histogram bins for sorted, non-empty values, clamped to [`MIN_BINS`]..=[`MAX_BINS`].
///
/// Uses the Freedman–Diaconis width 2·IQR·n^(-1/3), and the square-root rule when the interquartile
/// range or the span is zero.
fn bin_count(sorted: &[f64]) -> usize {
    let n = sorted.len() as f64;
    let span = sorted[sorted.len() - 1] - sorted[0];
    let iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);

    let proposed = if iqr > 0.0 && span > 0.0 {
        let width = 2.0 * iqr / n.cbrt();
        (span / width).ceil()
    } else {
        n.sqrt().ceil()
    };
    (proposed as usize).clamp(MIN_BINS, MAX_BINS)
}

/// Bins sorted values into a density histogram whose total area is `values.len() / total`.
///
/// The bins span the values. When all values are equal, they span 1 % of `x_range` around them.
pub(crate) fn histogram(sorted: &[f64], total: usize, x_range: (f64, f64)) -> Vec<Bar> {
    if sorted.is_empty() || total == 0 {
        return Vec::new();
    }

    let mut low = sorted[0];
    let mut high = sorted[sorted.len() - 1];
    if high <= low {
        let half_width = 0.005 * (x_range.1 - x_range.0);
        low -= half_width;
        high += half_width;
    }

    let bins = bin_count(sorted);
    let width = (high - low) / bins as f64;
    let mut counts = vec![0_usize; bins];
    for &value in sorted {
        // The maximum falls on the right edge of the last bin, so the index is clamped into it.
        let index = ((value - low) / width).floor() as usize;
        counts[index.min(bins - 1)] += 1;
    }

    let normaliser = total as f64 * width;
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| Bar {
            left: low + i as f64 * width,
            right: low + (i + 1) as f64 * width,
            height: count as f64 / normaliser,
        })
        .collect()
}

/// Highest density value worth showing: the maximum, capped at three times the 95th percentile of the
/// positive values, so that one huge value next to an integrable singularity does not set the scale.
/// Returns 0 when no value is positive.
pub(crate) fn display_max(density: &[f64]) -> f64 {
    let mut positive: Vec<f64> = density.iter().copied().filter(|&d| d > 0.0).collect();
    if positive.is_empty() {
        return 0.0;
    }
    positive.sort_by(f64::total_cmp);
    let maximum = positive[positive.len() - 1];
    maximum.min(3.0 * quantile(&positive, 0.95))
}

/// Smallest and largest grid points where the density is positive, if any.
fn density_support(grid: &[f64], density: &[f64]) -> Option<(f64, f64)> {
    let first = density.iter().position(|&d| d > 0.0)?;
    let last = density.iter().rposition(|&d| d > 0.0)?;
    Some((grid[first], grid[last]))
}

/// X range of a figure: the union of the eigenvalue range, the density support and the atom locations,
/// widened by [`X_MARGIN`] on each side.
///
/// Falls back to the whole grid when neither eigenvalues, support nor atoms give a range, and to a unit
/// interval around a single point.
pub(crate) fn x_range(
    sorted_eigenvalues: &[f64],
    grid: &[f64],
    density: &[f64],
    atoms: &[(f64, f64)],
) -> (f64, f64) {
    let mut points: Vec<f64> = atoms.iter().map(|&(location, _)| location).collect();
    if let (Some(&first), Some(&last)) = (sorted_eigenvalues.first(), sorted_eigenvalues.last()) {
        points.extend([first, last]);
    }
    if let Some((low, high)) = density_support(grid, density) {
        points.extend([low, high]);
    }
    if points.is_empty() {
        points.extend([grid[0], grid[grid.len() - 1]]);
    }

    let low = points.iter().copied().fold(f64::INFINITY, f64::min);
    let high = points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = high - low;
    if span > 0.0 {
        (low - X_MARGIN * span, high + X_MARGIN * span)
    } else {
        let half_width = 0.5 * low.abs().max(1.0);
        (low - half_width, high + half_width)
    }
}

/// Corner points of the empirical CDF of sorted values, from (x_low, 0) to (x_high, 1).
///
/// Values are grouped into buckets of width `bucket_width` starting at `x_low`, and the jumps in one
/// bucket are drawn as one jump at its last value, which moves a jump right by less than one bucket.
/// With buckets below a pixel the drawing looks the same, and a million eigenvalues do not make a
/// million-point line. A width of 0 groups only tied values.
pub(crate) fn empirical_cdf_steps(
    sorted: &[f64],
    (x_low, x_high): (f64, f64),
    bucket_width: f64,
) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let bucket = |value: f64| {
        if bucket_width > 0.0 {
            ((value - x_low) / bucket_width).floor()
        } else {
            value
        }
    };

    let mut points = vec![(x_low, 0.0)];
    let mut level = 0.0;
    let mut start = 0;
    while start < n {
        let current = bucket(sorted[start]);
        let mut end = start + 1;
        while end < n && bucket(sorted[end]) == current {
            end += 1;
        }
        let x = sorted[end - 1];
        points.push((x, level));
        level = end as f64 / n as f64;
        points.push((x, level));
        start = end;
    }
    points.push((x_high, 1.0));
    points
}

/// Points of the limit CDF over [x_low, x_high]: the tabulated values plus flat pieces outside the grid.
///
/// Outside the grid the continuous part is taken to be constant, so the CDF moves only at atoms there.
/// Atoms inside the grid are assumed to be included in `cdf` already.
pub(crate) fn law_cdf_points(
    grid: &[f64],
    cdf: &[f64],
    atoms: &[(f64, f64)],
    x_low: f64,
    x_high: f64,
) -> Vec<(f64, f64)> {
    let first = grid[0];
    let last = grid[grid.len() - 1];
    let mut sorted_atoms = atoms.to_vec();
    sorted_atoms.sort_by(|a, b| a.0.total_cmp(&b.0));

    // Left of the grid the CDF is the mass of the atoms already passed.
    let mut level: f64 = sorted_atoms
        .iter()
        .filter(|&&(location, _)| location < first && location <= x_low)
        .map(|&(_, mass)| mass)
        .sum();
    let mut points = vec![(x_low.min(first), level)];
    for &(location, mass) in sorted_atoms
        .iter()
        .filter(|&&(location, _)| location > x_low && location < first)
    {
        points.push((location, level));
        level += mass;
        points.push((location, level));
    }
    points.push((first, level));
    points.extend(grid.iter().copied().zip(cdf.iter().copied()));

    // Right of the grid it grows only by the atoms beyond the last grid point.
    level = cdf[cdf.len() - 1];
    for &(location, mass) in sorted_atoms
        .iter()
        .filter(|&&(location, _)| location > last)
    {
        points.push((location, level));
        level += mass;
        points.push((location, level));
    }
    points.push((x_high.max(last), level));
    points
}

/// Part of the segment p0–p1 inside the box, by the Liang–Barsky algorithm.
fn clip_segment(
    p0: (f64, f64),
    p1: (f64, f64),
    x: (f64, f64),
    y: (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let dx = p1.0 - p0.0;
    let dy = p1.1 - p0.1;
    let mut t_enter = 0.0_f64;
    let mut t_leave = 1.0_f64;

    // Each pair is (−direction, distance to the edge) for one edge of the box.
    let edges = [
        (-dx, p0.0 - x.0),
        (dx, x.1 - p0.0),
        (-dy, p0.1 - y.0),
        (dy, y.1 - p0.1),
    ];
    for (direction, distance) in edges {
        if direction == 0.0 {
            if distance < 0.0 {
                return None;
            }
            continue;
        }
        let t = distance / direction;
        if direction < 0.0 {
            t_enter = t_enter.max(t);
        } else {
            t_leave = t_leave.min(t);
        }
        if t_enter > t_leave {
            return None;
        }
    }

    let at = |t: f64| (p0.0 + t * dx, p0.1 + t * dy);
    let start = if t_enter > 0.0 { at(t_enter) } else { p0 };
    let end = if t_leave < 1.0 { at(t_leave) } else { p1 };
    Some((start, end))
}

/// Pieces of a polyline inside the box x × y, each a connected run of points.
///
/// plotters does not clip to the plotting area, so every line passes through here before it is drawn.
pub(crate) fn clip_polyline(
    points: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for pair in points.windows(2) {
        match clip_segment(pair[0], pair[1], x, y) {
            Some((start, end)) => {
                if current.last() != Some(&start) && !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                if current.is_empty() {
                    current.push(start);
                }
                current.push(end);
            }
            None => {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_law_rejects_length_mismatch() {
        let result = check_law(&[0.0, 1.0], &[0.0], &[0.0, 1.0], &[]);
        assert!(matches!(
            result,
            Err(PlotError::LengthMismatch {
                grid: 2,
                density: 1,
                cdf: 2
            })
        ));
    }

    #[test]
    fn check_law_rejects_empty_grid() {
        let result = check_law(&[], &[], &[], &[]);
        assert!(matches!(result, Err(PlotError::Empty { series: "grid" })));
    }

    #[test]
    fn check_law_rejects_descending_grid() {
        let result = check_law(&[0.0, 2.0, 1.0], &[0.0; 3], &[0.0; 3], &[]);
        assert!(matches!(
            result,
            Err(PlotError::GridNotAscending { index: 2, .. })
        ));
    }

    #[test]
    fn check_law_rejects_bad_atom_mass() {
        let result = check_law(&[0.0], &[0.0], &[1.0], &[(0.0, 1.5)]);
        assert!(matches!(result, Err(PlotError::AtomMass { .. })));
    }

    #[test]
    fn check_finite_reports_first_nan() {
        let result = check_finite("density", &[0.0, f64::NAN, f64::INFINITY]);
        assert!(matches!(
            result,
            Err(PlotError::NonFinite {
                series: "density",
                index: 1,
                ..
            })
        ));
    }

    #[test]
    fn split_atoms_counts_near_values() {
        let sorted = [-1e-12, 0.0, 0.0, 0.5, 1.0, 2.0];
        let split = split_atoms(&sorted, &[(0.0, 0.5)]);
        assert_eq!(split.continuous, vec![0.5, 1.0, 2.0]);
        assert_eq!(split.fractions, vec![0.5]);
    }

    #[test]
    fn histogram_area_is_continuous_fraction() {
        let values: Vec<f64> = (0..1000).map(|i| (i as f64 / 999.0).powi(2)).collect();
        let bars = histogram(&values, 2000, (0.0, 1.0));
        let area: f64 = bars.iter().map(|b| b.height * (b.right - b.left)).sum();
        // Only rounding error separates the area from 1000 / 2000.
        assert!((area - 0.5).abs() < 1e-12, "area {area}");
        assert!((MIN_BINS..=MAX_BINS).contains(&bars.len()));
    }

    #[test]
    fn histogram_of_equal_values_has_width() {
        let bars = histogram(&[1.0; 10], 10, (0.0, 2.0));
        let area: f64 = bars.iter().map(|b| b.height * (b.right - b.left)).sum();
        assert!(bars[0].right > bars[0].left);
        assert!((area - 1.0).abs() < 1e-12, "area {area}");
    }

    #[test]
    fn bin_count_is_clamped() {
        assert_eq!(bin_count(&[1.0, 2.0, 3.0]), MIN_BINS);
        // One far outlier makes the span 2000 interquartile ranges, which would need 10^4 bins.
        let mut spread: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        spread.push(1000.0);
        assert_eq!(bin_count(&spread), MAX_BINS);
    }

    #[test]
    fn display_max_caps_single_spike() {
        let mut density = vec![1.0; 100];
        assert_eq!(display_max(&density), 1.0);
        density[0] = 1e6;
        assert_eq!(display_max(&density), 3.0);
        assert_eq!(display_max(&[0.0, -1.0]), 0.0);
    }

    #[test]
    fn x_range_covers_support_and_atoms() {
        let grid = [-1.0, 0.5, 1.0, 3.0, 4.0];
        let density = [0.0, 1.0, 1.0, 1.0, 0.0];
        let (low, high) = x_range(&[0.8, 3.5], &grid, &density, &[(-0.5, 0.1)]);
        assert!(low < -0.5);
        assert!(high > 3.5);
        assert!(low > -1.0);
    }

    #[test]
    fn empirical_cdf_merges_ties() {
        let points = empirical_cdf_steps(&[0.0, 0.0, 1.0, 2.0], (-1.0, 3.0), 0.0);
        assert_eq!(
            points,
            vec![
                (-1.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.5),
                (1.0, 0.5),
                (1.0, 0.75),
                (2.0, 0.75),
                (2.0, 1.0),
                (3.0, 1.0)
            ]
        );
    }

    #[test]
    fn empirical_cdf_merges_within_bucket() {
        let sorted: Vec<f64> = (0..100_000).map(|i| i as f64 / 100_000.0).collect();
        let points = empirical_cdf_steps(&sorted, (0.0, 1.0), 1e-3);
        assert!(points.len() <= 2 * 1_000 + 2, "{} points", points.len());
        assert_eq!(points[points.len() - 2], (sorted[99_999], 1.0));
        // Each jump sits at the last value of its bucket, so no jump moves left.
        assert_eq!(points[1], (sorted[99], 0.0));
        assert_eq!(points[2], (sorted[99], 0.001));
    }

    #[test]
    fn empirical_cdf_keeps_isolated_jumps() {
        let points = empirical_cdf_steps(&[0.1, 0.5, 0.9], (0.0, 1.0), 0.01);
        assert_eq!(points.len(), 2 + 2 * 3);
        assert_eq!(points[3], (0.5, 1.0 / 3.0));
    }

    #[test]
    fn law_cdf_jumps_at_outside_atom() {
        let points = law_cdf_points(&[1.0, 2.0], &[0.5, 1.0], &[(0.0, 0.5)], -1.0, 3.0);
        assert_eq!(
            points,
            vec![
                (-1.0, 0.0),
                (0.0, 0.0),
                (0.0, 0.5),
                (1.0, 0.5),
                (1.0, 0.5),
                (2.0, 1.0),
                (3.0, 1.0)
            ]
        );
    }

    #[test]
    fn clip_polyline_splits_at_top() {
        let points = [(0.0, 0.0), (1.0, 2.0), (2.0, 0.0)];
        let runs = clip_polyline(&points, (0.0, 2.0), (0.0, 1.0));
        assert_eq!(
            runs,
            vec![vec![(0.0, 0.0), (0.5, 1.0)], vec![(1.5, 1.0), (2.0, 0.0)]]
        );
    }

    #[test]
    fn clip_polyline_drops_outside_points() {
        let points = [(-2.0, 0.5), (-1.0, 0.5), (0.5, 0.5), (1.0, 0.5)];
        let runs = clip_polyline(&points, (0.0, 2.0), (0.0, 1.0));
        assert_eq!(runs, vec![vec![(0.0, 0.5), (0.5, 0.5), (1.0, 0.5)]]);
    }
}

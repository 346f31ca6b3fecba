//! Distances between an ESD and a limiting law.
//!
//! - Kolmogorov–Smirnov: sup_x |F_ESD(x) − F(x)|, atoms included. Both CDFs are right-continuous
//!   and F is continuous except at its atoms, so the supremum is attained at an eigenvalue, from the
//!   left or from the right.
//! - Wasserstein-1: ∫ |F_ESD(x) − F(x)| dx, by the trapezoid rule on the union of the eigenvalues
//!   and a uniform grid over the support (F_ESD is constant between eigenvalues, and F is smooth
//!   there, so the rule is second-order accurate).

use crate::error::SolverError;
use crate::laws::SpectralLaw;
use crate::sampling::Esd;

/// Points of the uniform grid added to the eigenvalues for the Wasserstein-1 integral.
const W1_GRID: usize = 4096;

/// Mass of `law`'s atoms located exactly at `x`.
fn atom_mass_at(law: &dyn SpectralLaw, x: f64) -> f64 {
    law.atoms()
        .iter()
        .filter(|a| a.x == x)
        .map(|a| a.mass)
        .sum()
}

/// The Kolmogorov–Smirnov distance between the ESD and the law.
///
/// # Errors
/// Any solver error of the law's CDF.
pub fn kolmogorov_smirnov(esd: &Esd, law: &dyn SpectralLaw) -> Result<f64, SolverError> {
    let values = esd.values();
    let n = values.len() as f64;
    // Distinct eigenvalues with the ESD's value just before and at each.
    let mut distinct: Vec<(f64, usize, usize)> = Vec::new();
    let mut start = 0;
    while start < values.len() {
        let mut end = start + 1;
        while end < values.len() && values[end] == values[start] {
            end += 1;
        }
        distinct.push((values[start], start, end));
        start = end;
    }
    let points: Vec<f64> = distinct.iter().map(|d| d.0).collect();
    let cdf = law.cdf(&points)?;
    let mut worst: f64 = 0.0;
    for ((x, before, after), f) in distinct.into_iter().zip(cdf) {
        let f_left = f - atom_mass_at(law, x);
        worst = worst
            .max((f - after as f64 / n).abs())
            .max((f_left - before as f64 / n).abs());
    }
    Ok(worst)
}

/// Computes the Kolmogorov–Smirnov distance between the non-zero eigenvalues and the law
/// conditioned on x ≠ 0: both CDFs with their mass at 0 removed and renormalised. It measures the fit of the
/// continuous part alone when the two masses at 0 differ for a reason the law does not model.
/// Returns 0 when every eigenvalue or all of the law's mass is at 0.
///
/// # Errors
/// Any solver error of the law's CDF.
pub fn kolmogorov_smirnov_nonzero(esd: &Esd, law: &dyn SpectralLaw) -> Result<f64, SolverError> {
    let values: Vec<f64> = esd.values().iter().copied().filter(|v| *v != 0.0).collect();
    let zero = atom_mass_at(law, 0.0);
    if values.is_empty() || zero >= 1.0 {
        return Ok(0.0);
    }
    let n = values.len() as f64;
    let cdf = law.cdf(&values)?;
    let conditional = |f: f64, x: f64| (f - if x >= 0.0 { zero } else { 0.0 }) / (1.0 - zero);
    let mut worst: f64 = 0.0;
    let mut start = 0;
    while start < values.len() {
        let mut end = start + 1;
        while end < values.len() && values[end] == values[start] {
            end += 1;
        }
        let x = values[start];
        let f = conditional(cdf[start], x);
        let f_left = f - atom_mass_at(law, x) / (1.0 - zero);
        worst = worst
            .max((f - end as f64 / n).abs())
            .max((f_left - start as f64 / n).abs());
        start = end;
    }
    Ok(worst)
}

/// The Wasserstein-1 distance ∫ |F_ESD − F| dx between the ESD and the law.
///
/// # Errors
/// Any solver error of the law's CDF.
pub fn wasserstein1(esd: &Esd, law: &dyn SpectralLaw) -> Result<f64, SolverError> {
    let (lo_law, hi_law) = law.hull();
    let (lo_esd, hi_esd) = esd.range();
    let (lo, hi) = (lo_law.min(lo_esd), hi_law.max(hi_esd));
    if hi <= lo {
        return Ok(0.0);
    }
    let mut grid: Vec<f64> = (0..=W1_GRID)
        .map(|i| lo + (hi - lo) * i as f64 / W1_GRID as f64)
        .collect();
    grid.extend_from_slice(esd.values());
    grid.extend(law.atoms().iter().map(|a| a.x));
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let cdf = law.cdf(&grid)?;

    let values = esd.values();
    let n = values.len() as f64;
    let mut below = 0;
    let mut total = 0.0;
    for j in 0..grid.len() - 1 {
        let (a, b) = (grid[j], grid[j + 1]);
        while below < values.len() && values[below] <= a {
            below += 1;
        }
        // On [a, b) the ESD is constant; F runs from F(a) to F(b−).
        let level = below as f64 / n;
        let f_right = cdf[j + 1] - atom_mass_at(law, b);
        total += 0.5 * (b - a) * ((level - cdf[j]).abs() + (level - f_right).abs());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::MarchenkoPastur;

    #[test]
    fn ks_of_exact_quantiles_is_half_a_step() {
        // Eigenvalues at the (i − 1/2)/n quantiles of a continuous law: KS = 1/(2n) exactly.
        let law = MarchenkoPastur::new(0.5, 1.0).unwrap();
        let n = 200;
        let (a, b) = law.edges();
        let quantile = |u: f64| {
            let (mut lo, mut hi) = (a, b);
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if law.cdf_at(mid) < u {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            0.5 * (lo + hi)
        };
        let esd = Esd::pooled([(0..n)
            .map(|i| quantile((i as f64 + 0.5) / n as f64))
            .collect::<Vec<_>>()]);
        let ks = kolmogorov_smirnov(&esd, &law).unwrap();
        assert!((ks - 0.5 / n as f64).abs() < 1e-9, "KS {ks}");
        let w1 = wasserstein1(&esd, &law).unwrap();
        assert!(w1 < (b - a) / n as f64, "W1 {w1}");
    }

    #[test]
    fn atom_is_matched_exactly() {
        // Half the eigenvalues at 0 against MP(2) with its atom of 1/2: the atom adds nothing.
        let law = MarchenkoPastur::new(2.0, 1.0).unwrap();
        let mut values = vec![0.0; 100];
        let (a, b) = law.edges();
        values.extend((0..100).map(|i| a + (b - a) * (i as f64 + 0.5) / 100.0));
        let ks = kolmogorov_smirnov(&Esd::pooled([values]), &law).unwrap();
        // Only the continuous part differs (uniform vs MP), which is well below 0.5.
        assert!(ks < 0.2, "KS {ks}");
        let all_zero = kolmogorov_smirnov(&Esd::pooled([vec![0.0; 10]]), &law).unwrap();
        assert!(
            (all_zero - 0.5).abs() < 1e-12,
            "KS with every eigenvalue at 0: {all_zero}"
        );
    }

    #[test]
    fn shifted_sample_has_w1_equal_to_shift() {
        // A point mass at 1 against a point mass at 1 + δ through a narrow MP law: W1 ≈ δ.
        let law = MarchenkoPastur::new(1e-6, 1.0).unwrap();
        let esd = Esd::pooled([vec![1.5; 50]]);
        let w1 = wasserstein1(&esd, &law).unwrap();
        assert!((w1 - 0.5).abs() < 1e-3, "W1 {w1}");
    }
}

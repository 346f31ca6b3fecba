//! The generalized Marchenko–Pastur law GMP(γ, H) of a weighted sample covariance.
//!
//! # Notation and normalisation
//! GMP(γ, H) is the limit of the eigenvalue law of the d×d block (1/N) Σ_i τ_i x_i x_iᵀ, with x_i
//! i.i.d. with independent standardised entries, τ_i i.i.d. with law H and independent of the x_i,
//! as d/N → γ. H is a discrete [`WeightLaw`]; its values may be negative or zero.
//!
//! # Formula
//! The Stieltjes transform solves m = 1 / (−z + E_H[τ / (1 + γ τ m)]) with Im m > 0; the density
//! is Im m(x + i0)/π. There is an atom at 0 of mass max(0, 1 − P(τ ≠ 0)/γ). Moments follow from
//! the free cumulants κ_n = γ^(n−1) E\[τⁿ\] (see [`super::moments`]).
//!
//! # Accuracy
//! The support edges are exact to about 1e-15 relative (bisection on the critical points of the
//! inverse map). The density is exact to the Newton tolerance away from the edges; within about
//! 1e-10 of a square-root edge Newton converges only linearly. The CDF comes in closed form from the
//! log-potential (see [`crate::stieltjes::potential`]): it is exact up to rounding, about
//! 1e-15 · (1 + 1/γ), everywhere, including near edges, cusps where two bulks merge, and atoms.
//!
//! # Complexity
//! Construction: the support search, O(K) per bisection step for K atoms. Each density or CDF
//! point then costs a few Newton steps of cost O(K), warm-started from its neighbour; the CDF adds
//! one `atan2` per atom. Points outside the support cost O(log of the number of intervals).
//!
//! # References
//! J. W. Silverstein, Z. D. Bai, "On the empirical distribution of eigenvalues of a class of large
//! dimensional random matrices", J. Multivariate Anal. 54 (1995). J. W. Silverstein, S.-I. Choi,
//! "Analysis of the limiting spectral distribution of large dimensional random matrices",
//! J. Multivariate Anal. 54 (1995). See theory/gmp.md.

use num_complex::Complex64;
use rayon::prelude::*;

use super::moments::{gmp_free_cumulants, moments_from_free_cumulants};
use super::weights::WeightLaw;
use super::{Atom, SpectralLaw};
use crate::error::{LawError, SolverError};
use crate::stieltjes::potential::{edge_stieltjes, gmp_cdf};
use crate::stieltjes::solver::{solve_by_continuation, solve_on_support};
use crate::stieltjes::support::support;
use crate::stieltjes::{GmpEquation, SolverParams, Support};

/// Points × atoms below which CDF values are computed on one thread.
const PARALLEL_CDF_WORK: usize = 1 << 17;

/// The law GMP(γ, H) with its support and CDF table computed.
///
/// ```
/// use hessian_rmt::laws::{Gmp, SpectralLaw, WeightLaw};
/// // τ ≡ 1 gives Marchenko–Pastur: at γ = 1/4 the support is [1/4, 9/4].
/// let law = Gmp::new(0.25, WeightLaw::point(1.0).unwrap()).unwrap();
/// let (lo, hi) = law.support()[0];
/// assert!((lo - 0.25).abs() < 1e-12 && (hi - 2.25).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Gmp {
    gamma: f64,
    weights: WeightLaw,
    support: Support,
    scale: f64,
    params: SolverParams,
    /// F at the upper edge of each support interval.
    upper_cdf: Vec<f64>,
    label: String,
    /// A power of 2 near max|τ|. The solver works on H/unit, whose law is GMP(γ, H)/unit, so that
    /// weights of any size (1e-150 or 1e150) stay far from overflow. Dividing by a power of 2 is
    /// exact, so results are the same bits as for H itself, scaled.
    unit: f64,
    /// H/unit.
    scaled: WeightLaw,
}

impl Gmp {
    /// Builds GMP(γ, H) with default solver parameters.
    ///
    /// # Errors
    /// [`LawError::Gamma`] unless γ is finite and positive; [`LawError::Solver`] if the density
    /// cannot be evaluated while tabulating the CDF.
    pub fn new(gamma: f64, weights: WeightLaw) -> Result<Self, LawError> {
        Self::with_params(gamma, weights, SolverParams::default())
    }

    /// Builds GMP(γ, H) with the given solver parameters.
    ///
    /// # Errors
    /// As [`Gmp::new`].
    pub fn with_params(
        gamma: f64,
        weights: WeightLaw,
        params: SolverParams,
    ) -> Result<Self, LawError> {
        if !(gamma.is_finite() && gamma > 0.0) {
            return Err(LawError::Gamma(gamma));
        }
        let unit = match weights.max_abs() {
            0.0 => 1.0,
            m => 2f64.powi(m.log2().round() as i32),
        };
        let scaled = weights.scaled(1.0 / unit);
        let eq = GmpEquation::new(gamma, scaled.values(), scaled.probs());
        let support = support(&eq)?;
        // Bound on the spectral radius: |λ| ≤ max|τ| · (1 + √γ)² for the limit law.
        let scale = (scaled.max_abs() * (1.0 + gamma.sqrt()).powi(2)).max(f64::MIN_POSITIVE);
        // F at each upper edge, from the real m there; the gap to the right lies at larger w.
        let upper_cdf = support
            .edge_w
            .iter()
            .zip(&support.intervals)
            .map(|(&(_, w), &(_, hi))| {
                gmp_cdf(&eq, hi, edge_stieltjes(gamma, w, true)).clamp(0.0, 1.0)
            })
            .collect();
        let label = format!("GMP(γ = {gamma}, {} weight atoms)", weights.len());
        Ok(Self {
            gamma,
            weights,
            support,
            scale,
            params,
            upper_cdf,
            label,
            unit,
            scaled,
        })
    }

    /// Returns the equation in the solver's units (weights H/unit).
    fn scaled_equation(&self) -> GmpEquation<'_> {
        GmpEquation::new(self.gamma, self.scaled.values(), self.scaled.probs())
    }

    fn to_scaled(&self, xs: &[f64]) -> Vec<f64> {
        xs.iter().map(|x| x / self.unit).collect()
    }

    /// Replaces the label used by [`SpectralLaw::name`].
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Aspect ratio γ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The weight law H.
    pub fn weights(&self) -> &WeightLaw {
        &self.weights
    }

    /// Mass of the atom at 0.
    pub fn zero_atom(&self) -> f64 {
        self.support.zero_atom
    }

    /// Masses of the continuous part on each support interval, in closed form (differences of the
    /// CDF at the edges).
    pub fn interval_masses(&self) -> Vec<f64> {
        let mut below = 0.0;
        self.support
            .intervals
            .iter()
            .zip(&self.upper_cdf)
            .map(|(&(lo, _), &upper)| {
                let start = below
                    + if lo >= 0.0 {
                        self.support.zero_atom
                    } else {
                        0.0
                    };
                below = upper;
                upper - start.min(upper)
            })
            .collect()
    }

    /// m(x + i0) at real points inside the support (None outside it, where m is real and not
    /// solved for), in the caller's order.
    ///
    /// # Errors
    /// [`SolverError::NoConvergence`] if a solve fails.
    pub fn stieltjes_on_axis(&self, xs: &[f64]) -> Result<Vec<Option<Complex64>>, SolverError> {
        let mut out = vec![None; xs.len()];
        for (i, m) in self.solve_inside(xs)? {
            out[i] = Some(m / self.unit);
        }
        Ok(out)
    }

    /// m(x + i0) in the solver's units at the points of `xs` inside the support, as (index, m).
    fn solve_inside(&self, xs: &[f64]) -> Result<Vec<(usize, Complex64)>, SolverError> {
        let xs = self.to_scaled(xs);
        let eq = self.scaled_equation();
        solve_on_support(&eq, &self.support.intervals, &xs, self.scale, &self.params)
    }

    /// Returns the equation this law solves, for diagnostics such as residuals.
    pub fn equation(&self) -> GmpEquation<'_> {
        GmpEquation::new(self.gamma, self.weights.values(), self.weights.probs())
    }

    /// The Stieltjes transform m(z) for Im z > 0.
    ///
    /// # Errors
    /// [`SolverError::NoConvergence`] if the continuation fails.
    ///
    /// # Panics
    /// If Im z ≤ 0.
    pub fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        assert!(
            z.im > 0.0,
            "the Stieltjes transform is evaluated in the upper half plane, got z = {z}"
        );
        Ok(solve_by_continuation(
            &self.scaled_equation(),
            z / self.unit,
            self.scale,
            &self.params,
        )? / self.unit)
    }

    /// The Stieltjes transform m(x + i0) at real points, with density Im m/π and CDF from the
    /// log-potential, in one pass: (density, cdf) in the caller's order.
    ///
    /// # Errors
    /// [`SolverError::NoConvergence`] if a solve fails.
    pub fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        let eq = self.scaled_equation();
        let scaled = self.to_scaled(xs);
        let mut density = vec![0.0; xs.len()];
        // Outside the support F is constant between intervals, plus the atom at 0 from x = 0 on.
        let mut cdf: Vec<f64> = scaled.iter().map(|&x| self.gap_cdf(x)).collect();
        let roots = self.solve_inside(xs)?;
        // Each CDF value costs O(K) on its own, so for large laws they run in parallel. The values
        // do not depend on how the points are shared out.
        let value = |&(i, m): &(usize, Complex64)| gmp_cdf(&eq, scaled[i], m).clamp(0.0, 1.0);
        let values: Vec<f64> = if roots.len() * eq.values.len() < PARALLEL_CDF_WORK {
            roots.iter().map(value).collect()
        } else {
            roots
                .par_iter()
                .with_min_len((PARALLEL_CDF_WORK / eq.values.len().max(1)).max(1))
                .map(value)
                .collect()
        };
        for (&(i, m), f) in roots.iter().zip(values) {
            density[i] = m.im / std::f64::consts::PI / self.unit;
            cdf[i] = f;
        }
        Ok((density, cdf))
    }

    /// F outside the support (x in the solver's units): the mass of the intervals below x, plus
    /// the atom at 0 from x = 0 on.
    fn gap_cdf(&self, x: f64) -> f64 {
        let left = self.support.intervals.partition_point(|&(_, hi)| hi <= x);
        let (below, gap_start) = match left {
            0 => (0.0, f64::NEG_INFINITY),
            k => (self.upper_cdf[k - 1], self.support.intervals[k - 1].1),
        };
        let atom = if gap_start < 0.0 && x >= 0.0 {
            self.support.zero_atom
        } else {
            0.0
        };
        (below + atom).clamp(0.0, 1.0)
    }
}

impl SpectralLaw for Gmp {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn support(&self) -> Vec<(f64, f64)> {
        self.support
            .intervals
            .iter()
            .map(|&(a, b)| (a * self.unit, b * self.unit))
            .collect()
    }

    fn atoms(&self) -> Vec<Atom> {
        match self.support.zero_atom {
            mass if mass > 0.0 => vec![Atom { x: 0.0, mass }],
            _ => Vec::new(),
        }
    }

    fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        let mut out = vec![0.0; xs.len()];
        for (i, m) in self.solve_inside(xs)? {
            out[i] = m.im / std::f64::consts::PI / self.unit;
        }
        Ok(out)
    }

    fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        Ok(self.density_and_cdf(xs)?.1)
    }

    fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        Gmp::density_and_cdf(self, xs)
    }

    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        Gmp::stieltjes(self, z)
    }

    fn moments(&self, count: usize) -> Vec<f64> {
        let weight_moments: Vec<f64> = (1..=count).map(|k| self.weights.moment(k as i32)).collect();
        moments_from_free_cumulants(&gmp_free_cumulants(self.gamma, &weight_moments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::MarchenkoPastur;
    use crate::tol;

    #[test]
    fn point_law_matches_marchenko_pastur() {
        for gamma in [0.1, 0.5, 2.0] {
            let law = Gmp::new(gamma, WeightLaw::point(1.0).unwrap()).unwrap();
            let mp = MarchenkoPastur::new(gamma, 1.0).unwrap();
            let (a, b) = mp.edges();
            let xs: Vec<f64> = (1..200).map(|i| a + (b - a) * i as f64 / 200.0).collect();
            let got = law.density(&xs).unwrap();
            for (x, rho) in xs.iter().zip(got) {
                let exact = mp.density_at(*x);
                assert!(
                    (rho - exact).abs() <= tol::DENSITY_REL * exact,
                    "γ {gamma}, x {x}: {rho} vs {exact}"
                );
            }
            let grid: Vec<f64> = (0..=300)
                .map(|i| -0.1 + (b + 0.2) * i as f64 / 300.0)
                .collect();
            for (x, f) in grid.iter().zip(law.cdf(&grid).unwrap()) {
                let exact = mp.cdf_at(*x);
                assert!(
                    (f - exact).abs() <= tol::CDF_ABS,
                    "γ {gamma}, x {x}: F {f} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn scaled_and_negated_weights() {
        // τ ≡ −2: the law of −2 · MP(γ), i.e. support [−2b, −2a].
        let law = Gmp::new(0.5, WeightLaw::point(-2.0).unwrap()).unwrap();
        let mp = MarchenkoPastur::new(0.5, 2.0).unwrap();
        let (a, b) = mp.edges();
        let (lo, hi) = law.support()[0];
        assert!(
            (lo + b).abs() < 1e-12 && (hi + a).abs() < 1e-12,
            "[{lo}, {hi}]"
        );
        let x = -1.3;
        let f = law.cdf(&[x]).unwrap()[0];
        let exact = 1.0 - mp.cdf_at(-x);
        assert!((f - exact).abs() < tol::CDF_ABS, "{f} vs {exact}");
    }

    #[test]
    fn stieltjes_matches_density_near_axis() {
        let weights = WeightLaw::from_atoms(&[(0.3, -0.5), (0.7, 1.0)]).unwrap();
        let law = Gmp::new(0.4, weights).unwrap();
        let (lo, hi) = law.support()[law.support().len() - 1];
        let x = 0.5 * (lo + hi);
        let m = law.stieltjes(Complex64::new(x, 1e-10)).unwrap();
        let rho = law.density(&[x]).unwrap()[0];
        assert!(
            (m.im / std::f64::consts::PI - rho).abs() < 1e-8,
            "{} vs {rho}",
            m.im
        );
    }

    #[test]
    fn mass_is_one_with_mixed_signs_and_zeros() {
        let weights = WeightLaw::from_atoms(&[(0.25, -1.0), (0.25, 0.0), (0.5, 0.6)]).unwrap();
        for gamma in [0.3, 0.75, 1.5] {
            let law = Gmp::new(gamma, weights.clone()).unwrap();
            let mass = law.zero_atom() + law.interval_masses().iter().sum::<f64>();
            assert!(
                (mass - 1.0).abs() < tol::CDF_ABS,
                "γ {gamma}: total mass {mass}"
            );
        }
    }
}

//! The Marchenko–Pastur law, in closed form.
//!
//! # Notation and normalisation
//! MP(γ, σ²) is the limit of the eigenvalue law of the d×d matrix (σ²/N) X Xᵀ, X a d×N matrix of
//! i.i.d. entries with mean 0 and variance 1, as d/N → γ. It is GMP(γ, δ_σ²).
//!
//! # Formula
//! With a = σ²(1 − √γ)² and b = σ²(1 + √γ)²,
//!
//! ```text
//! ρ(x) = √((b − x)(x − a)) / (2π γ σ² x)   on [a, b],
//! ```
//!
//! plus an atom of mass 1 − 1/γ at 0 when γ > 1. The CDF uses the antiderivative
//! G(t) = r(t) + c·asin((t − c)/h) − √(ab)·asin(((a + b)t − 2ab)/((b − a)t)) of r(t)/t,
//! r = √((b − t)(t − a)), c = (a + b)/2, h = (b − a)/2 (checked by differentiation in theory/mp.md).
//!
//! # Accuracy
//! Density and CDF to a few ulps away from the edges; near an edge the CDF loses digits to
//! cancellation in asin, to about 1e-14 absolute.
//!
//! # References
//! V. A. Marchenko, L. A. Pastur, "Distribution of eigenvalues for some sets of random matrices",
//! Mat. Sb. 72 (1967). See theory/mp.md.

use std::f64::consts::PI;

use num_complex::Complex64;

use super::moments::{gmp_free_cumulants, moments_from_free_cumulants};
use super::{Atom, SpectralLaw};
use crate::error::{LawError, SolverError};

/// The Marchenko–Pastur law MP(γ, σ²).
///
/// ```
/// use hessian_rmt::laws::{MarchenkoPastur, SpectralLaw};
/// let mp = MarchenkoPastur::new(2.0, 1.0).unwrap();
/// assert_eq!(mp.atoms()[0].mass, 0.5);
/// assert!((mp.cdf(&[0.0]).unwrap()[0] - 0.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarchenkoPastur {
    gamma: f64,
    sigma2: f64,
}

impl MarchenkoPastur {
    /// Creates MP(γ, σ²).
    ///
    /// # Errors
    /// [`LawError::Gamma`] unless γ is finite and positive; [`LawError::Scale`] unless σ² is.
    pub fn new(gamma: f64, sigma2: f64) -> Result<Self, LawError> {
        if !(gamma.is_finite() && gamma > 0.0) {
            return Err(LawError::Gamma(gamma));
        }
        if !(sigma2.is_finite() && sigma2 > 0.0) {
            return Err(LawError::Scale {
                name: "variance",
                value: sigma2,
            });
        }
        Ok(Self { gamma, sigma2 })
    }

    /// Support edges (a, b) of the continuous part.
    pub fn edges(&self) -> (f64, f64) {
        let r = self.gamma.sqrt();
        (
            self.sigma2 * (1.0 - r).powi(2),
            self.sigma2 * (1.0 + r).powi(2),
        )
    }

    /// Mass of the atom at 0: max(0, 1 − 1/γ).
    pub fn zero_atom(&self) -> f64 {
        (1.0 - 1.0 / self.gamma).max(0.0)
    }

    /// Density of the continuous part at x.
    pub fn density_at(&self, x: f64) -> f64 {
        let (a, b) = self.edges();
        if x <= a || x >= b {
            return 0.0;
        }
        ((b - x) * (x - a)).sqrt() / (2.0 * PI * self.gamma * self.sigma2 * x)
    }

    /// The Stieltjes transform at z with Im z > 0: the root of γσ²z m² + (z + σ²(γ − 1)) m + 1 = 0
    /// with Im m > 0 (for Im z > 0 exactly one root lies in the upper half plane).
    pub fn stieltjes_at(&self, z: Complex64) -> Complex64 {
        let (g, s) = (self.gamma, self.sigma2);
        let b = z + s * (g - 1.0);
        let a = g * s * z;
        let disc = (b * b - 4.0 * a).sqrt();
        // Of the two roots, take the larger-magnitude one from the stable formula and the other
        // from the product of the roots, 1/a, to avoid cancellation.
        let q = if (b.conj() * disc).re >= 0.0 {
            -(b + disc)
        } else {
            -(b - disc)
        };
        let r1 = q / (2.0 * a);
        let r2 = 2.0 / q;
        if r1.im > r2.im { r1 } else { r2 }
    }

    /// F(x), atom included.
    pub fn cdf_at(&self, x: f64) -> f64 {
        let (a, b) = self.edges();
        let atom = if x >= 0.0 { self.zero_atom() } else { 0.0 };
        if x <= a {
            return atom;
        }
        if x >= b {
            return 1.0;
        }
        let c = 0.5 * (a + b);
        let h = 0.5 * (b - a);
        let root_ab = (a * b).sqrt();
        let antiderivative = |t: f64| {
            let r = ((b - t) * (t - a)).max(0.0).sqrt();
            let mut g = r + c * ((t - c) / h).clamp(-1.0, 1.0).asin();
            // At γ = 1 the lower edge is 0, √(ab) = 0 and the last term vanishes.
            if root_ab > 0.0 {
                let u = ((a + b) * t - 2.0 * a * b) / ((b - a) * t);
                g -= root_ab * u.clamp(-1.0, 1.0).asin();
            }
            g
        };
        // G(a) = −cπ/2 + √(ab)π/2 in closed form, which avoids evaluating asin at its end.
        let g_a = -c * PI / 2.0 + root_ab * PI / 2.0;
        let continuous = (antiderivative(x) - g_a) / (2.0 * PI * self.gamma * self.sigma2);
        (atom + continuous).clamp(0.0, 1.0)
    }
}

impl SpectralLaw for MarchenkoPastur {
    fn name(&self) -> String {
        if self.sigma2 == 1.0 {
            format!("MP(γ = {})", self.gamma)
        } else {
            format!("MP(γ = {}, σ² = {})", self.gamma, self.sigma2)
        }
    }

    fn support(&self) -> Vec<(f64, f64)> {
        vec![self.edges()]
    }

    fn atoms(&self) -> Vec<Atom> {
        match self.zero_atom() {
            mass if mass > 0.0 => vec![Atom { x: 0.0, mass }],
            _ => Vec::new(),
        }
    }

    fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        Ok(xs.iter().map(|&x| self.density_at(x)).collect())
    }

    fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        Ok(xs.iter().map(|&x| self.cdf_at(x)).collect())
    }

    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        Ok(self.stieltjes_at(z))
    }

    fn moments(&self, count: usize) -> Vec<f64> {
        let weight_moments: Vec<f64> = (1..=count).map(|k| self.sigma2.powi(k as i32)).collect();
        moments_from_free_cumulants(&gmp_free_cumulants(self.gamma, &weight_moments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_derivative_is_density() {
        for gamma in [0.25, 1.0, 3.0] {
            let mp = MarchenkoPastur::new(gamma, 1.5).unwrap();
            let (a, b) = mp.edges();
            for i in 1..20 {
                let x = a + (b - a) * i as f64 / 20.0;
                let h = 1e-6 * (b - a);
                let fd = (mp.cdf_at(x + h) - mp.cdf_at(x - h)) / (2.0 * h);
                let rho = mp.density_at(x);
                assert!(
                    (fd - rho).abs() < 1e-6 * rho.max(1.0),
                    "γ {gamma}, x {x}: {fd} vs {rho}"
                );
            }
        }
    }

    #[test]
    fn cdf_limits_and_atom() {
        let mp = MarchenkoPastur::new(2.0, 1.0).unwrap();
        assert_eq!(mp.cdf_at(-1e-12), 0.0);
        assert!((mp.cdf_at(0.0) - 0.5).abs() < 1e-15);
        let (_, b) = mp.edges();
        assert!((mp.cdf_at(b * (1.0 - 1e-12)) - 1.0).abs() < 1e-9);
        let mp = MarchenkoPastur::new(0.5, 1.0).unwrap();
        let (_, b) = mp.edges();
        assert!((mp.cdf_at(b * (1.0 - 1e-12)) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(
            matches!(MarchenkoPastur::new(f64::NAN, 1.0), Err(LawError::Gamma(g)) if g.is_nan())
        );
        assert!(matches!(
            MarchenkoPastur::new(0.0, 1.0),
            Err(LawError::Gamma(_))
        ));
        assert!(matches!(
            MarchenkoPastur::new(1.0, -1.0),
            Err(LawError::Scale { .. })
        ));
    }
}

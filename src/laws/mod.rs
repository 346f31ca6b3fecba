//! Limiting spectral laws: closed forms and solved laws, one file each.
//!
//! Every law implements [`SpectralLaw`]: its support, its atoms, its density and CDF at any points,
//! and its first moments. Normalisation: all laws describe the eigenvalues of a d×d block
//! `(1/N) Σ_i τ_i x_i x_iᵀ` with γ = d/N (see the crate glossary).
//!
//! - [`mp`]: Marchenko–Pastur, in closed form;
//! - [`gmp`]: generalized Marchenko–Pastur for a discrete weight law, through the Stieltjes solver;
//! - [`separable`]: the weighted sample covariance of data with a population covariance Σ;
//! - [`mixture`]: equal-weight mixtures, for pooled replicates whose laws differ;
//! - [`weights`]: discrete weight laws;
//! - [`moments`]: moments from free cumulants;
//! - [`softmax`]: moments of the cross-entropy weights for any number of classes, and Frobenius
//!   ratios of blocks.

pub mod gmp;
pub mod mixture;
pub mod moments;
pub mod mp;
pub mod separable;
pub mod softmax;
pub mod weights;

pub use gmp::Gmp;
pub use mixture::Mixture;
pub use mp::MarchenkoPastur;
pub use separable::Separable;
pub use weights::WeightLaw;

use num_complex::Complex64;
use serde::Serialize;

use crate::error::SolverError;

/// A point mass of a spectral law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Atom {
    /// Location.
    pub x: f64,
    /// Mass.
    pub mass: f64,
}

/// A limiting spectral distribution: an absolutely continuous part on finitely many intervals plus
/// finitely many atoms.
pub trait SpectralLaw: Send + Sync {
    /// Short description for reports and legends, e.g. `MP(γ = 0.5)`.
    fn name(&self) -> String;

    /// Disjoint closed intervals carrying the continuous part, sorted.
    fn support(&self) -> Vec<(f64, f64)>;

    /// Atoms, sorted by location (empty when there are none).
    fn atoms(&self) -> Vec<Atom>;

    /// Density of the continuous part at each point (any order; 0 off the support).
    ///
    /// # Errors
    /// [`SolverError`] when a solved law cannot evaluate its Stieltjes transform.
    fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError>;

    /// F(x) = μ((−∞, x]) at each point (any order), atoms included.
    ///
    /// # Errors
    /// [`SolverError`] when a solved law cannot evaluate its Stieltjes transform.
    fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError>;

    /// Density and CDF at the same points in one call; laws whose two share work (a solve per
    /// point) override it.
    ///
    /// # Errors
    /// As [`SpectralLaw::density`].
    fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        Ok((self.density(xs)?, self.cdf(xs)?))
    }

    /// The Stieltjes transform m(z) = ∫ dμ(x)/(x − z) at a point with Im z > 0.
    ///
    /// # Errors
    /// [`SolverError`] when a solved law cannot evaluate it.
    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError>;

    /// Raw moments ∫ x^k dμ for k = 1..=count.
    fn moments(&self, count: usize) -> Vec<f64>;

    /// Smallest and largest point of the support, atoms included.
    fn hull(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (a, b) in self.support() {
            lo = lo.min(a);
            hi = hi.max(b);
        }
        for atom in self.atoms() {
            lo = lo.min(atom.x);
            hi = hi.max(atom.x);
        }
        (lo, hi)
    }
}

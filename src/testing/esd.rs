//! Checking an ESD against a limit law with a tolerance that follows from the sizes.
//!
//! The Kolmogorov–Smirnov distance between the ESD of a d×d block and its limit law is
//! O(log d / d) when the weights are exactly those of the law (eigenvalue rigidity), and the
//! realised weights of N samples add O(N^(−1/2)) per replicate, O((R N)^(−1/2)) when R independent
//! replicates are pooled. [`EsdTolerance::ks`] adds the two with the calibrated constants of
//! [`crate::tol::KS_DIM`] and [`crate::tol::KS_WEIGHTS`] (theory/tolerances.md).
//!
//! ```
//! use faer::Par;
//! use hessian_rmt::laws::MarchenkoPastur;
//! use hessian_rmt::models::{eigen::symmetric_eigenvalues, linear::weighted_gram_lower};
//! use hessian_rmt::sampling::{DataDist, rng, Stream};
//! use hessian_rmt::testing::esd::{EsdTolerance, assert_esd_matches};
//!
//! let (d, n, seed) = (200, 400, 11);
//! let x = DataDist::Gaussian.sample(&mut rng(seed, Stream::Replicate(0)), d, n, 1.0);
//! let block = weighted_gram_lower(x.as_ref(), &vec![1.0; n], Par::Seq);
//! let eigenvalues = symmetric_eigenvalues(block.as_ref(), Par::Seq).unwrap();
//! let law = MarchenkoPastur::new(0.5, 1.0).unwrap();
//! let check = assert_esd_matches(&eigenvalues, &law, &EsdTolerance::new(d, n, 1).seed(seed));
//! assert!(check.ks < check.tolerance);
//! ```

use std::fmt;

use crate::compare::distances::kolmogorov_smirnov;
use crate::error::SolverError;
use crate::laws::SpectralLaw;
use crate::sampling::Esd;
use crate::tol;

/// The sizes behind an ESD, which set its tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EsdTolerance {
    /// Dimension d of each block.
    pub dim: usize,
    /// Samples N per block.
    pub samples: usize,
    /// Replicates pooled into the ESD.
    pub replicates: usize,
    /// Whether the weights are random (drawn per sample). With deterministic weights, or when
    /// the law is the one of the realised weights, the N^(−1/2) term is left out.
    pub random_weights: bool,
    /// The seed that produced the ESD, quoted in failure messages.
    pub seed: Option<u64>,
}

impl EsdTolerance {
    /// Sizes of a pooled ESD with random weights and no seed recorded.
    ///
    /// # Panics
    /// If a size is 0.
    pub fn new(dim: usize, samples: usize, replicates: usize) -> Self {
        assert!(
            dim > 0 && samples > 0 && replicates > 0,
            "sizes must be positive"
        );
        Self {
            dim,
            samples,
            replicates,
            random_weights: true,
            seed: None,
        }
    }

    /// Records the seed for failure messages.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Declares the weights deterministic (or the law exact for the realised weights).
    pub fn exact_weights(mut self) -> Self {
        self.random_weights = false;
        self
    }

    /// KS tolerance: KS_DIM · ln d / d + KS_WEIGHTS · (R N)^(−1/2) (the second term only for random
    /// weights).
    pub fn ks(&self) -> f64 {
        let d = self.dim as f64;
        let weights = if self.random_weights {
            ((self.replicates * self.samples) as f64).sqrt().recip()
        } else {
            0.0
        };
        tol::KS_DIM * d.ln().max(1.0) / d + tol::KS_WEIGHTS * weights
    }
}

/// The outcome of [`check_esd`].
#[derive(Debug, Clone, PartialEq)]
pub struct EsdCheck {
    /// Kolmogorov–Smirnov distance between the ESD and the law.
    pub ks: f64,
    /// Its tolerance.
    pub tolerance: f64,
    /// The law's name.
    pub law: String,
    /// The sizes and seed.
    pub sizes: EsdTolerance,
}

impl EsdCheck {
    /// Returns whether the distance is within tolerance.
    pub fn passed(&self) -> bool {
        self.ks <= self.tolerance
    }
}

impl fmt::Display for EsdCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.sizes;
        write!(
            f,
            "KS distance {:.4e} {} tolerance {:.4e} against {} (d = {}, N = {}, R = {}, random \
             weights: {}, seed {})",
            self.ks,
            if self.passed() { "within" } else { "exceeds" },
            self.tolerance,
            self.law,
            s.dim,
            s.samples,
            s.replicates,
            s.random_weights,
            s.seed
                .map_or_else(|| "not recorded".to_owned(), |v| v.to_string()),
        )
    }
}

/// Measures the KS distance between the eigenvalues and the law, eigenvalues within
/// [`tol::ZERO_EIGENVALUE_REL`] of 0 counted as 0 when the law has an atom there.
///
/// # Errors
/// A solver error of the law's CDF.
///
/// # Panics
/// If `eigenvalues` is empty or contains NaN.
pub fn check_esd(
    eigenvalues: &[f64],
    law: &dyn SpectralLaw,
    sizes: &EsdTolerance,
) -> Result<EsdCheck, SolverError> {
    let mut esd = Esd::pooled([eigenvalues.to_vec()]);
    if law.atoms().iter().any(|a| a.x == 0.0) {
        esd.snap_zeros();
    }
    Ok(EsdCheck {
        ks: kolmogorov_smirnov(&esd, law)?,
        tolerance: sizes.ks(),
        law: law.name(),
        sizes: *sizes,
    })
}

/// [`check_esd`] that panics with the distance, the tolerance, the sizes and the seed when the
/// ESD is too far from the law, and returns the check otherwise.
///
/// # Panics
/// If the check fails or the law's CDF cannot be evaluated.
#[track_caller]
pub fn assert_esd_matches(
    eigenvalues: &[f64],
    law: &dyn SpectralLaw,
    sizes: &EsdTolerance,
) -> EsdCheck {
    let check = check_esd(eigenvalues, law, sizes)
        .unwrap_or_else(|e| panic!("cannot evaluate the CDF of {}: {e}", law.name()));
    assert!(check.passed(), "{check}");
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::MarchenkoPastur;

    #[test]
    fn a_wrong_law_is_rejected() {
        // Eigenvalues of a shifted law: quantiles of MP(0.5) plus 0.3.
        let law = MarchenkoPastur::new(0.5, 1.0).unwrap();
        let (a, b) = law.edges();
        let grid: Vec<f64> = (0..20_000)
            .map(|i| a + (b - a) * i as f64 / 20_000.0)
            .collect();
        let cdf = law.cdf(&grid).unwrap();
        let quantiles: Vec<f64> = (0..400)
            .map(|k| {
                let u = (k as f64 + 0.5) / 400.0;
                grid[cdf.partition_point(|f| *f < u).min(grid.len() - 1)]
            })
            .collect();
        let sizes = EsdTolerance::new(400, 800, 1).seed(1);
        let right = check_esd(&quantiles, &law, &sizes).unwrap();
        assert!(right.passed(), "{right}");
        let shifted: Vec<f64> = quantiles.iter().map(|q| q + 0.3).collect();
        let wrong = check_esd(&shifted, &law, &sizes).unwrap();
        assert!(!wrong.passed(), "{wrong}");
        assert!(wrong.to_string().contains("seed 1"), "{wrong}");
    }
}

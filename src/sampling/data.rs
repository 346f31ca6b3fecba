//! Data matrices with i.i.d. standardised entries.

use faer::reborrow::ReborrowMut;
use faer::{Mat, MatMut};
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use serde::Serialize;

/// The law of the data entries. Both have mean 0 and variance 1, so the limit laws are the same
/// (universality); Rademacher data let users check that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DataDist {
    /// Standard normal entries.
    Gaussian,
    /// Entries ±1 with probability 1/2 each.
    Rademacher,
}

impl std::fmt::Display for DataDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DataDist::Gaussian => "gaussian",
            DataDist::Rademacher => "rademacher",
        })
    }
}

impl DataDist {
    /// A rows×cols matrix of i.i.d. entries times `scale`, filled column by column (so the same
    /// generator state gives the same matrix on every platform).
    pub fn sample<R: Rng + ?Sized>(
        self,
        rng: &mut R,
        rows: usize,
        cols: usize,
        scale: f64,
    ) -> Mat<f64> {
        let mut m = Mat::<f64>::zeros(rows, cols);
        self.sample_into(rng, m.as_mut(), scale);
        m
    }

    /// Overwrites `out` with i.i.d. entries times `scale`, column by column: the same entries
    /// [`DataDist::sample`] draws from the same generator state. Lets a Monte Carlo loop reuse one
    /// buffer instead of touching fresh memory every replicate.
    pub fn sample_into<R: Rng + ?Sized>(self, rng: &mut R, mut out: MatMut<'_, f64>, scale: f64) {
        for j in 0..out.ncols() {
            for value in out.rb_mut().col_mut(j).iter_mut() {
                *value = scale * self.draw(rng);
            }
        }
    }

    fn draw<R: Rng + ?Sized>(self, rng: &mut R) -> f64 {
        match self {
            DataDist::Gaussian => rng.sample(StandardNormal),
            DataDist::Rademacher => {
                if rng.random::<bool>() {
                    1.0
                } else {
                    -1.0
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::seeds::{Stream, rng};

    #[test]
    fn entries_are_standardised() {
        // 200 000 entries: the sample mean has standard error 1/√n ≈ 0.0022 and the sample
        // variance ≈ √(2/n) ≈ 0.0032 (Gaussian) or 0 (Rademacher); 5 standard errors.
        for dist in [DataDist::Gaussian, DataDist::Rademacher] {
            let m = dist.sample(&mut rng(3, Stream::Replicate(0)), 400, 500, 1.0);
            let n = 200_000.0;
            let mean: f64 = m
                .col_iter()
                .flat_map(|c| c.iter().copied().collect::<Vec<_>>())
                .sum::<f64>()
                / n;
            let var: f64 = m
                .col_iter()
                .flat_map(|c| c.iter().map(|v| v * v).collect::<Vec<_>>())
                .sum::<f64>()
                / n;
            assert!(mean.abs() < 5.0 * 0.0022, "{dist}: mean {mean}");
            assert!((var - 1.0).abs() < 5.0 * 0.0032, "{dist}: variance {var}");
        }
    }

    #[test]
    fn rademacher_entries_are_signs() {
        let m = DataDist::Rademacher.sample(&mut rng(1, Stream::Replicate(0)), 10, 10, 1.0);
        assert!(m.col_iter().all(|c| c.iter().all(|v| v.abs() == 1.0)));
    }
}

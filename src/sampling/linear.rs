//! One Monte Carlo replicate of the linear model's Hessian blocks.

use faer::Mat;
use rand::Rng;
use serde::Serialize;

use super::data::DataDist;
use super::montecarlo::within_replicate;
use super::seeds::{Stream, rng};
use crate::error::{ModelError, SolverError};
use crate::models::eigen::symmetric_eigenvalues;
use crate::models::linear::{
    Loss, block_weights, softmax_columns, weighted_gram_lower, weights_from_probs,
};
use crate::models::lower::product;

/// Sizes and laws of one linear-model experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LinearConfig {
    /// Input dimension d.
    pub dim: usize,
    /// Number of samples N.
    pub samples: usize,
    /// Number of classes C.
    pub classes: usize,
    /// Logit scale s: W has i.i.d. N(0, s²/d) entries, so logits have variance about s².
    pub logit_scale: f64,
    /// Law of the data entries.
    pub data: DataDist,
    /// Draw W once and share it across replicates, instead of a fresh W per replicate.
    pub fix_weights: bool,
    /// Number of replicates R.
    pub replicates: usize,
    /// User seed.
    pub seed: u64,
}

impl LinearConfig {
    /// Creates the configuration of `verify`'s default linear suite at the given sizes: C = 10
    /// classes, logit scale s = 1, Gaussian data and a fresh W per replicate.
    pub fn gaussian(dim: usize, samples: usize, replicates: usize, seed: u64) -> Self {
        Self {
            dim,
            samples,
            classes: 10,
            logit_scale: 1.0,
            data: DataDist::Gaussian,
            fix_weights: false,
            replicates,
            seed,
        }
    }

    /// The aspect ratio γ = d/N.
    pub fn gamma(&self) -> f64 {
        self.dim as f64 / self.samples as f64
    }

    /// Checks the sizes.
    ///
    /// # Errors
    /// [`ModelError`] when d, N or R is 0, C < 2, or s is not finite and positive.
    pub fn validate(&self) -> Result<(), ModelError> {
        for (name, value, min) in [
            ("dimension", self.dim, 1),
            ("samples", self.samples, 1),
            ("classes", self.classes, 2),
            ("replicates", self.replicates, 1),
        ] {
            if value < min {
                return Err(ModelError::TooSmall { name, min, value });
            }
        }
        if !(self.logit_scale.is_finite() && self.logit_scale > 0.0) {
            return Err(ModelError::LogitScale(self.logit_scale));
        }
        Ok(())
    }

    /// Draws W (C×d, entries N(0, s²/d)) from `generator`.
    pub fn draw_weights<R: Rng + ?Sized>(&self, generator: &mut R) -> Mat<f64> {
        DataDist::Gaussian.sample(
            generator,
            self.classes,
            self.dim,
            self.logit_scale / (self.dim as f64).sqrt(),
        )
    }

    /// The shared W when weights are fixed.
    pub fn fixed_weights(&self) -> Mat<f64> {
        self.draw_weights(&mut rng(self.seed, Stream::FixedWeights))
    }
}

/// A block to sample: loss and 0-based row indices (k, l) of W.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockRequest {
    /// Loss whose Hessian the block belongs to.
    pub loss: Loss,
    /// Row index k of W (0-based).
    pub k: usize,
    /// Row index l of W (0-based).
    pub l: usize,
    /// Compute eigenvalues (false for blocks that are only checked for being zero).
    pub spectrum: bool,
}

/// What one replicate produced for one block.
#[derive(Debug, Clone)]
pub struct BlockSample {
    /// Eigenvalues, ascending (empty when not requested).
    pub eigenvalues: Vec<f64>,
    /// The realised weights τ_kl(i), i = 1..N.
    pub weights: Vec<f64>,
    /// max |H_ab| over the block's lower triangle.
    pub max_abs_entry: f64,
}

/// What one replicate produced.
#[derive(Debug, Clone)]
pub struct LinearReplicate {
    /// One entry per request, in request order.
    pub blocks: Vec<BlockSample>,
    /// The W of this replicate.
    pub w: Mat<f64>,
}

/// Samples one replicate: W (unless `fixed` is given), then X, both from `generator`; forms every
/// requested block with one product each and takes its eigenvalues, with the parallelism of
/// [`within_replicate`] (so the result does not depend on the thread count).
///
/// # Errors
/// [`SolverError::Eigen`] if an eigenvalue decomposition fails.
pub fn sample_replicate<R: Rng + ?Sized>(
    config: &LinearConfig,
    requests: &[BlockRequest],
    fixed: Option<&Mat<f64>>,
    generator: &mut R,
) -> Result<LinearReplicate, SolverError> {
    let w = match fixed {
        Some(w) => w.clone(),
        None => config.draw_weights(generator),
    };
    let x = config
        .data
        .sample(generator, config.dim, config.samples, 1.0);
    let logits = product(w.as_ref(), x.as_ref());
    let probs = requests
        .iter()
        .any(|r| r.loss == Loss::Ce)
        .then(|| softmax_columns(logits.as_ref()));

    let par = within_replicate(config.replicates);
    let mut blocks = Vec::with_capacity(requests.len());
    for request in requests {
        let weights = match (request.loss, &probs) {
            (Loss::Ce, Some(p)) => weights_from_probs(p.as_ref(), request.k, request.l),
            _ => block_weights(request.loss, logits.as_ref(), request.k, request.l),
        };
        let block = weighted_gram_lower(x.as_ref(), &weights, par);
        let mut max_abs_entry: f64 = 0.0;
        for j in 0..block.ncols() {
            for i in j..block.nrows() {
                max_abs_entry = max_abs_entry.max(block[(i, j)].abs());
            }
        }
        let eigenvalues = if request.spectrum {
            symmetric_eigenvalues(block.as_ref(), par)?
        } else {
            Vec::new()
        };
        blocks.push(BlockSample {
            eigenvalues,
            weights,
            max_abs_entry,
        });
    }
    Ok(LinearReplicate { blocks, w })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_config_has_suite_defaults() {
        let config = LinearConfig::gaussian(500, 1000, 10, 42);
        assert_eq!(config.classes, 10);
        assert_eq!(config.logit_scale, 1.0);
        assert_eq!(config.data, DataDist::Gaussian);
        assert!(!config.fix_weights);
        assert_eq!(config.gamma(), 0.5);
        assert!(config.validate().is_ok());
    }
}

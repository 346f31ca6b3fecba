//! One Monte Carlo replicate of the linear model's Hessian blocks.

use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Mat, MatRef};
use rand::Rng;
use serde::Serialize;

use super::data::DataDist;
use super::montecarlo::within_replicate;
use super::seeds::{Stream, rng};
use crate::error::{ModelError, SolverError};
use crate::models::linear::{
    Loss, block_weights, softmax_columns, weighted_gram_lower_into, weights_from_probs,
};
use crate::models::lower::{product, reuse};
use crate::models::tridiag::{tridiagonal_eigenvalues_of_many, tridiagonal_in_place};

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
    sample_replicate_with(
        config,
        requests,
        fixed,
        generator,
        &mut ReplicateBuffers::default(),
    )
}

/// The matrices of one replicate that the next replicate can overwrite: X, the scaled copy of a
/// chunk of X's samples, and one d×d block. Hand the same value to consecutive calls of
/// [`sample_replicate_with`], for instance through [`super::montecarlo::run_replicates_with`].
#[derive(Debug)]
pub struct ReplicateBuffers {
    x: Mat<f64>,
    scaled: Mat<f64>,
    block: Mat<f64>,
}

impl Default for ReplicateBuffers {
    /// Creates empty buffers, which the first replicate sizes.
    fn default() -> Self {
        Self {
            x: Mat::new(),
            scaled: Mat::new(),
            block: Mat::new(),
        }
    }
}

/// Samples one replicate as [`sample_replicate`] does, keeping its matrices in `buffers`, which it
/// overwrites. The result is the same, bit for bit, whatever `buffers` held.
///
/// # Errors
/// [`SolverError::Eigen`] if an eigenvalue decomposition fails.
pub fn sample_replicate_with<R: Rng + ?Sized>(
    config: &LinearConfig,
    requests: &[BlockRequest],
    fixed: Option<&Mat<f64>>,
    generator: &mut R,
    buffers: &mut ReplicateBuffers,
) -> Result<LinearReplicate, SolverError> {
    let ReplicateBuffers { x, scaled, block } = buffers;
    let w = match fixed {
        Some(w) => w.clone(),
        None => config.draw_weights(generator),
    };
    let (d, n) = (config.dim, config.samples);
    config.data.sample_into(generator, reuse(x, d, n), 1.0);
    let x = x.as_ref();
    let logits = product(w.as_ref(), x);
    let probs = requests
        .iter()
        .any(|r| r.loss == Loss::Ce)
        .then(|| softmax_columns(logits.as_ref()));

    let par = within_replicate(config.replicates);
    let mut blocks = Vec::with_capacity(requests.len());
    let mut tridiagonals = Vec::with_capacity(requests.len());
    for request in requests {
        let weights = match (request.loss, &probs) {
            (Loss::Ce, Some(p)) => weights_from_probs(p.as_ref(), request.k, request.l),
            _ => block_weights(request.loss, logits.as_ref(), request.k, request.l),
        };
        let mut block = reuse(block, d, d);
        weighted_gram_lower_into(block.rb_mut(), x, &weights, scaled, par);
        let max_abs_entry = max_abs_lower(block.rb());
        // The block's lower triangle is not needed after this, so the reduction works in it.
        if request.spectrum {
            tridiagonals.push(tridiagonal_in_place(block, par));
        }
        blocks.push(BlockSample {
            eigenvalues: Vec::new(),
            weights,
            max_abs_entry,
        });
    }
    // The QL iterations of the blocks run two at a time, which overlaps their waits. The
    // eigenvalues are those each block would get alone.
    let spectra = tridiagonal_eigenvalues_of_many(tridiagonals)
        .map_err(|failure| SolverError::Eigen { n: failure.n })?;
    let with_spectrum = blocks
        .iter_mut()
        .zip(requests)
        .filter(|(_, request)| request.spectrum);
    for ((block, _), eigenvalues) in with_spectrum.zip(spectra) {
        block.eigenvalues = eigenvalues;
    }
    Ok(LinearReplicate { blocks, w })
}

/// Returns max |A_ij| over the lower triangle of the square A. Eight running maxima instead of
/// one let the compiler use vector instructions. The maximum does not depend on the order, so
/// the result is that of a plain scan. NaN entries are skipped, as by `f64::max`.
fn max_abs_lower(a: MatRef<'_, f64>) -> f64 {
    let mut lanes = [0.0_f64; 8];
    for j in 0..a.ncols() {
        let column = a
            .col(j)
            .try_as_col_major()
            .expect("a column of a Mat is contiguous");
        let below = &column.as_slice()[j..];
        let mut chunks = below.chunks_exact(lanes.len());
        for chunk in &mut chunks {
            for (lane, value) in lanes.iter_mut().zip(chunk) {
                *lane = lane.max(value.abs());
            }
        }
        for (lane, value) in lanes.iter_mut().zip(chunks.remainder()) {
            *lane = lane.max(value.abs());
        }
    }
    lanes.into_iter().fold(0.0, f64::max)
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

    #[test]
    fn reused_buffers_give_the_same_bits() {
        // Buffers left from a replicate of another shape and from one of the same shape, with the
        // fixed weights and with fresh ones: every result must equal that of fresh buffers.
        let requests = [(0, 0), (0, 1), (2, 2)].map(|(k, l)| BlockRequest {
            loss: Loss::Ce,
            k,
            l,
            spectrum: true,
        });
        let mut mse = requests;
        mse[2].loss = Loss::Mse;

        let small = LinearConfig::gaussian(30, 50, 2, 7);
        let config = LinearConfig::gaussian(40, 90, 2, 7);
        let mut buffers = ReplicateBuffers::default();
        let fixed = config.fixed_weights();
        let draw = |stream| rng(7, Stream::Replicate(stream));
        sample_replicate_with(&small, &requests, None, &mut draw(9), &mut buffers).unwrap();

        for (stream, weights) in [(0, None), (1, Some(&fixed))] {
            for blocks in [&requests, &mse] {
                let fresh = sample_replicate(&config, blocks, weights, &mut draw(stream)).unwrap();
                let reused = sample_replicate_with(
                    &config,
                    blocks,
                    weights,
                    &mut draw(stream),
                    &mut buffers,
                )
                .unwrap();
                assert_eq!(fresh.w, reused.w);
                for (a, b) in fresh.blocks.iter().zip(&reused.blocks) {
                    assert_eq!(a.eigenvalues, b.eigenvalues, "stream {stream}");
                    assert_eq!(a.weights, b.weights);
                    assert_eq!(a.max_abs_entry, b.max_abs_entry);
                }
                assert_eq!(fresh.blocks[0].eigenvalues.len(), 40);
            }
        }
    }

    #[test]
    fn max_abs_lower_skips_upper_triangle() {
        // Sizes around the eight lanes, and the largest entry in each corner of the triangle. A
        // NaN and the larger values above the diagonal must be ignored.
        for n in [1, 7, 8, 9, 17, 30] {
            for (i, j) in [(0, 0), (n - 1, 0), (n - 1, n - 1), (n / 2, n / 3)] {
                let mut a = Mat::<f64>::from_fn(n, n, |r, c| {
                    if r >= c {
                        ((r * 7 + c * 3) % 5) as f64 * 0.1 - 0.2
                    } else {
                        99.0
                    }
                });
                a[(i, j)] = -3.5;
                if n > 2 {
                    a[(n - 1, 1)] = f64::NAN;
                }
                assert_eq!(
                    max_abs_lower(a.as_ref()),
                    3.5,
                    "n {n}, largest at ({i}, {j})"
                );
            }
        }
    }
}

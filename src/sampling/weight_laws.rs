//! Weight laws of the linear model's blocks, sampled with controlled size.
//!
//! - **Population law**: τ_kl computed from logits z ~ N(0, s² I_C), the law in the limit theorem.
//! - **Conditional law**: τ_kl computed from z = W x for fresh data x and the realised W; closer to
//!   the sampled blocks at finite d, because W Wᵀ differs from s² I_C by O(d^(−1/2)).
//! - **Realised law**: the N weights τ_kl(i) of a replicate themselves (built directly with
//!   [`WeightLaw::from_samples`]).
//!
//! The population and conditional laws are represented by a sample of `count` draws, compressed to
//! [`MAX_ATOMS`] atoms by [`WeightLaw::compress`]. Such a sample stands for a continuous law with
//! an interval as support, whose spectral law has one bulk; but the sample is sparse in its tails,
//! and an isolated extreme atom splits off a tiny bulk of its own. [`close_spurious_gaps`] merges
//! extreme atoms until the spectral support is one interval. The sample makes the law's CDF uncertain by about
//! count^(−1/2) (Dvoretzky–Kiefer–Wolfowitz); the compression error is of second order and smaller.

use faer::Mat;
use rayon::prelude::*;

use super::data::DataDist;
use super::seeds::{Stream, rng};
use crate::error::LawError;
use crate::laws::WeightLaw;
use crate::models::linear::{Loss, block_weights};
use crate::models::mlp::{Mlp, hidden_block_weights};
use crate::stieltjes::GmpEquation;
use crate::stieltjes::support::support;
use rand::RngExt;

/// Atoms kept after compressing a sampled weight law: the solver cost is linear in this.
pub const MAX_ATOMS: usize = 2048;

/// Draws per chunk; each chunk has its own generator so that chunks can run in parallel.
const CHUNK: usize = 8192;

/// Default size of the sample behind a population law: 2²⁰ draws, CDF uncertainty ≈ 0.001.
pub const POPULATION_DRAWS: usize = 1 << 20;

/// Default size of the sample behind a conditional law: 2¹⁷ draws per replicate.
pub const CONDITIONAL_DRAWS: usize = 1 << 17;

/// Samples the population law of τ_kl: logits z ~ N(0, s² I_C).
///
/// # Errors
/// [`LawError`] only if the weights are not finite, which cannot happen for finite s.
#[allow(clippy::too_many_arguments)]
pub fn population_law(
    loss: Loss,
    k: usize,
    l: usize,
    classes: usize,
    logit_scale: f64,
    gamma: f64,
    draws: usize,
    seed: u64,
) -> Result<WeightLaw, LawError> {
    sampled_law(draws, gamma, |chunk, count| {
        let mut generator = rng(
            seed,
            Stream::PopulationLaw {
                chunk: chunk as u64,
            },
        );
        let logits = DataDist::Gaussian.sample(&mut generator, classes, count, logit_scale);
        block_weights(loss, logits.as_ref(), k, l)
    })
}

/// Samples the law of τ_kl conditional on the realised W of replicate `replicate`: logits W x for
/// fresh x drawn from `data`.
///
/// # Errors
/// As [`population_law`].
#[allow(clippy::too_many_arguments)]
pub fn conditional_law(
    loss: Loss,
    k: usize,
    l: usize,
    w: &Mat<f64>,
    data: DataDist,
    gamma: f64,
    draws: usize,
    seed: u64,
    replicate: u32,
) -> Result<WeightLaw, LawError> {
    sampled_law(draws, gamma, |chunk, count| {
        let stream = Stream::ConditionalLaw {
            replicate,
            chunk: chunk as u32,
        };
        let x = data.sample(&mut rng(seed, stream), w.ncols(), count, 1.0);
        let logits = w * &x;
        block_weights(loss, logits.as_ref(), k, l)
    })
}

/// Samples the population law of the weights τ_jj′ of hidden-layer block (j, j′) of `net`:
/// pre-activations z ~ N(0, σ_w² I_m), labels uniform on {0, …, C−1}, and the realised V of `net`
/// (the law is conditional on V, which does not average out for finite C and m). `net.w` is not
/// used: z stands for W x with the rows of W of squared norm σ_w².
///
/// # Errors
/// As [`population_law`].
#[allow(clippy::too_many_arguments)]
pub fn hidden_population_law(
    net: &Mlp,
    loss: Loss,
    j: usize,
    jp: usize,
    sigma_w: f64,
    gamma: f64,
    draws: usize,
    seed: u64,
) -> Result<WeightLaw, LawError> {
    let width = net.v.ncols();
    let classes = net.v.nrows();
    // With W = I_m the network's pre-activations are its inputs, so the forward pass on z gives
    // the per-sample quantities of a network whose pre-activations are z.
    let identity = Mlp {
        w: Mat::<f64>::identity(width, width),
        v: net.v.clone(),
        activation: net.activation,
    };
    sampled_law(draws, gamma, |chunk, count| {
        let stream = Stream::HiddenPopulationLaw {
            chunk: chunk as u64,
        };
        let mut generator = rng(seed, stream);
        let z = DataDist::Gaussian.sample(&mut generator, width, count, sigma_w);
        let labels: Vec<usize> = (0..count)
            .map(|_| generator.random_range(0..classes))
            .collect();
        let (forward, _) = identity
            .forward(z.as_ref(), &labels, loss)
            .expect("shapes fit by construction");
        hidden_block_weights(&identity, &forward, loss, j, jp)
    })
}

/// Draws `draws` weights in chunks of [`CHUNK`], in parallel but in chunk order, with
/// `weights_of_chunk(chunk index, count)`; then compresses them and closes spurious gaps.
fn sampled_law(
    draws: usize,
    gamma: f64,
    weights_of_chunk: impl Fn(usize, usize) -> Vec<f64> + Sync,
) -> Result<WeightLaw, LawError> {
    let samples: Vec<f64> = (0..draws.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| weights_of_chunk(chunk, CHUNK.min(draws - chunk * CHUNK)))
        .flatten()
        .collect();
    close_spurious_gaps(
        WeightLaw::from_samples(&samples)?.compress(MAX_ATOMS),
        gamma,
    )
}

/// Most merges [`close_spurious_gaps`] performs: at most 33 of the [`MAX_ATOMS`] atoms, about 1.6 %
/// of the mass.
const MAX_MERGES: usize = 32;

/// Merges the outermost atoms of a sampled weight law until GMP(γ, law) has a single bulk.
///
/// Spectral order follows weight order, so a spurious bulk sits at the end of the spectrum that
/// belongs to the sparse tail; of the first and last support intervals, the narrower one is taken
/// as spurious and the two outermost atoms at that end are merged. At most `MAX_MERGES` merges
/// are made; a law whose gaps survive them is returned as it is (its gaps are then real).
///
/// # Errors
/// [`LawError::Solver`] if the support search fails.
pub fn close_spurious_gaps(mut law: WeightLaw, gamma: f64) -> Result<WeightLaw, LawError> {
    for _ in 0..MAX_MERGES {
        let eq = GmpEquation::new(gamma, law.values(), law.probs());
        let intervals = support(&eq)?.intervals;
        if intervals.len() <= 1 {
            break;
        }
        let (first, last) = (intervals[0], intervals[intervals.len() - 1]);
        law = law.merge_end_atoms(first.1 - first.0 < last.1 - last.0);
    }
    Ok(law)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_ce_diagonal_weights_are_bounded() {
        let law = population_law(Loss::Ce, 0, 0, 10, 1.0, 0.5, 50_000, 1).unwrap();
        assert!(law.values().iter().all(|&t| t > 0.0 && t <= 0.25));
        let off = population_law(Loss::Ce, 0, 1, 10, 1.0, 0.5, 50_000, 1).unwrap();
        assert!(off.values().iter().all(|&t| (-0.25..0.0).contains(&t)));
    }

    #[test]
    fn population_laws_have_one_bulk() {
        for (k, l) in [(0, 0), (0, 1)] {
            let law = population_law(Loss::Ce, k, l, 10, 1.0, 0.5, POPULATION_DRAWS, 1).unwrap();
            let eq = GmpEquation::new(0.5, law.values(), law.probs());
            let intervals = support(&eq).unwrap().intervals;
            assert_eq!(intervals.len(), 1, "block ({k},{l}): {intervals:?}");
        }
    }

    #[test]
    fn population_mean_matches_symmetry() {
        // By exchangeability of classes, E Σ_l τ_0l = 0, so E τ_00 = −(C − 1) E τ_01. Each mean
        // has a Monte Carlo standard error below 0.3 %·|E τ| at 2²⁰ draws; 2 % is ≥ 6 errors.
        let c = 10;
        let diag = population_law(Loss::Ce, 0, 0, c, 1.0, 0.5, POPULATION_DRAWS, 2)
            .unwrap()
            .moment(1);
        let off = population_law(Loss::Ce, 0, 1, c, 1.0, 0.5, POPULATION_DRAWS, 2)
            .unwrap()
            .moment(1);
        let predicted = -(c as f64 - 1.0) * off;
        assert!(
            (diag - predicted).abs() < 0.02 * diag,
            "E τ_00 = {diag}, −(C−1) E τ_01 = {predicted}"
        );
    }

    #[test]
    fn relu_mse_hidden_laws_have_their_exact_atoms() {
        // MSE with ReLU: τ_jj = 1{z_j > 0} ‖v_j‖², so the law is ½ δ_0 + ½ δ_{‖v_j‖²}; off the
        // diagonal τ_jj′ = 1{z_j > 0} 1{z_j′ > 0} v_j·v_j′, so ¾ δ_0 + ¼ δ_{v_j·v_j′}. The masses are
        // sample frequencies of 2¹⁶ draws: 4 standard errors are 4 · √(¼ · ¾ / 2¹⁶) ≈ 0.007.
        use crate::models::mlp::{Activation, Mlp};
        let v = Mat::<f64>::from_fn(5, 3, |k, j| ((2 * k + 3 * j + 1) as f64 * 0.7).sin());
        let net = Mlp {
            w: Mat::<f64>::zeros(3, 1),
            v,
            activation: Activation::Relu,
        };
        let norm: f64 = (0..5).map(|k| net.v[(k, 0)].powi(2)).sum();
        let dot: f64 = (0..5).map(|k| net.v[(k, 0)] * net.v[(k, 1)]).sum();
        let diag = hidden_population_law(&net, Loss::Mse, 0, 0, 1.0, 0.5, 1 << 16, 9).unwrap();
        let off = hidden_population_law(&net, Loss::Mse, 0, 1, 1.0, 0.5, 1 << 16, 9).unwrap();
        for (law, value, mass) in [(&diag, norm, 0.5), (&off, dot, 0.25)] {
            assert_eq!(law.len(), 2, "{:?}", law.values());
            assert!(
                (law.zero_mass() - (1.0 - mass)).abs() < 0.007,
                "zero mass {}",
                law.zero_mass()
            );
            let other = law.values().iter().copied().find(|t| *t != 0.0).unwrap();
            assert!(
                (other - value).abs() <= 1e-12 * value.abs(),
                "{other} vs {value}"
            );
        }
    }
}

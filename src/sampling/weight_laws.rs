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
use crate::stieltjes::GmpEquation;
use crate::stieltjes::support::support;

/// Atoms kept after compressing a sampled weight law: the solver cost is linear in this.
pub const MAX_ATOMS: usize = 2048;

/// Draws per chunk; each chunk has its own generator so that chunks can run in parallel.
pub(crate) const CHUNK: usize = 8192;

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

/// Draws `draws` weights in chunks of [`CHUNK`], in parallel but in chunk order, with
/// `weights_of_chunk(chunk index, count)`; then compresses them and closes spurious gaps.
pub(crate) fn sampled_law(
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
/// as spurious and the outermost atoms at that end are merged, two at a time, until the number of
/// intervals drops. Merges that do not close a gap are undone and the search stops, because merging
/// a tail into one heavy atom can itself split off a bulk. Gaps elsewhere (between the atoms of a
/// law near 0) are not the tail's doing. At most `MAX_MERGES` merges are kept in all, and an atom
/// at exactly 0 is never merged (it is exact, such as a ReLU gate, and not a sparse tail). A law whose
/// gaps survive is returned as it is. Only atoms of about the mass of one compression bin are
/// merged, so laws with a few heavy atoms keep their gaps.
///
/// # Errors
/// [`LawError::Solver`] if the support search fails.
pub fn close_spurious_gaps(mut law: WeightLaw, gamma: f64) -> Result<WeightLaw, LawError> {
    let intervals_of = |law: &WeightLaw| -> Result<Vec<(f64, f64)>, LawError> {
        Ok(support(&GmpEquation::new(gamma, law.values(), law.probs()))?.intervals)
    };
    let mut intervals = intervals_of(&law)?;
    let mut budget = MAX_MERGES;
    // The mass of one bin of a sample compressed to MAX_ATOMS atoms.
    let bin = (1.0 - law.zero_mass()) / MAX_ATOMS as f64;
    while intervals.len() > 1 && budget > 0 {
        let (first, last) = (intervals[0], intervals[intervals.len() - 1]);
        let low_end = first.1 - first.0 < last.1 - last.0;
        let mut trial = law.clone();
        let mut closed = None;
        for used in 1..=budget {
            let n = trial.len();
            if n < 2 {
                break;
            }
            // (outermost, next) at the chosen end.
            let (outer, next) = if low_end { (0, 1) } else { (n - 1, n - 2) };
            let (values, probs) = (trial.values(), trial.probs());
            // Only sparse-tail atoms are merged: the next atom must be an ordinary bin of the
            // compressed sample, and the merged one at most MAX_MERGES + 2 bins. A heavy atom is a
            // value the law really takes (such as the three values of leaky ReLU weights), and its gaps
            // are real. An atom at exactly 0 is exact too.
            let heavy = probs[next] > 2.0 * bin || probs[outer] > (MAX_MERGES + 2) as f64 * bin;
            if heavy || values[outer] == 0.0 || values[next] == 0.0 {
                break;
            }
            trial = trial.merge_end_atoms(low_end);
            let now = intervals_of(&trial)?;
            if now.len() < intervals.len() {
                closed = Some((used, now));
                break;
            }
        }
        let Some((used, now)) = closed else {
            break;
        };
        budget -= used;
        law = trial;
        intervals = now;
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
    fn closing_gaps_never_moves_the_atom_at_zero() {
        // Regression: weights of a ReLU off-diagonal block, ¾ at 0, the rest mostly negative with
        // a sparse positive tail. The tail makes a small bulk next to 0; merging "the two outermost
        // atoms" there once moved the atom at 0 (mass 0.74) to 0.013, and the law lost its atom.
        let mut atoms: Vec<(f64, f64)> = (0..200)
            .map(|i| (0.25 / 200.0, -1.0 + 0.5 * f64::from(i) / 200.0))
            .collect();
        atoms.push((0.74, 0.0));
        atoms.push((0.01, 1.0));
        let law = WeightLaw::from_atoms(&atoms).unwrap();
        let closed = close_spurious_gaps(law, 0.5).unwrap();
        assert!(
            (closed.zero_mass() - 0.74).abs() < 1e-12,
            "zero mass {} after closing gaps",
            closed.zero_mass()
        );
    }

    #[test]
    fn closing_gaps_keeps_heavy_atoms() {
        // Regression: the weights of a leaky-ReLU MSE off-diagonal block take three values, b,
        // 0.01 b and 0.0001 b, with masses ¼, ½, ¼. GMP of that law has two intervals, and they are
        // real; merging once collapsed the law to one atom at its mean.
        let b = -0.29;
        let law = WeightLaw::from_atoms(&[(0.25, b), (0.5, 0.01 * b), (0.25, 0.0001 * b)]).unwrap();
        let closed = close_spurious_gaps(law.clone(), 0.5).unwrap();
        assert_eq!(closed.values(), law.values());
        assert_eq!(closed.probs(), law.probs());
    }
}

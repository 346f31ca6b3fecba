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
use crate::models::lower::product;
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
        let logits = product(w.as_ref(), x.as_ref());
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

/// Sampling method for the sum S of the C − 2 exponentials e^(z_j), j ≠ 1, 2, in the softmax
/// denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DenominatorRest {
    /// Exactly, as a sum of this many lognormal draws.
    Exact(usize),
    /// From its normal approximation N(n μ, n σ²), μ and σ² the mean and variance of e^z.
    Normal {
        /// n μ.
        mean: f64,
        /// (n σ²)^(1/2).
        sd: f64,
    },
}

/// Largest error the normal approximation of the denominator may add to a moment of the weights.
pub const DENOMINATOR_ERROR: f64 = 1e-4;

impl DenominatorRest {
    /// Chooses exact or normal for the sum of `n` terms e^z, z ~ N(0, s²).
    ///
    /// Write S = n μ (1 + ε). A weight is a smooth function of 1/(1 + ε). The normal
    /// approximation gets the cumulants κ_j(ε) of order j ≥ 3 wrong, and each enters a moment of the
    /// weights with a coefficient of order 1. For a sum of n i.i.d. terms,
    /// κ_j(ε) = k_j (σ/μ)^j / n^(j−1) with k_j the standardised cumulant of one lognormal term
    /// (skewness k₃ = (e^(s²) + 2)(e^(s²) − 1)^(1/2), excess kurtosis
    /// k₄ = e^(4s²) + 2e^(3s²) + 3e^(2s²) − 6). The normal form is used when |κ₃(ε)| and |κ₄(ε)|
    /// are both below [`DENOMINATOR_ERROR`]: from C ≈ 400 at s = 1, from C ≈ 6·10⁴ at s = 2.
    pub fn choose(logit_scale: f64, n: usize) -> Self {
        let e = (logit_scale * logit_scale).exp();
        let mean = e.sqrt();
        let variance = (e - 1.0) * e;
        let cv = (variance.sqrt() / mean).max(f64::MIN_POSITIVE);
        let k3 = (e + 2.0) * (e - 1.0).sqrt();
        let k4 = e.powi(4) + 2.0 * e.powi(3) + 3.0 * e.powi(2) - 6.0;
        let nf = n as f64;
        let third = k3 * cv.powi(3) / nf.powi(2);
        let fourth = k4 * cv.powi(4) / nf.powi(3);
        if n > 0 && third < DENOMINATOR_ERROR && fourth < DENOMINATOR_ERROR {
            DenominatorRest::Normal {
                mean: nf * mean,
                sd: (nf * variance).sqrt(),
            }
        } else {
            DenominatorRest::Exact(n)
        }
    }

    /// Lognormal draws one sample of S costs.
    pub fn cost(self) -> usize {
        match self {
            DenominatorRest::Exact(n) => n,
            DenominatorRest::Normal { .. } => 1,
        }
    }
}

/// Samples the population laws of the linear-CE weights τ_11 = p_1(1 − p_1) and τ_12 = −p_1 p_2
/// for C classes at logit scale s, drawing the rest of the softmax denominator as
/// [`DenominatorRest::choose`] decides, so that the cost per draw stays bounded as C grows. Returns
/// (diagonal law, off-diagonal law), each compressed and with its spurious gaps closed at γ.
///
/// The same chunks of (z_1, z_2) serve every C, so laws at neighbouring C share their randomness.
///
/// # Errors
/// [`LawError`] if a support search fails.
pub fn softmax_pair_laws(
    logit_scale: f64,
    classes: usize,
    gamma: f64,
    draws: usize,
    seed: u64,
) -> Result<(WeightLaw, WeightLaw), LawError> {
    let rest = DenominatorRest::choose(logit_scale, classes.saturating_sub(2));
    softmax_pair_laws_with(rest, logit_scale, gamma, draws, seed)
}

/// As [`softmax_pair_laws`], with the rest of the denominator drawn by the method `rest`.
///
/// # Errors
/// As [`softmax_pair_laws`].
pub fn softmax_pair_laws_with(
    rest: DenominatorRest,
    logit_scale: f64,
    gamma: f64,
    draws: usize,
    seed: u64,
) -> Result<(WeightLaw, WeightLaw), LawError> {
    let pairs: Vec<(f64, f64)> = (0..draws.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let count = CHUNK.min(draws - chunk * CHUNK);
            softmax_pair_weights(rest, logit_scale, count, seed, 2, chunk as u32)
        })
        .flatten()
        .collect();
    let (diag, off): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    let law = |samples: &[f64]| -> Result<WeightLaw, LawError> {
        close_spurious_gaps(WeightLaw::from_samples(samples)?.compress(MAX_ATOMS), gamma)
    };
    Ok((law(&diag)?, law(&off)?))
}

/// Draws `count` pairs (τ_11, τ_12) = (p_1(1 − p_1), −p_1 p_2) of the linear-CE weights with
/// logits z ~ N(0, s² I_C), the rest of the denominator drawn by the method `rest`. The draws come from
/// [`Stream::SweepTheory`] parts `part` (for z_1, z_2) and `part + 1` (for the rest), draw `index`.
pub fn softmax_pair_weights(
    rest: DenominatorRest,
    logit_scale: f64,
    count: usize,
    seed: u64,
    part: u32,
    index: u32,
) -> Vec<(f64, f64)> {
    use rand::RngExt as _;
    let stream = |part| rng(seed, Stream::SweepTheory { part, draw: index });
    let (mut pair_rng, mut rest_rng) = (stream(part), stream(part + 1));
    (0..count)
        .map(|_| {
            let z1: f64 = pair_rng.sample(rand_distr::StandardNormal);
            let z2: f64 = pair_rng.sample(rand_distr::StandardNormal);
            let (e1, e2) = ((logit_scale * z1).exp(), (logit_scale * z2).exp());
            let s = match rest {
                DenominatorRest::Exact(n) => (0..n)
                    .map(|_| {
                        let z: f64 = rest_rng.sample(rand_distr::StandardNormal);
                        (logit_scale * z).exp()
                    })
                    .sum::<f64>(),
                DenominatorRest::Normal { mean, sd } => {
                    let z: f64 = rest_rng.sample(rand_distr::StandardNormal);
                    (mean + sd * z).max(0.0)
                }
            };
            let total = e1 + e2 + s;
            let (p1, p2) = (e1 / total, e2 / total);
            // 1 − p_1 from its own terms, exact when p_1 is near 1.
            (p1 * ((e2 + s) / total), -p1 * p2)
        })
        .collect()
}

/// Returns the largest |x| over the support of GMP(γ, law): the limit of the block's spectral norm.
///
/// # Errors
/// [`LawError::Solver`] if the support search fails.
pub fn spectral_edge(law: &WeightLaw, gamma: f64) -> Result<f64, LawError> {
    let support = support(&GmpEquation::new(gamma, law.values(), law.probs()))?;
    Ok(support
        .intervals
        .iter()
        .fold(0.0_f64, |a, &(lo, hi)| a.max(lo.abs()).max(hi.abs())))
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

/// Predicts the largest |eigenvalue| of the block (1/N) Σ_i τ_i x_i x_iᵀ with the N realised
/// weights `weights` and N = `weights.len()`, at aspect ratio γ.
///
/// The GMP law of the N atoms (mass 1/N each) has the right bulk, but it spreads an isolated large
/// weight into a small bulk of its own whose far edge overshoots the single outlier eigenvalue that
/// weight makes. In the inverse map x(w) = γ w + w Σ_j p_j t_j/(w − t_j), the outlier of the
/// largest weight t_a sits at x_rest(t_a), the map of the other atoms evaluated at the pole t_a,
/// provided x_rest'(t_a) = γ − Σ_{j≠a} p_j t_j²/(t_a − t_j)² > 0 (the pole lies outside the rest's
/// support); otherwise the weight is absorbed by the bulk and the largest edge of the GMP law of
/// all atoms is used. Both ends of the spectrum are treated this way.
///
/// # Errors
/// [`LawError`] for an empty or non-finite sample, or a failed support search.
pub fn spectral_norm_of_realised(weights: &[f64], gamma: f64) -> Result<f64, LawError> {
    let full = WeightLaw::from_samples(weights)?.compress(MAX_ATOMS);
    let bulk = spectral_edge(&full, gamma)?;
    let n = weights.len() as f64;
    let mut best = 0.0_f64;
    for sign in [1.0, -1.0] {
        // The largest weight at this end, and the rest as atoms of mass 1/N.
        let (index, top) = weights.iter().map(|t| sign * t).enumerate().fold(
            (0, f64::NEG_INFINITY),
            |a, (i, t)| if t > a.1 { (i, t) } else { a },
        );
        if top <= 0.0 {
            continue;
        }
        let (mut slope, mut sum) = (gamma, 0.0);
        for (i, &t) in weights.iter().enumerate() {
            let t = sign * t;
            if i == index || t == 0.0 {
                continue;
            }
            let gap = top - t;
            if gap == 0.0 {
                // A tie: two samples at the largest weight are not an isolated outlier.
                slope = f64::NEG_INFINITY;
                break;
            }
            sum += t / gap / n;
            slope -= t * t / (gap * gap) / n;
        }
        if slope > 0.0 {
            best = best.max(gamma * top + top * sum);
        } else {
            // The end's edge of the GMP law is the bulk's at this end.
            let support = support(&GmpEquation::new(gamma, full.values(), full.probs()))?;
            let edge = if sign > 0.0 {
                support.intervals.last().map_or(0.0, |i| i.1.max(0.0))
            } else {
                support.intervals.first().map_or(0.0, |i| (-i.0).max(0.0))
            };
            best = best.max(edge);
        }
    }
    // With no outlier at either end, this is the GMP law's largest |edge|.
    Ok(if best > 0.0 { best } else { bulk })
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
    fn denominator_choice_by_class_count() {
        assert_eq!(
            DenominatorRest::choose(1.0, 100),
            DenominatorRest::Exact(100)
        );
        assert!(matches!(
            DenominatorRest::choose(1.0, 10_000),
            DenominatorRest::Normal { .. }
        ));
        // At s = 2 the lognormal tail is so heavy that 10⁴ terms are still far from normal.
        assert_eq!(
            DenominatorRest::choose(2.0, 10_000),
            DenominatorRest::Exact(10_000)
        );
    }

    #[test]
    fn normal_denominator_keeps_the_moments_of_the_weights() {
        // At C = 1000 (998 terms) both ways are affordable. They share (z_1, z_2), so only the
        // draw of S differs, by a relative δ = 1.31/998^(1/2) ≈ 4 % per draw. A moment of
        // τ ∝ S^(−k) then moves by k δ times the relative spread of its numerator per draw,
        // over 256 = (2¹⁶)^(1/2): 0.016 % for E τ_11 (spread 1), 0.23 % for E τ_11² (e^(2z),
        // spread 7.3), 0.08 % for E τ_12 (e^(z_1 + z_2), spread 2.5) and 3.4 % for E τ_12² (spread
        // 55). The bounds are four of those. The approximation itself errs by about 1e-4. The
        // parameters of the normal form are checked exactly.
        let n = 998;
        let (s, draws, seed) = (1.0, 1 << 16, 5);
        let normal = DenominatorRest::choose(s, n);
        let e = std::f64::consts::E;
        let (mean, sd) = (998.0 * e.sqrt(), (998.0 * (e - 1.0) * e).sqrt());
        match normal {
            DenominatorRest::Normal { mean: m, sd: v } => {
                assert!(
                    (m / mean - 1.0).abs() < 1e-14 && (v / sd - 1.0).abs() < 1e-14,
                    "{normal:?}"
                );
            }
            DenominatorRest::Exact(_) => panic!("998 terms at s = 1 should take the normal form"),
        }
        let moments = |rest| {
            let pairs = softmax_pair_weights(rest, s, draws, seed, 2, 0);
            let k = pairs.len() as f64;
            pairs.iter().fold([0.0; 4], |m, (d, o)| {
                [
                    m[0] + d / k,
                    m[1] + d * d / k,
                    m[2] + o / k,
                    m[3] + o * o / k,
                ]
            })
        };
        let (exact, approx) = (moments(DenominatorRest::Exact(n)), moments(normal));
        for (i, name) in ["E τ_11", "E τ_11²", "E τ_12", "E τ_12²"]
            .iter()
            .enumerate()
        {
            let error = approx[i] / exact[i] - 1.0;
            let bound = [6.4e-4, 0.01, 0.0032, 0.14][i];
            assert!(
                error.abs() < bound,
                "{name}: exact sum {:e}, normal form {:e}, C = 1000, s = 1, seed {seed}",
                exact[i],
                approx[i]
            );
        }
    }

    #[test]
    fn softmax_pair_laws_match_the_exact_moments() {
        // At C = 2000 the denominator is drawn from its normal form. The means of 2¹⁶ draws have
        // a relative standard error of about (e^(s²) − 1)^(1/2)/256 ≈ 0.5 % (diagonal) and
        // 1 % (off-diagonal, a product of two lognormals); 5 % is several errors. Compression keeps
        // the mean exactly.
        let c = 2000;
        let (diag, off) = softmax_pair_laws(1.0, c, 0.5, 1 << 16, 3).unwrap();
        let exact = crate::laws::softmax::SoftmaxMoments::new(1.0).moments(c);
        for (name, got, want) in [
            ("E τ_11", diag.moment(1), exact.diag[0]),
            ("E τ_12", off.moment(1), exact.off[0]),
        ] {
            assert!(
                (got / want - 1.0).abs() < 0.05,
                "{name}: sampled {got:e}, exact {want:e}, C = {c}, s = 1, seed 3"
            );
        }
        assert!(off.values().iter().all(|&t| t <= 0.0));
        assert!(spectral_edge(&diag, 0.5).unwrap() > spectral_edge(&off, 0.5).unwrap());
    }

    #[test]
    fn realised_norm_isolated_weight_outlier() {
        // N − 1 weights 1 and one weight 30 at γ = ½: the bulk is MP with edge (1 + √γ)² ≈ 2.9,
        // and the large weight makes one outlier at x_rest(30) = 15 + 30 (N − 1)/(29 N) ≈ 16.03.
        // The GMP law of all N atoms puts a small bulk there instead, whose far edge is higher. The
        // outlier is τ_a ‖x_a‖²/N to first order, with relative spread (2/d)^(1/2) = 6.3 % at
        // d = 500; the mean of 8 replicates has a standard error of about 0.34, and the bound is
        // four of those.
        use crate::models::eigen::symmetric_eigenvalues;
        use crate::models::linear::weighted_gram_lower;
        let (d, n, gamma) = (500, 1000, 0.5);
        let mut weights = vec![1.0; n];
        weights[0] = 30.0;
        let predicted = spectral_norm_of_realised(&weights, gamma).unwrap();
        let want = 15.0 + 30.0 * (n as f64 - 1.0) / (29.0 * n as f64);
        assert!((predicted - want).abs() < 1e-12, "{predicted} vs {want}");
        let gmp = spectral_edge(&WeightLaw::from_samples(&weights).unwrap(), gamma).unwrap();
        let replicates = 8;
        let mut mean = 0.0;
        for r in 0..replicates {
            let x = DataDist::Gaussian.sample(&mut rng(11, Stream::Replicate(r)), d, n, 1.0);
            let block = weighted_gram_lower(x.as_ref(), &weights, faer::Par::Seq);
            let values = symmetric_eigenvalues(block.as_ref(), faer::Par::Seq).unwrap();
            mean += values.iter().fold(0.0_f64, |a, v| a.max(v.abs())) / replicates as f64;
        }
        assert!(
            (mean - predicted).abs() < 1.4,
            "largest eigenvalue {mean} (mean of {replicates}, seed 11), outlier formula {predicted}, GMP edge {gmp}"
        );
    }

    #[test]
    fn realised_norm_equal_weights_mp_edge() {
        let edge = spectral_norm_of_realised(&vec![2.0; 300], 0.25).unwrap();
        let want = 2.0 * 1.5_f64.powi(2);
        assert!((edge / want - 1.0).abs() < 1e-9, "{edge} vs {want}");
        // Off-diagonal weights are negative: the far end is the lower one.
        let edge = spectral_norm_of_realised(&vec![-2.0; 300], 0.25).unwrap();
        assert!((edge / want - 1.0).abs() < 1e-9, "{edge} vs {want}");
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

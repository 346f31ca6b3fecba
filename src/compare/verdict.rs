//! Verdicts: tolerances that follow from the sizes, and the moment and edge comparisons.
//!
//! The tolerance of each statistic adds the error sources that remain when the predicted law is
//! right (derivation in theory/tolerances.md; constants in [`crate::tol`]):
//!
//! - finite dimension: the ESD of one d×d block differs from its limit by O(log d / d) in
//!   Kolmogorov distance (rigidity of eigenvalues), and its moments by O(1/d);
//! - weight fluctuation: the realised weights of a replicate differ from their law by O(N^(−1/2));
//!   with independent replicates the pooled error is O((R N)^(−1/2)). Absent for the realised law;
//! - the sample behind a population or conditional law: O(draws^(−1/2));
//! - for the moments of cross-entropy blocks, the coupling of weights and data through the C
//!   logits: a perturbation of rank at most 2C, which moves the moments by O(C/d).

use super::suite::{CaseSpec, EdgeReport, MomentReport, SuiteSettings, WeightLawKind};
use crate::laws::SpectralLaw;
use crate::sampling::Esd;
use crate::sampling::linear::LinearConfig;
use crate::tol;

/// Tolerances of one case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// On the Kolmogorov–Smirnov distance.
    pub ks: f64,
    /// On the normalized errors of the first two moments.
    pub moments: [f64; 2],
    /// On the relative edge error.
    pub edges: f64,
}

/// The inputs of the tolerances of a spectral case, whatever the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToleranceInputs {
    /// d.
    pub dim: usize,
    /// N.
    pub samples: usize,
    /// R.
    pub replicates: usize,
    /// γ = d/N.
    pub gamma: f64,
    /// Whether the weights τ are random (false when τ is the same constant for every sample).
    pub random_weights: bool,
    /// The weight law the prediction is built from.
    pub weight_law: WeightLawKind,
    /// Draws behind the (population or conditional) law.
    pub draws: usize,
    /// Relative error of the population law when the first-layer weights are shared by all
    /// replicates: their Gram matrix differs from its mean by O((rank/d)^(1/2)), which does not
    /// average out over replicates. 0 otherwise.
    pub shared_weights: f64,
    /// Rank of the dependence of τ on x divided by d (C/d for linear cross-entropy blocks, m/d for
    /// the network's hidden layer): a perturbation of that rank moves the moments by that much.
    pub coupling: f64,
}

impl Tolerances {
    /// Tolerances for a case of the linear-model suite.
    ///
    /// `realised_weights` are the pooled realised weights of the case; their spread sets the moment
    /// tolerances, because the weights of cross-entropy blocks are heavy-tailed (the relative
    /// standard error of a sample mean of τ² grows like e^(4s²)), which no fixed rate captures.
    /// `m2` is the law's second moment, the unit of the normalized moment errors.
    pub fn for_case(
        config: &LinearConfig,
        settings: &SuiteSettings,
        case: CaseSpec,
        realised_weights: &[f64],
        m2: f64,
    ) -> Self {
        let d = config.dim as f64;
        // τ is deterministic for MSE blocks; CE weights depend on x through the C logits.
        let random_weights = case.loss == crate::models::Loss::Ce;
        let inputs = ToleranceInputs {
            dim: config.dim,
            samples: config.samples,
            replicates: config.replicates,
            gamma: config.gamma(),
            random_weights,
            weight_law: settings.weight_law,
            draws: settings.draws(),
            shared_weights: if random_weights && config.fix_weights {
                (config.classes as f64 / d).sqrt()
            } else {
                0.0
            },
            coupling: if random_weights {
                config.classes as f64 / d
            } else {
                0.0
            },
        };
        Self::new(&inputs, realised_weights, m2)
    }

    /// Tolerances from the sizes, the spread of the pooled realised weights and the law's second
    /// moment `m2` (the unit of the normalized moment errors).
    pub fn new(inputs: &ToleranceInputs, realised_weights: &[f64], m2: f64) -> Self {
        let d = inputs.dim as f64;
        let pooled = (inputs.replicates * inputs.samples) as f64;
        // Random weights fluctuate around their law by (R N)^(−1/2), and a sampled law carries its
        // own draws^(−1/2); the realised law removes both.
        let rate = match (inputs.random_weights, inputs.weight_law) {
            (false, _) | (true, WeightLawKind::Realised) => 0.0,
            (true, _) => pooled.sqrt().recip() + (inputs.draws as f64).sqrt().recip(),
        };
        // Shared first-layer weights bias the population law only.
        let shared = if inputs.weight_law == WeightLawKind::Population {
            inputs.shared_weights
        } else {
            0.0
        };
        // Standard errors of the first two GMP moments from the weights' spread:
        // m₁ = E τ and m₂ = (E τ)² + γ E τ², so δm₁ = δE τ and δm₂ ≈ 2 E τ δE τ + γ δE τ².
        let (mean, sd1, sd2) = spread(realised_weights);
        let se1 = sd1 * (rate + shared) / m2.sqrt();
        let se2 = (2.0 * mean.abs() * sd1 + inputs.gamma * sd2) * (rate + shared) / m2;
        let dim_term = tol::MOMENT_DIM / d + inputs.coupling;
        let atom = if rate > 0.0 {
            zero_weights_term(inputs, realised_weights)
        } else {
            0.0
        };
        Self {
            ks: tol::KS_DIM * d.ln() / d + tol::KS_WEIGHTS * (rate + shared) + atom,
            moments: [
                dim_term + tol::MOMENT_STANDARD_ERRORS * se1,
                dim_term + tol::MOMENT_STANDARD_ERRORS * se2,
            ],
            edges: tol::EDGE_DIM * d.powf(-2.0 / 3.0)
                + tol::EDGE_WEIGHTS * (inputs.samples as f64).sqrt().recip(),
        }
    }
}

/// Computes the KS term of weights that vanish with probability q₀ ∈ (0, 1) (such as ReLU gates).
///
/// A block with N weights of which K are non-zero has rank min(d, K), so its ESD has an atom at 0 of
/// mass (d − K)⁺/d, while the law's atom is (1 − (1 − q₀)/γ)⁺. K is binomial, so the zero fraction
/// of one replicate has standard deviation a = (q₀(1 − q₀)/N)^(1/2)/γ, and the pooled one a/√R.
/// When the law has an atom this adds [`tol::KS_ATOM`] such deviations. At a hard edge, when
/// (1 − q₀)/γ is within three deviations of 1, each replicate falls on either side of the edge and
/// only the side with K < d has zeros: the pooled atom is then biased by E[Z⁺] a = a/√(2π),
/// which does not shrink with R, and fluctuates by (1/2 − 1/(2π))^(1/2) a/√R.
fn zero_weights_term(inputs: &ToleranceInputs, realised_weights: &[f64]) -> f64 {
    if realised_weights.is_empty() {
        return 0.0;
    }
    let zeros = realised_weights.iter().filter(|t| **t == 0.0).count() as f64;
    let q0 = zeros / realised_weights.len() as f64;
    if q0 == 0.0 || q0 == 1.0 {
        return 0.0;
    }
    let n = inputs.samples as f64;
    let spread = (q0 * (1.0 - q0) / n).sqrt();
    let a = spread / inputs.gamma;
    let root_r = (inputs.replicates as f64).sqrt();
    let hard_edge = ((1.0 - q0) - inputs.gamma).abs() <= 3.0 * spread;
    if hard_edge {
        let positive_part_sd = (0.5 - 0.5 / std::f64::consts::PI).sqrt();
        a * ((2.0 * std::f64::consts::PI).sqrt().recip() + tol::KS_ATOM * positive_part_sd / root_r)
    } else if (1.0 - q0) < inputs.gamma {
        tol::KS_ATOM * a / root_r
    } else {
        0.0
    }
}

/// Mean of τ and standard deviations of τ and τ².
fn spread(weights: &[f64]) -> (f64, f64, f64) {
    if weights.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let n = weights.len() as f64;
    let mean = weights.iter().sum::<f64>() / n;
    let mean2 = weights.iter().map(|t| t * t).sum::<f64>() / n;
    let var1 = weights.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n;
    let var2 = weights.iter().map(|t| (t * t - mean2).powi(2)).sum::<f64>() / n;
    (mean, var1.sqrt(), var2.sqrt())
}

/// Compares the first four moments; the first two are judged against `tolerance`.
pub fn moment_report(esd: &Esd, law: &dyn SpectralLaw, tolerance: [f64; 2]) -> MomentReport {
    let empirical = esd.moments(4);
    let predicted = law.moments(4);
    let m2 = predicted[1].abs().max(f64::MIN_POSITIVE);
    let normalized_error = empirical
        .iter()
        .zip(&predicted)
        .enumerate()
        .map(|(k, (e, p))| (e - p).abs() / m2.powf((k + 1) as f64 / 2.0))
        .collect();
    MomentReport {
        empirical,
        predicted,
        normalized_error,
        tolerance,
    }
}

/// Compares the extreme non-zero eigenvalues with the outer edges of the continuous part; None
/// when the law has no continuous part or every eigenvalue is 0.
pub fn edge_report(esd: &Esd, law: &dyn SpectralLaw, tolerance: f64) -> Option<EdgeReport> {
    let support = law.support();
    let (lo, hi) = (support.first()?.0, support.last()?.1);
    let nonzero: Vec<f64> = esd.values().iter().copied().filter(|v| *v != 0.0).collect();
    let (min, max) = (*nonzero.first()?, *nonzero.last()?);
    let width = (hi - lo).max(f64::MIN_POSITIVE);
    Some(EdgeReport {
        min_eigenvalue: min,
        max_eigenvalue: max,
        support_lo: lo,
        support_hi: hi,
        relative_error: (min - lo).abs().max((max - hi).abs()) / width,
        tolerance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ToleranceInputs {
        ToleranceInputs {
            dim: 600,
            samples: 1200,
            replicates: 8,
            gamma: 0.5,
            random_weights: true,
            weight_law: WeightLawKind::Population,
            draws: 1 << 20,
            shared_weights: 0.0,
            coupling: 0.0,
        }
    }

    fn weights(zero_fraction: f64) -> Vec<f64> {
        let zeros = (zero_fraction * 1000.0).round() as usize;
        (0..1000)
            .map(|i| if i < zeros { 0.0 } else { 1.0 })
            .collect()
    }

    #[test]
    fn zero_weights_widen_ks_tolerance() {
        let inputs = inputs();
        // Half the weights zero at γ = ½: a hard edge. a = (¼/1200)^(1/2)/½ ≈ 0.02887; the term is
        // a (1/√(2π) + 2 (½ − 1/(2π))^(1/2)/√8) = a (0.39894 + 0.41281) ≈ 0.02343.
        let hard = zero_weights_term(&inputs, &weights(0.5));
        assert!((hard - 0.02343).abs() < 1e-5, "hard edge term {hard}");
        // Three quarters zero: an atom of mass ½; the term is 2 a/√8 with a = (3/16/1200)^(1/2)/½.
        let atom = zero_weights_term(&inputs, &weights(0.75));
        let expected = 2.0 * (0.1875_f64 / 1200.0).sqrt() / 0.5 / 8.0_f64.sqrt();
        assert!(
            (atom - expected).abs() < 1e-12,
            "atom term {atom} vs {expected}"
        );
        // A quarter zero: (1 − q₀)/γ = 1.5, no atom and no hard edge.
        assert_eq!(zero_weights_term(&inputs, &weights(0.25)), 0.0);
        assert_eq!(zero_weights_term(&inputs, &weights(0.0)), 0.0);
        // The realised law matches the zero count exactly: no term.
        let realised = ToleranceInputs {
            weight_law: WeightLawKind::Realised,
            ..inputs
        };
        let plain = Tolerances::new(&realised, &weights(0.5), 1.0).ks;
        assert!((plain - 600f64.ln() / 600.0).abs() < 1e-12, "{plain}");
    }
}

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
        let pooled = (config.replicates * config.samples) as f64;
        // τ is deterministic for MSE blocks; for CE blocks the realised law removes the weight
        // fluctuation, the other two laws keep it and add their own sampling error.
        let random_weights = case.loss == crate::models::Loss::Ce;
        let (weights, draws) = match (random_weights, settings.weight_law) {
            (false, _) | (true, WeightLawKind::Realised) => (0.0, 0.0),
            (true, WeightLawKind::Population) => (
                pooled.sqrt().recip(),
                (settings.population_draws as f64).sqrt().recip(),
            ),
            (true, WeightLawKind::Conditional) => (
                pooled.sqrt().recip(),
                (settings.conditional_draws as f64).sqrt().recip(),
            ),
        };
        // With one W for all replicates, W Wᵀ − s² I = O((C/d)^(1/2)) does not average out, and the
        // population law is off by that much.
        let fixed_w = if random_weights
            && config.fix_weights
            && settings.weight_law == WeightLawKind::Population
        {
            (config.classes as f64 / d).sqrt()
        } else {
            0.0
        };
        // Standard errors of the first two GMP moments from the weights' spread:
        // m₁ = E τ and m₂ = (E τ)² + γ E τ², so δm₁ = δE τ and δm₂ ≈ 2 E τ δE τ + γ δE τ².
        let (mean, sd1, sd2) = spread(realised_weights);
        let gamma = config.gamma();
        let se1 = sd1 * (weights_rate(random_weights, settings, pooled) + fixed_w) / m2.sqrt();
        let se2 = (2.0 * mean.abs() * sd1 + gamma * sd2)
            * (weights_rate(random_weights, settings, pooled) + fixed_w)
            / m2;
        // Cross-entropy weights depend on x_i through the C logits, which perturbs the block by a
        // matrix of rank at most 2C; the moments move by O(C/d) even with the realised law.
        let coupling = if random_weights {
            config.classes as f64 / d
        } else {
            0.0
        };
        let dim_term = tol::MOMENT_DIM / d + coupling;
        Self {
            ks: tol::KS_DIM * d.ln() / d + tol::KS_WEIGHTS * (weights + draws + fixed_w),
            moments: [
                dim_term + tol::MOMENT_STANDARD_ERRORS * se1,
                dim_term + tol::MOMENT_STANDARD_ERRORS * se2,
            ],
            edges: tol::EDGE_DIM * d.powf(-2.0 / 3.0)
                + tol::EDGE_WEIGHTS * (config.samples as f64).sqrt().recip(),
        }
    }
}

/// 1/√(pooled samples) + 1/√(draws behind the law), the rate of a weight-law mean; 0 when the
/// weights are deterministic or the law is the realised one.
fn weights_rate(random_weights: bool, settings: &SuiteSettings, pooled: f64) -> f64 {
    match (random_weights, settings.weight_law) {
        (false, _) | (true, WeightLawKind::Realised) => 0.0,
        (true, WeightLawKind::Population) => {
            pooled.sqrt().recip() + (settings.population_draws as f64).sqrt().recip()
        }
        (true, WeightLawKind::Conditional) => {
            pooled.sqrt().recip() + (settings.conditional_draws as f64).sqrt().recip()
        }
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

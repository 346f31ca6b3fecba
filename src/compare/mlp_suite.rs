//! The verification suite of the network with one hidden layer, f(x) = V φ(W x).
//!
//! R replicates are sampled once (see [`crate::sampling::mlp`]: V shared unless redrawn, W fresh
//! unless fixed) and every requested block is taken from each replicate. Each case is then judged:
//!
//! - hidden-layer blocks (d×d): the pooled eigenvalues against GMP(γ, law of τ_jj′), with the same
//!   distances and size-derived tolerances as the linear model; the coupling of τ with x has rank
//!   of order m (through z = W x), so m/d takes the place of C/d;
//! - output-layer blocks (m×m, m fixed): the mean block over replicates against the matrix
//!   E[A_kl h hᵀ] it converges to, in relative Frobenius norm. The tolerance is four standard errors
//!   measured from the replicates, plus the bias of the population law;
//! - MSE output-layer blocks off the diagonal: A = I, so they must be exactly zero.

use std::sync::Arc;

use faer::{Mat, Par};
use rayon::prelude::*;
use serde::Serialize;

use super::suite::{BlockKind, CaseHeader, MatrixReport};
use super::suite::{
    CaseReport, CaseResult, SuiteError, SuiteSettings, WeightLawKind, judge_spectrum, zero_check,
};
use super::verdict::{ToleranceInputs, Tolerances};
use crate::error::ModelError;
use crate::laws::{Gmp, Mixture, SpectralLaw, WeightLaw};
use crate::models::Loss;
use crate::models::eigen::symmetric_eigenvalues;
use crate::models::mlp::Activation;
use crate::sampling::mlp::{
    ExpectedBlock, Layer, MlpBlockRequest, MlpConfig, MlpLawSampler, MlpReplicate, PreActivations,
    sample_replicate,
};
use crate::sampling::montecarlo::run_replicates;
use crate::tol;

/// One case of the network suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MlpCaseSpec {
    /// Loss.
    pub loss: Loss,
    /// Activation.
    pub activation: Activation,
    /// Block: one of the `hidden-*` or `output-*` kinds.
    pub block: BlockKind,
}

impl MlpCaseSpec {
    /// True for the cases that are checked for being zero instead of compared with a prediction.
    pub fn is_zero_check(&self) -> bool {
        self.loss == Loss::Mse && self.block == BlockKind::OutputOffdiag
    }

    fn layer(&self) -> Layer {
        match self.block {
            BlockKind::OutputDiag | BlockKind::OutputOffdiag => Layer::Output,
            _ => Layer::Hidden,
        }
    }
}

/// Lists the default suite: hidden-layer diagonal and off-diagonal blocks for MSE and cross-entropy with
/// ReLU and tanh, then the output-layer blocks of ReLU for both losses (the MSE off-diagonal one
/// as a zero check).
pub fn default_mlp_cases() -> Vec<MlpCaseSpec> {
    let mut cases = Vec::new();
    for activation in [Activation::Relu, Activation::Tanh] {
        for loss in [Loss::Mse, Loss::Ce] {
            for block in [BlockKind::HiddenDiag, BlockKind::HiddenOffdiag] {
                cases.push(MlpCaseSpec {
                    loss,
                    activation,
                    block,
                });
            }
        }
    }
    for loss in [Loss::Mse, Loss::Ce] {
        for block in [BlockKind::OutputDiag, BlockKind::OutputOffdiag] {
            cases.push(MlpCaseSpec {
                loss,
                activation: Activation::Relu,
                block,
            });
        }
    }
    cases
}

/// Checks that every case is a network block whose indices exist.
///
/// # Errors
/// [`ModelError::Parameter`] for a linear-model block, or an off-diagonal hidden block with m < 2.
pub fn validate_cases(config: &MlpConfig, cases: &[MlpCaseSpec]) -> Result<(), ModelError> {
    for case in cases {
        if !case.block.is_network_block() {
            return Err(ModelError::Parameter(format!(
                "block '{}' belongs to the linear model; the network has hidden-diag, \
                 hidden-offdiag, output-diag and output-offdiag",
                case.block
            )));
        }
        if case.block == BlockKind::HiddenOffdiag && config.width < 2 {
            return Err(ModelError::Parameter(format!(
                "block 'hidden-offdiag' needs a width of at least 2, got {}",
                config.width
            )));
        }
    }
    Ok(())
}

/// Runs the network suite: R replicates, then one comparison per case.
///
/// `on_replicate` is called after each finished replicate (for progress bars).
///
/// # Errors
/// [`SuiteError`] for invalid sizes or cases, or a failing solver.
pub fn run_mlp_suite(
    config: &MlpConfig,
    cases: &[MlpCaseSpec],
    settings: &SuiteSettings,
    on_replicate: &(dyn Fn() + Sync),
) -> Result<Vec<CaseResult>, SuiteError> {
    config.validate()?;
    validate_cases(config, cases)?;
    let requests: Vec<MlpBlockRequest> = cases
        .iter()
        .map(|case| {
            let (a, b) = case.block.indices();
            MlpBlockRequest {
                loss: case.loss,
                activation: case.activation,
                layer: case.layer(),
                a,
                b,
                spectrum: case.layer() == Layer::Hidden,
            }
        })
        .collect();
    let shared = config.shared_parameters();
    let replicates = run_replicates(
        config.seed,
        config.replicates as u64,
        |_, generator| sample_replicate(config, &requests, &shared, generator),
        on_replicate,
    )?;
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| compare_case(config, settings, *case, index, &replicates))
        .collect()
}

fn base_report(config: &MlpConfig, settings: &SuiteSettings, case: MlpCaseSpec) -> CaseReport {
    CaseReport {
        width: Some(config.width),
        activation: Some(case.activation),
        init_scales: Some([config.sigma_w, config.sigma_v]),
        redraw_v: Some(config.redraw_v),
        ..CaseReport::blank(CaseHeader {
            model: "mlp",
            loss: case.loss,
            block: case.block,
            dim: config.dim,
            samples: config.samples,
            classes: config.classes,
            replicates: config.replicates,
            data: config.data.to_string(),
            weight_law: settings.weight_law,
            fixed_weights: config.fix_weights,
        })
    }
}

fn compare_case(
    config: &MlpConfig,
    settings: &SuiteSettings,
    case: MlpCaseSpec,
    index: usize,
    replicates: &[MlpReplicate],
) -> Result<CaseResult, SuiteError> {
    let report = base_report(config, settings, case);
    if case.is_zero_check() {
        let max_abs = replicates
            .iter()
            .map(|r| r.blocks[index].max_abs_entry)
            .fold(0.0_f64, f64::max);
        return Ok(zero_check(report, max_abs));
    }
    match case.layer() {
        Layer::Hidden => compare_hidden(config, settings, case, index, replicates, report),
        Layer::Output => compare_output(config, settings, case, index, replicates, report),
    }
}

/// Population pre-activations z ~ N(0, σ_w² I_m), on the random stream of part `part` (0 for the
/// shared V, r + 1 for the V of replicate r).
fn population(config: &MlpConfig, part: u32) -> PreActivations<'static> {
    PreActivations::Population {
        sigma_w: config.sigma_w,
        part,
    }
}

/// The parts a sampled prediction is made of: the V it is conditional on, the source of the
/// pre-activations, and the number of draws.
struct Part<'a> {
    v: &'a Mat<f64>,
    source: PreActivations<'a>,
    draws: usize,
}

/// Lists the parts of the prediction for `weight_law` (population or conditional). A shared V
/// with the population law gives one part; otherwise there is one part per replicate, except
/// that `collapse_shared` keeps a single conditional part when W and V are both shared (every
/// replicate then has the same conditional law).
fn prediction_parts<'a>(
    config: &MlpConfig,
    settings: &SuiteSettings,
    replicates: &'a [MlpReplicate],
    conditional: bool,
    collapse_shared: bool,
) -> Vec<Part<'a>> {
    if !conditional && !config.redraw_v {
        return vec![Part {
            v: &replicates[0].v,
            source: population(config, 0),
            draws: settings.population_draws,
        }];
    }
    let count = if conditional && collapse_shared && config.fix_weights && !config.redraw_v {
        1
    } else {
        replicates.len()
    };
    (0..count)
        .map(|r| Part {
            v: &replicates[r].v,
            source: if conditional {
                PreActivations::Conditional {
                    w: &replicates[r].w,
                    data: config.data,
                    replicate: r as u32,
                }
            } else {
                population(config, r as u32 + 1)
            },
            draws: settings.conditional_draws,
        })
        .collect()
}

fn compare_hidden(
    config: &MlpConfig,
    settings: &SuiteSettings,
    case: MlpCaseSpec,
    index: usize,
    replicates: &[MlpReplicate],
    report: CaseReport,
) -> Result<CaseResult, SuiteError> {
    let (j, jp) = case.block.indices();
    let gamma = config.gamma();
    let sampler = |v, source| MlpLawSampler {
        v,
        activation: case.activation,
        loss: case.loss,
        source,
        seed: config.seed,
    };
    let gmp = |weights: WeightLaw| -> Result<Arc<dyn SpectralLaw>, SuiteError> {
        Ok(Arc::new(Gmp::new(gamma, weights)?))
    };
    let mixture = |parts: Vec<Arc<dyn SpectralLaw>>, what: &str| -> Arc<dyn SpectralLaw> {
        Arc::new(Mixture::new(parts, format!("GMP(γ = {gamma}, {what})")))
    };
    let (law, draws): (Arc<dyn SpectralLaw>, usize) = match settings.weight_law {
        WeightLawKind::Realised => {
            let parts = replicates
                .par_iter()
                .map(|r| gmp(WeightLaw::from_samples(&r.blocks[index].weights)?))
                .collect::<Result<Vec<_>, _>>()?;
            (mixture(parts, "realised τ"), 0)
        }
        kind => {
            let conditional = kind == WeightLawKind::Conditional;
            let parts = prediction_parts(config, settings, replicates, conditional, true);
            let draws = parts[0].draws;
            let mut weights = parts
                .par_iter()
                .map(|part| {
                    sampler(part.v, part.source).hidden_weight_law(j, jp, gamma, part.draws)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let law: Arc<dyn SpectralLaw> = match (conditional, config.redraw_v) {
                (false, false) => {
                    // One law: labelled, not wrapped in a mixture of one.
                    let name = format!("GMP(γ = {gamma}, population τ | V)");
                    let only = weights.pop().expect("one part");
                    Arc::new(Gmp::new(gamma, only)?.labelled(name))
                }
                (false, true) => mixture(
                    weights.into_iter().map(gmp).collect::<Result<_, _>>()?,
                    "population τ, per-replicate V",
                ),
                (true, _) => mixture(
                    weights.into_iter().map(gmp).collect::<Result<_, _>>()?,
                    "τ conditional on W and V",
                ),
            };
            (law, draws)
        }
    };

    let d = config.dim as f64;
    let random_weights = !(case.activation == Activation::Linear && case.loss == Loss::Mse);
    let inputs = ToleranceInputs {
        dim: config.dim,
        samples: config.samples,
        replicates: config.replicates,
        gamma,
        random_weights,
        weight_law: settings.weight_law,
        draws,
        // A shared W has W Wᵀ = σ_w²(I + E) with entries of E of size d^(−1/2). The law of τ_jj′
        // depends on a few entries (for MSE only on those of rows j and j′), so the term is the
        // entry size; over 6 seeds at d = 500 the largest KS was 0.49 of the resulting tolerance.
        shared_weights: if random_weights && config.fix_weights {
            d.sqrt().recip()
        } else {
            0.0
        },
        coupling: if random_weights {
            config.width as f64 / d
        } else {
            0.0
        },
    };
    let pooled_weights: Vec<f64> = replicates
        .iter()
        .flat_map(|r| r.blocks[index].weights.iter().copied())
        .collect();
    let spectra = replicates
        .iter()
        .map(|r| r.blocks[index].eigenvalues.clone());
    judge_spectrum(report, spectra, law, settings.curve_points, |m2| {
        Tolerances::new(&inputs, &pooled_weights, m2)
    })
}

fn compare_output(
    config: &MlpConfig,
    settings: &SuiteSettings,
    case: MlpCaseSpec,
    index: usize,
    replicates: &[MlpReplicate],
    mut report: CaseReport,
) -> Result<CaseResult, SuiteError> {
    let (k, l) = case.block.indices();
    let sampler = |v, source| MlpLawSampler {
        v,
        activation: case.activation,
        loss: case.loss,
        source,
        seed: config.seed,
    };
    let r_count = replicates.len();
    // The prediction: one expected block for a shared V and the population law; otherwise one
    // expected block per replicate. The realised weights do not determine an m×m limit, so
    // `realised` uses the law conditional on each replicate's W and V.
    let conditional = settings.weight_law != WeightLawKind::Population;
    let name = match (conditional, config.redraw_v) {
        (false, false) => "E[A h hᵀ], population z | V",
        (false, true) => "E[A h hᵀ], population z, per-replicate V",
        (true, _) => "E[A h hᵀ], z = W x conditional on W and V",
    };
    let parts: Vec<ExpectedBlock> =
        prediction_parts(config, settings, replicates, conditional, false)
            .par_iter()
            .map(|part| sampler(part.v, part.source).expected_output_block(k, l, part.draws))
            .collect();
    let expected = average(&parts);
    // The prediction for replicate r: its own expected block, or the shared one.
    let expected_of = |r: usize| &parts[r.min(parts.len() - 1)].mean;

    let blocks: Vec<&Mat<f64>> = replicates
        .iter()
        .map(|r| {
            r.blocks[index]
                .matrix
                .as_ref()
                .expect("output blocks keep their matrix")
        })
        .collect();
    let within: Vec<&Mat<f64>> = replicates
        .iter()
        .map(|r| {
            r.blocks[index]
                .entry_variance
                .as_ref()
                .expect("output blocks keep their variances")
        })
        .collect();
    let m = config.width;
    let rf = r_count as f64;
    let mean = Mat::<f64>::from_fn(m, m, |a, b| {
        blocks.iter().map(|x| x[(a, b)]).sum::<f64>() / rf
    });
    // Squared standard error of each entry of the mean block. The spread between replicates
    // includes the variation of W; the spread within them is all there is with one replicate. The
    // larger of the two is taken.
    let mut variance = 0.0;
    let (mut diff2, mut norm2) = (0.0, 0.0);
    for a in 0..m {
        for b in 0..m {
            // Residuals B_r − M_r: with V redrawn or conditional laws, the replicates differ
            // in their predictions too, and only the residuals measure the error.
            let residual = |r: usize| blocks[r][(a, b)] - expected_of(r)[(a, b)];
            let mean_residual = mean[(a, b)] - expected.mean[(a, b)];
            let between = if r_count > 1 {
                (0..r_count)
                    .map(|r| (residual(r) - mean_residual).powi(2))
                    .sum::<f64>()
                    / (rf - 1.0)
                    / rf
            } else {
                0.0
            };
            let inside = within.iter().map(|x| x[(a, b)]).sum::<f64>() / (rf * rf);
            variance += between.max(inside) + expected.variance[(a, b)];
            diff2 += (mean[(a, b)] - expected.mean[(a, b)]).powi(2);
            norm2 += expected.mean[(a, b)].powi(2);
        }
    }
    let norm = norm2.sqrt().max(f64::MIN_POSITIVE);
    let standard_error = variance.sqrt() / norm;
    // Bias of the population law: the rows of a fresh W have norms and overlaps that differ from
    // σ_w² I by O(d^(−1/2)) per entry, which averages to O(1/d) over replicates but stays
    // O(d^(−1/2)) when W is shared.
    let d = config.dim as f64;
    let bias = match settings.weight_law {
        WeightLawKind::Population if config.fix_weights => d.sqrt().recip(),
        WeightLawKind::Population => tol::MOMENT_DIM / d,
        _ => 0.0,
    };
    let relative_error = diff2.sqrt() / norm;
    let tolerance = tol::MATRIX_STANDARD_ERRORS * standard_error + bias;
    report.law = String::from(name);
    report.pass = relative_error <= tolerance;
    report.matrix = Some(MatrixReport {
        relative_error,
        tolerance,
        standard_error,
        eigenvalues_empirical: symmetric_eigenvalues(mean.as_ref(), Par::Seq)?,
        eigenvalues_predicted: symmetric_eigenvalues(expected.mean.as_ref(), Par::Seq)?,
    });
    Ok(CaseResult {
        report,
        esd: None,
        law: None,
        curve: None,
    })
}

/// Averages independent expected blocks; the variance is that of the mean.
fn average(parts: &[ExpectedBlock]) -> ExpectedBlock {
    let count = parts.len() as f64;
    let (rows, cols) = (parts[0].mean.nrows(), parts[0].mean.ncols());
    ExpectedBlock {
        mean: Mat::<f64>::from_fn(rows, cols, |a, b| {
            parts.iter().map(|p| p.mean[(a, b)]).sum::<f64>() / count
        }),
        variance: Mat::<f64>::from_fn(rows, cols, |a, b| {
            parts.iter().map(|p| p.variance[(a, b)]).sum::<f64>() / (count * count)
        }),
    }
}

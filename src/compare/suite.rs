//! The verification suite of the linear model: sample blocks, build their predicted laws, measure
//! the distances and give verdicts.
//!
//! A suite runs R replicates once and takes every requested block from each replicate, so the
//! cross-entropy diagonal and off-diagonal blocks and the MSE blocks of one replicate share X (and
//! W). Each case is then compared with its law:
//!
//! - MSE diagonal block: MP(γ) in closed form (τ ≡ 1, so every weight law coincides);
//! - MSE off-diagonal block: checked to be exactly zero, entry by entry;
//! - cross-entropy blocks: GMP(γ, H) with H the population law, the mixture over replicates of the
//!   laws conditional on each realised W, or the mixture of the realised weights' laws.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::distances::{kolmogorov_smirnov, wasserstein1};
use super::verdict::{self, Tolerances};
use crate::error::{LawError, ModelError, SolverError};
use crate::laws::{Atom, Gmp, MarchenkoPastur, Mixture, SpectralLaw, WeightLaw};
use crate::models::Loss;
use crate::models::mlp::Activation;
use crate::sampling::Esd;
use crate::sampling::linear::{BlockRequest, LinearConfig, LinearReplicate, sample_replicate_with};
use crate::sampling::montecarlo::run_replicates_with;
use crate::sampling::weight_laws::{
    CONDITIONAL_DRAWS, POPULATION_DRAWS, conditional_law, population_law,
};

/// A block of the Hessian, with 1-based indices: `diag` = (1, 1) and `offdiag` = (1, 2) of the
/// linear model (rows of W). For the network, `hidden-*` are blocks of neurons (rows of W) and
/// `output-*` blocks of classes (rows of V).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    /// Linear model, block (1, 1).
    Diag,
    /// Linear model, block (1, 2).
    Offdiag,
    /// Network, hidden layer, neurons (1, 1): d×d.
    HiddenDiag,
    /// Network, hidden layer, neurons (1, 2): d×d.
    HiddenOffdiag,
    /// Network, output layer, classes (1, 1): m×m.
    OutputDiag,
    /// Network, output layer, classes (1, 2): m×m.
    OutputOffdiag,
}

impl BlockKind {
    /// 0-based (k, l).
    pub fn indices(self) -> (usize, usize) {
        match self {
            BlockKind::Diag | BlockKind::HiddenDiag | BlockKind::OutputDiag => (0, 0),
            BlockKind::Offdiag | BlockKind::HiddenOffdiag | BlockKind::OutputOffdiag => (0, 1),
        }
    }

    /// True for the blocks of the network with one hidden layer.
    pub fn is_network_block(self) -> bool {
        !matches!(self, BlockKind::Diag | BlockKind::Offdiag)
    }

    /// Returns the name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            BlockKind::Diag => "diag",
            BlockKind::Offdiag => "offdiag",
            BlockKind::HiddenDiag => "hidden-diag",
            BlockKind::HiddenOffdiag => "hidden-offdiag",
            BlockKind::OutputDiag => "output-diag",
            BlockKind::OutputOffdiag => "output-offdiag",
        }
    }
}

impl std::fmt::Display for BlockKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The weight law the prediction is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WeightLawKind {
    /// τ from logits z ~ N(0, s² I_C): the law of the limit theorem.
    Population,
    /// τ from logits W x for fresh x and the realised W (mixture over replicates).
    Conditional,
    /// The realised weights τ_i of each replicate as N atoms (mixture over replicates).
    Realised,
}

impl std::fmt::Display for WeightLawKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WeightLawKind::Population => "population",
            WeightLawKind::Conditional => "conditional",
            WeightLawKind::Realised => "realised",
        })
    }
}

/// One case of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CaseSpec {
    /// Loss.
    pub loss: Loss,
    /// Block.
    pub block: BlockKind,
}

impl CaseSpec {
    /// True for the cases that are checked for being zero instead of compared with a law.
    pub fn is_zero_check(&self) -> bool {
        self.loss == Loss::Mse && self.block == BlockKind::Offdiag
    }
}

/// The default suite: CE diagonal, CE off-diagonal, MSE diagonal, MSE off-diagonal (zero check).
pub fn default_cases() -> Vec<CaseSpec> {
    vec![
        CaseSpec {
            loss: Loss::Ce,
            block: BlockKind::Diag,
        },
        CaseSpec {
            loss: Loss::Ce,
            block: BlockKind::Offdiag,
        },
        CaseSpec {
            loss: Loss::Mse,
            block: BlockKind::Diag,
        },
        CaseSpec {
            loss: Loss::Mse,
            block: BlockKind::Offdiag,
        },
    ]
}

/// Settings of a suite beyond the model sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuiteSettings {
    /// Weight law of the predictions.
    pub weight_law: WeightLawKind,
    /// Draws behind a population law.
    pub population_draws: usize,
    /// Draws behind each conditional law.
    pub conditional_draws: usize,
    /// Points of the density/CDF curves returned for plotting (0 for none).
    pub curve_points: usize,
}

impl SuiteSettings {
    /// Draws behind the sampled weight law in use (0 for the realised law).
    pub fn draws(&self) -> usize {
        match self.weight_law {
            WeightLawKind::Population => self.population_draws,
            WeightLawKind::Conditional => self.conditional_draws,
            WeightLawKind::Realised => 0,
        }
    }
}

impl Default for SuiteSettings {
    fn default() -> Self {
        Self {
            weight_law: WeightLawKind::Population,
            population_draws: POPULATION_DRAWS,
            conditional_draws: CONDITIONAL_DRAWS,
            curve_points: 800,
        }
    }
}

/// Errors of a suite run.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// Invalid sizes.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A law could not be built.
    #[error(transparent)]
    Law(#[from] LawError),
    /// A solver or eigensolver failed.
    #[error(transparent)]
    Solver(#[from] SolverError),
}

/// Moments of the ESD against the law.
#[derive(Debug, Clone, Serialize)]
pub struct MomentReport {
    /// (1/n) Σ λ^k, k = 1..=4.
    pub empirical: Vec<f64>,
    /// The law's moments from its free cumulants.
    pub predicted: Vec<f64>,
    /// |empirical − predicted| / m₂^(k/2), with m₂ the law's second moment.
    pub normalized_error: Vec<f64>,
    /// Tolerances on the first two normalized errors; the third and fourth moments are reported
    /// but not judged, because they are dominated by the extreme eigenvalues, which the tail of the
    /// weights and the rank-2C coupling between weights and data move by more than any size-only
    /// rate.
    pub tolerance: [f64; 2],
}

/// Extreme eigenvalues against the support edges of the continuous part.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeReport {
    /// Smallest eigenvalue not on the atom at 0.
    pub min_eigenvalue: f64,
    /// Largest eigenvalue not on the atom at 0.
    pub max_eigenvalue: f64,
    /// Lower edge of the predicted support.
    pub support_lo: f64,
    /// Upper edge of the predicted support.
    pub support_hi: f64,
    /// max(|λ_min − lo|, |λ_max − hi|) / (hi − lo).
    pub relative_error: f64,
    /// Tolerance on the relative error.
    pub tolerance: f64,
}

/// The result of one case, as written into reports.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// Model name.
    pub model: &'static str,
    /// Loss.
    pub loss: Loss,
    /// Block kind.
    pub block: BlockKind,
    /// 1-based indices (k, l): rows of W (linear model), neurons (hidden layer) or classes
    /// (output layer).
    pub block_index: [usize; 2],
    /// d.
    pub dim: usize,
    /// N.
    pub samples: usize,
    /// C.
    pub classes: usize,
    /// γ = d/N.
    pub gamma: f64,
    /// s (linear model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logit_scale: Option<f64>,
    /// Hidden width m (network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<usize>,
    /// Activation (network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<Activation>,
    /// [σ_w, σ_v] (network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_scales: Option<[f64; 2]>,
    /// Whether V was redrawn per replicate (network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redraw_v: Option<bool>,
    /// R.
    pub replicates: usize,
    /// Data law.
    pub data: String,
    /// Weight law of the prediction.
    pub weight_law: WeightLawKind,
    /// Whether W (the first-layer weights of the network) was shared by all replicates.
    pub fixed_weights: bool,
    /// Name of the predicted law ("zero" for the zero check).
    pub law: String,
    /// Pooled eigenvalue count (0 for the zero check).
    pub eigenvalues: usize,
    /// Kolmogorov–Smirnov distance; null for cases without a spectral law (zero checks and
    /// output-layer blocks).
    pub ks: Option<f64>,
    /// Wasserstein-1 distance; null as `ks`.
    pub w1: Option<f64>,
    /// KS tolerance; null as `ks`.
    pub tolerance: Option<f64>,
    /// Verdict.
    pub pass: bool,
    /// Moments (absent for the zero check).
    pub moments: Option<MomentReport>,
    /// Edges (absent for the zero check or a law without continuous part).
    pub edges: Option<EdgeReport>,
    /// Eigenvalues set to exactly 0 before the comparison (see `tol::ZERO_EIGENVALUE_REL`).
    pub zeros_snapped: usize,
    /// Atoms of the predicted law.
    pub atoms: Vec<Atom>,
    /// Mass at 0 of the law and of the pooled eigenvalues, when the law has an atom at 0. It is
    /// judged through KS: the two jumps at 0 differ by at most twice the KS distance.
    pub atom_at_zero: Option<AtomAtZero>,
    /// Largest |entry| over all replicates (zero check only).
    pub max_abs_entry: Option<f64>,
    /// The comparison of an output-layer block with its expected matrix (network only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixReport>,
    /// The real data set the blocks were formed on (real data only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<super::data_suite::DatasetReport>,
    /// Every law tried, with its distances and moments (real data only). The report's own `law`,
    /// `ks` and verdict are those of the law with the smallest W1 distance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fits: Option<Vec<super::data_suite::LawFit>>,
}

/// The atom at 0: predicted and pooled empirical mass.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AtomAtZero {
    /// Mass of the law's atom at 0.
    pub predicted: f64,
    /// Fraction of pooled eigenvalues equal to 0 after snapping.
    pub empirical: f64,
}

/// A fixed-size block against the deterministic matrix it converges to.
///
/// An output-layer block of the network is m×m with m fixed, so as N → ∞ it converges to
/// M = E[A_kl h hᵀ]; the mean block over replicates is compared with M in relative Frobenius norm.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixReport {
    /// ‖B̄ − M‖_F / ‖M‖_F, with B̄ the mean block over replicates.
    pub relative_error: f64,
    /// Tolerance on the relative error.
    pub tolerance: f64,
    /// Standard error of B̄ − M in the same units: sampling of the blocks and of M combined.
    pub standard_error: f64,
    /// Eigenvalues of B̄, ascending.
    pub eigenvalues_empirical: Vec<f64>,
    /// Eigenvalues of M, ascending.
    pub eigenvalues_predicted: Vec<f64>,
}

/// Density and CDF of a law on a grid, for plots.
#[derive(Debug, Clone)]
pub struct LawCurve {
    /// Grid, ascending.
    pub x: Vec<f64>,
    /// Density of the continuous part.
    pub density: Vec<f64>,
    /// CDF, atoms included.
    pub cdf: Vec<f64>,
}

/// One case with everything needed to plot it.
pub struct CaseResult {
    /// The serialisable report.
    pub report: CaseReport,
    /// Pooled eigenvalues (None for the zero check).
    pub esd: Option<Esd>,
    /// The predicted law (None for the zero check).
    pub law: Option<Arc<dyn SpectralLaw>>,
    /// Curves for plotting (None for the zero check or when not requested).
    pub curve: Option<LawCurve>,
}

/// Runs the suite: R replicates, then one comparison per case.
///
/// `on_replicate` is called after each finished replicate (for progress bars).
///
/// # Errors
/// [`SuiteError`] for invalid sizes or a failing solver.
pub fn run_linear_suite(
    config: &LinearConfig,
    cases: &[CaseSpec],
    settings: &SuiteSettings,
    on_replicate: &(dyn Fn() + Sync),
) -> Result<Vec<CaseResult>, SuiteError> {
    config.validate()?;
    let requests: Vec<BlockRequest> = cases
        .iter()
        .map(|case| {
            let (k, l) = case.block.indices();
            BlockRequest {
                loss: case.loss,
                k,
                l,
                spectrum: !case.is_zero_check(),
            }
        })
        .collect();
    let fixed = config.fix_weights.then(|| config.fixed_weights());
    let replicates = run_replicates_with(
        config.seed,
        config.replicates as u64,
        |_, generator, buffers| {
            sample_replicate_with(config, &requests, fixed.as_ref(), generator, buffers)
        },
        on_replicate,
    )?;
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| compare_case(config, settings, *case, index, &replicates))
        .collect()
}

fn base_report(config: &LinearConfig, settings: &SuiteSettings, case: CaseSpec) -> CaseReport {
    CaseReport {
        logit_scale: Some(config.logit_scale),
        ..CaseReport::blank(CaseHeader {
            model: "linear",
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

/// Header of a case's report: the model, the block and the sizes.
#[derive(Debug, Clone)]
pub struct CaseHeader {
    /// Model name.
    pub model: &'static str,
    /// Loss.
    pub loss: Loss,
    /// Block kind.
    pub block: BlockKind,
    /// d.
    pub dim: usize,
    /// N (n for real data).
    pub samples: usize,
    /// C.
    pub classes: usize,
    /// R.
    pub replicates: usize,
    /// Data law or data set.
    pub data: String,
    /// Weight law of the prediction.
    pub weight_law: WeightLawKind,
    /// Whether W was shared by the replicates.
    pub fixed_weights: bool,
}

impl CaseReport {
    /// Creates a report with the header filled in, no model-specific field and no result yet: the
    /// law "zero", no distance, not passed.
    pub fn blank(header: CaseHeader) -> Self {
        let (k, l) = header.block.indices();
        Self {
            model: header.model,
            loss: header.loss,
            block: header.block,
            block_index: [k + 1, l + 1],
            dim: header.dim,
            samples: header.samples,
            classes: header.classes,
            gamma: header.dim as f64 / header.samples as f64,
            logit_scale: None,
            width: None,
            activation: None,
            init_scales: None,
            redraw_v: None,
            replicates: header.replicates,
            data: header.data,
            weight_law: header.weight_law,
            fixed_weights: header.fixed_weights,
            law: String::from("zero"),
            eigenvalues: 0,
            ks: None,
            w1: None,
            tolerance: None,
            pass: false,
            moments: None,
            edges: None,
            zeros_snapped: 0,
            atoms: Vec::new(),
            atom_at_zero: None,
            max_abs_entry: None,
            matrix: None,
            dataset: None,
            fits: None,
        }
    }
}

fn compare_case(
    config: &LinearConfig,
    settings: &SuiteSettings,
    case: CaseSpec,
    index: usize,
    replicates: &[LinearReplicate],
) -> Result<CaseResult, SuiteError> {
    let report = base_report(config, settings, case);
    if case.is_zero_check() {
        let max_abs = replicates
            .iter()
            .map(|r| r.blocks[index].max_abs_entry)
            .fold(0.0_f64, f64::max);
        return Ok(zero_check(report, max_abs));
    }

    let law = predicted_law(config, settings, case, index, replicates)?;
    let spectra = replicates
        .iter()
        .map(|r| r.blocks[index].eigenvalues.clone());
    let pooled_weights: Vec<f64> = replicates
        .iter()
        .flat_map(|r| r.blocks[index].weights.iter().copied())
        .collect();
    judge_spectrum(report, spectra, law, settings.curve_points, |m2| {
        Tolerances::for_case(config, settings, case, &pooled_weights, m2)
    })
}

/// Pools the spectra, compares them with `law` and fills the report: KS, W1, moments, edges and
/// the atom at 0. `tolerances` receives the law's second moment. Curves for plots are added when
/// `curve_points` > 1.
///
/// # Errors
/// Any solver error of the law.
pub fn judge_spectrum(
    mut report: CaseReport,
    spectra: impl IntoIterator<Item = Vec<f64>>,
    law: Arc<dyn SpectralLaw>,
    curve_points: usize,
    tolerances: impl FnOnce(f64) -> Tolerances,
) -> Result<CaseResult, SuiteError> {
    let mut esd = Esd::pooled(spectra);
    let atoms = law.atoms();
    if let Some(atom) = atoms.iter().find(|a| a.x == 0.0) {
        report.zeros_snapped = esd.snap_zeros();
        let zeros = esd.values().iter().filter(|v| **v == 0.0).count();
        report.atom_at_zero = Some(AtomAtZero {
            predicted: atom.mass,
            empirical: zeros as f64 / esd.len().max(1) as f64,
        });
    }
    let m2 = law.moments(2)[1].abs().max(f64::MIN_POSITIVE);
    let tolerances = tolerances(m2);
    report.law = law.name();
    report.eigenvalues = esd.len();
    let ks = kolmogorov_smirnov(&esd, law.as_ref())?;
    report.ks = Some(ks);
    report.w1 = Some(wasserstein1(&esd, law.as_ref())?);
    report.tolerance = Some(tolerances.ks);
    report.atoms = atoms;
    report.moments = Some(verdict::moment_report(
        &esd,
        law.as_ref(),
        tolerances.moments,
    ));
    report.edges = verdict::edge_report(&esd, law.as_ref(), tolerances.edges);
    report.pass = ks <= tolerances.ks
        && report.moments.as_ref().is_some_and(|m| {
            m.normalized_error
                .iter()
                .zip(m.tolerance)
                .all(|(e, t)| *e <= t)
        });

    let curve = if curve_points > 1 {
        Some(law_curve(law.as_ref(), &esd, curve_points)?)
    } else {
        None
    };
    Ok(CaseResult {
        report,
        esd: Some(esd),
        law: Some(law),
        curve,
    })
}

/// The result of a block that must be exactly zero: passes only if its largest |entry| over all
/// replicates is 0.0.
pub fn zero_check(mut report: CaseReport, max_abs_entry: f64) -> CaseResult {
    report.max_abs_entry = Some(max_abs_entry);
    report.pass = max_abs_entry == 0.0;
    CaseResult {
        report,
        esd: None,
        law: None,
        curve: None,
    }
}

/// The law a case is compared with.
fn predicted_law(
    config: &LinearConfig,
    settings: &SuiteSettings,
    case: CaseSpec,
    index: usize,
    replicates: &[LinearReplicate],
) -> Result<Arc<dyn SpectralLaw>, SuiteError> {
    let gamma = config.gamma();
    if case.loss == Loss::Mse {
        return Ok(Arc::new(MarchenkoPastur::new(gamma, 1.0)?));
    }
    let (k, l) = case.block.indices();
    let law: Arc<dyn SpectralLaw> = match settings.weight_law {
        WeightLawKind::Population => {
            let weights = population_law(
                case.loss,
                k,
                l,
                config.classes,
                config.logit_scale,
                gamma,
                settings.population_draws,
                config.seed,
            )?;
            Arc::new(Gmp::new(gamma, weights)?.labelled(format!("GMP(γ = {gamma}, population τ)")))
        }
        WeightLawKind::Conditional => {
            // With W fixed, every replicate has the same conditional law: build it once.
            let count = if config.fix_weights {
                1
            } else {
                replicates.len()
            };
            let parts = (0..count)
                .into_par_iter()
                .map(|r| -> Result<Arc<dyn SpectralLaw>, SuiteError> {
                    let weights = conditional_law(
                        case.loss,
                        k,
                        l,
                        &replicates[r].w,
                        config.data,
                        gamma,
                        settings.conditional_draws,
                        config.seed,
                        r as u32,
                    )?;
                    Ok(Arc::new(Gmp::new(gamma, weights)?))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(Mixture::new(
                parts,
                format!("GMP(γ = {gamma}, τ conditional on W)"),
            ))
        }
        WeightLawKind::Realised => {
            let parts = replicates
                .par_iter()
                .map(|r| -> Result<Arc<dyn SpectralLaw>, SuiteError> {
                    let weights = WeightLaw::from_samples(&r.blocks[index].weights)?;
                    Ok(Arc::new(Gmp::new(gamma, weights)?))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(Mixture::new(parts, format!("GMP(γ = {gamma}, realised τ)")))
        }
    };
    Ok(law)
}

/// Density and CDF on a grid that covers the law's support and the eigenvalues, with a 5 % margin.
///
/// # Errors
/// Any solver error of the law.
pub fn law_curve(law: &dyn SpectralLaw, esd: &Esd, points: usize) -> Result<LawCurve, SolverError> {
    let (lo_law, hi_law) = law.hull();
    let (lo_esd, hi_esd) = esd.range();
    let (lo, hi) = (lo_law.min(lo_esd), hi_law.max(hi_esd));
    let margin = 0.05 * (hi - lo).max(f64::MIN_POSITIVE);
    let mut x = grid_with_edges(law, lo - margin, hi + margin, points);
    x.extend(magnitude_grid(law, esd, points));
    x.sort_by(f64::total_cmp);
    x.dedup();
    Ok(LawCurve {
        density: law.density(&x)?,
        cdf: law.cdf(&x)?,
        x,
    })
}

/// Points evenly spaced in log |x| from the smallest to the largest non-zero magnitude of the support
/// edges and the eigenvalues, on the side of 0 where both lie, when they span more than three decades.
/// A plot on a log axis needs them: a uniform grid leaves the lowest decades without a point. Empty
/// when the support or the eigenvalues take both signs.
fn magnitude_grid(law: &dyn SpectralLaw, esd: &Esd, points: usize) -> Vec<f64> {
    let mut ends: Vec<f64> = law.support().iter().flat_map(|&(a, b)| [a, b]).collect();
    ends.extend(esd.values().iter().copied());
    let positive = ends.iter().all(|&v| v >= 0.0);
    let negative = ends.iter().all(|&v| v <= 0.0);
    if positive == negative || points < 2 {
        return Vec::new();
    }
    let sign = if positive { 1.0 } else { -1.0 };
    let (low, high) = ends
        .iter()
        .map(|v| v.abs())
        .filter(|&m| m > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), m| {
            (lo.min(m), hi.max(m))
        });
    if high <= 1e3 * low {
        return Vec::new();
    }
    let (log_low, log_high) = (low.ln(), high.ln());
    (0..points)
        .map(|i| sign * (log_low + (log_high - log_low) * i as f64 / (points - 1) as f64).exp())
        .collect()
}

/// A uniform grid on [lo, hi] with the support edges added, so plotted curves reach their edges.
pub fn grid_with_edges(law: &dyn SpectralLaw, lo: f64, hi: f64, points: usize) -> Vec<f64> {
    let mut x: Vec<f64> = (0..points)
        .map(|i| lo + (hi - lo) * i as f64 / (points - 1) as f64)
        .collect();
    for (a, b) in law.support() {
        x.extend([a, b]);
    }
    x.sort_by(f64::total_cmp);
    x.dedup();
    x
}

/// True when every case passed.
pub fn all_pass(results: &[CaseResult]) -> bool {
    results.iter().all(|r| r.report.pass)
}

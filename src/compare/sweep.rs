//! The ratio of off-diagonal to diagonal block size as the number of classes grows, in theory and
//! by Monte Carlo, over a list of class counts C: how block-diagonal the Hessian is.
//!
//! # The ratio
//! For a block with weight law τ, ‖H‖_F²/d → (E τ)² + γ E τ² (the second moment of GMP(γ, τ)), so
//! the limit ratio R(C) = ‖H_12‖_F/‖H_11‖_F needs only the first two moments of the two weight
//! laws ([`crate::laws::softmax::frobenius_ratio`]). At finite d and N, with Gaussian data and the
//! weak dependence of τ on x ignored, E‖H‖_F²/d = (1 − 1/N)(E τ)² + ((d + 2)/N) E τ², which is the
//! curve the Monte Carlo points are compared with.
//!
//! # Models
//! - Linear model, cross-entropy: the moments for any C come from [`SoftmaxMoments`]; R(C) falls
//!   like 1/C for large C.
//! - Linear model, MSE: τ_kl = δ_kl, so R = 0 exactly, in theory and in every sample.
//! - Network with one hidden layer, ReLU, MSE: τ_11 = 1{z_1 > 0}‖v_1‖² and
//!   τ_12 = 1{z_1 > 0}1{z_2 > 0} v_1·v_2, so R² = (v_1·v_2)² (1/16 + γ/4) / (‖v_1‖⁴ (1/4 + γ/2))
//!   for a given V. With i.i.d. N(0, σ_v²/m) entries, E[(v_1·v_2)²/‖v_1‖⁴] = 1/(C − 2) (given v_1,
//!   v_1·v_2 is N(0, ‖v_1‖² σ_v²/m), and E[1/‖v_1‖²] = m/(σ_v²(C − 2))), so the root-mean-square
//!   of R over V is ((1/16 + γ/4)/((1/4 + γ/2)(C − 2)))^(1/2) for C ≥ 3: slope −½. The Monte
//!   Carlo draws a fresh V per replicate and reports the root-mean-square of the per-replicate
//!   ratios and their spread.
//! - Network, ReLU, cross-entropy: τ_11 = 1{z_1 > 0} v_1ᵀ A v_1 and τ_12 = 1{z_1 > 0}1{z_2 > 0}
//!   v_1ᵀ A v_2 with A = diag(p) − p pᵀ, p = softmax(V relu(z)). No closed form is used: the
//!   root-mean-square over V is a Monte Carlo over V and z with its own standard error, which
//!   joins the uncertainty of the verdict.
//!
//! # Monte Carlo without forming the blocks
//! With G = XᵀX (N×N), ‖(1/N) X diag(w) Xᵀ‖_F² = (1/N²) wᵀ (G ∘ G) w, so each replicate needs
//! G ∘ G once and then one quadratic form per block. The average over all pairs k ≠ l of the
//! linear model uses Σ_{k≠l} w_kl(i) w_kl(j) = (PᵀP)_ij² − ((P∘P)ᵀ(P∘P))_ij for the C×N softmax
//! matrix P, and Σ_k w_kk(i) w_kk(j) = (QᵀQ)_ij with Q = P ∘ (1 − P); no block is formed.

use faer::{Mat, Par};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{LawError, ModelError, SolverError};
use crate::laws::WeightLaw;
use crate::laws::softmax::{SoftmaxMoments, frobenius_ratio};
use crate::models::Loss;
use crate::models::eigen::symmetric_eigenvalues;
use crate::models::linear::{softmax_columns, weighted_gram_lower};
use crate::models::lower::product;
use crate::sampling::montecarlo::run_replicates;
use crate::sampling::weight_laws::{
    DenominatorRest, softmax_pair_weights, spectral_edge, spectral_norm_of_realised,
};
use crate::sampling::{DataDist, Stream, rng};
use rand::RngExt as _;

/// Model of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SweepModel {
    /// f(x) = W x, blocks of rows of W.
    Linear,
    /// f(x) = V relu(W x), hidden-layer blocks of neurons.
    Mlp,
}

/// Sizes and settings of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepConfig {
    /// Model.
    pub model: SweepModel,
    /// Loss.
    pub loss: Loss,
    /// Class counts, ascending.
    pub classes: Vec<usize>,
    /// Input dimension d.
    pub dim: usize,
    /// Number of samples N.
    pub samples: usize,
    /// Logit scale s of the linear model.
    pub logit_scale: f64,
    /// Hidden width m of the network.
    pub width: usize,
    /// Replicates per class count.
    pub replicates: usize,
    /// User seed.
    pub seed: u64,
    /// Skip the Monte Carlo.
    pub theory_only: bool,
}

impl SweepConfig {
    /// Returns the aspect ratio γ = d/N.
    pub fn gamma(&self) -> f64 {
        self.dim as f64 / self.samples as f64
    }
}

/// One class count of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// C.
    pub classes: usize,
    /// The limit ratio R(C).
    pub theory: f64,
    /// The finite-size prediction at the sweep's d and N.
    pub theory_finite: f64,
    /// Standard error of the theory when it is itself a Monte Carlo (network, cross-entropy),
    /// relative to the same scale as `theory_finite`.
    pub theory_stderr: Option<f64>,
    /// Monte Carlo ratio for the pair (1, 2): (Σ_r ‖H_12‖_F² / Σ_r ‖H_11‖_F²)^(1/2) over replicates.
    pub empirical: Option<f64>,
    /// Jackknife standard error of `empirical` over replicates.
    pub stderr: Option<f64>,
    /// Monte Carlo ratio averaged over all pairs k ≠ l against all k (linear model only).
    pub empirical_all_pairs: Option<f64>,
    /// Jackknife standard error of `empirical_all_pairs`.
    pub stderr_all_pairs: Option<f64>,
    /// Monte Carlo ratio of spectral norms ‖H_12‖_2/‖H_11‖_2, pooled as `empirical` (root-mean-square
    /// over V for the network).
    pub spectral: Option<f64>,
    /// Standard error of `spectral`, as for `stderr`.
    pub spectral_stderr: Option<f64>,
    /// Predicted spectral ratio at the sweep's N, from [`spectral_theory`]. The linear model uses N
    /// weights drawn from the population law, pooled over draws. The ReLU-MSE network has a closed
    /// form over V. None for the cross-entropy network.
    pub spectral_theory: Option<f64>,
    /// Standard error of `spectral_theory` when it is a Monte Carlo.
    pub spectral_theory_stderr: Option<f64>,
    /// Standard deviation over replicates (over V) of the per-replicate ratio (network only).
    pub spread: Option<f64>,
}

/// Errors of a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Invalid settings.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// An eigenvalue decomposition failed.
    #[error(transparent)]
    Solver(#[from] SolverError),
}

/// Squared Frobenius norms per d of the blocks of one replicate: pair (1, 2), (1, 1), and the sums
/// over all off-diagonal and diagonal blocks. Also the squared spectral norms of (1, 2) and (1, 1).
#[derive(Debug, Clone, Copy)]
struct ReplicateNorms {
    off: f64,
    diag: f64,
    off_all: f64,
    diag_all: f64,
    spectral_off: f64,
    spectral_diag: f64,
}

/// Runs the sweep.
///
/// # Errors
/// [`SweepError`] for invalid settings or a failed eigenvalue decomposition.
pub fn run_sweep(
    config: &SweepConfig,
    on_point: &(dyn Fn(usize) + Sync),
) -> Result<Vec<SweepPoint>, SweepError> {
    validate(config)?;
    let gamma = config.gamma();
    let softmax = (config.model == SweepModel::Linear && config.loss == Loss::Ce)
        .then(|| NormAverage::new(config.logit_scale, config.dim));
    let mut points = Vec::with_capacity(config.classes.len());
    for (index, &classes) in config.classes.iter().enumerate() {
        let (theory, theory_finite, theory_stderr) =
            theory(config, softmax.as_ref(), classes, gamma);
        let mut point = SweepPoint {
            classes,
            theory,
            theory_finite,
            theory_stderr,
            empirical: None,
            stderr: None,
            empirical_all_pairs: None,
            stderr_all_pairs: None,
            spectral: None,
            spectral_stderr: None,
            spectral_theory: None,
            spectral_theory_stderr: None,
            spread: None,
        };
        if let Some((value, stderr)) = spectral_theory(config, classes, gamma)? {
            point.spectral_theory = Some(value);
            point.spectral_theory_stderr = stderr;
        }
        if !config.theory_only {
            // Each class count gets its own seed, so adding a class count changes no other point.
            let seed = config.seed ^ (classes as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let norms = run_replicates(
                seed,
                config.replicates as u64,
                |_, generator| sample_norms(config, classes, generator),
                &|| {},
            )?;
            let (e, se) = match config.model {
                SweepModel::Linear => jackknife_ratio(&norms, |n| (n.off, n.diag)),
                SweepModel::Mlp => {
                    // V differs between replicates, so the ratio is averaged over V in square.
                    // Given v₁, (v₁·v₂)² is ‖v₁‖²σ_v²/m times a χ²₁ variable, so the squared ratio
                    // of a replicate has variance 2 (E R²)², and the root-mean-square over R
                    // replicates a standard error of R_rms/(2R)^(1/2). The sample variance of R
                    // skewed χ²₁ draws is often far smaller, so the larger of the two is used.
                    let (rms, se, spread) = root_mean_square_ratio(&norms);
                    point.spread = Some(spread);
                    let chi_square = theory_finite / (2.0 * config.replicates as f64).sqrt();
                    (rms, se.max(chi_square))
                }
            };
            point.empirical = Some(e);
            point.stderr = Some(se);
            if config.model == SweepModel::Linear {
                let (e, se) = jackknife_ratio(&norms, |n| {
                    let c = classes as f64;
                    (n.off_all / (c * (c - 1.0)), n.diag_all / c)
                });
                point.empirical_all_pairs = Some(e);
                point.stderr_all_pairs = Some(se);
            }
            let (e, se) = match config.model {
                SweepModel::Linear => {
                    jackknife_ratio(&norms, |n| (n.spectral_off, n.spectral_diag))
                }
                SweepModel::Mlp => {
                    let spectral: Vec<ReplicateNorms> = norms
                        .iter()
                        .map(|n| ReplicateNorms {
                            off: n.spectral_off,
                            diag: n.spectral_diag,
                            ..*n
                        })
                        .collect();
                    let (rms, se, _) = root_mean_square_ratio(&spectral);
                    // As for the Frobenius ratio: the χ²₁ floor of the standard error.
                    (rms, se.max(rms / (2.0 * config.replicates as f64).sqrt()))
                }
            };
            point.spectral = Some(e);
            point.spectral_stderr = Some(se);
        }
        on_point(index);
        points.push(point);
    }
    Ok(points)
}

/// Checks the settings of a sweep.
///
/// # Errors
/// [`ModelError`] for sizes below their minimum or a logit scale out of range.
pub fn validate(config: &SweepConfig) -> Result<(), ModelError> {
    for (name, value, min) in [
        ("dimension", config.dim, 1),
        ("samples", config.samples, 2),
        ("replicates", config.replicates, 2),
        ("width", config.width, 2),
    ] {
        if value < min {
            return Err(ModelError::TooSmall { name, min, value });
        }
    }
    let min_classes = if config.model == SweepModel::Mlp {
        3
    } else {
        2
    };
    if let Some(&bad) = config.classes.iter().find(|&&c| c < min_classes) {
        return Err(ModelError::TooSmall {
            name: "classes",
            min: min_classes,
            value: bad,
        });
    }
    if config.model == SweepModel::Linear
        && config.loss == Loss::Ce
        && !(config.logit_scale > 0.0
            && config.logit_scale <= crate::laws::softmax::MAX_LOGIT_SCALE)
    {
        return Err(ModelError::Parameter(format!(
            "logit scale must be in (0, {}] for the sweep, got {}",
            crate::laws::softmax::MAX_LOGIT_SCALE,
            config.logit_scale
        )));
    }
    Ok(())
}

/// Moments of the cross-entropy weights averaged over the norm of x.
///
/// With W Gaussian and independent of x, z = W x given x is exactly N(0, s² (‖x‖²/d) I_C): a
/// sample's weights follow the law at the scale s (‖x‖²/d)^(1/2), and the same norm multiplies the
/// block. The terms of E‖H‖_F²/d are then (1 − 1/N)(E[τ ρ])² + (d/N) E[τ² ρ²] with ρ = ‖x‖²/d,
/// which for Gaussian data is χ²_d/d. Taking τ independent of ρ gives the plain finite-size
/// formula; keeping the dependence removes a bias of about 2 % in the ratio at d = 200, C = 10⁴.
/// The law of ρ is written with the Wilson–Hilferty cube root, ρ = (1 − a + √a Z)³ with
/// a = 2/(9d), and integrated over Z by Gauss–Hermite.
struct NormAverage {
    /// (ρ, weight, moments at scale s √ρ) per node.
    nodes: Vec<(f64, f64, SoftmaxMoments)>,
    /// The moments at scale s, for the limit.
    plain: SoftmaxMoments,
}

/// Gauss–Hermite nodes for the norm average: ρ has relative width (2/d)^(1/2), and the integrand
/// is smooth in it, so a few nodes integrate it to far below the Monte Carlo error.
const NORM_NODES: usize = 7;

impl NormAverage {
    fn new(logit_scale: f64, dim: usize) -> Self {
        let a = 2.0 / (9.0 * dim as f64);
        let rule = gauss_quad::hermite::GaussHermite::new(
            std::num::NonZeroUsize::new(NORM_NODES).expect("positive"),
        );
        let nodes = rule
            .as_node_weight_pairs()
            .iter()
            .map(|&(x, w)| {
                // Weight e^(−x²): Z = √2 x and the weights sum to √π.
                let rho = (1.0 - a + a.sqrt() * std::f64::consts::SQRT_2 * x).powi(3);
                let scale = (logit_scale * rho.sqrt()).min(crate::laws::softmax::MAX_LOGIT_SCALE);
                (
                    rho,
                    w / std::f64::consts::PI.sqrt(),
                    SoftmaxMoments::new(scale),
                )
            })
            .collect();
        Self {
            nodes,
            plain: SoftmaxMoments::new(logit_scale),
        }
    }

    /// [E τ ρ, E τ² ρ²] of the diagonal and off-diagonal weights.
    fn weighted(&self, classes: usize) -> ([f64; 2], [f64; 2]) {
        let (mut diag, mut off) = ([0.0; 2], [0.0; 2]);
        for (rho, w, moments) in &self.nodes {
            let m = moments.moments(classes);
            diag[0] += w * rho * m.diag[0];
            diag[1] += w * rho * rho * m.diag[1];
            off[0] += w * rho * m.off[0];
            off[1] += w * rho * rho * m.off[1];
        }
        (diag, off)
    }
}

/// The limit ratio and its finite-size version for C classes.
fn theory(
    config: &SweepConfig,
    softmax: Option<&NormAverage>,
    classes: usize,
    gamma: f64,
) -> (f64, f64, Option<f64>) {
    match (config.model, config.loss) {
        (SweepModel::Linear, Loss::Mse) => (0.0, 0.0, None),
        (SweepModel::Linear, Loss::Ce) => {
            let average = softmax.expect("built for linear cross-entropy");
            let m = average.plain.moments(classes);
            let (diag, off) = average.weighted(classes);
            // (1 − 1/N)(E τρ)² + (d/N) E τ²ρ², as in frobenius_ratio_finite with d + 2 → d
            // because E ρ² = 1 + 2/d is now inside the average.
            let (d, n) = (config.dim as f64, config.samples as f64);
            let second = |t: [f64; 2]| (1.0 - 1.0 / n) * t[0] * t[0] + d / n * t[1];
            (
                frobenius_ratio(m.off, m.diag, gamma),
                (second(off) / second(diag)).sqrt(),
                None,
            )
        }
        (SweepModel::Mlp, Loss::Ce) => {
            let (limit, finite, stderr) = network_ce_theory(config, classes, gamma);
            (limit, finite, Some(stderr * finite / limit))
        }
        (SweepModel::Mlp, Loss::Mse) => {
            // ReLU-MSE hidden layer, root-mean-square over V (module docs). The finite-size
            // version uses the same moments with E τ and E τ² per unit ‖v‖⁴.
            let c = classes as f64;
            let (d, n) = (config.dim as f64, config.samples as f64);
            let limit = ((1.0 / 16.0 + gamma / 4.0) / ((0.25 + gamma / 2.0) * (c - 2.0))).sqrt();
            let finite = (((1.0 - 1.0 / n) / 16.0 + (d + 2.0) / n / 4.0)
                / (((1.0 - 1.0 / n) / 4.0 + (d + 2.0) / n / 2.0) * (c - 2.0)))
                .sqrt();
            (limit, finite, None)
        }
    }
}

/// Samples one replicate's block norms for C classes.
fn sample_norms<R: rand::Rng + ?Sized>(
    config: &SweepConfig,
    classes: usize,
    generator: &mut R,
) -> Result<ReplicateNorms, SolverError> {
    let (d, n) = (config.dim, config.samples);
    let x = DataDist::Gaussian.sample(generator, d, n, 1.0);
    // G ∘ G with G = XᵀX; ‖(1/N) X diag(w) Xᵀ‖_F²/d = wᵀ (G ∘ G) w / (N² d).
    let gram = product(x.transpose(), x.as_ref());
    let g2 = Mat::<f64>::from_fn(n, n, |i, j| gram[(i, j)] * gram[(i, j)]);
    let scale = 1.0 / ((n * n * d) as f64);
    let quadratic = |w: &[f64]| -> f64 {
        let w_col = Mat::<f64>::from_fn(n, 1, |i, _| w[i]);
        let gw = product(g2.as_ref(), w_col.as_ref());
        (0..n).map(|i| w[i] * gw[(i, 0)]).sum::<f64>() * scale
    };
    let pairwise = |a: &Mat<f64>| -> f64 {
        // Σ_ij (G∘G)_ij a_ij / (N² d) for a symmetric N×N matrix a.
        let mut total = 0.0;
        for j in 0..n {
            for i in 0..n {
                total += g2[(i, j)] * a[(i, j)];
            }
        }
        total * scale
    };

    let (w_off, w_diag, off_all, diag_all) = match config.model {
        SweepModel::Linear => {
            let w = DataDist::Gaussian.sample(
                generator,
                classes,
                d,
                config.logit_scale / (d as f64).sqrt(),
            );
            let p = softmax_columns(product(w.as_ref(), x.as_ref()).as_ref());
            let (w_off, w_diag): (Vec<f64>, Vec<f64>) = match config.loss {
                Loss::Ce => (0..n)
                    .map(|i| (-p[(0, i)] * p[(1, i)], p[(0, i)] * (1.0 - p[(0, i)])))
                    .unzip(),
                Loss::Mse => (vec![0.0; n], vec![1.0; n]),
            };
            let (off_all, diag_all) = match config.loss {
                Loss::Ce => {
                    let pp = product(p.transpose(), p.as_ref());
                    let p2 = Mat::<f64>::from_fn(classes, n, |k, i| p[(k, i)] * p[(k, i)]);
                    let pp2 = product(p2.transpose(), p2.as_ref());
                    let q = Mat::<f64>::from_fn(classes, n, |k, i| p[(k, i)] * (1.0 - p[(k, i)]));
                    let qq = product(q.transpose(), q.as_ref());
                    let off = Mat::<f64>::from_fn(n, n, |i, j| pp[(i, j)].powi(2) - pp2[(i, j)]);
                    (pairwise(&off), pairwise(&qq))
                }
                Loss::Mse => (0.0, classes as f64 * quadratic(&vec![1.0; n])),
            };
            (w_off, w_diag, off_all, diag_all)
        }
        SweepModel::Mlp => {
            // z = W x with W entries N(0, 1/d), V with N(0, 1/m) entries, h = relu(z); the
            // weights of neurons 1 and 2 are gates times v₁ᵀ A v₁ and v₁ᵀ A v₂.
            let m = config.width;
            let w = DataDist::Gaussian.sample(generator, m, d, (d as f64).sqrt().recip());
            let v = DataDist::Gaussian.sample(generator, classes, m, (m as f64).sqrt().recip());
            let z = product(w.as_ref(), x.as_ref());
            let open = |j: usize, i: usize| f64::from(u8::from(z[(j, i)] > 0.0));
            let (a11, a12): (Vec<f64>, Vec<f64>) = match config.loss {
                Loss::Mse => {
                    let norm: f64 = (0..classes).map(|k| v[(k, 0)] * v[(k, 0)]).sum();
                    let dot: f64 = (0..classes).map(|k| v[(k, 0)] * v[(k, 1)]).sum();
                    (vec![norm; n], vec![dot; n])
                }
                Loss::Ce => {
                    let h = Mat::<f64>::from_fn(m, n, |j, i| z[(j, i)].max(0.0));
                    let p = softmax_columns(product(v.as_ref(), h.as_ref()).as_ref());
                    (0..n)
                        .map(|i| {
                            let column: Vec<f64> = (0..classes).map(|k| p[(k, i)]).collect();
                            curvature_pair(&column, |k, j| v[(k, j)])
                        })
                        .unzip()
                }
            };
            let w_off = (0..n).map(|i| open(0, i) * open(1, i) * a12[i]).collect();
            let w_diag = (0..n).map(|i| open(0, i) * a11[i]).collect();
            (w_off, w_diag, 0.0, 0.0)
        }
    };

    let spectral = |w: &[f64]| -> Result<f64, SolverError> {
        let block = weighted_gram_lower(x.as_ref(), w, Par::Seq);
        let values = symmetric_eigenvalues(block.as_ref(), Par::Seq)?;
        Ok(values.iter().fold(0.0_f64, |a, v| a.max(v.abs())))
    };
    Ok(ReplicateNorms {
        off: quadratic(&w_off),
        diag: quadratic(&w_diag),
        off_all,
        diag_all,
        spectral_off: spectral(&w_off)?.powi(2),
        spectral_diag: spectral(&w_diag)?.powi(2),
    })
}

/// Realisations of N weights behind the linear model's spectral prediction, when affordable. The
/// spectral ratio is set by the largest few weights of a block, so it scatters widely: at d = 200,
/// N = 400 one realisation gives a relative standard deviation of 0.2 (C = 10) to 0.7 (C ≥ 100).
pub const SPECTRAL_REALISATIONS: usize = 256;

/// Minimum number of realisations behind the spectral prediction.
pub const MIN_SPECTRAL_REALISATIONS: usize = 16;

/// Lognormal draws the spectral prediction may spend per class count, about a second. When the
/// softmax denominator must be summed exactly (large s and C), fewer realisations are drawn.
pub const SPECTRAL_DRAW_BUDGET: usize = 1 << 27;

/// Predicts the spectral-norm ratio ‖H_12‖_2/‖H_11‖_2 and its standard error, if known.
///
/// The limit of a block's spectral norm is the largest |edge| of its GMP law, but for the linear
/// cross-entropy weights that limit is of no use at any reachable size: the weights of both blocks
/// reach |τ| = 1/4 (two logits far above the rest), so their GMP laws have support out to about
/// 1/4 with an exponentially thin tail, and the limit ratio is near 1 for every C. What a block of
/// N samples shows is set by its largest realised weights. So the prediction takes N weights drawn
/// from the population law (z ~ N(0, s² I_C), the softmax denominator as in
/// [`DenominatorRest::choose`]), finds the largest |edge| of the GMP law of those N atoms for each
/// block, and pools up to [`SPECTRAL_REALISATIONS`] such draws as the Monte Carlo pools its
/// replicates, with a jackknife standard error. The outlier eigenvalue of an isolated large weight
/// is placed by [`spectral_norm_of_realised`]. The gaps between atoms are real here: an isolated large weight
/// makes an outlier eigenvalue, and the GMP law of the atoms puts a small bulk there.
///
/// For the ReLU-MSE network the weights of a given V take two values, ‖v_1‖² with mass ½ and
/// v_1·v_2 with mass ¼ (0 otherwise), so the edges are |v_1·v_2| e(¼) and ‖v_1‖² e(½), with e(q)
/// the largest edge of GMP(γ, (1 − q)δ_0 + q δ_1), and the root-mean-square of the ratio over V
/// is e(¼)/(e(½)(C − 2)^(1/2)) as for the Frobenius ratio. For the cross-entropy network no
/// prediction is made.
///
/// # Errors
/// [`SweepError::Solver`] if a support search fails.
pub fn spectral_theory(
    config: &SweepConfig,
    classes: usize,
    gamma: f64,
) -> Result<Option<(f64, Option<f64>)>, SweepError> {
    let edge = |law: &WeightLaw| -> Result<f64, SweepError> {
        spectral_edge(law, gamma).map_err(|e| match e {
            LawError::Solver(e) => SweepError::Solver(e),
            other => SweepError::Model(ModelError::Parameter(other.to_string())),
        })
    };
    match (config.model, config.loss) {
        (SweepModel::Linear, Loss::Mse) => Ok(Some((0.0, None))),
        (SweepModel::Mlp, Loss::Ce) => Ok(None),
        (SweepModel::Mlp, Loss::Mse) => {
            let two_point = |q: f64| {
                WeightLaw::from_atoms(&[(1.0 - q, 0.0), (q, 1.0)])
                    .map_err(|e| SweepError::Model(ModelError::Parameter(e.to_string())))
            };
            let ratio = edge(&two_point(0.25)?)? / edge(&two_point(0.5)?)?;
            Ok(Some((ratio / (classes as f64 - 2.0).sqrt(), None)))
        }
        (SweepModel::Linear, Loss::Ce) => {
            let rest = DenominatorRest::choose(config.logit_scale, classes - 2);
            let n = config.samples;
            let per_realisation = n * (rest.cost() + 2);
            let realisations = (SPECTRAL_DRAW_BUDGET / per_realisation)
                .clamp(MIN_SPECTRAL_REALISATIONS, SPECTRAL_REALISATIONS);
            let norms = (0..realisations)
                .into_par_iter()
                .map(|k| {
                    let pairs =
                        softmax_pair_weights(rest, config.logit_scale, n, config.seed, 4, k as u32);
                    let (diag, off): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
                    let norm = |w: &[f64]| {
                        spectral_norm_of_realised(w, gamma).map_err(|e| match e {
                            LawError::Solver(e) => SweepError::Solver(e),
                            other => SweepError::Model(ModelError::Parameter(other.to_string())),
                        })
                    };
                    let (e_off, e_diag) = (norm(&off)?, norm(&diag)?);
                    Ok(ReplicateNorms {
                        off: 0.0,
                        diag: 0.0,
                        off_all: 0.0,
                        diag_all: 0.0,
                        spectral_off: e_off * e_off,
                        spectral_diag: e_diag * e_diag,
                    })
                })
                .collect::<Result<Vec<_>, SweepError>>()?;
            let (value, stderr) = jackknife_ratio(&norms, |n| (n.spectral_off, n.spectral_diag));
            Ok(Some((value, Some(stderr))))
        }
    }
}

/// Returns (v₁ᵀ A v₁, v₁ᵀ A v₂) for A = diag(p) − p pᵀ, with v(k, j) the entry of V.
fn curvature_pair(p: &[f64], v: impl Fn(usize, usize) -> f64) -> (f64, f64) {
    let (mut s1, mut s2, mut s11, mut s12) = (0.0, 0.0, 0.0, 0.0);
    for (k, &pk) in p.iter().enumerate() {
        let (a, b) = (v(k, 0), v(k, 1));
        s1 += pk * a;
        s2 += pk * b;
        s11 += pk * a * a;
        s12 += pk * a * b;
    }
    (s11 - s1 * s1, s12 - s1 * s2)
}

/// Draws of V behind the network's cross-entropy theory: the ratio is averaged over V in square,
/// and its relative standard error is about (2/128)^(1/2)/2 ≈ 6 %.
const THEORY_V_DRAWS: usize = 128;

/// Pre-activation draws per V (in antithetic pairs) for the moments of τ given V.
const THEORY_Z_DRAWS: usize = 2048;

/// Computes the network's cross-entropy ratio by Monte Carlo over V and z.
///
/// For each of [`THEORY_V_DRAWS`] draws of V (N(0, 1/m) entries), E τ and E τ² of both blocks come
/// from [`THEORY_Z_DRAWS`] pre-activations z ~ N(0, I_m). Returns the root-mean-square over V of
/// the limit and finite-size ratios, and the standard error of the limit one. V is drawn class by
/// class and z from its own stream, so every C uses the first C rows of the same V. The curve over
/// C is then smooth and its slope precise.
fn network_ce_theory(config: &SweepConfig, classes: usize, gamma: f64) -> (f64, f64, f64) {
    let m = config.width;
    let (d, n) = (config.dim as f64, config.samples as f64);
    let per_v: Vec<(f64, f64)> = (0..THEORY_V_DRAWS)
        .into_par_iter()
        .map(|draw| {
            let mut v_stream = rng(
                config.seed,
                Stream::SweepTheory {
                    part: 0,
                    draw: draw as u32,
                },
            );
            let scale = (m as f64).sqrt().recip();
            let v = DataDist::Gaussian.sample(&mut v_stream, m, classes, scale);
            let mut z_stream = rng(
                config.seed,
                Stream::SweepTheory {
                    part: 1,
                    draw: draw as u32,
                },
            );
            let (mut diag, mut off) = ([0.0; 2], [0.0; 2]);
            let mut logits = vec![0.0; classes];
            for _ in 0..THEORY_Z_DRAWS / 2 {
                let z: Vec<f64> = (0..m)
                    .map(|_| z_stream.sample(rand_distr::StandardNormal))
                    .collect();
                for sign in [1.0, -1.0] {
                    let h: Vec<f64> = z.iter().map(|zj| (sign * zj).max(0.0)).collect();
                    for (k, u) in logits.iter_mut().enumerate() {
                        *u = (0..m).map(|j| v[(j, k)] * h[j]).sum();
                    }
                    let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let mut p: Vec<f64> = logits.iter().map(|u| (u - top).exp()).collect();
                    let total: f64 = p.iter().sum();
                    p.iter_mut().for_each(|x| *x /= total);
                    let (a11, a12) = curvature_pair(&p, |k, j| v[(j, k)]);
                    let g1 = f64::from(u8::from(sign * z[0] > 0.0));
                    let g2 = f64::from(u8::from(sign * z[1] > 0.0));
                    let (t11, t12) = (g1 * a11, g1 * g2 * a12);
                    diag[0] += t11;
                    diag[1] += t11 * t11;
                    off[0] += t12;
                    off[1] += t12 * t12;
                }
            }
            let count = (THEORY_Z_DRAWS / 2 * 2) as f64;
            let (diag, off) = (diag.map(|x| x / count), off.map(|x| x / count));
            let limit = |t: [f64; 2]| t[0] * t[0] + gamma * t[1];
            let finite = |t: [f64; 2]| (1.0 - 1.0 / n) * t[0] * t[0] + (d + 2.0) / n * t[1];
            (limit(off) / limit(diag), finite(off) / finite(diag))
        })
        .collect();
    let k = per_v.len() as f64;
    let mean_limit = per_v.iter().map(|r| r.0).sum::<f64>() / k;
    let mean_finite = per_v.iter().map(|r| r.1).sum::<f64>() / k;
    let var = per_v
        .iter()
        .map(|r| (r.0 - mean_limit).powi(2))
        .sum::<f64>()
        / (k - 1.0);
    let limit = mean_limit.sqrt();
    (limit, mean_finite.sqrt(), (var / k).sqrt() / (2.0 * limit))
}

/// Computes the ratio (Σ_r a_r / Σ_r b_r)^(1/2) over replicates and its jackknife standard error.
fn jackknife_ratio(
    norms: &[ReplicateNorms],
    pick: impl Fn(&ReplicateNorms) -> (f64, f64),
) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = norms.iter().map(&pick).collect();
    let (sum_a, sum_b) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let full = (sum_a / sum_b).sqrt();
    let r = pairs.len() as f64;
    let leave_one_out: Vec<f64> = pairs
        .par_iter()
        .map(|(a, b)| ((sum_a - a) / (sum_b - b)).sqrt())
        .collect();
    let mean = leave_one_out.iter().sum::<f64>() / r;
    let variance = leave_one_out
        .iter()
        .map(|v| (v - mean).powi(2))
        .sum::<f64>()
        * (r - 1.0)
        / r;
    (full, variance.sqrt())
}

/// The root-mean-square over replicates of the per-replicate ratio ‖H_12‖_F/‖H_11‖_F, its standard
/// error (delta method on the mean of the squares) and the standard deviation of the ratio.
fn root_mean_square_ratio(norms: &[ReplicateNorms]) -> (f64, f64, f64) {
    let squares: Vec<f64> = norms.iter().map(|n| n.off / n.diag).collect();
    let r = squares.len() as f64;
    let mean = squares.iter().sum::<f64>() / r;
    let var = squares.iter().map(|q| (q - mean).powi(2)).sum::<f64>() / (r - 1.0);
    let rms = mean.sqrt();
    let se = (var / r).sqrt() / (2.0 * rms);
    let ratios: Vec<f64> = squares.iter().map(|q| q.sqrt()).collect();
    let mean_ratio = ratios.iter().sum::<f64>() / r;
    let spread = (ratios.iter().map(|x| (x - mean_ratio).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
    (rms, se, spread)
}

/// Least-squares slope of ln R against ln C over the points with C in [lo, hi] and R > 0.
pub fn fitted_slope(classes: &[usize], ratios: &[f64], (lo, hi): (usize, usize)) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = classes
        .iter()
        .zip(ratios)
        .filter(|(c, r)| **c >= lo && **c <= hi && **r > 0.0)
        .map(|(c, r)| ((*c as f64).ln(), r.ln()))
        .collect();
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let sxy: f64 = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = pairs.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// `points` class counts spaced evenly in ln C from `lo` to `hi`, rounded and deduplicated.
pub fn log_spaced(lo: usize, hi: usize, points: usize) -> Vec<usize> {
    if points <= 1 || lo == hi {
        return vec![lo];
    }
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    let mut out: Vec<usize> = (0..points)
        .map(|i| (a + (b - a) * i as f64 / (points - 1) as f64).exp().round() as usize)
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_power_law_is_exact() {
        let classes = [10, 100, 1000, 10_000];
        let ratios: Vec<f64> = classes
            .iter()
            .map(|&c| 3.0 * (c as f64).powf(-0.7))
            .collect();
        let slope = fitted_slope(&classes, &ratios, (1, 100_000)).unwrap();
        assert!((slope + 0.7).abs() < 1e-12, "{slope}");
    }

    #[test]
    fn log_spacing_hits_both_ends() {
        let c = log_spaced(2, 100_000, 20);
        assert_eq!(c.first(), Some(&2));
        assert_eq!(c.last(), Some(&100_000));
        assert!(c.windows(2).all(|w| w[0] < w[1]));
    }
}

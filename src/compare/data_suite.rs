//! The linear model on a real data set: Hessian blocks of random subsets against four laws that use
//! more and more of the data's structure.
//!
//! # Setting
//! A data set of N_total samples (standardised as in [`crate::sampling::dataset`]) with covariance
//! Σ. W has i.i.d. N(0, s²/d) entries and is drawn once; each replicate draws n samples from the
//! data set with replacement and forms the d × d blocks (1/n) Σ_i τ_i x_i x_iᵀ, γ = d/n. The draws
//! are i.i.d. from the data set itself, so Σ is their population covariance exactly, and the law
//! of the weights given W is exactly that of τ(W x) over the whole data set.
//!
//! W is shared because on real data the law given W moves with W far more than on isotropic
//! data: the logit variance w_kᵀ Σ w_k has relative spread (2 tr Σ²)^(1/2)/tr Σ, about 0.26 for
//! MNIST (0.06 for isotropic data at d = 663), and a mixture over replicates would need one
//! separable law per W, each costing seconds.
//!
//! # The laws
//! All four are built with the realised W:
//! - **isotropic**: GMP(γ, c τ) with c = tr Σ/d, as if the data were isotropic;
//! - **separable**: the separable law with the eigenvalues of Σ and the weights τ, which assumes
//!   x = Σ^(1/2) g with g independent of τ;
//! - **elliptical**: the separable law with Σ and the weights τρ, ρ_i = ‖x_i‖²/tr Σ: the samples'
//!   norms vary far more than a Gaussian's, and they multiply the weights;
//! - **weighted**: the separable law with Σ_τ = E[τ x xᵀ]/E\[τρ\] and the weights τρ. The logits
//!   W x lie mostly along the data's top principal directions, so τ depends on where x points,
//!   and Σ_τ keeps that dependence at second order. It gives the exact first moment.
//!
//! For MSE the weights are 1 and the weighted law is the elliptical one, so it is left out. The
//! verdict uses the law with the smallest W1 distance, with the tolerances of the Gaussian suite.
//! theory/real-data.md derives the laws and records how well each fits.

use std::sync::Arc;

use faer::{Mat, Par};
use rand::RngExt as _;
use rayon::prelude::*;
use serde::Serialize;

use super::distances::{kolmogorov_smirnov, kolmogorov_smirnov_nonzero, wasserstein1};
use super::suite::{
    BlockKind, CaseHeader, CaseReport, CaseResult, CaseSpec, MomentReport, SuiteError,
    WeightLawKind, judge_spectrum, zero_check,
};
use super::verdict::{ToleranceInputs, Tolerances, moment_report};
use crate::error::ModelError;
use crate::laws::{Gmp, Separable, SpectralLaw, WeightLaw};
use crate::models::Loss;
use crate::models::eigen::{symmetric_eigenvalues, zero_rounding_noise};
use crate::models::linear::{softmax_columns, weighted_gram_lower};
use crate::models::lower::product;
use crate::sampling::dataset::{Dataset, Standardize};
use crate::sampling::montecarlo::run_replicates;
use crate::sampling::weight_laws::MAX_ATOMS;
use crate::sampling::{DataDist, Esd, Stream, rng};

/// A law built from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataLaw {
    /// GMP with Σ replaced by (tr Σ/d) I.
    Isotropic,
    /// Separable law with Σ and τ.
    Separable,
    /// Separable law with Σ and τρ.
    Elliptical,
    /// Separable law with Σ_τ and τρ.
    Weighted,
}

impl DataLaw {
    /// Every law, simplest first.
    pub const ALL: [DataLaw; 4] = [
        DataLaw::Isotropic,
        DataLaw::Separable,
        DataLaw::Elliptical,
        DataLaw::Weighted,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            DataLaw::Isotropic => "isotropic",
            DataLaw::Separable => "separable",
            DataLaw::Elliptical => "elliptical",
            DataLaw::Weighted => "weighted",
        }
    }
}

/// Settings of a real-data run.
#[derive(Debug, Clone)]
pub struct DataConfig {
    /// The standardised data set.
    pub dataset: Arc<Dataset>,
    /// Subset size n per replicate.
    pub subset: usize,
    /// Logit scale s: W has i.i.d. N(0, s²/d) entries.
    pub logit_scale: f64,
    /// Replicates R.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
}

impl DataConfig {
    /// γ = d/n.
    pub fn gamma(&self) -> f64 {
        self.dataset.dim() as f64 / self.subset as f64
    }

    /// Checks the sizes.
    ///
    /// # Errors
    /// [`ModelError`] when the subset is below 2 or above the number of samples, or there are
    /// fewer than 2 replicates.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.subset < 2 {
            return Err(ModelError::TooSmall {
                name: "subset",
                min: 2,
                value: self.subset,
            });
        }
        if self.replicates < 2 {
            return Err(ModelError::TooSmall {
                name: "replicates",
                min: 2,
                value: self.replicates,
            });
        }
        if !(self.logit_scale > 0.0 && self.logit_scale.is_finite()) {
            return Err(ModelError::Parameter(format!(
                "logit scale must be positive and finite, got {}",
                self.logit_scale
            )));
        }
        Ok(())
    }
}

/// Summary of the data set a case used, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetReport {
    /// File name.
    pub name: String,
    /// Standardisation.
    pub standardize: String,
    /// Samples in the file.
    pub samples_in_file: usize,
    /// Features in the file.
    pub features_in_file: usize,
    /// Constant features dropped.
    pub dropped_features: usize,
    /// Subset size n per replicate.
    pub subset: usize,
    /// Largest eigenvalue of Σ over its mean: how far from isotropic the data are.
    pub top_eigenvalue_ratio: f64,
    /// Standard error of the pooled first moment of the eigenvalues, (1/(nR)) Σ τ_i ‖x_i‖²/d over
    /// n R i.i.d. draws: the standard deviation of τ‖x‖²/d over the data set over (nR)^(1/2).
    /// Every law with the exact first moment differs from the empirical one by this much, typically.
    pub first_moment_stderr: f64,
}

/// One law's fit to a case.
#[derive(Debug, Clone, Serialize)]
pub struct LawFit {
    /// Which law.
    pub law: DataLaw,
    /// Its full name.
    pub name: String,
    /// KS distance to the pooled eigenvalues.
    pub ks: f64,
    /// KS distance between the non-zero eigenvalues and the law conditioned on x ≠ 0.
    pub ks_nonzero: f64,
    /// Mass at 0: [law, pooled eigenvalues].
    pub zero_mass: [f64; 2],
    /// W1 distance.
    pub w1: f64,
    /// Moments against the pooled eigenvalues.
    pub moments: MomentReport,
}

/// Returns the cases of a real-data run: CE diagonal and off-diagonal, MSE diagonal, and the check that
/// MSE off-diagonal blocks are zero.
pub fn default_data_cases() -> Vec<CaseSpec> {
    super::suite::default_cases()
}

/// Eigenvalues of one case in one replicate.
struct CaseSample {
    /// Eigenvalues of the subset's block (empty for the zero check).
    eigenvalues: Vec<f64>,
    /// The subset's weights.
    subset_weights: Vec<f64>,
    /// Largest |entry| of the block (zero check only).
    max_abs_entry: f64,
}

/// Inputs of one case's laws, given W.
struct CaseWeights {
    /// τ over the whole data set.
    all: Vec<f64>,
    /// Eigenvalues of Σ_τ = E[τ x xᵀ]/E[τρ] (cross-entropy only).
    weighted_sigma: Vec<f64>,
}

/// Runs the cases on the data set.
///
/// # Errors
/// [`SuiteError`] for invalid sizes or a failing solver.
pub fn run_data_suite(
    config: &DataConfig,
    cases: &[CaseSpec],
    curve_points: usize,
    on_replicate: &(dyn Fn() + Sync),
) -> Result<Vec<CaseResult>, SuiteError> {
    config.validate()?;
    let data = &config.dataset;
    if data.classes < 2 {
        return Err(ModelError::TooSmall {
            name: "classes",
            min: 2,
            value: data.classes,
        }
        .into());
    }
    let rho = data.radial_factors();
    let mut generator = rng(config.seed, Stream::FixedWeights);
    let w = DataDist::Gaussian.sample(
        &mut generator,
        data.classes,
        data.dim(),
        config.logit_scale / (data.dim() as f64).sqrt(),
    );
    let weights: Vec<CaseWeights> = cases
        .par_iter()
        .map(|case| case_weights(config, &w, *case, &rho))
        .collect::<Result<_, SuiteError>>()?;
    let replicates = run_replicates(
        config.seed,
        config.replicates as u64,
        |_, generator| sample_replicate(config, cases, &weights, generator),
        on_replicate,
    )?;
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            let samples: Vec<&CaseSample> = replicates.iter().map(|r| &r[index]).collect();
            compare_case(config, *case, &samples, &weights[index], &rho, curve_points)
        })
        .collect()
}

/// Computes the weights of a case over the whole data set given W, and Σ_τ for cross-entropy.
fn case_weights(
    config: &DataConfig,
    w: &Mat<f64>,
    case: CaseSpec,
    rho: &[f64],
) -> Result<CaseWeights, SuiteError> {
    let data = &config.dataset;
    let total = data.len();
    // `product` also clears the vector state faer leaves, which would slow the softmax's `exp`.
    let logits = product(w.as_ref(), data.x.as_ref());
    let p = softmax_columns(logits.as_ref());
    let (k, l) = case.block.indices();
    let all: Vec<f64> = (0..total)
        .map(|i| match case.loss {
            Loss::Mse => f64::from(u8::from(k == l)),
            Loss::Ce if k == l => p[(k, i)] * (1.0 - p[(k, i)]),
            Loss::Ce => -p[(k, i)] * p[(l, i)],
        })
        .collect();
    let weighted_sigma = if case.loss == Loss::Ce && !case.is_zero_check() {
        // Σ_τ = (1/N) Σ_i τ_i x_i x_iᵀ / mean(τρ), over the whole data set.
        let mean_tr: f64 = all.iter().zip(rho).map(|(t, r)| t * r).sum::<f64>() / total as f64;
        let sigma_tau = weighted_gram_lower(data.x.as_ref(), &all, Par::Seq);
        let mut values = symmetric_eigenvalues(sigma_tau.as_ref(), Par::Seq)?;
        // Dividing by E[τρ] makes Σ_τ positive semidefinite for both signs of τ.
        values.iter_mut().for_each(|v| *v /= mean_tr);
        zero_rounding_noise(&mut values);
        values
    } else {
        Vec::new()
    };
    Ok(CaseWeights {
        all,
        weighted_sigma,
    })
}

fn sample_replicate<R: rand::Rng + ?Sized>(
    config: &DataConfig,
    cases: &[CaseSpec],
    weights: &[CaseWeights],
    generator: &mut R,
) -> Result<Vec<CaseSample>, SuiteError> {
    let data = &config.dataset;
    let (d, total, n) = (data.dim(), data.len(), config.subset);
    // With replacement: the n samples are then i.i.d. draws from the data set, whose law is the
    // population of every law here. Without replacement, the γ-term of the second moment shrinks
    // by about n/N (a finite-population effect, 3 % at n = 400 of 5000), which none of the laws
    // models.
    let subset: Vec<usize> = (0..n).map(|_| generator.random_range(0..total)).collect();
    let x_subset = Mat::<f64>::from_fn(d, n, |a, i| data.x[(a, subset[i])]);
    cases
        .iter()
        .zip(weights)
        .map(|(case, weights)| {
            let subset_weights: Vec<f64> = subset.iter().map(|&i| weights.all[i]).collect();
            let block = weighted_gram_lower(x_subset.as_ref(), &subset_weights, Par::Seq);
            if case.is_zero_check() {
                let max_abs_entry = (0..d)
                    .flat_map(|j| (j..d).map(move |i| (i, j)))
                    .fold(0.0_f64, |a, (i, j)| a.max(block[(i, j)].abs()));
                return Ok(CaseSample {
                    eigenvalues: Vec::new(),
                    subset_weights,
                    max_abs_entry,
                });
            }
            Ok(CaseSample {
                eigenvalues: symmetric_eigenvalues(block.as_ref(), Par::Seq)?,
                subset_weights,
                max_abs_entry: 0.0,
            })
        })
        .collect()
}

fn base_report(config: &DataConfig, case: CaseSpec) -> CaseReport {
    let data = &config.dataset;
    let mean_eigenvalue = data.covariance_eigenvalues.iter().sum::<f64>() / data.dim() as f64;
    CaseReport {
        logit_scale: Some(config.logit_scale),
        dataset: Some(DatasetReport {
            name: data.name.clone(),
            standardize: data.standardize.to_string(),
            samples_in_file: data.len(),
            features_in_file: data.features_in_file,
            dropped_features: data.dropped,
            subset: config.subset,
            top_eigenvalue_ratio: data.covariance_eigenvalues.last().copied().unwrap_or(0.0)
                / mean_eigenvalue,
            first_moment_stderr: 0.0,
        }),
        ..CaseReport::blank(CaseHeader {
            model: "linear",
            loss: case.loss,
            block: case.block,
            dim: data.dim(),
            samples: config.subset,
            classes: data.classes,
            replicates: config.replicates,
            data: data.name.clone(),
            weight_law: WeightLawKind::Conditional,
            fixed_weights: true,
        })
    }
}

fn compare_case(
    config: &DataConfig,
    case: CaseSpec,
    samples: &[&CaseSample],
    weights: &CaseWeights,
    rho: &[f64],
    curve_points: usize,
) -> Result<CaseResult, SuiteError> {
    let mut report = base_report(config, case);
    if let Some(dataset) = report.dataset.as_mut() {
        // τ_i ‖x_i‖²/d = τ_i ρ_i tr Σ/d.
        let unit =
            config.dataset.covariance_eigenvalues.iter().sum::<f64>() / config.dataset.dim() as f64;
        let terms: Vec<f64> = weights
            .all
            .iter()
            .zip(rho)
            .map(|(t, r)| t * r * unit)
            .collect();
        let mean = terms.iter().sum::<f64>() / terms.len() as f64;
        let variance = terms.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / terms.len() as f64;
        dataset.first_moment_stderr =
            (variance / (config.subset * config.replicates) as f64).sqrt();
    }
    if case.is_zero_check() {
        let max_abs = samples.iter().map(|s| s.max_abs_entry).fold(0.0, f64::max);
        return Ok(zero_check(report, max_abs));
    }
    let laws: Vec<DataLaw> = DataLaw::ALL
        .into_iter()
        .filter(|law| case.loss == Loss::Ce || *law != DataLaw::Weighted)
        .collect();
    let built: Vec<(DataLaw, Arc<dyn SpectralLaw>)> = laws
        .par_iter()
        .map(|&law| Ok((law, build_law(config, law, weights, rho)?)))
        .collect::<Result<_, SuiteError>>()?;

    // Eigenvalues that are zero up to rounding are set to 0 for every law, as `judge_spectrum`
    // does for the chosen one.
    let mut esd = Esd::pooled(samples.iter().map(|s| s.eigenvalues.clone()));
    esd.snap_zeros();
    let pooled_weights: Vec<f64> = samples
        .iter()
        .flat_map(|s| s.subset_weights.iter().copied())
        .collect();
    let tolerances = |m2: f64| {
        let inputs = ToleranceInputs {
            dim: config.dataset.dim(),
            samples: config.subset,
            replicates: config.replicates,
            gamma: config.gamma(),
            random_weights: case.loss == Loss::Ce,
            weight_law: WeightLawKind::Conditional,
            draws: config.dataset.len(),
            shared_weights: 0.0,
            coupling: if case.loss == Loss::Ce {
                config.dataset.classes as f64 / config.dataset.dim() as f64
            } else {
                0.0
            },
        };
        Tolerances::new(&inputs, &pooled_weights, m2)
    };
    let mut fits = Vec::with_capacity(built.len());
    for (law, built_law) in &built {
        let m2 = built_law.moments(2)[1].abs().max(f64::MIN_POSITIVE);
        let zeros = esd.values().iter().filter(|v| **v == 0.0).count();
        let law_zero = built_law
            .atoms()
            .iter()
            .find(|a| a.x == 0.0)
            .map_or(0.0, |a| a.mass);
        fits.push(LawFit {
            law: *law,
            name: built_law.name(),
            ks: kolmogorov_smirnov(&esd, built_law.as_ref())?,
            ks_nonzero: kolmogorov_smirnov_nonzero(&esd, built_law.as_ref())?,
            zero_mass: [law_zero, zeros as f64 / esd.len().max(1) as f64],
            w1: wasserstein1(&esd, built_law.as_ref())?,
            moments: moment_report(&esd, built_law.as_ref(), tolerances(m2).moments),
        });
    }
    // The law with the smallest W1 is the one judged and drawn. W1 integrates the gap between
    // the CDFs over the eigenvalue axis, so it weighs the placement of the large eigenvalues that
    // carry the moments. The mass at 0 that no law here predicts (features constant within a
    // subset) costs it little. KS, in contrast, is set by that mass on raw pixel data.
    let best = fits
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.w1.total_cmp(&b.1.w1))
        .map_or(0, |(i, _)| i);
    let spectra = samples.iter().map(|s| s.eigenvalues.clone());
    let mut result = judge_spectrum(
        report,
        spectra,
        built[best].1.clone(),
        curve_points,
        tolerances,
    )?;
    result.report.fits = Some(fits);
    Ok(result)
}

/// Builds one law with the realised W.
fn build_law(
    config: &DataConfig,
    law: DataLaw,
    weights: &CaseWeights,
    rho: &[f64],
) -> Result<Arc<dyn SpectralLaw>, SuiteError> {
    let data = &config.dataset;
    let gamma = config.gamma();
    let atoms = |values: &[f64]| -> Result<WeightLaw, SuiteError> {
        Ok(WeightLaw::from_samples(values)?.compress(DATA_ATOMS))
    };
    // The eigenvalues of Σ keep their own atoms up to MAX_ATOMS. Equal-mass bins would merge the
    // few large, isolated eigenvalues of real data (on MNIST the top two, 65 and 48, into one at
    // 57), which moves the second moment and the upper edge.
    let eigenvalue_atoms = |values: &[f64]| -> Result<WeightLaw, SuiteError> {
        let mut clamped = values.to_vec();
        zero_rounding_noise(&mut clamped);
        Ok(WeightLaw::from_samples(&clamped)?.compress(MAX_ATOMS))
    };
    let sigma = || eigenvalue_atoms(&data.covariance_eigenvalues);
    let radial = || -> Vec<f64> { weights.all.iter().zip(rho).map(|(t, r)| t * r).collect() };
    let mean_eigenvalue = data.covariance_eigenvalues.iter().sum::<f64>() / data.dim() as f64;
    let constant = weights.all.iter().all(|t| *t == weights.all[0]);
    let description = match (law, constant) {
        (DataLaw::Isotropic, true) => "MP with Σ = (tr Σ/d) I",
        (DataLaw::Separable, true) => "MP with Σ of the data",
        (DataLaw::Elliptical, true) => "separable law, Σ of the data, weights ρ = ‖x‖²/tr Σ",
        (DataLaw::Isotropic, false) => "GMP with Σ = (tr Σ/d) I, τ given W",
        (DataLaw::Separable, false) => "separable law, Σ of the data, τ given W",
        (DataLaw::Elliptical, false) => "separable law, Σ of the data, τρ given W, ρ = ‖x‖²/tr Σ",
        (DataLaw::Weighted, _) => "separable law, Σ_τ = E[τ x xᵀ]/E[τρ], τρ given W",
    };
    let name = format!("{} (γ = {gamma:.4}): {description}", law.name());
    Ok(match law {
        DataLaw::Isotropic => {
            let scaled: Vec<f64> = weights.all.iter().map(|t| t * mean_eigenvalue).collect();
            Arc::new(Gmp::new(gamma, atoms(&scaled)?)?.labelled(name))
        }
        DataLaw::Separable => {
            Arc::new(Separable::new(gamma, sigma()?, atoms(&weights.all)?)?.labelled(name))
        }
        DataLaw::Elliptical => {
            Arc::new(Separable::new(gamma, sigma()?, atoms(&radial())?)?.labelled(name))
        }
        DataLaw::Weighted => Arc::new(
            Separable::new(
                gamma,
                eigenvalue_atoms(&weights.weighted_sigma)?,
                atoms(&radial())?,
            )?
            .labelled(name),
        ),
    })
}

/// Atoms kept of a weight law: the cost of each evaluation of the separable equation is linear in
/// the atom count, and a support search takes thousands of evaluations.
pub const DATA_ATOMS: usize = 512;

/// Returns whether a real-data run supports this block kind.
pub fn supports(block: BlockKind) -> bool {
    matches!(block, BlockKind::Diag | BlockKind::Offdiag)
}

/// The standardisation the default real-data case uses.
pub const DEFAULT_STANDARDIZE: Standardize = Standardize::Center;

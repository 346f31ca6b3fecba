//! Monte Carlo of the network with one hidden layer, f(x) = V φ(W x): the Hessian blocks of one
//! replicate, and the weight laws and expected blocks they are compared with.
//!
//! # Initialisation and data
//! W (m×d) has i.i.d. N(0, σ_w²/d) entries and V (C×m) i.i.d. N(0, σ_v²/m) entries, so each
//! pre-activation z_j = w_j·x has variance ≈ σ_w² and each logit variance ≈ σ_v² E φ(z)². Data
//! entries are i.i.d. with mean 0 and variance 1; labels are uniform on {0, …, C−1}.
//!
//! # What is random, and what is shared
//! The weights τ of a hidden-layer block depend on x only through z = W x, but they also depend on
//! V, and for fixed C and m the products v_jᵀ A v_j′ do not average out. The predicted laws are
//! therefore conditional on V, and by default V is drawn once and shared by all replicates, so that
//! the pooled spectrum has a single law. W is redrawn per replicate unless it is shared too.
//!
//! Shared parameters come from [`Stream::FixedWeights`], V first and then W, so a seed gives the
//! same V whether or not W is shared. Replicate r draws from [`Stream::Replicate`]`(r)`, in this
//! order: W (unless shared), V (if redrawn), X, the labels.
//!
//! # Predictions
//! - Hidden-layer block (j, j′), d×d: GMP(γ, law of τ_jj′). [`PreActivations::Population`] samples
//!   z ~ N(0, σ_w² I_m); [`PreActivations::Conditional`] samples z = W x for fresh x and a realised W.
//! - Output-layer block (k, l), m×m: as N → ∞ with m fixed it converges to the deterministic
//!   matrix E[A_kl h hᵀ], estimated with its Monte Carlo variance by [`MlpLawSampler::expected_output_block`].

use faer::{Mat, Par};
use rand::{Rng, RngExt};
use serde::Serialize;

use super::data::DataDist;
use super::montecarlo::within_replicate;
use super::seeds::{Stream, rng};
use super::weight_laws::{CHUNK, sampled_law};
use crate::error::{LawError, ModelError, SolverError};
use crate::laws::WeightLaw;
use crate::models::eigen::symmetric_eigenvalues;
use crate::models::linear::{Loss, weighted_gram, weighted_gram_lower};
use crate::models::mlp::{Activation, Forward, Mlp, hidden_block_weights, output_block_weights};

/// Sizes and laws of one experiment with the network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MlpConfig {
    /// Input dimension d.
    pub dim: usize,
    /// Number of samples N.
    pub samples: usize,
    /// Hidden width m.
    pub width: usize,
    /// Number of classes C.
    pub classes: usize,
    /// σ_w: W has i.i.d. N(0, σ_w²/d) entries.
    pub sigma_w: f64,
    /// σ_v: V has i.i.d. N(0, σ_v²/m) entries.
    pub sigma_v: f64,
    /// Law of the data entries.
    pub data: DataDist,
    /// Draw W once and share it across replicates.
    pub fix_weights: bool,
    /// Draw V per replicate instead of sharing one V.
    pub redraw_v: bool,
    /// Number of replicates R.
    pub replicates: usize,
    /// User seed.
    pub seed: u64,
}

/// Parameters drawn once per run and shared by every replicate.
#[derive(Debug, Clone)]
pub struct SharedParameters {
    /// W, when shared.
    pub w: Option<Mat<f64>>,
    /// V, when shared.
    pub v: Option<Mat<f64>>,
}

impl MlpConfig {
    /// Returns the aspect ratio γ = d/N.
    pub fn gamma(&self) -> f64 {
        self.dim as f64 / self.samples as f64
    }

    /// Checks the sizes and scales.
    ///
    /// # Errors
    /// [`ModelError`] when d, N, m or R is 0, C < 2, or σ_w or σ_v is not finite and positive.
    pub fn validate(&self) -> Result<(), ModelError> {
        for (name, value, min) in [
            ("dimension", self.dim, 1),
            ("samples", self.samples, 1),
            ("width", self.width, 1),
            ("classes", self.classes, 2),
            ("replicates", self.replicates, 1),
        ] {
            if value < min {
                return Err(ModelError::TooSmall { name, min, value });
            }
        }
        for (name, value) in [("sigma_w", self.sigma_w), ("sigma_v", self.sigma_v)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(ModelError::Parameter(format!(
                    "{name} must be finite and positive, got {value}"
                )));
            }
        }
        Ok(())
    }

    /// Draws W (m×d, entries N(0, σ_w²/d)).
    pub fn draw_w<R: Rng + ?Sized>(&self, generator: &mut R) -> Mat<f64> {
        let scale = self.sigma_w / (self.dim as f64).sqrt();
        DataDist::Gaussian.sample(generator, self.width, self.dim, scale)
    }

    /// Draws V (C×m, entries N(0, σ_v²/m)).
    pub fn draw_v<R: Rng + ?Sized>(&self, generator: &mut R) -> Mat<f64> {
        let scale = self.sigma_v / (self.width as f64).sqrt();
        DataDist::Gaussian.sample(generator, self.classes, self.width, scale)
    }

    /// Draws the parameters shared by all replicates: V unless redrawn, W if fixed.
    pub fn shared_parameters(&self) -> SharedParameters {
        let mut generator = rng(self.seed, Stream::FixedWeights);
        let v = self.draw_v(&mut generator);
        let w = self.fix_weights.then(|| self.draw_w(&mut generator));
        SharedParameters {
            w,
            v: (!self.redraw_v).then_some(v),
        }
    }
}

/// The layer a block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Rows of W: d×d blocks indexed by neurons.
    Hidden,
    /// Rows of V: m×m blocks indexed by classes.
    Output,
}

/// A block to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MlpBlockRequest {
    /// Loss.
    pub loss: Loss,
    /// Activation.
    pub activation: Activation,
    /// Layer.
    pub layer: Layer,
    /// First 0-based index: neuron j (hidden) or class k (output).
    pub a: usize,
    /// Second 0-based index: neuron j′ or class l.
    pub b: usize,
    /// Compute eigenvalues (false for blocks that are only checked for being zero).
    pub spectrum: bool,
}

/// The output of one replicate for one block.
#[derive(Debug, Clone)]
pub struct MlpBlockSample {
    /// Eigenvalues, ascending (empty when not requested).
    pub eigenvalues: Vec<f64>,
    /// The realised weights, one per sample: τ_jj′(i) (hidden) or A_kl(i) (output).
    pub weights: Vec<f64>,
    /// Largest |entry| of the block.
    pub max_abs_entry: f64,
    /// The whole m×m block (output layer only).
    pub matrix: Option<Mat<f64>>,
    /// Sample variance of each entry's terms A_kl h_a h_b divided by N: the squared standard
    /// error of the entry from the samples alone (output layer only).
    pub entry_variance: Option<Mat<f64>>,
}

/// The output of one replicate.
#[derive(Debug, Clone)]
pub struct MlpReplicate {
    /// One entry per request, in request order.
    pub blocks: Vec<MlpBlockSample>,
    /// The W of this replicate.
    pub w: Mat<f64>,
    /// The V of this replicate.
    pub v: Mat<f64>,
}

/// Samples one replicate: W and V (unless shared), X and the labels, all from `generator`. Runs one
/// forward pass per (activation, loss) pair and forms every requested block with one product. The
/// eigenvalues are taken sequentially, so replicates can run in parallel without changing any bit.
///
/// # Errors
/// [`SolverError::Eigen`] if an eigenvalue decomposition fails.
///
/// # Panics
/// If a request's indices are out of range (callers validate them).
pub fn sample_replicate<R: Rng + ?Sized>(
    config: &MlpConfig,
    requests: &[MlpBlockRequest],
    shared: &SharedParameters,
    generator: &mut R,
) -> Result<MlpReplicate, SolverError> {
    let w = match &shared.w {
        Some(w) => w.clone(),
        None => config.draw_w(generator),
    };
    let v = match &shared.v {
        Some(v) => v.clone(),
        None => config.draw_v(generator),
    };
    let x = config
        .data
        .sample(generator, config.dim, config.samples, 1.0);
    let labels: Vec<usize> = (0..config.samples)
        .map(|_| generator.random_range(0..config.classes))
        .collect();

    // One forward pass per (activation, loss) pair, in the order of first request.
    let mut passes: Vec<((Activation, Loss), Mlp, Forward)> = Vec::new();
    for request in requests {
        let key = (request.activation, request.loss);
        if passes.iter().all(|(k, _, _)| *k != key) {
            let net = Mlp {
                w: w.clone(),
                v: v.clone(),
                activation: request.activation,
            };
            let (forward, _) = net
                .forward(x.as_ref(), &labels, request.loss)
                .expect("shapes fit by construction");
            passes.push((key, net, forward));
        }
    }

    let par = within_replicate(config.replicates);
    let mut blocks = Vec::with_capacity(requests.len());
    for request in requests {
        let (_, net, forward) = passes
            .iter()
            .find(|(k, _, _)| *k == (request.activation, request.loss))
            .expect("a pass for every request");
        blocks.push(match request.layer {
            Layer::Hidden => hidden_block(net, forward, &x, request, par)?,
            Layer::Output => output_block(forward, request)?,
        });
    }
    Ok(MlpReplicate { blocks, w, v })
}

fn hidden_block(
    net: &Mlp,
    forward: &Forward,
    x: &Mat<f64>,
    request: &MlpBlockRequest,
    par: Par,
) -> Result<MlpBlockSample, SolverError> {
    let weights = hidden_block_weights(net, forward, request.loss, request.a, request.b);
    let block = weighted_gram_lower(x.as_ref(), &weights, par);
    let mut max_abs_entry: f64 = 0.0;
    for j in 0..block.ncols() {
        for i in j..block.nrows() {
            max_abs_entry = max_abs_entry.max(block[(i, j)].abs());
        }
    }
    let eigenvalues = if request.spectrum {
        symmetric_eigenvalues(block.as_ref(), par)?
    } else {
        Vec::new()
    };
    Ok(MlpBlockSample {
        eigenvalues,
        weights,
        max_abs_entry,
        matrix: None,
        entry_variance: None,
    })
}

fn output_block(
    forward: &Forward,
    request: &MlpBlockRequest,
) -> Result<MlpBlockSample, SolverError> {
    let weights = output_block_weights(forward, request.loss, request.a, request.b);
    let block = weighted_gram(forward.h.as_ref(), &weights, Par::Seq);
    let max_abs_entry = block
        .col_iter()
        .flat_map(|c| c.iter().copied())
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    let eigenvalues = if request.spectrum {
        symmetric_eigenvalues(block.as_ref(), Par::Seq)?
    } else {
        Vec::new()
    };
    // Per entry, the terms q_i = A_kl(i) h_a(i) h_b(i) have E q² = (1/N) Σ A² h_a² h_b², the
    // weighted Gram matrix of H∘H with weights A²; their variance over N is the squared standard
    // error of the entry.
    let n = forward.h.ncols() as f64;
    let squares = Mat::<f64>::from_fn(forward.h.nrows(), forward.h.ncols(), |a, i| {
        forward.h[(a, i)].powi(2)
    });
    let weights_squared: Vec<f64> = weights.iter().map(|t| t * t).collect();
    let second = weighted_gram(squares.as_ref(), &weights_squared, Par::Seq);
    let entry_variance = Mat::<f64>::from_fn(block.nrows(), block.ncols(), |a, b| {
        (second[(a, b)] - block[(a, b)].powi(2)).max(0.0) / n
    });
    Ok(MlpBlockSample {
        eigenvalues,
        weights,
        max_abs_entry,
        matrix: Some(block),
        entry_variance: Some(entry_variance),
    })
}

/// The source of the pre-activations of a sampled law.
#[derive(Debug, Clone, Copy)]
pub enum PreActivations<'a> {
    /// z ~ N(0, σ_w² I_m): the law of the limit theorem. `part` selects the random stream (0 for
    /// the shared V, r + 1 for the V of replicate r).
    Population {
        /// σ_w.
        sigma_w: f64,
        /// Stream selector.
        part: u32,
    },
    /// z = W x for fresh x drawn from `data` and the realised W of replicate `replicate`.
    Conditional {
        /// The realised W.
        w: &'a Mat<f64>,
        /// Law of the data entries.
        data: DataDist,
        /// Replicate index (selects the random stream).
        replicate: u32,
    },
}

/// Draws a rows×count sample whose second half is the negated first half (antithetic pairs; with an odd
/// count the last column is unpaired). Both data laws are symmetric, so the pairs have the right
/// marginal law. The point is the ReLU gate: each sign of z_j then has frequency exactly ½, as in
/// the limit, so the law of the ReLU diagonal block at γ = ½ keeps its hard edge at 0 instead of
/// getting an atom or a gap of the size of the sampling error (about 0.001 at 2²⁰ draws).
fn antithetic<R: Rng + ?Sized>(
    data: DataDist,
    generator: &mut R,
    rows: usize,
    count: usize,
    scale: f64,
) -> Mat<f64> {
    let half = count / 2;
    let first = data.sample(generator, rows, count - half, scale);
    Mat::<f64>::from_fn(rows, count, |a, i| {
        if i < count - half {
            first[(a, i)]
        } else {
            -first[(a, i - (count - half))]
        }
    })
}

/// Samples weight laws and expected blocks of the network, conditional on V.
#[derive(Debug, Clone, Copy)]
pub struct MlpLawSampler<'a> {
    /// The output-layer weights V (C×m) the laws are conditional on.
    pub v: &'a Mat<f64>,
    /// Activation.
    pub activation: Activation,
    /// Loss.
    pub loss: Loss,
    /// Source of the pre-activations.
    pub source: PreActivations<'a>,
    /// User seed.
    pub seed: u64,
}

/// The expected output-layer block and the Monte Carlo uncertainty of each entry.
#[derive(Debug, Clone)]
pub struct ExpectedBlock {
    /// Estimate of E[A_kl h hᵀ] (m×m).
    pub mean: Mat<f64>,
    /// Squared standard error of each entry of `mean`.
    pub variance: Mat<f64>,
}

impl MlpLawSampler<'_> {
    /// Runs the forward pass of chunk `chunk` on `count` fresh samples; returns the network it ran
    /// on and the pass.
    fn chunk_forward(&self, chunk: usize, count: usize, output: bool) -> (Mlp, Forward) {
        let width = self.v.ncols();
        let classes = self.v.nrows();
        let chunk = chunk as u32;
        let (net, inputs, mut generator) = match self.source {
            PreActivations::Population { sigma_w, part } => {
                let stream = if output {
                    Stream::OutputPopulation { part, chunk }
                } else {
                    Stream::HiddenPopulationLaw { part, chunk }
                };
                let mut generator = rng(self.seed, stream);
                // With W = I_m the network's pre-activations are its inputs z.
                let net = Mlp {
                    w: Mat::<f64>::identity(width, width),
                    v: self.v.clone(),
                    activation: self.activation,
                };
                let z = antithetic(DataDist::Gaussian, &mut generator, width, count, sigma_w);
                (net, z, generator)
            }
            PreActivations::Conditional { w, data, replicate } => {
                let stream = if output {
                    Stream::OutputConditional { replicate, chunk }
                } else {
                    Stream::HiddenConditionalLaw { replicate, chunk }
                };
                let mut generator = rng(self.seed, stream);
                let net = Mlp {
                    w: w.clone(),
                    v: self.v.clone(),
                    activation: self.activation,
                };
                let x = antithetic(data, &mut generator, w.ncols(), count, 1.0);
                (net, x, generator)
            }
        };
        let labels: Vec<usize> = (0..count)
            .map(|_| generator.random_range(0..classes))
            .collect();
        let (forward, _) = net
            .forward(inputs.as_ref(), &labels, self.loss)
            .expect("shapes fit by construction");
        (net, forward)
    }

    /// Samples the law of τ_jj′ of hidden-layer block (j, j′) from `draws` draws, compressed and
    /// with spurious gaps of GMP(γ, ·) closed (see [`super::weight_laws`]).
    ///
    /// # Errors
    /// [`LawError`] if the weights are not finite or the support search fails.
    ///
    /// # Panics
    /// If j or j′ is not below the width.
    pub fn hidden_weight_law(
        &self,
        j: usize,
        jp: usize,
        gamma: f64,
        draws: usize,
    ) -> Result<WeightLaw, LawError> {
        sampled_law(draws, gamma, |chunk, count| {
            let (net, forward) = self.chunk_forward(chunk, count, false);
            hidden_block_weights(&net, &forward, self.loss, j, jp)
        })
    }

    /// Estimates E[A_kl h hᵀ] of output-layer block (k, l) from `draws` draws, with the squared
    /// standard error of each entry. Chunks run in parallel and are summed in chunk order.
    ///
    /// # Panics
    /// If k or l is not below C.
    pub fn expected_output_block(&self, k: usize, l: usize, draws: usize) -> ExpectedBlock {
        use rayon::prelude::*;
        let width = self.v.ncols();
        let sums: Vec<(Mat<f64>, Mat<f64>)> = (0..draws.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let count = CHUNK.min(draws - chunk * CHUNK);
                let (_, forward) = self.chunk_forward(chunk, count, true);
                let weights = output_block_weights(&forward, self.loss, k, l);
                let squares = Mat::<f64>::from_fn(width, count, |a, i| forward.h[(a, i)].powi(2));
                let weights_squared: Vec<f64> = weights.iter().map(|t| t * t).collect();
                // weighted_gram divides by the count; multiply back to get sums.
                let scale = count as f64;
                (
                    weighted_gram(forward.h.as_ref(), &weights, Par::Seq) * scale,
                    weighted_gram(squares.as_ref(), &weights_squared, Par::Seq) * scale,
                )
            })
            .collect();
        let mut first = Mat::<f64>::zeros(width, width);
        let mut second = Mat::<f64>::zeros(width, width);
        for (s1, s2) in &sums {
            first += s1;
            second += s2;
        }
        let n = draws as f64;
        let mean = first * (1.0 / n);
        let variance = Mat::<f64>::from_fn(width, width, |a, b| {
            (second[(a, b)] / n - mean[(a, b)].powi(2)).max(0.0) / n
        });
        ExpectedBlock { mean, variance }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_config() -> MlpConfig {
        MlpConfig {
            dim: 40,
            samples: 80,
            width: 4,
            classes: 3,
            sigma_w: 1.0,
            sigma_v: 1.0,
            data: DataDist::Gaussian,
            fix_weights: false,
            redraw_v: false,
            replicates: 2,
            seed: 5,
        }
    }

    #[test]
    fn shared_v_does_not_depend_on_sharing_w() {
        let config = small_config();
        let a = config.shared_parameters();
        let b = MlpConfig {
            fix_weights: true,
            ..config
        }
        .shared_parameters();
        assert!(a.w.is_none());
        assert!(b.w.is_some());
        assert_eq!(a.v, b.v);
        let c = MlpConfig {
            redraw_v: true,
            ..config
        }
        .shared_parameters();
        assert!(c.v.is_none());
    }

    #[test]
    fn mse_output_blocks_are_block_diagonal() {
        // With MSE, A = I: block (k, l) is (1/N) H Hᵀ for k = l and exactly 0 otherwise.
        let config = small_config();
        let request = |a, b| MlpBlockRequest {
            loss: Loss::Mse,
            activation: Activation::Tanh,
            layer: Layer::Output,
            a,
            b,
            spectrum: true,
        };
        let shared = config.shared_parameters();
        let replicate = sample_replicate(
            &config,
            &[request(0, 0), request(1, 1), request(0, 1)],
            &shared,
            &mut rng(1, Stream::Replicate(0)),
        )
        .unwrap();
        let blocks = &replicate.blocks;
        assert_eq!(blocks[0].matrix, blocks[1].matrix);
        assert_eq!(blocks[2].max_abs_entry, 0.0);
        assert!(blocks[0].eigenvalues.iter().all(|&x| x > 0.0));
    }

    #[test]
    fn expected_output_block_of_relu_mse_is_known() {
        // ReLU, MSE, z ~ N(0, I): E h_a² = ½ and E h_a h_b = (E relu z)² = 1/(2π) for a ≠ b. The
        // estimate from 2¹⁸ draws has standard errors of about 0.7/√2¹⁸ ≈ 0.0014 (diagonal) and
        // 0.35/√2¹⁸ ≈ 0.0007 (off the diagonal); 5 standard errors are asserted.
        let v = Mat::<f64>::from_fn(3, 4, |k, j| ((k + 2 * j + 1) as f64).cos());
        let sampler = MlpLawSampler {
            v: &v,
            activation: Activation::Relu,
            loss: Loss::Mse,
            source: PreActivations::Population {
                sigma_w: 1.0,
                part: 0,
            },
            seed: 3,
        };
        let block = sampler.expected_output_block(0, 0, 1 << 18);
        for a in 0..4 {
            for b in 0..4 {
                let exact = if a == b {
                    0.5
                } else {
                    1.0 / (2.0 * std::f64::consts::PI)
                };
                let se = block.variance[(a, b)].sqrt();
                assert!(
                    (block.mean[(a, b)] - exact).abs() <= 5.0 * se,
                    "entry ({a},{b}): {} vs {exact}, standard error {se}",
                    block.mean[(a, b)]
                );
            }
        }
    }

    #[test]
    fn conditional_law_uses_the_realised_first_layer() {
        // Rows of W at angle θ with cos θ = 0.8: z = W x is N(0, [[1, c], [c, 1]]) and, for ReLU
        // with MSE, τ_12 ≠ 0 exactly when both gates are open, which has probability
        // ¼ + arcsin(c)/(2π) ≈ 0.3976 (Sheppard). The population law (c = 0) has ¼. The zero mass
        // of 2¹⁶ draws has standard error (p (1 − p)/2¹⁶)^(1/2) ≈ 0.0019; 0.01 is 5 of them.
        let c: f64 = 0.8;
        let w = Mat::<f64>::from_fn(2, 4, |j, a| match (j, a) {
            (0, 0) => 1.0,
            (1, 0) => c,
            (1, 1) => (1.0 - c * c).sqrt(),
            _ => 0.0,
        });
        let v = Mat::<f64>::from_fn(3, 2, |k, j| 0.3 + 0.2 * (k + j) as f64);
        let sampler = |source| MlpLawSampler {
            v: &v,
            activation: Activation::Relu,
            loss: Loss::Mse,
            source,
            seed: 4,
        };
        let conditional = sampler(PreActivations::Conditional {
            w: &w,
            data: DataDist::Gaussian,
            replicate: 0,
        })
        .hidden_weight_law(0, 1, 0.5, 1 << 16)
        .unwrap();
        let population = sampler(PreActivations::Population {
            sigma_w: 1.0,
            part: 0,
        })
        .hidden_weight_law(0, 1, 0.5, 1 << 16)
        .unwrap();
        let open = 0.25 + c.asin() / (2.0 * std::f64::consts::PI);
        for (name, law, p) in [
            ("conditional", &conditional, open),
            ("population", &population, 0.25),
        ] {
            assert!(
                (1.0 - law.zero_mass() - p).abs() < 0.01,
                "{name}: both gates open with frequency {}, expected {p}",
                1.0 - law.zero_mass()
            );
        }
    }

    #[test]
    fn relu_mse_hidden_laws_have_their_exact_atoms() {
        // MSE with ReLU: τ_jj = 1{z_j > 0} ‖v_j‖², so the law is ½ δ_0 + ½ δ_{‖v_j‖²}; off the
        // diagonal τ_jj′ = 1{z_j > 0} 1{z_j′ > 0} v_j·v_j′, so ¾ δ_0 + ¼ δ_{v_j·v_j′}. The masses are
        // sample frequencies of 2¹⁶ draws: 4 standard errors are 4 · √(¼ · ¾ / 2¹⁶) ≈ 0.007.
        let v = Mat::<f64>::from_fn(5, 3, |k, j| ((2 * k + 3 * j + 1) as f64 * 0.7).sin());
        let net = Mlp {
            w: Mat::<f64>::zeros(3, 1),
            v,
            activation: Activation::Relu,
        };
        let norm: f64 = (0..5).map(|k| net.v[(k, 0)].powi(2)).sum();
        let dot: f64 = (0..5).map(|k| net.v[(k, 0)] * net.v[(k, 1)]).sum();
        let sampler = MlpLawSampler {
            v: &net.v,
            activation: Activation::Relu,
            loss: Loss::Mse,
            source: PreActivations::Population {
                sigma_w: 1.0,
                part: 0,
            },
            seed: 9,
        };
        let diag = sampler.hidden_weight_law(0, 0, 0.5, 1 << 16).unwrap();
        let off = sampler.hidden_weight_law(0, 1, 0.5, 1 << 16).unwrap();
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

//! Hessian blocks of the network with one hidden layer, f(x) = V φ(W x), for MSE and cross-entropy.
//!
//! # Setting
//! Data X = [x_1 … x_N] is d×N, labels y_i ∈ {0, …, C−1}, W is m×d (m hidden neurons, rows w_j) and V
//! is C×m (columns v_j). Per sample: pre-activations z = W x, features h = φ(z), logits u = V h, the
//! loss gradient g = ∂ℓ/∂u and curvature A = ∂²ℓ/∂u²:
//!
//! - MSE, ℓ = ½‖u − e_y‖²: g = u − e_y, A = I_C;
//! - cross-entropy, ℓ = −log p_y with p = softmax(u): g = p − e_y, A = diag(p) − p pᵀ.
//!
//! The loss is averaged over the samples.
//!
//! # Blocks
//! Differentiating ∂ℓ/∂w_j = (v_jᵀ g) φ′(z_j) x with respect to w_j′ gives the d×d hidden-layer block
//! H_jj′ = (1/N) Σ_i τ_jj′(i) x_i x_iᵀ with
//!
//! ```text
//! τ_jj′ = φ′(z_j) φ′(z_j′) v_jᵀ A v_j′ + δ_jj′ φ″(z_j) gᵀ v_j.
//! ```
//!
//! The output-layer block of rows k, l of V is the m×m matrix (1/N) Σ_i A_kl(i) h_i h_iᵀ. The cross
//! derivative of w_j (entry a) and V_kj′ is (1/N) Σ_i [δ_jj′ g_k + (v_jᵀ A)_k h_j′] φ′(z_j) x_a. Its
//! first term carries the labels. The full Hessian orders the parameters as the rows of W, then the
//! rows of V, and is meant for small sizes and tests.

use faer::{Mat, MatRef, Par};
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::linear::{Loss, softmax_columns, weighted_gram};
use super::lower::product;
use crate::error::ModelError;

/// The activation φ of the hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// max(0, z).
    Relu,
    /// max(0.01 z, z).
    LeakyRelu,
    /// tanh z.
    Tanh,
    /// 1/(1 + e^(−z)).
    Sigmoid,
    /// z Φ(z) with Φ the standard normal CDF (the exact GELU, not the tanh approximation).
    Gelu,
    /// z.
    Linear,
}

/// Slope of leaky ReLU for z < 0.
const LEAKY_SLOPE: f64 = 0.01;

impl Activation {
    /// φ(z), φ′(z) and φ″(z). At the kink of ReLU and leaky ReLU (z = 0) the derivative from the
    /// right is used and φ″ is 0, as almost everywhere.
    pub fn eval(self, z: f64) -> (f64, f64, f64) {
        match self {
            Activation::Relu => {
                if z > 0.0 {
                    (z, 1.0, 0.0)
                } else {
                    (0.0, 0.0, 0.0)
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    (z, 1.0, 0.0)
                } else {
                    (LEAKY_SLOPE * z, LEAKY_SLOPE, 0.0)
                }
            }
            Activation::Tanh => {
                let t = z.tanh();
                let d = 1.0 - t * t;
                (t, d, -2.0 * t * d)
            }
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + (-z).exp());
                let d = s * (1.0 - s);
                (s, d, d * (1.0 - 2.0 * s))
            }
            Activation::Gelu => {
                let normal = Normal::standard();
                let (cdf, pdf) = (normal.cdf(z), normal.pdf(z));
                (z * cdf, cdf + z * pdf, pdf * (2.0 - z * z))
            }
            Activation::Linear => (z, 1.0, 0.0),
        }
    }
}

impl Activation {
    /// Returns the name used in plot titles.
    pub fn long_name(self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::LeakyRelu => "leaky ReLU",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "GELU",
            Activation::Linear => "linear activation",
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky-relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Linear => "linear",
        })
    }
}

/// The network's weights.
#[derive(Debug, Clone)]
pub struct Mlp {
    /// Hidden-layer weights W (m×d).
    pub w: Mat<f64>,
    /// Output-layer weights V (C×m).
    pub v: Mat<f64>,
    /// The activation φ.
    pub activation: Activation,
}

/// Per-sample quantities of a forward pass, one column per sample.
#[derive(Debug, Clone)]
pub struct Forward {
    /// φ′(z) (m×N).
    pub d1: Mat<f64>,
    /// φ″(z) (m×N).
    pub d2: Mat<f64>,
    /// Features h = φ(z) (m×N).
    pub h: Mat<f64>,
    /// Logits u = V h (C×N).
    pub u: Mat<f64>,
    /// Softmax probabilities of the logits (C×N); used by cross-entropy only.
    pub p: Mat<f64>,
    /// Loss gradient g = ∂ℓ/∂u per sample (C×N).
    pub g: Mat<f64>,
}

impl Mlp {
    fn check(&self, x: MatRef<'_, f64>, labels: &[usize]) -> Result<(), ModelError> {
        let (m, d, c) = (self.w.nrows(), self.w.ncols(), self.v.nrows());
        if x.nrows() != d {
            return Err(ModelError::Shape(format!(
                "W is {m}×{d} but the data have dimension {}",
                x.nrows()
            )));
        }
        if self.v.ncols() != m {
            return Err(ModelError::Shape(format!(
                "V is {c}×{} but W has {m} rows",
                self.v.ncols()
            )));
        }
        if labels.len() != x.ncols() {
            return Err(ModelError::Shape(format!(
                "{} labels for {} samples",
                labels.len(),
                x.ncols()
            )));
        }
        if let Some(&bad) = labels.iter().find(|&&y| y >= c) {
            return Err(ModelError::Shape(format!(
                "label {bad} is not below C = {c}"
            )));
        }
        Ok(())
    }

    /// Runs the network on the data and returns the per-sample quantities and the mean loss.
    ///
    /// # Errors
    /// [`ModelError::Shape`] if W, V, X and the labels do not fit, or a label is not below C.
    pub fn forward(
        &self,
        x: MatRef<'_, f64>,
        labels: &[usize],
        loss: Loss,
    ) -> Result<(Forward, f64), ModelError> {
        self.check(x, labels)?;
        let z = product(self.w.as_ref(), x);
        let (m, n) = (z.nrows(), z.ncols());
        let mut h = Mat::<f64>::zeros(m, n);
        let mut d1 = Mat::<f64>::zeros(m, n);
        let mut d2 = Mat::<f64>::zeros(m, n);
        for i in 0..n {
            for j in 0..m {
                let (value, first, second) = self.activation.eval(z[(j, i)]);
                h[(j, i)] = value;
                d1[(j, i)] = first;
                d2[(j, i)] = second;
            }
        }
        let u = product(self.v.as_ref(), h.as_ref());
        let p = softmax_columns(u.as_ref());
        let mut g = match loss {
            Loss::Mse => u.clone(),
            Loss::Ce => p.clone(),
        };
        let mut total = 0.0;
        for (i, &y) in labels.iter().enumerate() {
            total += match loss {
                Loss::Mse => {
                    (0..u.nrows())
                        .map(|k| (u[(k, i)] - f64::from(u8::from(k == y))).powi(2))
                        .sum::<f64>()
                        * 0.5
                }
                Loss::Ce => -p[(y, i)].ln(),
            };
            g[(y, i)] -= 1.0;
        }
        Ok((Forward { d1, d2, h, u, p, g }, total / n as f64))
    }

    /// Computes the mean loss and its gradients with respect to W (m×d) and V (C×m).
    ///
    /// # Errors
    /// As [`Mlp::forward`].
    pub fn loss_and_gradient(
        &self,
        x: MatRef<'_, f64>,
        labels: &[usize],
        loss: Loss,
    ) -> Result<(f64, Mat<f64>, Mat<f64>), ModelError> {
        let (fw, value) = self.forward(x, labels, loss)?;
        let n = x.ncols() as f64;
        // δ = (Vᵀ g) ⊙ φ′(z): the back-propagated error at the hidden layer.
        let back = product(self.v.transpose(), fw.g.as_ref());
        let delta = Mat::<f64>::from_fn(back.nrows(), back.ncols(), |j, i| {
            back[(j, i)] * fw.d1[(j, i)]
        });
        let grad_w = product(delta.as_ref(), x.transpose()) * (1.0 / n);
        let grad_v = product(fw.g.as_ref(), fw.h.transpose()) * (1.0 / n);
        Ok((value, grad_w, grad_v))
    }
}

/// (v_jᵀ A v_j′) for one sample: A = I for MSE, diag(p) − p pᵀ for cross-entropy.
fn curvature(loss: Loss, v: MatRef<'_, f64>, p: &[f64], j: usize, jp: usize) -> f64 {
    let c = v.nrows();
    match loss {
        Loss::Mse => (0..c).map(|k| v[(k, j)] * v[(k, jp)]).sum(),
        Loss::Ce => {
            let weighted: f64 = (0..c).map(|k| p[k] * v[(k, j)] * v[(k, jp)]).sum();
            let pj: f64 = (0..c).map(|k| p[k] * v[(k, j)]).sum();
            let pjp: f64 = (0..c).map(|k| p[k] * v[(k, jp)]).sum();
            weighted - pj * pjp
        }
    }
}

/// Computes the weights τ_jj′(i) of hidden-layer block (j, j′), one per sample (0-based neuron
/// indices).
///
/// # Panics
/// If j or j′ is not below the width m.
pub fn hidden_block_weights(
    net: &Mlp,
    forward: &Forward,
    loss: Loss,
    j: usize,
    jp: usize,
) -> Vec<f64> {
    let m = net.w.nrows();
    assert!(
        j < m && jp < m,
        "neuron indices must be below the width {m}"
    );
    let n = forward.h.ncols();
    let c = net.v.nrows();
    (0..n)
        .map(|i| {
            let p: Vec<f64> = (0..c).map(|k| forward.p[(k, i)]).collect();
            let mut tau = forward.d1[(j, i)]
                * forward.d1[(jp, i)]
                * curvature(loss, net.v.as_ref(), &p, j, jp);
            if j == jp {
                let gv: f64 = (0..c).map(|k| forward.g[(k, i)] * net.v[(k, j)]).sum();
                tau += forward.d2[(j, i)] * gv;
            }
            tau
        })
        .collect()
}

/// Computes the weights A_kl(i) of output-layer block (k, l), one per sample.
pub fn output_block_weights(forward: &Forward, loss: Loss, k: usize, l: usize) -> Vec<f64> {
    let n = forward.h.ncols();
    (0..n)
        .map(|i| match loss {
            Loss::Mse => f64::from(u8::from(k == l)),
            Loss::Ce => {
                let (pk, pl) = (forward.p[(k, i)], forward.p[(l, i)]);
                if k == l { pk * (1.0 - pk) } else { -pk * pl }
            }
        })
        .collect()
}

/// Forms the full Hessian of the mean loss with respect to (rows of W, rows of V), of size
/// (m d + C m)². Costs O((m d + C m)² N): meant for small sizes and tests.
///
/// # Errors
/// As [`Mlp::forward`].
pub fn full_hessian(
    net: &Mlp,
    x: MatRef<'_, f64>,
    labels: &[usize],
    loss: Loss,
) -> Result<Mat<f64>, ModelError> {
    let (fw, _) = net.forward(x, labels, loss)?;
    let (m, d, c, n) = (net.w.nrows(), net.w.ncols(), net.v.nrows(), x.ncols());
    let size = m * d + c * m;
    let mut hess = Mat::<f64>::zeros(size, size);

    // Hidden-layer blocks, each (1/N) X diag(τ) Xᵀ. Block (j′, j) is the transpose of block
    // (j, j′) (τ is symmetric in j, j′), and copying it keeps the Hessian symmetric to the bit.
    for j in 0..m {
        for jp in 0..=j {
            let tau = hidden_block_weights(net, &fw, loss, j, jp);
            let block = weighted_gram(x, &tau, Par::Seq);
            hess.as_mut()
                .submatrix_mut(j * d, jp * d, d, d)
                .copy_from(block.as_ref());
            hess.as_mut()
                .submatrix_mut(jp * d, j * d, d, d)
                .copy_from(block.transpose());
        }
    }

    // Output-layer blocks, each (1/N) H diag(A_kl) Hᵀ.
    let offset = m * d;
    for k in 0..c {
        for l in 0..c {
            let weights = output_block_weights(&fw, loss, k, l);
            let block = weighted_gram(fw.h.as_ref(), &weights, Par::Seq);
            hess.as_mut()
                .submatrix_mut(offset + k * m, offset + l * m, m, m)
                .copy_from(block.as_ref());
        }
    }

    // Cross blocks: ∂²ℓ/∂W_ja ∂V_kj′ = (1/N) Σ_i [δ_jj′ g_k + (v_jᵀ A)_k h_j′] φ′(z_j) x_a.
    for i in 0..n {
        let p: Vec<f64> = (0..c).map(|k| fw.p[(k, i)]).collect();
        for j in 0..m {
            // (v_jᵀ A)_k for this sample.
            let va: Vec<f64> = (0..c)
                .map(|k| match loss {
                    Loss::Mse => net.v[(k, j)],
                    Loss::Ce => {
                        let pv: f64 = (0..c).map(|e| p[e] * net.v[(e, j)]).sum();
                        p[k] * (net.v[(k, j)] - pv)
                    }
                })
                .collect();
            for (k, &va_k) in va.iter().enumerate() {
                for jp in 0..m {
                    let mut coefficient = va_k * fw.h[(jp, i)];
                    if j == jp {
                        coefficient += fw.g[(k, i)];
                    }
                    let scale = coefficient * fw.d1[(j, i)] / n as f64;
                    let column = offset + k * m + jp;
                    for a in 0..d {
                        let value = scale * x[(a, i)];
                        hess[(j * d + a, column)] += value;
                        hess[(column, j * d + a)] += value;
                    }
                }
            }
        }
    }
    Ok(hess)
}

/// Forms the same Hessian as [`full_hessian`] with matrix products, for sizes where the per-sample
/// loops of [`full_hessian`] are too slow (the paper's synthetic network: m = 8, d = 500, C = 500,
/// N = 5000, an 8000 × 8000 Hessian).
///
/// - Hidden-layer blocks: one weighted Gram product each, m(m + 1)/2 of them.
/// - Output-layer blocks: for cross-entropy, A = diag(p) − p pᵀ gives the block matrix
///   (1/N)[blockdiag_k(H diag(p_k) Hᵀ) − K Kᵀ] with column i of K equal to p_i ⊗ h_i; for MSE only
///   the diagonal blocks (1/N) H Hᵀ.
/// - Cross blocks of neuron j: X B_j with B_j(i, (k, j′)) = φ′(z_j) [δ_jj′ g_k + (v_jᵀA)_k h_j′]/N.
///
/// Costs O(m² d² N + C² m² N + m² C d N) flops and one (m d + C m)² matrix. The lower and upper
/// triangles are filled from the same products, so the result is symmetric to the bit.
///
/// # Errors
/// As [`Mlp::forward`].
pub fn full_hessian_blocked(
    net: &Mlp,
    x: MatRef<'_, f64>,
    labels: &[usize],
    loss: Loss,
    par: Par,
) -> Result<Mat<f64>, ModelError> {
    let (fw, _) = net.forward(x, labels, loss)?;
    let (m, d, c, n) = (net.w.nrows(), net.w.ncols(), net.v.nrows(), x.ncols());
    let size = m * d + c * m;
    let nf = n as f64;
    let mut hess = Mat::<f64>::zeros(size, size);

    // Hidden-layer blocks, as in full_hessian.
    for j in 0..m {
        for jp in 0..=j {
            let tau = hidden_block_weights(net, &fw, loss, j, jp);
            let block = weighted_gram(x, &tau, par);
            hess.as_mut()
                .submatrix_mut(j * d, jp * d, d, d)
                .copy_from(block.as_ref());
            hess.as_mut()
                .submatrix_mut(jp * d, j * d, d, d)
                .copy_from(block.transpose());
        }
    }

    // Output-layer blocks.
    let offset = m * d;
    for k in 0..c {
        let weights = output_block_weights_diagonal_part(&fw, loss, k);
        let block = weighted_gram(fw.h.as_ref(), &weights, par);
        hess.as_mut()
            .submatrix_mut(offset + k * m, offset + k * m, m, m)
            .copy_from(block.as_ref());
    }
    if loss == Loss::Ce {
        // −(1/N) K Kᵀ with K((k, a), i) = p_k(i) h_a(i).
        let kron = Mat::<f64>::from_fn(c * m, n, |row, i| fw.p[(row / m, i)] * fw.h[(row % m, i)]);
        let mut outer = Mat::<f64>::zeros(c * m, c * m);
        faer::linalg::matmul::matmul(
            outer.as_mut(),
            faer::Accum::Replace,
            kron.as_ref(),
            kron.transpose(),
            -1.0 / nf,
            par,
        );
        // Symmetrise by copying the lower triangle, so that the two halves agree to the bit.
        let mut block = hess.as_mut().submatrix_mut(offset, offset, c * m, c * m);
        for col in 0..c * m {
            for row in col..c * m {
                let value = block[(row, col)] + outer[(row, col)];
                block[(row, col)] = value;
                block[(col, row)] = value;
            }
        }
    }

    // Cross blocks, one neuron j at a time.
    // pv[j][i] = Σ_e p_e(i) v_ej.
    let pv: Vec<Vec<f64>> = (0..m)
        .map(|j| {
            (0..n)
                .map(|i| (0..c).map(|e| fw.p[(e, i)] * net.v[(e, j)]).sum())
                .collect()
        })
        .collect();
    for (j, pv_j) in pv.iter().enumerate() {
        let b = Mat::<f64>::from_fn(n, c * m, |i, col| {
            let (k, jp) = (col / m, col % m);
            let va = match loss {
                Loss::Mse => net.v[(k, j)],
                Loss::Ce => fw.p[(k, i)] * (net.v[(k, j)] - pv_j[i]),
            };
            let mut coefficient = va * fw.h[(jp, i)];
            if j == jp {
                coefficient += fw.g[(k, i)];
            }
            coefficient * fw.d1[(j, i)] / nf
        });
        let mut cross = Mat::<f64>::zeros(d, c * m);
        faer::linalg::matmul::matmul(
            cross.as_mut(),
            faer::Accum::Replace,
            x,
            b.as_ref(),
            1.0,
            par,
        );
        hess.as_mut()
            .submatrix_mut(j * d, offset, d, c * m)
            .copy_from(cross.as_ref());
        hess.as_mut()
            .submatrix_mut(offset, j * d, c * m, d)
            .copy_from(cross.transpose());
    }
    Ok(hess)
}

/// Returns the weights of the diagonal part of output-layer block (k, k): p_k for cross-entropy (the
/// −p_k² part is in the K Kᵀ product of [`full_hessian_blocked`]), 1 for MSE.
fn output_block_weights_diagonal_part(forward: &Forward, loss: Loss, k: usize) -> Vec<f64> {
    let n = forward.h.ncols();
    (0..n)
        .map(|i| match loss {
            Loss::Mse => 1.0,
            Loss::Ce => forward.p[(k, i)],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a small deterministic problem whose pre-activations stay away from 0 (the kink of ReLU).
    fn problem(activation: Activation) -> (Mlp, Mat<f64>, Vec<usize>) {
        let (d, n, m, c) = (3, 6, 4, 3);
        let x = Mat::<f64>::from_fn(d, n, |a, i| ((2 * a + 5 * i + 1) as f64 * 0.913).sin());
        let w = Mat::<f64>::from_fn(m, d, |j, a| ((3 * j + 2 * a + 2) as f64 * 0.577).cos());
        let v = Mat::<f64>::from_fn(c, m, |k, j| ((4 * k + j + 3) as f64 * 0.341).sin());
        let labels = (0..n).map(|i| (i * 2 + 1) % c).collect();
        let net = Mlp { w, v, activation };
        let z = &net.w * &x;
        for i in 0..n {
            for j in 0..m {
                assert!(
                    z[(j, i)].abs() > 0.05,
                    "pre-activation too close to the kink"
                );
            }
        }
        (net, x, labels)
    }

    fn flat_gradient(net: &Mlp, x: &Mat<f64>, labels: &[usize], loss: Loss) -> Vec<f64> {
        let (_, gw, gv) = net.loss_and_gradient(x.as_ref(), labels, loss).unwrap();
        let mut out = Vec::new();
        for j in 0..gw.nrows() {
            out.extend((0..gw.ncols()).map(|a| gw[(j, a)]));
        }
        for k in 0..gv.nrows() {
            out.extend((0..gv.ncols()).map(|j| gv[(k, j)]));
        }
        out
    }

    /// Returns the network with the parameter of flat index `index` (rows of W, then rows of V)
    /// shifted by `step`.
    fn shifted(net: &Mlp, index: usize, step: f64) -> Mlp {
        let mut out = net.clone();
        let (m, d) = (net.w.nrows(), net.w.ncols());
        if index < m * d {
            out.w[(index / d, index % d)] += step;
        } else {
            let rest = index - m * d;
            out.v[(rest / m, rest % m)] += step;
        }
        out
    }

    const ACTIVATIONS: [Activation; 6] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Linear,
    ];

    #[test]
    fn gradient_matches_finite_differences() {
        // Central differences with step 1e-6 have error O(h²) ≈ 1e-12 plus rounding ε/h ≈ 1e-10.
        for activation in ACTIVATIONS {
            for loss in [Loss::Mse, Loss::Ce] {
                let (net, x, labels) = problem(activation);
                let gradient = flat_gradient(&net, &x, &labels, loss);
                let h = 1e-6;
                for (index, g) in gradient.iter().enumerate() {
                    let value = |s: f64| {
                        let (_, l) = shifted(&net, index, s)
                            .forward(x.as_ref(), &labels, loss)
                            .unwrap();
                        l
                    };
                    let fd = (value(h) - value(-h)) / (2.0 * h);
                    assert!(
                        (fd - g).abs() <= 1e-8 * (1.0 + g.abs()),
                        "{activation}, {loss}, parameter {index}: gradient {g} vs {fd}"
                    );
                }
            }
        }
    }

    #[test]
    fn blocked_hessian_equals_the_direct_one() {
        // Same Hessian by matrix products; sums in another order, so equal to rounding:
        // 1e-13 of the largest entry.
        for activation in ACTIVATIONS {
            for loss in [Loss::Mse, Loss::Ce] {
                let (net, x, labels) = problem(activation);
                let direct = full_hessian(&net, x.as_ref(), &labels, loss).unwrap();
                let blocked =
                    full_hessian_blocked(&net, x.as_ref(), &labels, loss, Par::Seq).unwrap();
                let size = direct.nrows();
                let scale = (0..size)
                    .flat_map(|r| (0..size).map(move |c| (r, c)))
                    .fold(0.0_f64, |acc, (r, c)| acc.max(direct[(r, c)].abs()));
                for r in 0..size {
                    for c in 0..size {
                        let (a, b) = (direct[(r, c)], blocked[(r, c)]);
                        assert!(
                            (a - b).abs() <= 1e-13 * scale,
                            "{activation}, {loss}, entry ({r}, {c}): {a} vs {b}"
                        );
                        assert_eq!(blocked[(r, c)], blocked[(c, r)]);
                    }
                }
            }
        }
    }

    #[test]
    fn hessian_matches_finite_differences() {
        // Central differences of the analytic gradient, step 1e-5: truncation O(h²) ≈ 1e-10 times
        // the third derivative, rounding ε/h ≈ 2e-11; the bound 1e-6 relative is the acceptance
        // figure for the blocks.
        for activation in ACTIVATIONS {
            for loss in [Loss::Mse, Loss::Ce] {
                let (net, x, labels) = problem(activation);
                let hess = full_hessian(&net, x.as_ref(), &labels, loss).unwrap();
                let size = hess.nrows();
                let scale = (0..size)
                    .flat_map(|r| (0..size).map(move |c| (r, c)))
                    .fold(0.0_f64, |acc, (r, c)| acc.max(hess[(r, c)].abs()));
                let h = 1e-5;
                for column in 0..size {
                    let plus = flat_gradient(&shifted(&net, column, h), &x, &labels, loss);
                    let minus = flat_gradient(&shifted(&net, column, -h), &x, &labels, loss);
                    for row in 0..size {
                        let fd = (plus[row] - minus[row]) / (2.0 * h);
                        let exact = hess[(row, column)];
                        assert!(
                            (fd - exact).abs() <= 1e-6 * scale,
                            "{activation}, {loss}, entry ({row}, {column}): {exact} vs {fd}"
                        );
                    }
                }
                for r in 0..size {
                    for c in 0..r {
                        assert_eq!(
                            hess[(r, c)],
                            hess[(c, r)],
                            "{activation}, {loss}: asymmetric at ({r}, {c})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn mse_output_blocks_are_block_diagonal() {
        let (net, x, labels) = problem(Activation::Tanh);
        let (fw, _) = net.forward(x.as_ref(), &labels, Loss::Mse).unwrap();
        assert!(
            output_block_weights(&fw, Loss::Mse, 0, 1)
                .iter()
                .all(|w| *w == 0.0)
        );
        assert!(
            output_block_weights(&fw, Loss::Mse, 1, 1)
                .iter()
                .all(|w| *w == 1.0)
        );
    }

    #[test]
    fn relu_mse_weights_are_gated_inner_products() {
        // MSE with ReLU: τ_jj′ = 1{z_j > 0} 1{z_j′ > 0} v_j·v_j′.
        let (net, x, labels) = problem(Activation::Relu);
        let (fw, _) = net.forward(x.as_ref(), &labels, Loss::Mse).unwrap();
        let z = &net.w * &x;
        let dot: f64 = (0..net.v.nrows())
            .map(|k| net.v[(k, 0)] * net.v[(k, 2)])
            .sum();
        for (i, tau) in hidden_block_weights(&net, &fw, Loss::Mse, 0, 2)
            .iter()
            .enumerate()
        {
            let gate = f64::from(u8::from(z[(0, i)] > 0.0 && z[(2, i)] > 0.0));
            assert_eq!(*tau, gate * dot);
        }
    }
}

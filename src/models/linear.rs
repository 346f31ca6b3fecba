//! Hessian blocks of the linear model f(x) = W x, for MSE and cross-entropy losses.
//!
//! # Setting
//! Data X = [x_1 … x_N] is d×N (one sample per column), labels y_i ∈ {0, …, C−1}, W is C×d, and the
//! logits are Z = W X (C×N). The losses are averaged over samples:
//!
//! - MSE: ℓ = (1/2N) Σ_i ‖W x_i − e_{y_i}‖², gradient (1/N) Σ_i (W x_i − e_{y_i}) x_iᵀ;
//! - cross-entropy: ℓ = (1/N) Σ_i −log p_{y_i}(i), p(i) = softmax(W x_i), gradient
//!   (1/N) Σ_i (p(i) − e_{y_i}) x_iᵀ.
//!
//! # Blocks
//! Differentiating the gradient row w_k with respect to row w_l gives the d×d block
//! H_kl = (1/N) Σ_i τ_kl(i) x_i x_iᵀ with
//!
//! - MSE: τ_kl = δ_kl (every diagonal block is X Xᵀ/N, every off-diagonal block is 0);
//! - cross-entropy: τ_kk = p_k (1 − p_k), τ_kl = −p_k p_l for k ≠ l.
//!
//! Labels enter the gradient but not the Hessian. Blocks are formed as one product
//! (X diag(τ)) Xᵀ / N into the lower triangle, never as a loop of rank-one updates. The full
//! Hessian, ordered row by row of W (block (k, l) at rows k·d.., columns l·d..), is one product
//! over the distinct entries only: feature pairs a ≥ b times class pairs l ≤ k.

use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;
use serde::Serialize;

use super::lower::{lower_product, mirror_lower, product, reuse};
use crate::error::ModelError;

/// The training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// Mean squared error against one-hot labels.
    Mse,
    /// Softmax cross-entropy.
    Ce,
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Loss::Mse => "mse",
            Loss::Ce => "ce",
        })
    }
}

impl Loss {
    /// Long name for plots and reports.
    pub fn long_name(self) -> &'static str {
        match self {
            Loss::Mse => "mean squared error",
            Loss::Ce => "cross-entropy",
        }
    }
}

/// Column-wise softmax of a C×N logit matrix (numerically stable: the column maximum is
/// subtracted before exponentiation).
pub fn softmax_columns(logits: MatRef<'_, f64>) -> Mat<f64> {
    let (classes, samples) = (logits.nrows(), logits.ncols());
    let mut probs = Mat::<f64>::zeros(classes, samples);
    for i in 0..samples {
        let column = logits.col(i);
        let max = column.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let mut total = 0.0;
        for k in 0..classes {
            let e = (column[k] - max).exp();
            probs[(k, i)] = e;
            total += e;
        }
        for k in 0..classes {
            probs[(k, i)] /= total;
        }
    }
    probs
}

/// Per-sample weights τ_kl(i) of block (k, l) (0-based) from the C×N logits.
///
/// For cross-entropy the softmax is taken here; callers that need several blocks should compute
/// the probabilities once with [`softmax_columns`] and call [`weights_from_probs`].
pub fn block_weights(loss: Loss, logits: MatRef<'_, f64>, k: usize, l: usize) -> Vec<f64> {
    match loss {
        Loss::Mse => vec![if k == l { 1.0 } else { 0.0 }; logits.ncols()],
        Loss::Ce => weights_from_probs(softmax_columns(logits).as_ref(), k, l),
    }
}

/// Cross-entropy weights τ_kl(i) = p_k (δ_kl − p_l) from the C×N softmax probabilities.
pub fn weights_from_probs(probs: MatRef<'_, f64>, k: usize, l: usize) -> Vec<f64> {
    (0..probs.ncols())
        .map(|i| {
            let pk = probs[(k, i)];
            if k == l {
                pk * (1.0 - pk)
            } else {
                -pk * probs[(l, i)]
            }
        })
        .collect()
}

/// Forms the lower triangle of (1/N) X diag(τ) Xᵀ for a d×N matrix X; the strict upper triangle is
/// left at 0. Only the lower triangle is what symmetric eigensolvers read.
///
/// # Panics
/// If `tau.len() != x.ncols()`.
pub fn weighted_gram_lower(x: MatRef<'_, f64>, tau: &[f64], par: Par) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(x.nrows(), x.nrows());
    let mut scaled_t = Mat::new();
    weighted_gram_lower_into(out.as_mut(), x, tau, &mut scaled_t, par);
    out
}

/// Writes the lower triangle of (1/N) X diag(τ) Xᵀ into the d×d `out`, leaving its strict upper
/// triangle as it was: the same bits as [`weighted_gram_lower`]. `scratch` receives the scaled
/// copy of X or of a chunk of its samples. Pass the same one for every block of a loop, so that
/// it is allocated once. The bits depend on the shapes and on whether `par` has two
/// threads or more, not on the number.
///
/// # Panics
/// If `tau.len() != x.ncols()` or `out` is not d×d.
pub fn weighted_gram_lower_into(
    mut out: MatMut<'_, f64>,
    x: MatRef<'_, f64>,
    tau: &[f64],
    scratch: &mut Mat<f64>,
    par: Par,
) {
    assert_eq!(tau.len(), x.ncols(), "one weight per sample");
    let (d, n) = (x.nrows(), x.ncols());
    // On one thread the sum over samples runs in chunks of SAMPLE_CHUNK samples: each chunk's
    // scaled copy (X diag(τ))ᵀ, chunk×d, is still in cache when the product reads it, as is the
    // chunk of X. In parallel, one product over all samples (see SAMPLE_CHUNK). The product
    // reads its right factor a column at a time, so the copy is stored transposed, in square
    // tiles: measured at d = 1000, N = 2000 the product ran 15 % faster than with the copy read
    // transposed.
    const TILE: usize = 64;
    let chunk = if par.degree() < 2 {
        SAMPLE_CHUNK.min(n)
    } else {
        n
    };
    let mut scaled_t = reuse(scratch, chunk, d);
    let mut first = 0;
    while first < n {
        let len = chunk.min(n - first);
        let mut part = scaled_t.rb_mut().subrows_mut(0, len);
        for r0 in (0..d).step_by(TILE) {
            for c0 in (0..len).step_by(TILE) {
                for r in r0..(r0 + TILE).min(d) {
                    let column = part
                        .rb_mut()
                        .col_mut(r)
                        .try_as_col_major_mut()
                        .expect("a column of a Mat is contiguous")
                        .as_slice_mut();
                    for c in c0..(c0 + TILE).min(len) {
                        column[c] = x[(r, first + c)] * tau[first + c];
                    }
                }
            }
        }
        lower_product(
            out.rb_mut(),
            if first == 0 {
                Accum::Replace
            } else {
                Accum::Add
            },
            x.subcols(first, len),
            part.rb().transpose(),
            1.0 / n as f64,
            par.degree(),
        );
        first += len;
    }
}

/// Samples per chunk of [`weighted_gram_lower_into`] on one thread. Measured on the 2-core Xeon,
/// `verify-pair 1000 2000 8`, whose blocks are formed on one thread each, ran in 0.62 to 0.64 s
/// with chunks of 64 to 192 samples against 0.66 to 0.69 s with one product over all 2000
/// samples: the copy and the product no longer stream 16 MB each through memory. On two threads
/// at d = 4000, N = 8000, chunks of 128 took 1.33 s against 1.07 s for one product, whose
/// column strips balance better across the threads; on one thread there, 1.79 s against 1.84 s.
const SAMPLE_CHUNK: usize = 128;

/// Forms the full symmetric (1/N) X diag(τ) Xᵀ.
pub fn weighted_gram(x: MatRef<'_, f64>, tau: &[f64], par: Par) -> Mat<f64> {
    let mut h = weighted_gram_lower(x, tau, par);
    mirror_lower(h.as_mut());
    h
}

fn check_shapes(x: MatRef<'_, f64>, w: MatRef<'_, f64>) -> Result<(), ModelError> {
    if w.ncols() != x.nrows() {
        return Err(ModelError::Shape(format!(
            "W is {}×{} but the data have dimension {}",
            w.nrows(),
            w.ncols(),
            x.nrows()
        )));
    }
    Ok(())
}

/// The full (C·d)×(C·d) Hessian of the loss with respect to W, rows of W in order.
///
/// For cross-entropy, every entry H[(k, a), (l, b)] = (1/N) Σ_i τ_kl(i) x_ai x_bi is symmetric in
/// {k, l} and in {a, b}, so the distinct entries are computed once, as one product of size
/// (d(d+1)/2) × N × (C(C+1)/2), and copied into place: d²C²N/4 multiply-adds, half of what the
/// closed form H = (1/N) [blockdiag_k(X diag(p_k) Xᵀ) − Y Yᵀ] (column i of Y being p(i) ⊗ x_i)
/// takes as a symmetric rank-N update. For MSE it is blockdiag(X Xᵀ/N, …, X Xᵀ/N). Peak memory is
/// the result plus a quarter of it: for (N, d, C) = (2000, 200, 20), 128 MB + 34 MB.
///
/// # Errors
/// [`ModelError::Shape`] if W and X do not fit.
pub fn full_hessian(
    x: MatRef<'_, f64>,
    w: MatRef<'_, f64>,
    loss: Loss,
    par: Par,
) -> Result<Mat<f64>, ModelError> {
    check_shapes(x, w)?;
    let (d, n, classes) = (x.nrows(), x.ncols(), w.nrows());
    match loss {
        Loss::Mse => {
            let mut gram = weighted_gram_lower(x, &vec![1.0; n], par);
            mirror_lower(gram.as_mut());
            let mut h = Mat::<f64>::zeros(classes * d, classes * d);
            for k in 0..classes {
                h.as_mut()
                    .submatrix_mut(k * d, k * d, d, d)
                    .copy_from(gram.as_ref());
            }
            Ok(h)
        }
        Loss::Ce => {
            let probs = softmax_columns(product(w, x).as_ref());
            Ok(ce_full_hessian(x, probs.as_ref(), par))
        }
    }
}

/// Feature pairs per chunk of S (at least one feature column), and samples per step within a
/// chunk: the 1024×128 slice of products Zᵀ (1 MiB) then stays in the L2 cache (1 to 2 MiB per
/// core on the machines we measure) while the product reads it. Tuned on a 2-core Xeon at
/// (N, d, C) = (2000, 200, 20): this pair beat 256 to 4096 rows with 64 to 2000 samples by 5 to
/// 40 %.
const CHUNK_ROWS: usize = 1024;
const CHUNK_SAMPLES: usize = 128;

/// Computes the cross-entropy Hessian, entry by entry
/// H[(k, a), (l, b)] = (1/N) Σ_i τ_kl(i) x_ai x_bi, as one matrix product.
///
/// The entry is symmetric in the class pair {k, l} and, separately, in the feature pair {a, b}.
/// So the distinct entries form a matrix S with one row per feature pair a ≥ b and one column per
/// class pair l ≤ k: S = Zᵀ T, where row (a, b) of Zᵀ contains x_ai x_bi over samples and column
/// (k, l) of T contains τ_kl(i)/N. That takes d²C²N/4 multiply-adds, half of what the rank-N
/// update of the whole Hessian takes, since the update uses only the symmetry of H itself.
///
/// S is computed in chunks of rows, each by sequential products over fixed blocks of samples. The
/// chunk and block bounds depend on d and N only, so the bits do not depend on the number of
/// threads. Each column strip of H (one l) is then filled from S and its d×d blocks mirrored.
/// Peak memory is H plus S, about a quarter of H.
fn ce_full_hessian(x: MatRef<'_, f64>, probs: MatRef<'_, f64>, par: Par) -> Mat<f64> {
    let (d, n, classes) = (x.nrows(), x.ncols(), probs.nrows());
    let pair = |k: usize, l: usize| {
        let (hi, lo) = if k >= l { (k, l) } else { (l, k) };
        hi * (hi + 1) / 2 + lo
    };
    // Row of S where the feature pairs (a, b ≤ a) of column b start.
    let feature_start = |b: usize| b * d - b * b.saturating_sub(1) / 2;

    let mut weights = Mat::<f64>::zeros(n, classes * (classes + 1) / 2);
    for k in 0..classes {
        for l in 0..=k {
            let tau = weights_from_probs(probs, k, l);
            let column = weights.col_mut(pair(k, l));
            for (target, value) in column.iter_mut().zip(tau) {
                *target = value / n as f64;
            }
        }
    }
    let weights = weights.as_ref();

    // Chunks of whole feature columns b: chunk c covers columns bounds[c]..bounds[c + 1].
    let mut bounds = vec![0];
    let mut rows = 0;
    for b in 0..d {
        let height = d - b;
        if rows > 0 && rows + height > CHUNK_ROWS {
            bounds.push(b);
            rows = 0;
        }
        rows += height;
    }
    bounds.push(d);
    let tallest = bounds
        .windows(2)
        .map(|c| feature_start(c[1]) - feature_start(c[0]))
        .max()
        .unwrap_or(0);
    let step = CHUNK_SAMPLES.min(n).max(1);

    // Each worker keeps one buffer of products and one copy of the current sample.
    let buffer = || (Mat::<f64>::zeros(tallest, step), vec![0.0; d]);
    let chunk_sums = |(products, sample): &mut (Mat<f64>, Vec<f64>), c: usize| {
        let (first, last) = (bounds[c], bounds[c + 1]);
        let height = feature_start(last) - feature_start(first);
        let mut sums = Mat::<f64>::zeros(height, weights.ncols());
        for start in (0..n).step_by(step) {
            let width = step.min(n - start);
            for j in 0..width {
                for (a, value) in sample.iter_mut().enumerate() {
                    *value = x[(a, start + j)];
                }
                let target = products.col_as_slice_mut(j);
                let mut row = 0;
                for b in first..last {
                    let x_b = sample[b];
                    for (slot, &x_a) in target[row..row + d - b].iter_mut().zip(&sample[b..]) {
                        *slot = x_a * x_b;
                    }
                    row += d - b;
                }
            }
            matmul(
                sums.as_mut(),
                if start == 0 {
                    Accum::Replace
                } else {
                    Accum::Add
                },
                products.as_ref().submatrix(0, 0, height, width),
                weights.subrows(start, width),
                1.0,
                Par::Seq,
            );
        }
        sums
    };

    // The result is allocated (and its pages first touched) on one thread while the other
    // threads compute S. At (2000, 200, 20) the allocation alone takes about 0.05 s, the product 0.13 s.
    let size = classes * d;
    let chunk_count = bounds.len() - 1;
    let (mut h, sums): (Mat<f64>, Vec<Mat<f64>>) = if par.degree() > 1 {
        rayon::join(
            || Mat::<f64>::zeros(size, size),
            || {
                (0..chunk_count)
                    .into_par_iter()
                    .map_init(buffer, chunk_sums)
                    .collect()
            },
        )
    } else {
        let mut buffer = buffer();
        let sums = (0..chunk_count)
            .map(|c| chunk_sums(&mut buffer, c))
            .collect();
        (Mat::<f64>::zeros(size, size), sums)
    };

    // Where the feature pairs of column b sit: the chunk, and the row within it.
    let mut source_of = Vec::with_capacity(d);
    for c in 0..chunk_count {
        for b in bounds[c]..bounds[c + 1] {
            source_of.push((c, feature_start(b) - feature_start(bounds[c])));
        }
    }
    let mut strips = Vec::with_capacity(classes);
    let mut rest = h.as_mut();
    for l in 0..classes {
        let (strip, after) = rest.split_at_col_mut(d);
        strips.push((l, strip));
        rest = after;
    }
    let spread = |(l, mut strip): (usize, MatMut<'_, f64>)| {
        for k in 0..classes {
            let mut block = strip.rb_mut().submatrix_mut(k * d, 0, d, d);
            for (b, &(c, row)) in source_of.iter().enumerate() {
                block
                    .rb_mut()
                    .col_mut(b)
                    .subrows_mut(b, d - b)
                    .copy_from(sums[c].col(pair(k, l)).subrows(row, d - b));
            }
            mirror_lower(block);
        }
    };
    if par.degree() > 1 {
        strips.into_par_iter().for_each(spread);
    } else {
        strips.into_iter().for_each(spread);
    }
    h
}

/// The loss and its gradient with respect to W (C×d).
///
/// # Errors
/// [`ModelError::Shape`] if W, X and the labels do not fit, or a label is not below C.
pub fn loss_and_gradient(
    x: MatRef<'_, f64>,
    w: MatRef<'_, f64>,
    labels: &[usize],
    loss: Loss,
) -> Result<(f64, Mat<f64>), ModelError> {
    check_shapes(x, w)?;
    let (n, classes) = (x.ncols(), w.nrows());
    if labels.len() != n {
        return Err(ModelError::Shape(format!(
            "{} labels for {n} samples",
            labels.len()
        )));
    }
    if let Some(&bad) = labels.iter().find(|&&y| y >= classes) {
        return Err(ModelError::Shape(format!(
            "label {bad} is not below C = {classes}"
        )));
    }
    let logits = product(w, x);
    // residual(k, i) = ∂ℓ_i/∂z_k: z − e_y for MSE, p − e_y for cross-entropy.
    let mut residual = match loss {
        Loss::Mse => logits.clone(),
        Loss::Ce => softmax_columns(logits.as_ref()),
    };
    let mut value = 0.0;
    for (i, &y) in labels.iter().enumerate() {
        value += match loss {
            Loss::Mse => {
                let mut s = 0.0;
                for k in 0..classes {
                    let r = logits[(k, i)] - if k == y { 1.0 } else { 0.0 };
                    s += r * r;
                }
                0.5 * s
            }
            Loss::Ce => -residual[(y, i)].ln(),
        };
        residual[(y, i)] -= 1.0;
    }
    let gradient = (residual * x.transpose()) * (1.0 / n as f64);
    Ok((value / n as f64, gradient))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_problem() -> (Mat<f64>, Mat<f64>, Vec<usize>) {
        // Deterministic, non-degenerate values without a random generator.
        let (d, n, c) = (4, 7, 3);
        let x = Mat::<f64>::from_fn(d, n, |i, j| ((3 * i + 7 * j) as f64 * 0.731).sin());
        let w = Mat::<f64>::from_fn(c, d, |i, j| {
            ((5 * i + 2 * j + 1) as f64 * 0.417).cos() * 0.8
        });
        let labels = (0..n).map(|i| (i * 2) % c).collect();
        (x, w, labels)
    }

    /// Central differences of the analytic gradient, one coordinate of W at a time.
    fn finite_difference_hessian(
        x: &Mat<f64>,
        w: &Mat<f64>,
        labels: &[usize],
        loss: Loss,
    ) -> Mat<f64> {
        let (c, d) = (w.nrows(), w.ncols());
        let h = 1e-5;
        let mut out = Mat::<f64>::zeros(c * d, c * d);
        for l in 0..c {
            for b in 0..d {
                let mut plus = w.clone();
                let mut minus = w.clone();
                plus[(l, b)] += h;
                minus[(l, b)] -= h;
                let gp = loss_and_gradient(x.as_ref(), plus.as_ref(), labels, loss)
                    .unwrap()
                    .1;
                let gm = loss_and_gradient(x.as_ref(), minus.as_ref(), labels, loss)
                    .unwrap()
                    .1;
                for k in 0..c {
                    for a in 0..d {
                        out[(k * d + a, l * d + b)] = (gp[(k, a)] - gm[(k, a)]) / (2.0 * h);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn hessian_matches_finite_differences() {
        let (x, w, labels) = small_problem();
        for loss in [Loss::Mse, Loss::Ce] {
            let exact = full_hessian(x.as_ref(), w.as_ref(), loss, Par::Seq).unwrap();
            let fd = finite_difference_hessian(&x, &w, &labels, loss);
            let mut worst: f64 = 0.0;
            for j in 0..exact.ncols() {
                for i in 0..exact.nrows() {
                    worst = worst.max((exact[(i, j)] - fd[(i, j)]).abs());
                }
            }
            // Central differences with step 1e-5 err by O(h²·|ℓ'''|) ≈ 1e-10 plus rounding
            // ε·|∇ℓ|/h ≈ 1e-11; 1e-8 leaves two orders of margin.
            assert!(worst < 1e-8, "{loss}: max |H − H_fd| = {worst:e}");
        }
    }

    /// Largest entry of |H_kl − (1/N) X diag(τ_kl) Xᵀ| for block (k, l) of the full Hessian `h`.
    fn block_difference(
        h: &Mat<f64>,
        x: &Mat<f64>,
        logits: &Mat<f64>,
        loss: Loss,
        (k, l): (usize, usize),
    ) -> f64 {
        let d = x.nrows();
        let tau = block_weights(loss, logits.as_ref(), k, l);
        let block = weighted_gram(x.as_ref(), &tau, Par::Seq);
        let mut worst: f64 = 0.0;
        for j in 0..d {
            for i in 0..d {
                worst = worst.max((h[(k * d + i, l * d + j)] - block[(i, j)]).abs());
            }
        }
        worst
    }

    #[test]
    fn full_hessian_blocks_are_weighted_grams() {
        let (x, w, _) = small_problem();
        let logits = &w * &x;
        for loss in [Loss::Mse, Loss::Ce] {
            for par in [Par::Seq, Par::rayon(2)] {
                let h = full_hessian(x.as_ref(), w.as_ref(), loss, par).unwrap();
                for k in 0..w.nrows() {
                    for l in 0..w.nrows() {
                        let worst = block_difference(&h, &x, &logits, loss, (k, l));
                        // Both sum the same N products in different orders: rounding only.
                        assert!(
                            worst < 1e-13,
                            "{loss} block ({k},{l}): max difference {worst:e}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ce_full_hessian_ignores_thread_count() {
        // d = 50 gives 1275 feature pairs, more than one chunk of rows; N = 300 gives two full
        // steps of samples and a short third one.
        let (d, n) = (50, 300);
        let x = Mat::<f64>::from_fn(d, n, |i, j| ((5 * i + 11 * j) as f64 * 0.377).sin());
        for classes in [1, 2, 5] {
            let w = Mat::<f64>::from_fn(classes, d, |i, j| {
                ((3 * i + 7 * j + 2) as f64 * 0.291).cos() * 0.5
            });
            let logits = &w * &x;
            let seq = full_hessian(x.as_ref(), w.as_ref(), Loss::Ce, Par::Seq).unwrap();
            for k in 0..classes {
                for l in 0..classes {
                    let worst = block_difference(&seq, &x, &logits, Loss::Ce, (k, l));
                    // The same N products summed in another order; entries are below 1 in size.
                    assert!(
                        worst < 1e-12,
                        "C = {classes}, block ({k},{l}): max difference {worst:e}"
                    );
                }
            }
            for threads in [2, 3] {
                let parallel =
                    full_hessian(x.as_ref(), w.as_ref(), Loss::Ce, Par::rayon(threads)).unwrap();
                assert!(
                    parallel == seq,
                    "C = {classes}: {threads} threads change the bits of the Hessian"
                );
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences_of_loss() {
        let (x, w, labels) = small_problem();
        for loss in [Loss::Mse, Loss::Ce] {
            let (_, g) = loss_and_gradient(x.as_ref(), w.as_ref(), &labels, loss).unwrap();
            let h = 1e-6;
            for (k, a) in [(0, 0), (1, 3), (2, 1)] {
                let mut plus = w.clone();
                let mut minus = w.clone();
                plus[(k, a)] += h;
                minus[(k, a)] -= h;
                let lp = loss_and_gradient(x.as_ref(), plus.as_ref(), &labels, loss)
                    .unwrap()
                    .0;
                let lm = loss_and_gradient(x.as_ref(), minus.as_ref(), &labels, loss)
                    .unwrap()
                    .0;
                let fd = (lp - lm) / (2.0 * h);
                assert!(
                    (fd - g[(k, a)]).abs() < 1e-8,
                    "{loss} ({k},{a}): {fd} vs {}",
                    g[(k, a)]
                );
            }
        }
    }

    #[test]
    fn mse_off_diagonal_blocks_are_exactly_zero() {
        let (x, w, _) = small_problem();
        let h = full_hessian(x.as_ref(), w.as_ref(), Loss::Mse, Par::Seq).unwrap();
        let d = x.nrows();
        for i in 0..d {
            for j in 0..d {
                assert_eq!(h[(i, d + j)], 0.0);
            }
        }
    }

    #[test]
    fn ce_weights_of_a_sample_sum_to_zero_over_l() {
        // Σ_l τ_kl = p_k − p_k Σ_l p_l = 0: the softmax Hessian annihilates the all-ones vector.
        let (x, w, _) = small_problem();
        let probs = softmax_columns((&w * &x).as_ref());
        for k in 0..w.nrows() {
            let total: Vec<f64> = (0..x.ncols())
                .map(|i| {
                    (0..w.nrows())
                        .map(|l| weights_from_probs(probs.as_ref(), k, l)[i])
                        .sum()
                })
                .collect();
            assert!(total.iter().all(|t| t.abs() < 1e-15), "{total:?}");
        }
    }
}

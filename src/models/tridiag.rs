//! Blocked reduction of a symmetric matrix to tridiagonal form, for eigenvalues only.
//!
//! # Method
//!
//! A = Q T Qᵀ with Q a product of Householder reflections H_j = I − τ_j v_j v_jᵀ and T tridiagonal.
//! Reflecting column j and then the trailing matrix from both sides costs one symmetric
//! matrix–vector product p = τ A₂₂ v and one rank-2 update A₂₂ ← A₂₂ − v wᵀ − w vᵀ, with
//! w = p − ½ τ (pᵀv) v. Done column by column (faer's `tridiag_in_place`), every column reads and
//! writes the whole trailing triangle, so the reduction is bound by memory traffic.
//!
//! This module delays the rank-2 updates, as LAPACK's `dsytrd` does: over a panel of
//! [`PANEL`] columns it keeps the vectors v and w in two tall matrices V and W and corrects each
//! product with them, A₂₂ v = A₂₂⁽⁰⁾ v − V (Wᵀ v) − W (Vᵀ v), where A₂₂⁽⁰⁾ is the trailing matrix as it
//! stood when the panel began. After the panel, one triangular product applies
//! A₂₂ ← A₂₂ − V Wᵀ − W Vᵀ. So each column only reads the trailing triangle once (in
//! [`symv_lower`], fused, one pass) and half of the flops run in a matrix–matrix product.
//!
//! The reflections themselves are discarded: only the diagonal and subdiagonal of T are kept, and
//! the root-free QL iteration of [`tridiagonal_eigenvalues`] gives their eigenvalues.
//!
//! # Determinism
//!
//! The symmetric products split the columns into a number of parts fixed by `Par`, each part
//! summed on one thread into its own vector and the parts added in order. So the result depends on
//! the requested `Par::rayon(k)`, not on how many threads the pool has.
//!
//! # Accuracy
//!
//! Backward stable like any Householder tridiagonalisation: the computed eigenvalues are exact
//! for A + E with ‖E‖ ≤ c n ε ‖A‖. The tests compare with faer's one-stage reduction.
//!
//! # References
//!
//! - Dongarra, Sorensen, Hammarling, "Block reduction of matrices to condensed forms for
//!   eigenvalue computations", J. Comput. Appl. Math. 27 (1989) 215–227,
//!   doi:10.1016/0377-0427(89)90367-1.
//! - Golub, Van Loan, *Matrix Computations*, 4th ed., §8.3.1 (Householder tridiagonalisation).

use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::linalg::matmul::matmul;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::{Accum, Col, Mat, MatMut, MatRef, Par};

/// Columns per panel: the inner dimension of the delayed rank-2k update. 32 keeps the panel's V and
/// W in cache and the update near faer's matrix-product speed.
pub const PANEL: usize = 32;

/// Below this many entries in the trailing triangle a symmetric product runs on one thread: the
/// cost of waking a second thread then exceeds the product.
const PARALLEL_ENTRIES: usize = 64 * 1024;

/// Diagonal and subdiagonal of the tridiagonal matrix T similar to the symmetric matrix whose lower
/// triangle is `lower`. The subdiagonal has length n − 1 (empty for n = 0).
///
/// # Panics
/// If `lower` is not square.
pub fn tridiagonal(lower: MatRef<'_, f64>, par: Par) -> (Vec<f64>, Vec<f64>) {
    let n = lower.nrows();
    assert_eq!(n, lower.ncols(), "tridiagonal form of a square matrix");
    let mut a = Mat::<f64>::zeros(n, n);
    a.copy_from_triangular_lower(lower);
    let mut diag = vec![0.0; n];
    let mut subdiag = vec![0.0; n.saturating_sub(1)];
    let parts = match par {
        Par::Seq => 1,
        Par::Rayon(k) => k.get(),
    };

    let mut start = 0;
    while start < n {
        let width = PANEL.min(n - start);
        reduce_panel(a.as_mut(), start, width, parts, &mut diag, &mut subdiag);
        start += width;
    }
    (diag, subdiag)
}

/// Eigenvalues, nondecreasing, of the symmetric matrix whose lower triangle is `lower`: the blocked
/// reduction of this module, then [`tridiagonal_eigenvalues`].
///
/// # Errors
/// [`NoConvergence`] if the QL iteration does not converge.
///
/// # Panics
/// If `lower` is not square.
pub fn eigenvalues(lower: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>, NoConvergence> {
    let (diag, subdiag) = tridiagonal(lower, par);
    tridiagonal_eigenvalues(diag, &subdiag)
}

/// The QL iteration of [`tridiagonal_eigenvalues`] ran out of its budget of 30 sweeps per
/// eigenvalue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the tridiagonal QL iteration did not converge for a matrix of size {n}")]
pub struct NoConvergence {
    /// Size of the matrix.
    pub n: usize,
}

/// Eigenvalues, nondecreasing, of the symmetric tridiagonal matrix with diagonal `diag` and
/// subdiagonal `subdiag` (length n − 1).
///
/// # Method
///
/// The root-free QL iteration of Pal, Walker and Kahan, as in LAPACK's `dsterf`: it works on the
/// squares of the subdiagonal, so one step needs no square root and costs about 15 flops per row,
/// against about 30 flops and a `hypot` for a QL step with Givens rotations. The matrix is first
/// split where a subdiagonal entry is negligible, |e_i| ≤ ε √|d_i d_{i+1}|, and each block is
/// scaled to have largest entry 1, so that squaring cannot overflow or underflow. A block whose
/// last diagonal entry is smaller in magnitude than its first is reversed, so that QL chases the
/// small end (the QR direction of `dsterf`).
///
/// # Accuracy
///
/// The eigenvalues are those of a matrix within a few n ε ‖T‖ of T (Wilkinson shift, backward
/// stable rotations).
///
/// # Errors
/// [`NoConvergence`] after 30 n sweeps.
///
/// # Panics
/// If `subdiag.len() + 1 != diag.len()` for a nonempty `diag`.
///
/// # References
///
/// - B. N. Parlett, *The Symmetric Eigenvalue Problem*, SIAM 1998, §8.15 (root-free QL).
/// - E. Anderson et al., *LAPACK Users' Guide*, 3rd ed., SIAM 1999 (`dsterf`).
pub fn tridiagonal_eigenvalues(
    mut diag: Vec<f64>,
    subdiag: &[f64],
) -> Result<Vec<f64>, NoConvergence> {
    let n = diag.len();
    if n == 0 {
        return Ok(diag);
    }
    assert_eq!(subdiag.len() + 1, n, "the subdiagonal has n − 1 entries");
    let mut budget = 30 * n;

    let mut first = 0;
    while first < n {
        // The unreduced block first..=last ends at the first negligible subdiagonal entry.
        let mut last = first;
        while last + 1 < n {
            let e = subdiag[last].abs();
            if e <= f64::EPSILON * diag[last].abs().sqrt() * diag[last + 1].abs().sqrt() {
                break;
            }
            last += 1;
        }
        let block = first..last + 1;
        first = last + 1;
        if block.len() == 1 {
            continue;
        }

        let scale = diag[block.clone()]
            .iter()
            .chain(&subdiag[block.start..block.end - 1])
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        if scale == 0.0 {
            continue;
        }
        let mut d: Vec<f64> = diag[block.clone()].iter().map(|x| x / scale).collect();
        let mut e2: Vec<f64> = subdiag[block.start..block.end - 1]
            .iter()
            .map(|x| (x / scale).powi(2))
            .collect();
        if d[d.len() - 1].abs() < d[0].abs() {
            d.reverse();
            e2.reverse();
        }
        root_free_ql(&mut d, &mut e2, &mut budget).map_err(|()| NoConvergence { n })?;
        for (slot, value) in diag[block].iter_mut().zip(d) {
            *slot = value * scale;
        }
    }
    diag.sort_by(f64::total_cmp);
    Ok(diag)
}

/// Runs the root-free QL iteration on one block, diagonal `d` and squared subdiagonal `e2`,
/// leaving the eigenvalues in `d`. Spends one unit of `budget` per sweep.
fn root_free_ql(d: &mut [f64], e2: &mut [f64], budget: &mut usize) -> Result<(), ()> {
    let eps2 = f64::EPSILON * f64::EPSILON;
    let end = d.len() - 1;
    let mut l = 0;
    while l <= end {
        // m: the first negligible subdiagonal entry at or after l (end if none), so that rows
        // l..=m form an unreduced block.
        let mut m = l;
        while m < end && e2[m].abs() > eps2 * (d[m] * d[m + 1]).abs() {
            m += 1;
        }
        if m < end {
            e2[m] = 0.0;
        }
        if m == l {
            l += 1;
            continue;
        }
        if m == l + 1 {
            (d[l], d[l + 1]) = symmetric_2x2_eigenvalues(d[l], e2[l].sqrt(), d[l + 1]);
            e2[l] = 0.0;
            l += 2;
            continue;
        }
        if *budget == 0 {
            return Err(());
        }
        *budget -= 1;

        // Wilkinson shift from the leading 2×2 block: its eigenvalue closer to d[l].
        let rte = e2[l].sqrt();
        let t = (d[l + 1] - d[l]) / (2.0 * rte);
        let sigma = d[l] - rte / (t + t.hypot(1.0).copysign(t));

        // One implicit QL sweep from row m up to row l, carrying c², s² and γ instead of the
        // rotations themselves.
        let (mut c, mut s) = (1.0, 0.0);
        let mut gamma = d[m] - sigma;
        let mut p = gamma * gamma;
        for i in (l..m).rev() {
            let bb = e2[i];
            let r = p + bb;
            if i + 1 != m {
                e2[i + 1] = s * r;
            }
            let old_c = c;
            c = p / r;
            s = bb / r;
            let old_gamma = gamma;
            let alpha = d[i];
            gamma = c * (alpha - sigma) - s * old_gamma;
            d[i + 1] = old_gamma + (alpha - gamma);
            p = if c == 0.0 { old_c * bb } else { gamma * gamma / c };
        }
        e2[l] = s * p;
        d[l] = sigma + gamma;
    }
    Ok(())
}

/// Eigenvalues of the symmetric matrix [[a, b], [b, c]], the larger in magnitude first, without
/// cancellation in the smaller one.
fn symmetric_2x2_eigenvalues(a: f64, b: f64, c: f64) -> (f64, f64) {
    let sum = a + c;
    let radius = (a - c).hypot(2.0 * b);
    let (big, small) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    if sum == 0.0 {
        return (0.5 * radius, -0.5 * radius);
    }
    let first = 0.5 * (sum + radius.copysign(sum));
    // The product of the eigenvalues is ac − b²; dividing by the larger one keeps the smaller
    // accurate.
    let second = (big / first) * small - (b / first) * b;
    (first, second)
}

/// Reduces columns `start .. start + width` of `a` (lower triangle, trailing matrix not yet updated
/// for this panel), writes their diagonal and subdiagonal entries, and applies the panel's rank-2k
/// update to the trailing triangle.
fn reduce_panel(
    mut a: MatMut<'_, f64>,
    start: usize,
    width: usize,
    parts: usize,
    diag: &mut [f64],
    subdiag: &mut [f64],
) {
    let n = a.nrows();
    let rows = n - start;
    // Row r of V and W stands for row start + r of A; rows above a column's reflector stay zero.
    let mut v = Mat::<f64>::zeros(rows, width);
    let mut w = Mat::<f64>::zeros(rows, width);
    let mut coeffs = Col::<f64>::zeros(2 * width);

    for i in 0..width {
        let j = start + i;
        // Bring column j up to date: A[j.., j] −= V[j.., :i] W[j, :i]ᵀ + W[j.., :i] V[j, :i]ᵀ.
        if i > 0 {
            let mut column = a.rb_mut().col_mut(j).subrows_mut(j, rows - i);
            for (left, right) in [(&v, &w), (&w, &v)] {
                matmul(
                    column.rb_mut(),
                    Accum::Add,
                    left.as_ref().submatrix(i, 0, rows - i, i),
                    right.as_ref().row(i).subcols(0, i).transpose(),
                    -1.0,
                    Par::Seq,
                );
            }
        }
        diag[j] = a[(j, j)];
        if j + 1 == n {
            break;
        }

        // Reflector that maps A[j+1.., j] onto a multiple of e₁; v is kept in column i of V.
        let below = rows - i - 1;
        let mut x = v.as_mut().col_mut(i).subrows_mut(i + 1, below);
        x.copy_from(a.rb().col(j).subrows(j + 1, below));
        let (tau, beta) = householder(contiguous_mut(x.rb_mut()));
        subdiag[j] = beta;
        let x = v.as_ref().col(i).subrows(i + 1, below);

        // p = τ (A₂₂⁽⁰⁾ v − V (Wᵀ v) − W (Vᵀ v)) over rows j+1.., with A₂₂⁽⁰⁾ the stored trailing
        // triangle.
        let trailing = a.rb().submatrix(j + 1, j + 1, below, below);
        let mut p = w.as_mut().col_mut(i).subrows_mut(i + 1, below);
        symv_lower(trailing, contiguous(x), contiguous_mut(p.rb_mut()), parts);
        if i > 0 {
            let vb = v.as_ref().submatrix(i + 1, 0, below, i);
            let (w_done, mut w_now) = w.as_mut().split_at_col_mut(i);
            let wb = w_done.rb().subrows(i + 1, below);
            let mut coeffs = coeffs.as_mut().subrows_mut(0, 2 * i);
            let (mut wv, mut vv) = coeffs.rb_mut().split_at_row_mut(i);
            matmul(wv.rb_mut(), Accum::Replace, wb.transpose(), x, 1.0, Par::Seq);
            matmul(vv.rb_mut(), Accum::Replace, vb.transpose(), x, 1.0, Par::Seq);
            let mut p = w_now.rb_mut().col_mut(0).subrows_mut(i + 1, below);
            matmul(p.rb_mut(), Accum::Add, vb, wv.rb(), -1.0, Par::Seq);
            matmul(p.rb_mut(), Accum::Add, wb, vv.rb(), -1.0, Par::Seq);
        }

        // w = p − ½ τ (pᵀ v) v, with p scaled by τ first.
        let p = contiguous_mut(w.as_mut().col_mut(i).subrows_mut(i + 1, below));
        let x = contiguous(x);
        let mut dot = 0.0;
        for (pr, xr) in p.iter_mut().zip(x) {
            *pr *= tau;
            dot += *pr * xr;
        }
        let alpha = -0.5 * tau * dot;
        for (pr, xr) in p.iter_mut().zip(x) {
            *pr += alpha * xr;
        }
    }

    // The delayed update of the rows and columns after the panel: A₂₂ −= V Wᵀ + W Vᵀ.
    let end = start + width;
    if end < n {
        let tail = n - end;
        // [V W] [W V]ᵀ = V Wᵀ + W Vᵀ, as one product of inner dimension 2 · width.
        let left = Mat::<f64>::from_fn(tail, 2 * width, |r, c| {
            if c < width { v[(width + r, c)] } else { w[(width + r, c - width)] }
        });
        let right = Mat::<f64>::from_fn(tail, 2 * width, |r, c| {
            if c < width { w[(width + r, c)] } else { v[(width + r, c - width)] }
        });
        let par = if parts > 1 && tail * tail / 2 >= PARALLEL_ENTRIES {
            Par::rayon(parts)
        } else {
            Par::Seq
        };
        triangular_matmul(
            a.submatrix_mut(end, end, tail, tail),
            BlockStructure::TriangularLower,
            Accum::Add,
            left.as_ref(),
            BlockStructure::Rectangular,
            right.as_ref().transpose(),
            BlockStructure::Rectangular,
            -1.0,
            par,
        );
    }
}

/// Turns `x` into the Householder vector v (with v₀ = 1) of the reflection H = I − τ v vᵀ with
/// H x = β e₁, and returns (τ, β). A zero tail gives τ = 0 (H = I) and β = x₀.
fn householder(x: &mut [f64]) -> (f64, f64) {
    let Some((&head, tail)) = x.split_first() else {
        return (0.0, 0.0);
    };
    let tail_norm = faer::ColRef::from_slice(tail).norm_l2();
    if tail_norm == 0.0 {
        x[0] = 1.0;
        return (0.0, head);
    }
    // β takes the sign opposite to x₀ so that x₀ − β does not cancel.
    let beta = -head.signum() * head.hypot(tail_norm);
    let tau = (beta - head) / beta;
    let scale = 1.0 / (head - beta);
    x[0] = 1.0;
    for value in &mut x[1..] {
        *value *= scale;
    }
    (tau, beta)
}

fn contiguous(x: faer::ColRef<'_, f64>) -> &[f64] {
    x.try_as_col_major()
        .expect("columns of a faer Mat are contiguous")
        .as_slice()
}

fn contiguous_mut(x: faer::ColMut<'_, f64>) -> &mut [f64] {
    x.try_as_col_major_mut()
        .expect("columns of a faer Mat are contiguous")
        .as_slice_mut()
}

/// y = A x for the symmetric m×m matrix A whose lower triangle is `a`, in one pass over that
/// triangle, split into `parts` column ranges of equal area.
fn symv_lower(a: MatRef<'_, f64>, x: &[f64], y: &mut [f64], parts: usize) {
    let m = a.nrows();
    let parts = if m * m / 2 < PARALLEL_ENTRIES {
        1
    } else {
        parts.max(1)
    };
    // Column c of the lower triangle holds m − c entries; the first k parts take the columns
    // before m (1 − √(1 − k/parts)), which hold k/parts of the triangle.
    let bound = |k: usize| {
        let share = k as f64 / parts as f64;
        ((1.0 - (1.0 - share).sqrt()) * m as f64).round() as usize
    };
    if parts == 1 {
        y.fill(0.0);
        symv_columns(a, x, y, 0, m);
        return;
    }
    let mut partial = vec![vec![0.0; m]; parts];
    rayon::scope(|scope| {
        for (k, out) in partial.iter_mut().enumerate() {
            let (first, last) = (bound(k), bound(k + 1));
            scope.spawn(move |_| symv_columns(a, x, out, first, last));
        }
    });
    y.fill(0.0);
    for out in &partial {
        for (total, value) in y.iter_mut().zip(out) {
            *total += value;
        }
    }
}

/// Adds to `y` the contribution of columns `first .. last` of the lower triangle `a` to A x, under
/// the widest vector instructions the processor has.
fn symv_columns(a: MatRef<'_, f64>, x: &[f64], y: &mut [f64], first: usize, last: usize) {
    pulp::Arch::new().dispatch(SymvColumns {
        a,
        x,
        y,
        first,
        last,
    });
}

struct SymvColumns<'a> {
    a: MatRef<'a, f64>,
    x: &'a [f64],
    y: &'a mut [f64],
    first: usize,
    last: usize,
}

impl pulp::WithSimd for SymvColumns<'_> {
    type Output = ();

    // Inlined into pulp's dispatch, so the loops below compile with the detected instruction set.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Self {
            a,
            x,
            y,
            first,
            last,
        } = self;
        let zero = simd.splat_f64s(0.0);
        for c in first..last {
            let column = contiguous(a.col(c));
            let xc = x[c];
            let (a_vec, a_tail) = S::as_simd_f64s(&column[c + 1..]);
            let (x_vec, x_tail) = S::as_simd_f64s(&x[c + 1..]);
            let (y_vec, y_tail) = S::as_mut_simd_f64s(&mut y[c + 1..]);

            // One pass over the column does both halves of the symmetric product: the column
            // times x_c into y below the diagonal (axpy), and the column dotted with x into y_c.
            // Two accumulators hide the latency of the fused multiply-add.
            let xc_vec = simd.splat_f64s(xc);
            let (mut sum0, mut sum1) = (zero, zero);
            let mut a_pairs = a_vec.chunks_exact(2);
            let mut x_pairs = x_vec.chunks_exact(2);
            let mut y_pairs = y_vec.chunks_exact_mut(2);
            for ((ap, xp), yp) in (&mut a_pairs).zip(&mut x_pairs).zip(&mut y_pairs) {
                yp[0] = simd.mul_add_e_f64s(ap[0], xc_vec, yp[0]);
                yp[1] = simd.mul_add_e_f64s(ap[1], xc_vec, yp[1]);
                sum0 = simd.mul_add_e_f64s(ap[0], xp[0], sum0);
                sum1 = simd.mul_add_e_f64s(ap[1], xp[1], sum1);
            }
            for ((av, xv), yv) in a_pairs
                .remainder()
                .iter()
                .zip(x_pairs.remainder())
                .zip(y_pairs.into_remainder())
            {
                *yv = simd.mul_add_e_f64s(*av, xc_vec, *yv);
                sum0 = simd.mul_add_e_f64s(*av, *xv, sum0);
            }
            let mut dot = column[c] * xc + simd.reduce_sum_f64s(simd.add_f64s(sum0, sum1));
            for ((av, xv), yv) in a_tail.iter().zip(x_tail).zip(y_tail) {
                *yv += av * xc;
                dot += av * xv;
            }
            y[c] += dot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::eigen::symmetric_eigenvalues_faer;

    fn test_matrix(n: usize, seed: usize) -> Mat<f64> {
        Mat::<f64>::from_fn(n, n, |i, j| {
            (((i * 7919 + j * 104_729 + seed * 31) % 1009) as f64 / 504.5) - 1.0
        })
    }

    #[test]
    fn symv_matches_the_dense_product() {
        for (m, parts) in [(1, 1), (5, 1), (37, 1), (400, 2), (401, 3)] {
            let a = test_matrix(m, 1);
            let x: Vec<f64> = (0..m).map(|i| (i as f64 * 0.37).sin()).collect();
            let mut y = vec![f64::NAN; m];
            symv_lower(a.as_ref(), &x, &mut y, parts);
            for r in 0..m {
                let exact: f64 = (0..m)
                    .map(|c| {
                        let entry = if r >= c { a[(r, c)] } else { a[(c, r)] };
                        entry * x[c]
                    })
                    .sum();
                assert!(
                    (y[r] - exact).abs() < 1e-12 * m as f64,
                    "m {m}, parts {parts}, row {r}: {} vs {exact}",
                    y[r]
                );
            }
        }
    }

    #[test]
    fn eigenvalues_agree_with_faer() {
        // Sizes below, at and across panel boundaries; both reductions are backward stable, so
        // they agree to a small multiple of n ε ‖A‖ (‖A‖ ≤ n here, entries in [−1, 1]).
        for n in [0, 1, 2, 3, 31, 32, 33, 64, 65, 150, 300] {
            for par in [Par::Seq, Par::rayon(2)] {
                let a = test_matrix(n, n);
                let ours = eigenvalues(a.as_ref(), par).unwrap();
                let theirs = symmetric_eigenvalues_faer(a.as_ref(), Par::Seq).unwrap();
                let tolerance = 64.0 * (n as f64).powi(2) * f64::EPSILON;
                for (k, (x, y)) in ours.iter().zip(&theirs).enumerate() {
                    assert!(
                        (x - y).abs() <= tolerance,
                        "n {n}, {par:?}, eigenvalue {k}: {x} vs {y}, tolerance {tolerance:e}"
                    );
                }
                assert_eq!(ours.len(), n);
            }
        }
    }

    /// faer's QR iteration with Givens rotations on the same tridiagonal matrix.
    fn faer_tridiagonal(diag: &[f64], subdiag: &[f64]) -> Vec<f64> {
        let n = diag.len();
        let d = Col::<f64>::from_fn(n, |i| diag[i]);
        let e = Col::<f64>::from_fn(n, |i| if i + 1 < n { subdiag[i] } else { 0.0 });
        let mut values = Col::<f64>::zeros(n);
        let scratch = faer::linalg::evd::self_adjoint_evd_scratch::<f64>(
            n,
            faer::linalg::evd::ComputeEigenvectors::No,
            Par::Seq,
            Default::default(),
        );
        let mut buffer = faer::dyn_stack::MemBuffer::new(scratch);
        faer::linalg::evd::tridiagonal_self_adjoint_evd(
            d.as_diagonal(),
            e.as_diagonal(),
            values.as_diagonal_mut(),
            None,
            Par::Seq,
            faer::dyn_stack::MemStack::new(&mut buffer),
            Default::default(),
        )
        .unwrap();
        let mut values: Vec<f64> = values.iter().copied().collect();
        values.sort_by(f64::total_cmp);
        values
    }

    #[test]
    fn tridiagonal_eigenvalues_agree_with_givens_qr() {
        // Random entries, a graded diagonal over 12 decades, zero subdiagonal entries that split
        // the matrix, a zero block, and a huge scale that would overflow if squared unscaled.
        let n = 257;
        let wave = |i: usize, k: f64| ((i as f64 * k).sin() * 1e4).fract();
        let cases: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
            ("random", (0..n).map(|i| wave(i, 0.7)).collect(), (1..n).map(|i| wave(i, 1.3)).collect()),
            (
                "graded",
                (0..n).map(|i| 10f64.powf(-12.0 * i as f64 / n as f64)).collect(),
                (1..n).map(|i| 0.5 * 10f64.powf(-12.0 * i as f64 / n as f64)).collect(),
            ),
            (
                "split",
                (0..n).map(|i| wave(i, 0.3)).collect(),
                (1..n).map(|i| if i % 17 == 0 { 0.0 } else { wave(i, 2.1) }).collect(),
            ),
            ("zero", vec![0.0; n], vec![0.0; n - 1]),
            (
                "huge",
                (0..n).map(|i| 1e200 * wave(i, 0.9)).collect(),
                (1..n).map(|i| 1e200 * wave(i, 0.4)).collect(),
            ),
        ];
        for (name, diag, subdiag) in cases {
            let norm = diag.iter().chain(&subdiag).fold(0.0_f64, |m, x| m.max(x.abs()));
            let ours = tridiagonal_eigenvalues(diag.clone(), &subdiag).unwrap();
            let theirs = faer_tridiagonal(&diag, &subdiag);
            // Both are backward stable: each eigenvalue moves by at most a few n ε ‖T‖.
            let tolerance = 8.0 * n as f64 * f64::EPSILON * 3.0 * norm;
            for (k, (x, y)) in ours.iter().zip(&theirs).enumerate() {
                assert!(
                    (x - y).abs() <= tolerance,
                    "{name}, eigenvalue {k}: {x:e} vs {y:e}, tolerance {tolerance:e}"
                );
            }
        }
    }

    #[test]
    fn toeplitz_tridiagonal_has_cosine_eigenvalues() {
        // T = tridiag(−1, 2, −1) of size n has eigenvalues 2 − 2 cos(kπ/(n+1)).
        for n in [1, 2, 3, 10, 500] {
            let values = tridiagonal_eigenvalues(vec![2.0; n], &vec![-1.0; n - 1]).unwrap();
            for (k, value) in values.iter().enumerate() {
                let exact = 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
                assert!(
                    (value - exact).abs() <= 16.0 * n as f64 * f64::EPSILON,
                    "n {n}, k {k}: {value} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn diagonal_input_is_returned_sorted() {
        let n = 40;
        let a = Mat::<f64>::from_fn(n, n, |i, j| if i == j { (n - i) as f64 } else { 0.0 });
        let values = eigenvalues(a.as_ref(), Par::Seq).unwrap();
        // The QR step scales by the largest entry and back, which may move the last bit.
        for (k, value) in values.iter().enumerate() {
            let exact = (k + 1) as f64;
            assert!(
                (value - exact).abs() <= 2.0 * f64::EPSILON * exact,
                "eigenvalue {k}: {value} vs {exact}"
            );
        }
    }
}

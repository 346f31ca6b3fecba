//! Two-stage reduction of a symmetric matrix to tridiagonal form, and the eigenvalues of the
//! result. Eigenvalues only: no reflection is kept.
//!
//! # Why two stages
//!
//! The classical reduction (LAPACK's `dsytrd`, faer's `tridiag_in_place`) spends half its
//! 4n³/3 flops in one symmetric matrix–vector product per column, each reading the whole trailing
//! triangle. Beyond the last-level cache that is bound by memory bandwidth: measured here, faer's
//! reduction of a 4000×4000 matrix took 6.4 s on two threads, nearly all of it in those products.
//!
//! # Method
//!
//! 1. **Dense to band** (`reduce_to_band`). For each panel of b columns, a Householder QR of the
//!    part below the band, Q = I − V T Vᵀ, leaves R in the band and zeros below it, and the
//!    trailing matrix is updated from both sides, A₂₂ ← Qᵀ A₂₂ Q = A₂₂ − V Wᵀ − W Vᵀ with
//!    X = A₂₂ V T and W = X − ½ V (Tᵀ (Vᵀ X)). Both the product A₂₂ V and the update are
//!    matrix–matrix products with inner dimension b or 2b, so they run near faer's matrix-product
//!    speed and read the trailing triangle a few times per panel instead of once per column.
//! 2. **Band to tridiagonal** (`band_to_tridiagonal`). Bulge chasing with reflectors of length
//!    b, one sweep per column; each step works on two b×b blocks that stay in cache. The band is
//!    first copied to compact storage, 2b + 1 entries per column, so a step's blocks are one
//!    contiguous run of 2b² entries, and the kernel is compiled for a fixed b. It costs about
//!    6 b n² flops.
//! 3. **Tridiagonal eigenvalues** ([`tridiagonal_eigenvalues`]): the root-free QL iteration.
//!
//! The half-width b comes from [`band_width`].
//!
//! # Determinism
//!
//! Every matrix product of stage 1 is cut into pieces of fixed shape, and each piece is one
//! sequential faer product. The rank-2b update is cut into column strips with `Par::rayon(k)`,
//! k ≥ 2, and left whole with `Par::Seq` (see [`super::lower`]). The product A₂₂ V is cut in two
//! halves with k ≥ 2 and left whole with `Par::Seq`. Stages 2 and 3 run on one thread. So the result depends on n and
//! on whether k ≥ 2, never on the pool's thread count. The same inputs give the same bits on any
//! machine with the same instruction set.
//!
//! # Accuracy
//!
//! Backward stable like any reduction by orthogonal similarities: the computed eigenvalues are
//! exact for A + E with ‖E‖ ≤ c n ε ‖A‖. The tests compare with faer's one-stage reduction.
//!
//! # References
//!
//! - C. H. Bischof, B. Lang, X. Sun, "A framework for symmetric band reduction", ACM Trans. Math.
//!   Softw. 26 (2000) 581–601.
//! - A. Haidar, H. Ltaief, J. Dongarra, "Parallel reduction to condensed forms for symmetric
//!   eigenvalue problems using aggregated fine-grained and memory-aware kernels", SC'11 (2011).
//! - Golub, Van Loan, *Matrix Computations*, 4th ed., §5.1 (Householder reflections, the
//!   compact WY form) and §8.3.1 (tridiagonalisation).

use faer::linalg::matmul::matmul;
use faer::reborrow::{IntoConst, Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::lower::{PARALLEL_ENTRIES, clear_vector_state, lower_product, mirror_lower, product};

/// Half-width of the intermediate band for an n×n matrix, which is also the panel width of
/// stage 1: 16 at every size.
///
/// Stage 1's matrix products have inner dimension b (and 2b) and run faster for larger b; stage
/// 2 costs about 6 b n² flops. With the general bulge-chasing kernel, b = 32 was faster above
/// n ≈ 1500. With the fixed-size kernel, measured on one thread of the 2-core Xeon, b = 16 wins
/// at n = 1000 (47 ms against 53 ms with b = 32), at n = 2000 (0.29 s against 0.30 s) and at
/// n = 4000 (1.86 s against 1.92 s); on two threads, eigenvalues at n = 4000 take the same time
/// with either.
pub fn band_width(_n: usize) -> usize {
    16
}

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
    tridiagonal_in_place(a.as_mut(), par)
}

/// [`tridiagonal`] of the symmetric matrix whose lower triangle is stored in `a`, working in `a`
/// itself: the same bits, without the copy. The strict upper triangle is never read, but `a` is
/// workspace: both triangles are overwritten.
///
/// # Panics
/// If `a` is not square.
pub fn tridiagonal_in_place(mut a: MatMut<'_, f64>, par: Par) -> (Vec<f64>, Vec<f64>) {
    let n = a.nrows();
    assert_eq!(n, a.ncols(), "tridiagonal form of a square matrix");
    let parts = match par {
        Par::Seq => 1,
        Par::Rayon(k) => k.get(),
    };
    let band = band_width(n);
    reduce_to_band(a.rb_mut(), band, parts);
    band_to_tridiagonal(a.rb(), band)
}

/// Eigenvalues, nondecreasing, of the symmetric matrix whose lower triangle is `lower`: the two-stage
/// reduction of this module, then [`tridiagonal_eigenvalues`].
///
/// # Errors
/// [`NoConvergence`] if an entry is NaN or infinite, or the QL iteration does not converge.
///
/// # Panics
/// If `lower` is not square.
pub fn eigenvalues(lower: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>, NoConvergence> {
    let (diag, subdiag) = tridiagonal(lower, par);
    tridiagonal_eigenvalues(diag, &subdiag)
}

/// [`tridiagonal_eigenvalues`] failed: an entry is NaN or infinite, or the QL iteration ran out of
/// its budget of 30 sweeps per eigenvalue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the tridiagonal QL iteration failed for a matrix of size {n}: an entry is NaN or infinite, or it did not converge"
)]
pub struct NoConvergence {
    /// Size of the matrix.
    pub n: usize,
}

/// Eigenvalues, nondecreasing, of the symmetric tridiagonal matrix with diagonal `diag` and
/// subdiagonal `subdiag` (length n − 1).
///
/// # Method
///
/// The root-free QL iteration of Pal, Walker and Kahan, as in LAPACK's `dsterf`. It works on the
/// squares of the subdiagonal, so one step needs no square root. By our count a step costs about
/// 15 flops per row, against about 30 flops and a `hypot` for a QL step with Givens rotations.
/// The matrix is first
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
/// [`NoConvergence`] after 30 sweeps per row of an unreduced block, or at once if an entry is NaN
/// or infinite.
///
/// # Panics
/// If `subdiag.len() + 1 != diag.len()` for a nonempty `diag`.
///
/// # References
///
/// - B. N. Parlett, *The Symmetric Eigenvalue Problem*, SIAM 1998, §8.15 (root-free QL).
/// - E. Anderson et al., *LAPACK Users' Guide*, 3rd ed., SIAM 1999 (`dsterf`).
pub fn tridiagonal_eigenvalues(diag: Vec<f64>, subdiag: &[f64]) -> Result<Vec<f64>, NoConvergence> {
    let mut values = tridiagonal_eigenvalues_of_many(vec![(diag, subdiag.to_vec())])?;
    Ok(values.pop().expect("one matrix in, one spectrum out"))
}

/// [`tridiagonal_eigenvalues`] of several matrices, each given as (diagonal, subdiagonal): the
/// same bits, in the same order, faster.
///
/// A step of the QL iteration waits for the step before it, through two divisions, so one
/// iteration leaves most of the processor idle. Here the unreduced blocks of all the matrices
/// are iterated two at a time, a step of one and a step of the other in turn, and the processor
/// overlaps them. Each block goes through exactly the arithmetic it would alone. Measured on the
/// 2-core Xeon at n = 1000, two matrices took 11.3 ms this way and 20.6 ms one after the other.
///
/// # Errors
/// [`NoConvergence`] (with the size of the matrix concerned) as for [`tridiagonal_eigenvalues`].
///
/// # Panics
/// If a subdiagonal does not have one entry less than its nonempty diagonal.
pub fn tridiagonal_eigenvalues_of_many(
    mut problems: Vec<(Vec<f64>, Vec<f64>)>,
) -> Result<Vec<Vec<f64>>, NoConvergence> {
    let mut blocks = Vec::new();
    for (index, (diag, subdiag)) in problems.iter().enumerate() {
        let n = diag.len();
        if n == 0 {
            continue;
        }
        assert_eq!(subdiag.len() + 1, n, "the subdiagonal has n − 1 entries");
        // A NaN would pass every convergence test and come out as an eigenvalue; an infinity has
        // no meaningful spectrum either. Both are reported as a failure.
        if !diag.iter().chain(subdiag).all(|x| x.is_finite()) {
            return Err(NoConvergence { n });
        }
        unreduced_blocks(index, diag, subdiag, &mut blocks);
    }
    iterate_in_pairs(&mut blocks).map_err(|block| NoConvergence {
        n: problems[blocks[block].problem].0.len(),
    })?;
    for block in blocks {
        // Reversed or not, the block's rows hold its eigenvalues, which are sorted below.
        let diag = &mut problems[block.problem].0;
        for (slot, value) in diag[block.start..].iter_mut().zip(block.ql.d) {
            *slot = value * block.scale;
        }
    }
    Ok(problems
        .into_iter()
        .map(|(mut diag, _)| {
            diag.sort_by(f64::total_cmp);
            diag
        })
        .collect())
}

/// An unreduced block of one of the matrices of [`tridiagonal_eigenvalues_of_many`], scaled and
/// possibly reversed, with its QL state.
struct Block {
    /// Index of the matrix it belongs to.
    problem: usize,
    /// Its first row in that matrix.
    start: usize,
    /// The largest magnitude of its entries, which the block was divided by.
    scale: f64,
    ql: RootFreeQl,
}

/// Appends to `blocks` the unreduced blocks of the matrix (`diag`, `subdiag`) with two rows or
/// more. The matrix splits where a subdiagonal entry is negligible, |e_i| ≤ ε √|d_i d_{i+1}|.
/// Each block is scaled to have largest entry 1, so that squaring cannot overflow or underflow.
/// It is reversed when its last diagonal entry is smaller in magnitude than its first, so that
/// QL chases the small end. Blocks of one row, and blocks of zeros, are their own eigenvalues.
fn unreduced_blocks(problem: usize, diag: &[f64], subdiag: &[f64], blocks: &mut Vec<Block>) {
    let n = diag.len();
    let mut first = 0;
    while first < n {
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
        let budget = 30 * d.len();
        blocks.push(Block {
            problem,
            start: block.start,
            scale,
            ql: RootFreeQl {
                d,
                e2,
                l: 0,
                budget,
            },
        });
    }
}

/// Runs the root-free QL iteration on every block, two blocks at a time, until each has its
/// eigenvalues in its diagonal.
///
/// # Errors
/// The index of a block that ran out of sweeps.
fn iterate_in_pairs(blocks: &mut [Block]) -> Result<(), usize> {
    // Each slot holds the index of a block that still needs sweeps. When that block converges,
    // the slot takes the next block not yet started.
    let mut slots: [Option<usize>; 2] = [None, None];
    let mut unstarted = 0..blocks.len();
    loop {
        let mut sweeps = [None, None];
        for (slot, sweep) in slots.iter_mut().zip(&mut sweeps) {
            while let Some(index) = slot.or_else(|| unstarted.next()) {
                *slot = Some(index);
                match blocks[index].ql.next_sweep() {
                    Ok(Some(next)) => {
                        *sweep = Some((index, next));
                        break;
                    }
                    Ok(None) => *slot = None,
                    Err(()) => return Err(index),
                }
            }
        }

        match sweeps {
            [None, None] => return Ok(()),
            [Some((index, sweep)), None] | [None, Some((index, sweep))] => {
                sweep.run(&mut blocks[index].ql);
            }
            [Some((i, first)), Some((j, second))] => {
                let (a, b) = two_mut(blocks, i, j);
                Sweep::run_pair(first, &mut a.ql, second, &mut b.ql);
            }
        }
    }
}

/// Returns mutable references to the distinct items i and j, in that order.
fn two_mut<T>(items: &mut [T], i: usize, j: usize) -> (&mut T, &mut T) {
    assert_ne!(i, j, "two distinct items");
    if i < j {
        let (head, tail) = items.split_at_mut(j);
        (&mut head[i], &mut tail[0])
    } else {
        let (head, tail) = items.split_at_mut(i);
        (&mut tail[0], &mut head[j])
    }
}

/// The root-free QL iteration on one block: diagonal `d` and squared subdiagonal `e2`. Rows
/// before `l` hold converged eigenvalues. One unit of `budget` goes to each sweep.
struct RootFreeQl {
    d: Vec<f64>,
    e2: Vec<f64>,
    l: usize,
    budget: usize,
}

impl RootFreeQl {
    /// Accepts the eigenvalues that have converged at the top of the active part and returns the
    /// next sweep, or `None` once every eigenvalue has converged.
    ///
    /// # Errors
    /// When the budget of sweeps is spent.
    fn next_sweep(&mut self) -> Result<Option<Sweep>, ()> {
        let eps2 = f64::EPSILON * f64::EPSILON;
        let (d, e2) = (&mut self.d, &mut self.e2);
        let end = d.len() - 1;
        let l = &mut self.l;
        while *l <= end {
            // m: the first negligible subdiagonal entry at or after l (end if none), so that
            // rows l..=m form an unreduced block.
            let mut m = *l;
            while m < end && e2[m].abs() > eps2 * (d[m] * d[m + 1]).abs() {
                m += 1;
            }
            if m < end {
                e2[m] = 0.0;
            }
            if m == *l {
                *l += 1;
                continue;
            }
            if m == *l + 1 {
                (d[*l], d[*l + 1]) = symmetric_2x2_eigenvalues(d[*l], e2[*l].sqrt(), d[*l + 1]);
                e2[*l] = 0.0;
                *l += 2;
                continue;
            }
            if self.budget == 0 {
                return Err(());
            }
            self.budget -= 1;

            // Wilkinson shift from the leading 2×2 block: its eigenvalue closer to d[l].
            let rte = e2[*l].sqrt();
            let t = (d[*l + 1] - d[*l]) / (2.0 * rte);
            let sigma = d[*l] - rte / (t + t.hypot(1.0).copysign(t));
            let gamma = d[m] - sigma;
            return Ok(Some(Sweep {
                l: *l,
                m,
                row: m,
                sigma,
                c: 1.0,
                s: 0.0,
                gamma,
                p: gamma * gamma,
            }));
        }
        Ok(None)
    }
}

/// One implicit QL sweep from row m up to row l, with shift σ, carrying c², s² and γ instead of
/// the rotations themselves. `row` is the row the next step moves into.
struct Sweep {
    l: usize,
    m: usize,
    row: usize,
    sigma: f64,
    c: f64,
    s: f64,
    gamma: f64,
    p: f64,
}

impl Sweep {
    /// Takes one step of the sweep, from `row` to `row` − 1.
    #[inline(always)]
    fn step(&mut self, d: &mut [f64], e2: &mut [f64]) {
        let i = self.row - 1;
        let bb = e2[i];
        let r = self.p + bb;
        if i + 1 != self.m {
            e2[i + 1] = self.s * r;
        }
        let old_c = self.c;
        self.c = self.p / r;
        self.s = bb / r;
        let old_gamma = self.gamma;
        let alpha = d[i];
        self.gamma = self.c * (alpha - self.sigma) - self.s * old_gamma;
        d[i + 1] = old_gamma + (alpha - self.gamma);
        self.p = if self.c == 0.0 {
            old_c * bb
        } else {
            self.gamma * self.gamma / self.c
        };
        self.row = i;
    }

    /// Stores the last row of the sweep.
    fn finish(&self, block: &mut RootFreeQl) {
        block.e2[self.l] = self.s * self.p;
        block.d[self.l] = self.sigma + self.gamma;
    }

    /// Runs the whole sweep on `block`.
    fn run(mut self, block: &mut RootFreeQl) {
        while self.row > self.l {
            self.step(&mut block.d, &mut block.e2);
        }
        self.finish(block);
    }

    /// Runs two sweeps on two blocks, one step of each in turn while both last.
    fn run_pair(mut first: Sweep, a: &mut RootFreeQl, mut second: Sweep, b: &mut RootFreeQl) {
        let common = (first.row - first.l).min(second.row - second.l);
        for _ in 0..common {
            first.step(&mut a.d, &mut a.e2);
            second.step(&mut b.d, &mut b.e2);
        }
        first.run(a);
        second.run(b);
    }
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

/// Stage 1: reduces `a` (lower triangle of a symmetric matrix) to a band of half-width `band`,
/// in place, one panel of `band` columns at a time. Entries below the band are set to zero.
fn reduce_to_band(mut a: MatMut<'_, f64>, band: usize, parts: usize) {
    let n = a.nrows();
    // Workspace for every panel, used from the top: [V W W V], so that [V W] and [W V] are the
    // two factors of the rank-2k update; X = A₂₂ V before it is multiplied by T.
    let mut factors = Mat::<f64>::zeros(n, 4 * band);
    let mut av = Mat::<f64>::zeros(n, band);
    let mut t = Mat::<f64>::zeros(band, band);
    let mut start = 0;
    while start + band + 1 < n {
        let rows = n - start - band;
        let mut f = factors.as_mut().subrows_mut(0, rows);
        // The panel A[start + band.., start .. start + band] becomes R (upper triangular) and
        // the Householder vectors go to V, with Q = I − V T Vᵀ.
        // A short last panel (fewer rows than columns) fills only part of V and T; the rest
        // must be zero, not left from the previous panel.
        f.rb_mut().subcols_mut(0, band).fill(0.0);
        t.fill(0.0);
        panel_qr(
            a.rb_mut().submatrix_mut(start + band, start, rows, band),
            f.rb_mut().subcols_mut(0, band),
            t.as_mut(),
        );

        // Two-sided update of the trailing matrix A₂₂ ← Qᵀ A₂₂ Q = A₂₂ − V Wᵀ − W Vᵀ, with
        // X = A₂₂ V T and W = X − ½ V (Tᵀ (Vᵀ X)).
        let trailing = start + band;
        let mut av = av.as_mut().subrows_mut(0, rows);
        let (vw, mut wv) = f.rb_mut().split_at_col_mut(2 * band);
        let (v, mut w) = vw.split_at_col_mut(band);
        let v = v.rb();
        symmetric_times(
            av.rb_mut(),
            a.rb_mut().submatrix_mut(trailing, trailing, rows, rows),
            v,
            parts,
        );
        matmul(
            w.rb_mut(),
            Accum::Replace,
            av.rb(),
            t.as_ref(),
            1.0,
            Par::Seq,
        );
        let correction = product(t.transpose(), product(v.transpose(), w.rb()).as_ref());
        matmul(
            w.rb_mut(),
            Accum::Add,
            v,
            correction.as_ref(),
            -0.5,
            Par::Seq,
        );
        clear_vector_state();
        wv.rb_mut().subcols_mut(0, band).copy_from(w.rb());
        wv.rb_mut().subcols_mut(band, band).copy_from(v);
        // [V W] [W V]ᵀ = V Wᵀ + W Vᵀ, one product of inner dimension 2b.
        lower_product(
            a.rb_mut().submatrix_mut(trailing, trailing, rows, rows),
            Accum::Add,
            f.rb().subcols(0, 2 * band),
            f.rb().subcols(2 * band, 2 * band),
            -1.0,
            parts,
        );
        start += band;
    }
}

/// Householder QR of the tall `panel` in place: R in its upper triangle, zeros below it. The
/// vectors (unit first entry) go to the columns of `v`, and `t` receives the upper triangular
/// factor with H₀ H₁ ⋯ = I − V T Vᵀ (LAPACK's `dlarft`, forward and columnwise).
///
/// The reflections are applied column by column, with vector dot products and updates on the
/// contiguous columns. T is built afterwards from the small Gram matrix Vᵀ V. That is one faer
/// product per panel instead of four per column, whose set-up cost more than their arithmetic.
fn panel_qr(mut panel: MatMut<'_, f64>, mut v: MatMut<'_, f64>, mut t: MatMut<'_, f64>) {
    let (rows, width) = panel.shape();
    let reflections = width.min(rows);
    let mut taus = vec![0.0; reflections];
    pulp::Arch::new().dispatch(PanelReflections {
        panel: panel.rb_mut(),
        v: v.rb_mut(),
        taus: &mut taus,
    });

    // T[..c, c] = −τ_c T[..c, ..c] (V[:, ..c]ᵀ v_c), T[c, c] = τ_c.
    let gram = product(v.rb().transpose(), v.rb());
    for c in 0..reflections {
        for i in 0..c {
            let mut sum = 0.0;
            for k in i..c {
                sum += t[(i, k)] * gram[(k, c)];
            }
            t[(i, c)] = -taus[c] * sum;
        }
        t[(c, c)] = taus[c];
    }
}

/// The reflections of [`panel_qr`]: column c becomes β e₁ and its vector goes to column c of
/// `v`, and the later columns are multiplied by H_c = I − τ_c v_c v_cᵀ.
struct PanelReflections<'a> {
    panel: MatMut<'a, f64>,
    v: MatMut<'a, f64>,
    taus: &'a mut [f64],
}

impl pulp::WithSimd for PanelReflections<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Self {
            mut panel,
            mut v,
            taus,
        } = self;
        let (rows, width) = panel.shape();
        for (c, tau_slot) in taus.iter_mut().enumerate() {
            let (done, mut rest) = panel.rb_mut().split_at_col_mut(c + 1);
            let column = contiguous_mut(done.col_mut(c).subrows_mut(c, rows - c));
            let (tau, beta) = householder_simd(simd, column);
            let vc = contiguous_mut(v.rb_mut().col_mut(c).subrows_mut(c, rows - c));
            vc.copy_from_slice(column);
            column.fill(0.0);
            column[0] = beta;
            *tau_slot = tau;
            if tau == 0.0 {
                continue;
            }
            for k in 0..width - c - 1 {
                let target = contiguous_mut(rest.rb_mut().col_mut(k).subrows_mut(c, rows - c));
                let scale = tau * dot(simd, vc, target);
                axpy(simd, -scale, vc, target);
            }
        }
    }
}

/// y += α x, in vectors of the width the processor has.
#[inline(always)]
fn axpy<S: pulp::Simd>(simd: S, alpha: f64, x: &[f64], y: &mut [f64]) {
    let (x_vectors, x_tail) = S::as_simd_f64s(x);
    let (y_vectors, y_tail) = S::as_mut_simd_f64s(y);
    let alpha_vector = simd.splat_f64s(alpha);
    for (y, x) in y_vectors.iter_mut().zip(x_vectors) {
        *y = simd.mul_add_e_f64s(alpha_vector, *x, *y);
    }
    for (y, x) in y_tail.iter_mut().zip(x_tail) {
        *y += alpha * x;
    }
}

/// Computes out = A v for the symmetric A whose lower triangle is stored in `a`. The upper
/// triangles of the diagonal blocks of [`symmetric_times_seq`]'s strips are overwritten with
/// their mirror images. The rest of the strict upper triangle is neither read nor written. With several parts
/// the rows of `out` are cut in half, m = 2h: the top half takes A₁₁ v₁ + A₂₁ᵀ v₂, the bottom
/// half A₂₁ v₁ + A₂₂ v₂, each on its own thread; both halves then cost 4 h² k flops.
fn symmetric_times(out: MatMut<'_, f64>, a: MatMut<'_, f64>, v: MatRef<'_, f64>, parts: usize) {
    let m = a.nrows();
    if parts < 2 || m * m / 2 < PARALLEL_ENTRIES {
        symmetric_times_seq(out, a, v);
        return;
    }
    let half = m / 2;
    let (top, bottom) = out.split_at_row_mut(half);
    let (v1, v2) = v.split_at_row(half);
    let (a11, _, a21, a22) = a.split_at_mut(half, half);
    let a21 = a21.into_const();
    rayon::join(
        || {
            let mut top = top;
            symmetric_times_seq(top.rb_mut(), a11, v1);
            matmul(top, Accum::Add, a21.transpose(), v2, 1.0, Par::Seq);
            clear_vector_state();
        },
        || {
            let mut bottom = bottom;
            symmetric_times_seq(bottom.rb_mut(), a22, v2);
            matmul(bottom, Accum::Add, a21, v1, 1.0, Par::Seq);
            clear_vector_state();
        },
    );
}

/// Columns per strip of [`symmetric_times_seq`].
const SYMM_STRIP: usize = 32;

/// out = A v on one thread, strip by strip, for the symmetric A whose lower triangle is stored
/// in `a`. For the columns c₀ .. c₁ of a strip, with D the diagonal block and R the rectangle
/// below it, out[c₀..c₁] += [D; R]ᵀ v[c₀..] and out[c₁..] += R v[c₀..c₁], two plain matrix
/// products, with R read twice while it is still in cache. For the first, D's strict upper
/// triangle in `a` is overwritten with its mirror image, so that [D; R] is one view of `a`.
/// Measured at n = 1000, the reduction took 8 % longer with two triangular products for D, and
/// about 2 % longer with D copied into a separate block and multiplied on its own.
fn symmetric_times_seq(mut out: MatMut<'_, f64>, mut a: MatMut<'_, f64>, v: MatRef<'_, f64>) {
    let m = a.nrows();
    out.fill(0.0);
    let mut first = 0;
    while first < m {
        let width = SYMM_STRIP.min(m - first);
        let last = first + width;
        mirror_lower(a.rb_mut().submatrix_mut(first, first, width, width));
        let columns = a.rb().submatrix(first, first, m - first, width);
        let below = columns.subrows(width, m - last);
        let (top, bottom) = out.rb_mut().split_at_row_mut(last);
        matmul(
            top.subrows_mut(first, width),
            Accum::Add,
            columns.transpose(),
            v.subrows(first, m - first),
            1.0,
            Par::Seq,
        );
        matmul(
            bottom,
            Accum::Add,
            below,
            v.subrows(first, width),
            1.0,
            Par::Seq,
        );
        clear_vector_state();
        first = last;
    }
}

/// Stage 2: reduces the band of half-width `band` in `a` to tridiagonal form by bulge chasing,
/// and returns the diagonal and subdiagonal.
///
/// Sweep j annihilates column j below its subdiagonal with one reflector H acting on rows
/// s .. s + b (s = j + 1). Then, step by step down the band: H is applied from both sides to the
/// diagonal block D = A[s.., s..] (b×b) and from the right to the block below it,
/// E = A[s + b.., s..] (b×b), which fills E below the band; a new reflector on rows
/// s + b .. s + 2b annihilates the first column of E, is applied from the left to the rest of
/// E, and becomes H for the next step. The rest of the fill in E lies in the next sweep's E and
/// is annihilated there.
///
/// Every step works on blocks of exactly b×b: the storage is padded with b zero columns, so
/// near the end of the matrix the blocks reach into zeros, which the reflectors leave zero. The
/// kernel is compiled for each supported b, so its loops have fixed lengths and vectorise
/// without remainders, and it works on the store in place. Measured at n = 1000, b = 16 on one
/// thread, this took stage 2 from 11.8 ms to 8.6 ms: the general kernel spent much of its time on
/// the set-up and the scalar remainders of about a hundred short vector operations per step.
///
/// # Panics
/// If `band` is not 8, 16 or 32.
fn band_to_tridiagonal(a: MatRef<'_, f64>, band: usize) -> (Vec<f64>, Vec<f64>) {
    let n = a.nrows();
    // The band, with room for the bulge, in compact storage: A[i, j] for j ≤ i ≤ j + 2b sits at
    // i + 2b j, so column j starts at j (2b + 1). A block A[s.., s..] is then a column-major view
    // with column stride 2b, and the 2b×b view holding D over E is one contiguous run of 2b²
    // entries. Entries of the view above D's diagonal alias entries of other columns, so the
    // kernel neither uses nor changes them.
    let stride = 2 * band;
    let mut store = vec![0.0; (n + band + 1) * (stride + 1)];
    for j in 0..n {
        let rows = (band + 1).min(n - j);
        let start = j * (stride + 1);
        store[start..start + rows].copy_from_slice(&contiguous(a.col(j))[j..j + rows]);
    }
    macro_rules! chase {
        ($($b:literal),*) => {
            match band {
                $($b => pulp::Arch::new().dispatch(BulgeChase::<$b> { store: &mut store, n }),)*
                _ => panic!("bulge chasing is compiled for band widths 8, 16 and 32, not {band}"),
            }
        };
    }
    chase!(8, 16, 32);
    let diag = (0..n).map(|i| store[i * (stride + 1)]).collect();
    let subdiag = (0..n.saturating_sub(1))
        .map(|i| store[i * (stride + 1) + 1])
        .collect();
    (diag, subdiag)
}

struct BulgeChase<'a, const B: usize> {
    /// The band in the compact storage of [`band_to_tridiagonal`], padded with zero columns.
    store: &'a mut [f64],
    n: usize,
}

impl<const B: usize> pulp::WithSimd for BulgeChase<'_, B> {
    type Output = ();

    // Inlined into pulp's dispatch, so the fixed-length loops below are vectorised for the
    // detected instruction set.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Self { store, n } = self;
        let stride = 2 * B;
        for j in 0..n.saturating_sub(2) {
            // The reflector that annihilates A[j+2 .. j+1+b, j].
            let first = j * (stride + 1) + 1;
            let column = &mut store[first..first + B];
            let mut v = [0.0; B];
            v.copy_from_slice(column);
            let (mut tau, beta) = householder_simd(simd, &mut v);
            column.fill(0.0);
            column[0] = beta;

            let mut s = j + 1;
            loop {
                // D (rows s .. s + b) over E (rows s + b .. s + 2b), columns s .. s + b: column
                // c of this view is one run of 2b entries, D's part then E's.
                let base = s * (stride + 1);
                let view = &mut store[base..base + stride * B];
                if tau != 0.0 {
                    two_sided_update(simd, view, &v, tau);
                }
                if s + B >= n {
                    break;
                }
                if tau != 0.0 {
                    apply_right(view, &v, tau);
                }
                // The next reflector annihilates E[1.., 0] and is applied to E[.., 1..].
                let first_e = fixed_mut::<B>(&mut view[B..stride]);
                v = *first_e;
                let (next_tau, beta) = householder_simd(simd, &mut v);
                *first_e = [0.0; B];
                first_e[0] = beta;
                if next_tau != 0.0 {
                    apply_left(simd, &mut view[stride..], &v, next_tau);
                }
                tau = next_tau;
                s += B;
            }
        }
    }
}

/// Views the slice as an array of length B.
#[inline(always)]
fn fixed<const B: usize>(x: &[f64]) -> &[f64; B] {
    x.try_into().expect("a slice of the block's size")
}

/// Views the slice as a mutable array of length B.
#[inline(always)]
fn fixed_mut<const B: usize>(x: &mut [f64]) -> &mut [f64; B] {
    x.try_into().expect("a slice of the block's size")
}

/// D ← H D H for H = I − τ v vᵀ, where column c of the symmetric D is the first b entries of
/// run c of `view` (runs of 2b), of which only rows r ≥ c, the lower triangle, are read or
/// changed. p = τ D v, w = p − ½ τ (pᵀ v) v, D ← D − v wᵀ − w vᵀ.
#[inline(always)]
fn two_sided_update<const B: usize, S: pulp::Simd>(
    simd: S,
    view: &mut [f64],
    v: &[f64; B],
    tau: f64,
) {
    // Dot products go through `dot`, whose several accumulators let them vectorise. A plain sum
    // in a loop is kept in order by the compiler and runs one addition at a time.
    let mut p = [0.0; B];
    for (c, run) in view.chunks_exact(2 * B).enumerate() {
        // Column c below the diagonal adds column·v[c] to p below row c, and column·v to p[c].
        let column = fixed::<B>(&run[..B]);
        let mut below = [0.0; B];
        for r in 0..B {
            below[r] = if r > c { column[r] } else { 0.0 };
            p[r] += below[r] * v[c];
        }
        p[c] += column[c] * v[c] + dot(simd, &below, v);
    }
    for value in &mut p {
        *value *= tau;
    }
    let alpha = -0.5 * tau * dot(simd, &p, v);
    let mut w = [0.0; B];
    for r in 0..B {
        w[r] = p[r] + alpha * v[r];
    }
    for (c, run) in view.chunks_exact_mut(2 * B).enumerate() {
        let column = fixed_mut::<B>(&mut run[..B]);
        for r in 0..B {
            let change = w[c] * v[r] + v[c] * w[r];
            if r >= c {
                column[r] -= change;
            }
        }
    }
}

/// E ← E H = E − τ (E v) vᵀ, where column c of E is the last b entries of run c of `view`.
#[inline(always)]
fn apply_right<const B: usize>(view: &mut [f64], v: &[f64; B], tau: f64) {
    let mut ev = [0.0; B];
    for (c, run) in view.chunks_exact(2 * B).enumerate() {
        let column = fixed::<B>(&run[B..]);
        for r in 0..B {
            ev[r] += column[r] * v[c];
        }
    }
    for (c, run) in view.chunks_exact_mut(2 * B).enumerate() {
        let column = fixed_mut::<B>(&mut run[B..]);
        let scale = tau * v[c];
        for r in 0..B {
            column[r] -= scale * ev[r];
        }
    }
}

/// Columns 1.. of E ← H E = E − τ v (vᵀ E). `rest` starts at run 1 of the view; column c of E is
/// the last b entries of each run.
#[inline(always)]
fn apply_left<const B: usize, S: pulp::Simd>(simd: S, rest: &mut [f64], v: &[f64; B], tau: f64) {
    for run in rest.chunks_exact_mut(2 * B) {
        let column = fixed_mut::<B>(&mut run[B..]);
        let scale = tau * dot(simd, v, column);
        for r in 0..B {
            column[r] -= scale * v[r];
        }
    }
}

/// xᵀ y, in vectors of the width the processor has, with two accumulators.
#[inline(always)]
fn dot<S: pulp::Simd>(simd: S, x: &[f64], y: &[f64]) -> f64 {
    let (x_vec, x_tail) = S::as_simd_f64s(x);
    let (y_vec, y_tail) = S::as_simd_f64s(y);
    let zero = simd.splat_f64s(0.0);
    let (mut sum0, mut sum1) = (zero, zero);
    let mut x_pairs = x_vec.chunks_exact(2);
    let mut y_pairs = y_vec.chunks_exact(2);
    for (xp, yp) in (&mut x_pairs).zip(&mut y_pairs) {
        sum0 = simd.mul_add_e_f64s(xp[0], yp[0], sum0);
        sum1 = simd.mul_add_e_f64s(xp[1], yp[1], sum1);
    }
    for (xv, yv) in x_pairs.remainder().iter().zip(y_pairs.remainder()) {
        sum0 = simd.mul_add_e_f64s(*xv, *yv, sum0);
    }
    let mut total = simd.reduce_sum_f64s(simd.add_f64s(sum0, sum1));
    for (xv, yv) in x_tail.iter().zip(y_tail) {
        total += xv * yv;
    }
    total
}

/// Turns `x` into the Householder vector v (with v₀ = 1) of the reflection H = I − τ v vᵀ with
/// H x = β e₁, and returns (τ, β). A zero tail gives τ = 0 (H = I) and β = x₀. Runs inside a
/// SIMD context. The squared norm of the tail is a plain dot product.
/// Outside [10⁻²⁰⁰, 10²⁰⁰] it could have overflowed or lost digits to underflow, so there faer's
/// scaled algorithm recomputes the norm.
#[inline(always)]
fn householder_simd<S: pulp::Simd>(simd: S, x: &mut [f64]) -> (f64, f64) {
    let Some((&head, tail)) = x.split_first() else {
        return (0.0, 0.0);
    };
    let squares = dot(simd, tail, tail);
    let tail_norm = if squares > 1e-200 && squares < 1e200 {
        squares.sqrt()
    } else {
        faer::ColRef::from_slice(tail).norm_l2()
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::eigen::symmetric_eigenvalues_faer;
    use faer::Col;

    fn test_matrix(n: usize, seed: usize) -> Mat<f64> {
        Mat::<f64>::from_fn(n, n, |i, j| {
            (((i * 7919 + j * 104_729 + seed * 31) % 1009) as f64 / 504.5) - 1.0
        })
    }

    #[test]
    fn eigenvalues_agree_with_faer() {
        // Sizes below, at and across panel boundaries. Both reductions are backward stable, so
        // they agree to a small multiple of n ε ‖A‖. Here ‖A‖ ≤ n, with entries in [−1, 1].
        for n in [
            0, 1, 2, 3, 16, 17, 18, 19, 31, 32, 33, 34, 48, 49, 50, 64, 65, 66, 150, 300, 600,
        ] {
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

    #[test]
    fn every_compiled_band_width_agrees_with_faer() {
        // The bulge-chasing kernel is compiled per band width, and [`band_width`] picks one of
        // them. So the others are checked here, on sizes below, at and across a few bands, with
        // the tolerance of `eigenvalues_agree_with_faer`.
        for band in [8, 16, 32] {
            for n in [2, 5, 8, 9, 33, 64, 100, 161] {
                let mut a = test_matrix(n, band);
                let theirs = symmetric_eigenvalues_faer(a.as_ref(), Par::Seq).unwrap();
                reduce_to_band(a.as_mut(), band, 1);
                let (diag, subdiag) = band_to_tridiagonal(a.as_ref(), band);
                let ours = tridiagonal_eigenvalues(diag, &subdiag).unwrap();
                let tolerance = 64.0 * (n as f64).powi(2) * f64::EPSILON;
                for (k, (x, y)) in ours.iter().zip(&theirs).enumerate() {
                    assert!(
                        (x - y).abs() <= tolerance,
                        "band {band}, n {n}, eigenvalue {k}: {x} vs {y}, tolerance {tolerance:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn paired_tridiagonals_match_each_alone() {
        // Matrices that split into several blocks of different lengths, so that one sweep of a
        // pair outlasts the other, plus an empty and a diagonal matrix. Pairing must not change a
        // single bit, and the spectra come back in input order.
        let wave = |i: usize, k: f64| ((i as f64 * k).sin() * 1e4).fract();
        let split = |n: usize, k: f64, every: usize| -> (Vec<f64>, Vec<f64>) {
            let diag = (0..n).map(|i| wave(i, k)).collect();
            let sub = (1..n)
                .map(|i| {
                    if i % every == 0 {
                        0.0
                    } else {
                        wave(i, k + 0.4)
                    }
                })
                .collect();
            (diag, sub)
        };
        let problems = vec![
            split(300, 0.7, 1000),
            split(257, 1.1, 60),
            (Vec::new(), Vec::new()),
            split(40, 0.3, 7),
            ((0..9).map(|i| i as f64).collect(), vec![0.0; 8]),
            split(500, 2.3, 1000),
        ];
        let together = tridiagonal_eigenvalues_of_many(problems.clone()).unwrap();
        assert_eq!(together.len(), problems.len());
        for (k, ((diag, sub), values)) in problems.into_iter().zip(&together).enumerate() {
            let alone = tridiagonal_eigenvalues(diag.clone(), &sub).unwrap();
            assert_eq!(&alone, values, "matrix {k}");
            assert_eq!(alone.len(), diag.len());
            let reference = faer_tridiagonal(&diag, &sub);
            for (x, y) in alone.iter().zip(&reference) {
                // Both are backward stable. The split matrices have entries in (−1, 1), so
                // ‖T‖ ≤ 3, and the diagonal one has ‖T‖ = 8 but no rotation at all.
                assert!(
                    (x - y).abs() <= 64.0 * diag.len() as f64 * f64::EPSILON,
                    "{x} vs {y}"
                );
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
            (
                "random",
                (0..n).map(|i| wave(i, 0.7)).collect(),
                (1..n).map(|i| wave(i, 1.3)).collect(),
            ),
            (
                "graded",
                (0..n)
                    .map(|i| 10f64.powf(-12.0 * i as f64 / n as f64))
                    .collect(),
                (1..n)
                    .map(|i| 0.5 * 10f64.powf(-12.0 * i as f64 / n as f64))
                    .collect(),
            ),
            (
                "split",
                (0..n).map(|i| wave(i, 0.3)).collect(),
                (1..n)
                    .map(|i| if i % 17 == 0 { 0.0 } else { wave(i, 2.1) })
                    .collect(),
            ),
            ("zero", vec![0.0; n], vec![0.0; n - 1]),
            (
                "huge",
                (0..n).map(|i| 1e200 * wave(i, 0.9)).collect(),
                (1..n).map(|i| 1e200 * wave(i, 0.4)).collect(),
            ),
        ];
        for (name, diag, subdiag) in cases {
            let norm = diag
                .iter()
                .chain(&subdiag)
                .fold(0.0_f64, |m, x| m.max(x.abs()));
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
                let exact =
                    2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
                assert!(
                    (value - exact).abs() <= 16.0 * n as f64 * f64::EPSILON,
                    "n {n}, k {k}: {value} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn non_finite_input_is_an_error() {
        for bad in [f64::NAN, f64::INFINITY] {
            let mut a = test_matrix(50, 3);
            a[(20, 7)] = bad;
            assert!(
                eigenvalues(a.as_ref(), Par::Seq).is_err(),
                "an entry {bad} gave eigenvalues"
            );
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

    #[test]
    fn in_place_reduction_ignores_the_upper_triangle() {
        // NaN above the diagonal would poison any eigenvalue it reached. The in-place reduction
        // must give the bits of the copying one.
        for n in [1, 17, 40, 150] {
            for par in [Par::Seq, Par::rayon(2)] {
                let a = test_matrix(n, 3);
                let copied = eigenvalues(a.as_ref(), par).unwrap();
                let mut work = a.clone();
                for j in 1..n {
                    for i in 0..j {
                        work[(i, j)] = f64::NAN;
                    }
                }
                let (diag, subdiag) = tridiagonal_in_place(work.as_mut(), par);
                let in_place = tridiagonal_eigenvalues(diag, &subdiag).unwrap();
                assert_eq!(copied, in_place, "n {n}, {par:?}");
            }
        }
    }
}

//! Products into the lower triangle of a symmetric matrix, split across threads by a fixed rule,
//! and the mirror that fills the upper triangle.
//!
//! faer's triangular product on `Par::rayon(k)` gained little over one thread here: forming the
//! lower triangle of Y Yᵀ for Y of size 4000×2000 took 0.67 s on two threads and 1.09 s on one.
//! [`lower_product`] instead cuts the triangle into column strips, each a small triangle with the
//! rectangle below it, and runs the strips in parallel, each as one sequential product. The cut
//! depends only on the size, so the result does not depend on the number of threads. On one
//! thread it leaves the triangle whole, one triangular product, which is faster there.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef};
use rayon::prelude::*;

/// Below this many entries in the destination triangle, [`lower_product`] runs on one thread:
/// waking a second thread would cost more than it saves.
pub const PARALLEL_ENTRIES: usize = 64 * 1024;

/// Width of the column strips of [`lower_product`] when it runs in parallel. Measured on the
/// 2-core Xeon at d = 1000, N = 2000 on one thread, the lower triangle of X diag(τ) Xᵀ took 30 ms
/// in strips of 256, 27 to 28 ms in strips of 384 to 512, and 26.5 ms as one triangular
/// product. On two threads, strips of 1024 left the second thread idle in the rank-32 updates of
/// the tridiagonal reduction, whose triangles shrink below that width: eigenvalues at n = 2000
/// took 10 % longer than with 512.
const STRIP: usize = 512;

/// Lower triangle of `dst` ← (`Accum::Replace`) or += (`Accum::Add`) α L Rᵀ, for L and R with
/// as many rows as `dst`. The strict upper triangle of `dst` is not touched.
///
/// With `parts` < 2 the triangle is one triangular product on the calling thread: measured
/// with the two blocks of `verify-pair 1000 2000 8`, 2 % faster end to end than the strips.
/// With `parts` ≥ 2 it is cut into column strips of 512 columns. Each strip is a triangle on the
/// diagonal (a triangular product) and the rectangle below it (a plain matrix product), and the
/// strips run in parallel, each as one sequential product. So every entry comes from the same
/// product whatever the number of threads: the result depends on the shapes and on whether
/// `parts` ≥ 2 only.
///
/// # Panics
/// If `dst` is not square or the shapes of L and R do not fit it.
pub fn lower_product(
    dst: MatMut<'_, f64>,
    accum: Accum,
    left: MatRef<'_, f64>,
    right: MatRef<'_, f64>,
    alpha: f64,
    parts: usize,
) {
    let m = dst.nrows();
    assert_eq!(m, dst.ncols(), "the destination is square");
    assert!(
        left.nrows() == m && right.nrows() == m && left.ncols() == right.ncols(),
        "L and R are m×k with the destination m×m"
    );
    let parallel = parts >= 2 && m * m / 2 >= PARALLEL_ENTRIES;
    let mut strips = Vec::with_capacity(m.div_ceil(STRIP));
    let mut rest = dst;
    let mut first = 0;
    while first < m {
        let width = if parallel { STRIP.min(m - first) } else { m };
        let (columns, after) = rest.split_at_col_mut(width);
        // Drop the rows above the strip: they belong to the upper triangle.
        strips.push((first, columns.split_at_row_mut(first).1));
        rest = after;
        first += width;
    }

    let fill = |(first, columns): (usize, MatMut<'_, f64>)| {
        let width = columns.ncols();
        let last = first + width;
        let (mut triangle, below) = columns.split_at_row_mut(width);
        triangular_matmul(
            triangle.rb_mut(),
            BlockStructure::TriangularLower,
            accum,
            left.subrows(first, width),
            BlockStructure::Rectangular,
            right.subrows(first, width).transpose(),
            BlockStructure::Rectangular,
            alpha,
            faer::Par::Seq,
        );
        matmul(
            below,
            accum,
            left.subrows(last, m - last),
            right.subrows(first, width).transpose(),
            alpha,
            faer::Par::Seq,
        );
    };
    if parallel {
        strips.into_par_iter().for_each(fill);
    } else {
        strips.into_iter().for_each(fill);
    }
    clear_vector_state();
}

/// Computes A B on the calling thread.
///
/// faer's `*` operator runs on the global parallelism, which is all of rayon's threads unless the
/// program sets it. For the small products inside a replicate or a panel, waking those threads
/// costs more than it saves, and a replicate already has a thread of its own. So library code
/// uses this function instead.
pub fn product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(out.as_mut(), Accum::Replace, a, b, 1.0, faer::Par::Seq);
    clear_vector_state();
    out
}

/// Marks the upper halves of the x86 vector registers as unused again, after faer's products.
///
/// faer's matrix products return with those halves still marked in use. Until something clears
/// them, code compiled for SSE2 runs several times slower, and that is most scalar code of this
/// crate and of the standard library. Measured on the 2-core Xeon (AVX-512), 20 000 calls of
/// `f64::exp` took 2.4 ms after a faer product and 0.07 ms after this function. The functions of
/// this module and the tridiagonal reduction call it after their products.
///
/// NOTE: a few one-off calls of faer's `matmul` elsewhere (the network's full Hessian, whitening,
/// the heatmap's class matrix) do not, so scalar code right after them runs in the slow state.
///
/// It runs a few vector additions through `pulp`, compiled for the processor's vector width,
/// and the compiler ends such a function with the instruction that clears the upper halves
/// (`vzeroupper`). On other processors it costs a function call.
pub fn clear_vector_state() {
    pulp::Arch::new().dispatch(ClearUpperHalves);
}

struct ClearUpperHalves;

impl pulp::WithSimd for ClearUpperHalves {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        // Opaque data, so that the additions are really done in vector registers.
        let mut data = std::hint::black_box([0.0; 8]);
        let (vectors, _) = S::as_mut_simd_f64s(&mut data);
        for vector in vectors {
            *vector = simd.add_f64s(*vector, *vector);
        }
        std::hint::black_box(&data);
    }
}

/// Returns `buffer` as a rows×cols matrix to be overwritten, reallocating it only when its shape
/// differs. Its entries are whatever it held before.
///
/// A Monte Carlo loop that keeps its matrices from one replicate to the next this way skips the
/// zeroing and the page faults of fresh allocations: at d = 1000, N = 2000 those took about a
/// tenth of a replicate.
pub fn reuse(buffer: &mut Mat<f64>, rows: usize, cols: usize) -> MatMut<'_, f64> {
    if buffer.shape() != (rows, cols) {
        *buffer = Mat::zeros(rows, cols);
    }
    buffer.as_mut()
}

/// Copies the strict lower triangle of a square matrix onto its upper triangle, in square tiles
/// so that both the reads (down columns) and the writes (along rows) stay in cache.
pub fn mirror_lower(mut h: MatMut<'_, f64>) {
    const TILE: usize = 64;
    let n = h.nrows();
    for jt in (0..n).step_by(TILE) {
        for it in (0..=jt).step_by(TILE) {
            // Tile of the upper triangle at rows it.., columns jt..; its source is the tile at
            // rows jt.., columns it.. of the lower triangle.
            for j in jt..(jt + TILE).min(n) {
                for i in it..(it + TILE).min(j) {
                    h[(i, j)] = h[(j, i)];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(m: usize, k: usize, seed: usize) -> Mat<f64> {
        Mat::<f64>::from_fn(m, k, |i, j| {
            (((i * 31 + j * 17 + seed) % 23) as f64 - 11.0) / 7.0
        })
    }

    #[test]
    fn lower_product_matches_dense_reference() {
        // Sizes below and above the parallel threshold; parts beyond the size's needs.
        for (m, k) in [(5, 3), (400, 7), (513, 20), (700, 3)] {
            let (l, r) = (dense(m, k, 1), dense(m, k, 2));
            let reference = &l * r.transpose();
            for parts in [1, 2, 3, 8] {
                for accum in [Accum::Replace, Accum::Add] {
                    let mut dst = Mat::<f64>::from_fn(m, m, |i, j| (i + 2 * j) as f64);
                    let before = dst.clone();
                    lower_product(dst.as_mut(), accum, l.as_ref(), r.as_ref(), -0.5, parts);
                    for j in 0..m {
                        for i in 0..m {
                            let expected = if i < j {
                                before[(i, j)]
                            } else {
                                let base = if accum == Accum::Add {
                                    before[(i, j)]
                                } else {
                                    0.0
                                };
                                base - 0.5 * reference[(i, j)]
                            };
                            // Sums of k products of numbers below 2 in magnitude: a few ulps.
                            assert!(
                                (dst[(i, j)] - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
                                "m {m}, k {k}, parts {parts}, {accum:?}, ({i}, {j}): {} vs {expected}",
                                dst[(i, j)]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn lower_product_ignores_thread_count() {
        // With parts ≥ 2 every entry comes from the same sequential product of its strip, so the
        // bits agree exactly whatever the number of threads.
        let m = 900;
        let (l, r) = (dense(m, 40, 3), dense(m, 40, 4));
        let run = |parts: usize, threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut dst = Mat::<f64>::zeros(m, m);
            pool.install(|| {
                lower_product(
                    dst.as_mut(),
                    Accum::Replace,
                    l.as_ref(),
                    r.as_ref(),
                    1.0,
                    parts,
                );
            });
            dst
        };
        let reference = run(2, 1);
        for (parts, threads) in [(2, 2), (2, 3), (3, 1), (4, 4)] {
            assert!(
                run(parts, threads) == reference,
                "parts {parts} on {threads} threads differ from parts 2 on one thread"
            );
        }
    }

    #[test]
    fn mirror_fills_the_upper_triangle() {
        for n in [1, 63, 64, 65, 130] {
            let mut h =
                Mat::<f64>::from_fn(n, n, |i, j| if i >= j { (i * n + j) as f64 } else { -1.0 });
            mirror_lower(h.as_mut());
            for j in 0..n {
                for i in 0..n {
                    let expected = (i.max(j) * n + i.min(j)) as f64;
                    assert_eq!(h[(i, j)], expected, "n {n}, ({i}, {j})");
                }
            }
        }
    }
}

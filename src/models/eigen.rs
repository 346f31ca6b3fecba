//! Eigenvalues of symmetric blocks: the two-stage tridiagonal reduction of [`super::tridiag`] for
//! eigenvalues alone, faer's self-adjoint eigensolver when eigenvectors are needed.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::{MatRef, Par};

use crate::error::SolverError;

/// Eigenvalues of the symmetric matrix whose lower triangle is stored in `lower`, in nondecreasing
/// order. The strict upper triangle is not read.
///
/// Runs the two-stage tridiagonal reduction of [`super::tridiag`], then its root-free QL
/// iteration. `par` sets the parallelism inside the reduction: with `Par::Seq` the result is
/// bit-for-bit the same whatever the number of threads of the process, and with `Par::rayon(k)` it
/// depends on k only.
///
/// # Errors
/// [`SolverError::Eigen`] if the matrix has a NaN or infinite entry, or the QL iteration does not
/// converge.
///
/// # Panics
/// If `lower` is not square.
pub fn symmetric_eigenvalues(lower: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>, SolverError> {
    let n = lower.nrows();
    assert_eq!(n, lower.ncols(), "eigenvalues of a square matrix");
    super::tridiag::eigenvalues(lower, par).map_err(|_| SolverError::Eigen { n })
}

/// Returns the same eigenvalues through faer's own one-stage reduction (`self_adjoint_evd` without
/// eigenvectors). Kept as the reference that [`symmetric_eigenvalues`] is tested and benchmarked
/// against.
///
/// # Errors
/// [`SolverError::Eigen`] if the QR iteration does not converge.
///
/// # Panics
/// If `lower` is not square.
pub fn symmetric_eigenvalues_faer(
    lower: MatRef<'_, f64>,
    par: Par,
) -> Result<Vec<f64>, SolverError> {
    let n = lower.nrows();
    assert_eq!(n, lower.ncols(), "eigenvalues of a square matrix");
    let mut values = Diag::<f64>::zeros(n);
    let scratch =
        evd::self_adjoint_evd_scratch::<f64>(n, ComputeEigenvectors::No, par, Default::default());
    let mut buffer = MemBuffer::new(scratch);
    evd::self_adjoint_evd(
        lower,
        values.as_mut(),
        None,
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| SolverError::Eigen { n })?;
    Ok(values.column_vector().iter().copied().collect())
}

/// Eigenvalues (nondecreasing) and orthonormal eigenvectors (one per column, in the same order)
/// of the symmetric matrix whose lower triangle is stored in `lower`.
///
/// # Errors
/// [`SolverError::Eigen`] if the QR iteration does not converge.
///
/// # Panics
/// If `lower` is not square.
pub fn symmetric_eigen(
    lower: MatRef<'_, f64>,
    par: Par,
) -> Result<(Vec<f64>, faer::Mat<f64>), SolverError> {
    let n = lower.nrows();
    assert_eq!(n, lower.ncols(), "eigenvalues of a square matrix");
    let mut values = Diag::<f64>::zeros(n);
    let mut vectors = faer::Mat::<f64>::zeros(n, n);
    let scratch =
        evd::self_adjoint_evd_scratch::<f64>(n, ComputeEigenvectors::Yes, par, Default::default());
    let mut buffer = MemBuffer::new(scratch);
    evd::self_adjoint_evd(
        lower,
        values.as_mut(),
        Some(vectors.as_mut()),
        par,
        MemStack::new(&mut buffer),
        Default::default(),
    )
    .map_err(|_| SolverError::Eigen { n })?;
    Ok((values.column_vector().iter().copied().collect(), vectors))
}

/// Sets to exactly 0 the eigenvalues of a positive semidefinite n×n matrix that lie within
/// rounding error of 0: those below n ε max λ, negative ones included. A backward-stable solver
/// moves every eigenvalue by up to about that much, so smaller values carry no information, and
/// a limit law built from them would put atoms at meaningless points such as 10⁻¹⁸.
pub fn zero_rounding_noise(values: &mut [f64]) {
    let largest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let floor = values.len() as f64 * f64::EPSILON * largest;
    for value in values.iter_mut() {
        if *value <= floor {
            *value = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    #[test]
    fn eigenvalues_of_known_matrix() {
        // Tridiagonal (2, −1) matrix: eigenvalues 2 − 2 cos(kπ/(n+1)).
        let n = 12;
        let a = Mat::<f64>::from_fn(n, n, |i, j| match i.abs_diff(j) {
            0 => 2.0,
            1 if i > j => -1.0,
            _ => 0.0,
        });
        let got = symmetric_eigenvalues(a.as_ref(), Par::Seq).unwrap();
        for (k, value) in got.iter().enumerate() {
            let exact = 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
            assert!((value - exact).abs() < 1e-13, "k {k}: {value} vs {exact}");
        }
    }

    /// Reproducibility across machines rests on this: with `Par::rayon(k)` the result depends on
    /// k, not on how many threads the pool really has. (It may differ from `Par::Seq` in the last
    /// bits.) n = 700 is large enough for stage 1 of the reduction to split its products.
    #[test]
    fn parallel_eigenvalues_do_not_depend_on_the_pool() {
        let n = 700;
        let a = Mat::<f64>::from_fn(n, n, |i, j| ((i * 31 + j * 17) % 101) as f64 / 50.0 - 1.0);
        for requested in [2, 4] {
            let with = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| symmetric_eigenvalues(a.as_ref(), Par::rayon(requested)).unwrap())
            };
            let single = with(1);
            for threads in [2, 3] {
                assert_eq!(
                    single,
                    with(threads),
                    "Par::rayon({requested}) on {threads} threads differs from 1 thread"
                );
            }
        }
    }

    #[test]
    fn rounding_noise_becomes_zero() {
        // n = 4, largest 2: the floor is 4 · 2 ε ≈ 1.8e-15.
        let mut values = vec![-1e-16, 1e-15, 1e-14, 2.0];
        zero_rounding_noise(&mut values);
        assert_eq!(values, vec![0.0, 0.0, 1e-14, 2.0]);
    }

    #[test]
    fn symmetric_eigen_reconstructs_the_matrix() {
        let n = 9;
        let a = Mat::<f64>::from_fn(n, n, |i, j| 1.0 / (1 + i + j) as f64);
        let (values, vectors) = symmetric_eigen(a.as_ref(), Par::Seq).unwrap();
        for i in 0..n {
            for j in 0..n {
                let rebuilt: f64 = (0..n)
                    .map(|k| vectors[(i, k)] * values[k] * vectors[(j, k)])
                    .sum();
                assert!(
                    (rebuilt - a[(i, j)]).abs() < 1e-13,
                    "({i}, {j}): {rebuilt} vs {}",
                    a[(i, j)]
                );
            }
        }
    }
}

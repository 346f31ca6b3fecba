//! Eigenvalues of symmetric blocks, through faer's self-adjoint eigensolver without eigenvectors.

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::{MatRef, Par};

use crate::error::SolverError;

/// Eigenvalues of the symmetric matrix whose lower triangle is stored in `lower`, in nondecreasing
/// order. The strict upper triangle is not read.
///
/// `par` sets faer's parallelism inside the decomposition; with `Par::Seq` the result is
/// bit-for-bit the same whatever the number of threads of the process.
///
/// # Errors
/// [`SolverError::Eigen`] if the QR iteration does not converge.
///
/// # Panics
/// If `lower` is not square.
pub fn symmetric_eigenvalues(lower: MatRef<'_, f64>, par: Par) -> Result<Vec<f64>, SolverError> {
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
}

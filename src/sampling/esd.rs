//! The empirical spectral distribution of pooled replicates.

use crate::tol;

/// The uniform measure on the eigenvalues of one or more sampled blocks, sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Esd {
    values: Vec<f64>,
}

impl Esd {
    /// Pools the eigenvalues of several replicates.
    ///
    /// # Panics
    /// If there is no eigenvalue or one is NaN.
    pub fn pooled(parts: impl IntoIterator<Item = Vec<f64>>) -> Self {
        let mut values: Vec<f64> = parts.into_iter().flatten().collect();
        assert!(!values.is_empty(), "an ESD needs at least one eigenvalue");
        assert!(
            values.iter().all(|v| !v.is_nan()),
            "eigenvalues must not be NaN"
        );
        values.sort_by(f64::total_cmp);
        Self { values }
    }

    /// Sets eigenvalues with |λ| ≤ [`tol::ZERO_EIGENVALUE_REL`] · max|λ| to exactly 0 and returns
    /// how many were set. Used before comparing with a law that has an atom at 0.
    pub fn snap_zeros(&mut self) -> usize {
        let scale = self.values.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let threshold = tol::ZERO_EIGENVALUE_REL * scale;
        let mut count = 0;
        for v in &mut self.values {
            if v.abs() <= threshold {
                *v = 0.0;
                count += 1;
            }
        }
        count
    }

    /// Eigenvalues, sorted ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of eigenvalues.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: an ESD has at least one eigenvalue.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Smallest and largest eigenvalue.
    pub fn range(&self) -> (f64, f64) {
        (self.values[0], self.values[self.values.len() - 1])
    }

    /// Raw moments (1/n) Σ λ^k for k = 1..=count.
    pub fn moments(&self, count: usize) -> Vec<f64> {
        let n = self.values.len() as f64;
        (1..=count as i32)
            .map(|k| self.values.iter().map(|v| v.powi(k)).sum::<f64>() / n)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_sorts_and_snaps() {
        let mut esd = Esd::pooled([vec![3.0, 1e-14], vec![-2.0, 1.0]]);
        assert_eq!(esd.values(), &[-2.0, 1e-14, 1.0, 3.0]);
        assert_eq!(esd.snap_zeros(), 1);
        assert_eq!(esd.values()[1], 0.0);
        assert_eq!(esd.moments(2), vec![0.5, 3.5]);
    }
}

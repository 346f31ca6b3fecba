//! Convergence in the dimension: the distance between a block's eigenvalues and its law at several
//! sizes d with γ fixed, the fitted rate, and the verdict that the distance shrinks fast enough.
//!
//! For a right law the Kolmogorov–Smirnov distance of a pooled ESD falls like 1/d (eigenvalue
//! rigidity) until the error of the weights, O((R N)^(−1/2)) with N = d/γ, takes over; either way it
//! falls at least like d^(−1/2). A wrong law leaves a distance that does not shrink: its fitted
//! slope is near 0. A case passes when it meets the absolute tolerance at the largest size and its
//! fitted slope of ln KS against ln d is at most [`RATE_BOUND`].

use serde::Serialize;

use super::sweep::fitted_slope;

/// The slowest rate accepted: the distance must shrink at least like d^(−1/2).
pub const RATE_BOUND: f64 = -0.5;

/// One case over the sizes.
#[derive(Debug, Clone, Serialize)]
pub struct ConvergenceCase {
    /// The case's name in the table.
    pub case: String,
    /// KS distance at each size (None for cases without a spectral law).
    pub ks: Vec<Option<f64>>,
    /// W1 distance at each size.
    pub w1: Vec<Option<f64>>,
    /// KS tolerance at each size.
    pub tolerance: Vec<Option<f64>>,
    /// Fitted slope of ln KS against ln d.
    pub slope_ks: Option<f64>,
    /// Fitted slope of ln W1 against ln d.
    pub slope_w1: Option<f64>,
    /// Verdict of the case at the largest size.
    pub pass_largest: bool,
    /// `pass_largest`, and for cases with a spectral law a KS slope of at most [`RATE_BOUND`].
    pub pass: bool,
}

/// One case at one size: name, KS, W1, KS tolerance and verdict.
pub type SizeResult = (String, Option<f64>, Option<f64>, Option<f64>, bool);

/// Assesses every case from its results at each size. `results[s][c]` is case c at size s; every
/// size must list the same cases in the same order.
///
/// # Panics
/// If the sizes list different numbers of cases.
pub fn assess(sizes: &[usize], results: &[Vec<SizeResult>]) -> Vec<ConvergenceCase> {
    let count = results.first().map_or(0, Vec::len);
    assert!(
        results.iter().all(|r| r.len() == count),
        "every size lists the same cases"
    );
    let range = (
        sizes.first().copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0),
    );
    (0..count)
        .map(|c| {
            let column: Vec<&SizeResult> = results.iter().map(|r| &r[c]).collect();
            let ks: Vec<Option<f64>> = column.iter().map(|r| r.1).collect();
            let w1: Vec<Option<f64>> = column.iter().map(|r| r.2).collect();
            let slope = |values: &[Option<f64>]| -> Option<f64> {
                let all: Option<Vec<f64>> = values.iter().copied().collect();
                all.and_then(|v| fitted_slope(sizes, &v, range))
            };
            let (slope_ks, slope_w1) = (slope(&ks), slope(&w1));
            let pass_largest = column.last().is_some_and(|r| r.4);
            let spectral = ks.iter().all(Option::is_some);
            let pass = pass_largest && (!spectral || slope_ks.is_some_and(|s| s <= RATE_BOUND));
            ConvergenceCase {
                case: column[0].0.clone(),
                ks,
                w1,
                tolerance: column.iter().map(|r| r.3).collect(),
                slope_ks,
                slope_w1,
                pass_largest,
                pass,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(ks: &[f64], pass_largest: bool) -> Vec<Vec<SizeResult>> {
        ks.iter()
            .enumerate()
            .map(|(i, &v)| {
                vec![(
                    String::from("c"),
                    Some(v),
                    Some(v),
                    Some(0.1),
                    pass_largest || i + 1 < ks.len(),
                )]
            })
            .collect()
    }

    #[test]
    fn assess_fails_a_distance_that_does_not_shrink() {
        let sizes = [100, 200, 400, 800];
        // Falls like 1/d: slope −1, passes.
        let good = assess(&sizes, &case(&[0.08, 0.04, 0.02, 0.01], true));
        assert!(good[0].pass, "{:?}", good[0]);
        assert!((good[0].slope_ks.unwrap() + 1.0).abs() < 1e-12);
        // A wrong law: the distance stays near 0.05, slope near 0, fails although the largest
        // size's verdict passed.
        let flat = assess(&sizes, &case(&[0.052, 0.05, 0.051, 0.05], true));
        assert!(!flat[0].pass, "{:?}", flat[0]);
        // A fast rate does not rescue a failed largest size.
        let failed = assess(&sizes, &case(&[0.08, 0.04, 0.02, 0.01], false));
        assert!(!failed[0].pass);
    }

    #[test]
    fn assess_lawless_case_at_largest_size() {
        let sizes = [100, 200];
        let results = vec![
            vec![(String::from("zero"), None, None, None, true)],
            vec![(String::from("zero"), None, None, None, true)],
        ];
        let out = assess(&sizes, &results);
        assert!(out[0].pass);
        assert!(out[0].slope_ks.is_none());
    }
}

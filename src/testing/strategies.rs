//! proptest strategies for weight laws, aspect ratios and matrix sizes (feature `proptest`, on by
//! default).
//!
//! They generate only valid inputs, so a property test built on them states "for every accepted
//! parameter set". The ranges cover the hard places: signed and zero weights, atoms whose values
//! span four orders of magnitude, γ from 1e-3 to 1e3.
//!
//! ```
//! use hessian_rmt::laws::{Gmp, SpectralLaw};
//! use hessian_rmt::testing::strategies::{gamma, weight_law};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
//!     // In a test file this function would carry #[test].
//!     fn support_is_sorted(g in gamma(), h in weight_law(5)) {
//!         let law = Gmp::new(g, h).unwrap();
//!         let support = law.support();
//!         prop_assert!(support.windows(2).all(|w| w[0].1 < w[1].0));
//!     }
//! }
//! # support_is_sorted();
//! ```

use proptest::prelude::*;

use crate::laws::WeightLaw;

/// γ log-uniform on [1e-3, 1e3].
pub fn gamma() -> impl Strategy<Value = f64> {
    (-3.0..=3.0_f64).prop_map(|e| 10f64.powf(e))
}

/// Generates one weight value: exactly 0 with probability 1/8, otherwise a sign times a magnitude
/// log-uniform on [1e-2, 1e2].
pub fn weight_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(0.0),
        7 => (any::<bool>(), -2.0..=2.0_f64)
            .prop_map(|(negative, e)| if negative { -1.0 } else { 1.0 } * 10f64.powf(e)),
    ]
}

/// Generates a weight law of 1 to `max_atoms` atoms with values from [`weight_value`] and probabilities
/// proportional to numbers drawn uniformly from [0.05, 1] (so no atom is negligible).
///
/// # Panics
/// If `max_atoms` is 0.
pub fn weight_law(max_atoms: usize) -> impl Strategy<Value = WeightLaw> {
    assert!(max_atoms > 0, "a weight law needs at least one atom");
    prop::collection::vec((0.05..=1.0_f64, weight_value()), 1..=max_atoms).prop_map(|raw| {
        let total: f64 = raw.iter().map(|(w, _)| w).sum();
        let atoms: Vec<(f64, f64)> = raw.iter().map(|&(w, t)| (w / total, t)).collect();
        WeightLaw::from_atoms(&atoms).expect("normalised probabilities and finite values")
    })
}

/// Generates an eigenvalue law of a population covariance Σ: 1 to `max_atoms` atoms with values
/// log-uniform on [1e-2, 1e2] (exactly 0 with probability 1/16) and probabilities as in
/// [`weight_law`].
///
/// # Panics
/// If `max_atoms` is 0.
pub fn covariance_law(max_atoms: usize) -> impl Strategy<Value = WeightLaw> {
    assert!(max_atoms > 0, "a covariance law needs at least one atom");
    let value = prop_oneof![
        1 => Just(0.0),
        15 => (-2.0..=2.0_f64).prop_map(|e| 10f64.powf(e)),
    ];
    prop::collection::vec((0.05..=1.0_f64, value), 1..=max_atoms).prop_map(|raw| {
        let total: f64 = raw.iter().map(|(w, _)| w).sum();
        let atoms: Vec<(f64, f64)> = raw.iter().map(|&(w, s)| (w / total, s)).collect();
        WeightLaw::from_atoms(&atoms).expect("normalised probabilities and finite values")
    })
}

/// Matrix sizes (d, N) with d in [`min_dim`, `max_dim`] and d/N in [1/4, 4]: small enough for an
/// eigendecomposition inside a property test.
///
/// # Panics
/// If `min_dim` is 0 or larger than `max_dim`.
pub fn sizes(min_dim: usize, max_dim: usize) -> impl Strategy<Value = (usize, usize)> {
    assert!(
        0 < min_dim && min_dim <= max_dim,
        "need 0 < min_dim <= max_dim"
    );
    (min_dim..=max_dim, -2.0..=2.0_f64).prop_map(|(d, e)| {
        let n = ((d as f64) / 2f64.powf(e)).round().max(1.0) as usize;
        (d, n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngSeed, TestRunner};

    #[test]
    fn generated_laws_are_valid_and_varied() {
        let mut runner = TestRunner::new(Config {
            rng_seed: RngSeed::Fixed(7),
            ..Config::default()
        });
        let (mut signed, mut zeros, mut many) = (0, 0, 0);
        for _ in 0..200 {
            let law = weight_law(50).new_tree(&mut runner).unwrap().current();
            let total: f64 = law.probs().iter().sum();
            assert!((total - 1.0).abs() < 1e-12);
            signed += usize::from(law.values().iter().any(|t| *t < 0.0));
            zeros += usize::from(law.zero_mass() > 0.0);
            many += usize::from(law.len() > 25);
        }
        // Each kind of law must actually occur, or the property tests would not cover it.
        assert!(
            signed > 50 && zeros > 50 && many > 50,
            "{signed} {zeros} {many}"
        );
        for _ in 0..100 {
            let g = gamma().new_tree(&mut runner).unwrap().current();
            assert!((1e-3..=1e3).contains(&g));
            let (d, n) = sizes(10, 100).new_tree(&mut runner).unwrap().current();
            let ratio = d as f64 / n as f64;
            assert!(
                (10..=100).contains(&d) && (0.2..=5.0).contains(&ratio),
                "{d} {n}"
            );
        }
    }
}

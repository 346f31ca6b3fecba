//! Property tests: every accepted (γ, weight law) gives a valid law. Laws of 1–50 atoms, signed,
//! with zeros, γ log-uniform on [1e-3, 1e3], from the crate's own strategies. The proptest seed is
//! fixed, so the cases are the same on every run.

use hessian_rmt::laws::{Gmp, Separable, SpectralLaw};
use hessian_rmt::testing::self_consistency;
use hessian_rmt::testing::strategies::{covariance_law, gamma, weight_law};
use num_complex::Complex64;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Largest relative residual |F(m; x)| / (sum of the magnitudes of its terms) accepted at a
/// returned point: Newton stops at a few ulps of that magnitude (tol::SOLVER_STEP_REL = 1e-14).
const RESIDUAL_REL: f64 = 1e-12;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        rng_seed: RngSeed::Fixed(20261204),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_accepted_law_is_valid(g in gamma(), h in weight_law(50)) {
        let law = Gmp::new(g, h.clone()).unwrap();
        let context = format!("γ = {g}, weights {:?} / {:?}", h.values(), h.probs());

        // Density ≥ 0 and 0 off the support, mass 1 ± 1e-8, CDF = integral, moments 1–4 to
        // 1e-7, Stieltjes transform by quadrature.
        let report = self_consistency(&law).unwrap();
        prop_assert!(report.passed(), "{report}{context}");

        // Residual at every point the solver returns, and no NaN anywhere on a grid that
        // reaches past the support.
        let (lo, hi) = law.hull();
        let span = match (hi - lo).max(hi.abs().max(lo.abs())) {
            s if s > 0.0 => s,
            _ => 1.0,
        };
        let xs: Vec<f64> = (0..=400).map(|i| lo - 0.1 * span + 1.2 * span * i as f64 / 400.0).collect();
        let (density, cdf) = law.density_and_cdf(&xs).unwrap();
        prop_assert!(density.iter().chain(&cdf).all(|v| v.is_finite()), "NaN on the grid; {context}");
        prop_assert!(cdf.windows(2).all(|w| w[1] >= w[0]), "CDF decreases; {context}");
        let eq = law.equation();
        for (x, m) in xs.iter().zip(law.stieltjes_on_axis(&xs).unwrap()) {
            if let Some(m) = m {
                prop_assert!(m.im > 0.0, "Im m = {} at x = {x}; {context}", m.im);
                let (f, _, magnitude) = eq.residual(m, Complex64::new(*x, 0.0));
                prop_assert!(
                    f.norm() <= RESIDUAL_REL * magnitude,
                    "relative residual {:e} at x = {x}; {context}", f.norm() / magnitude
                );
            }
        }

        // Im m > 0 off the axis, near and far.
        for z in [
            Complex64::new(0.5 * (lo + hi), 1e-6 * span),
            Complex64::new(lo, 0.1 * span),
            Complex64::new(hi + span, 1e-3 * span),
        ] {
            let m = law.stieltjes(z).unwrap();
            prop_assert!(m.im > 0.0 && m.is_finite(), "m({z}) = {m}; {context}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: RngSeed::Fixed(4),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_accepted_separable_law_is_valid(
        g in gamma(),
        sigma in covariance_law(6),
        h in weight_law(8),
    ) {
        let law = Separable::new(g, sigma.clone(), h.clone()).unwrap();
        let report = self_consistency(&law).unwrap();
        prop_assert!(
            report.passed(),
            "{report}γ = {g}, Σ {:?} / {:?}, weights {:?} / {:?}",
            sigma.values(), sigma.probs(), h.values(), h.probs()
        );
    }
}

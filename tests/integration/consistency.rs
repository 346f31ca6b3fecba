//! Every law the crate offers runs through the library's self-consistency harness
//! (`hessian_rmt::testing::self_consistency`): density ≥ 0 and zero off the support; mass 1; CDF
//! equal to the integral of the density; moments by quadrature equal to the closed forms; the
//! Stieltjes transform by quadrature equal to the law's own.

use std::sync::Arc;

use hessian_rmt::laws::{Gmp, MarchenkoPastur, Mixture, Separable, SpectralLaw, WeightLaw};
use hessian_rmt::models::Loss;
use hessian_rmt::sampling::weight_laws::population_law;
use hessian_rmt::testing::self_consistency;

fn check(law: &dyn SpectralLaw) {
    self_consistency(law).unwrap().assert_passed();
}

fn gmp(gamma: f64, atoms: &[(f64, f64)]) -> Gmp {
    Gmp::new(gamma, WeightLaw::from_atoms(atoms).unwrap()).unwrap()
}

#[test]
fn closed_form_laws_are_consistent() {
    for (gamma, sigma2) in [
        (0.5, 1.0),
        (2.0, 3.0),
        (1.0, 1.0),
        (0.001, 1.0),
        (1000.0, 0.5),
    ] {
        check(&MarchenkoPastur::new(gamma, sigma2).unwrap());
    }
}

#[test]
fn solved_laws_are_consistent() {
    check(&gmp(0.5, &[(1.0, 1.0)]));
    check(&gmp(0.3, &[(1.0, -2.0)]));
    check(&gmp(0.4, &[(0.3, -0.5), (0.7, 1.0)]));
    check(&gmp(1.5, &[(0.25, -1.0), (0.25, 0.0), (0.5, 0.6)]));
    check(&gmp(4.0, &[(0.5, 1.0), (0.5, 20.0)]));
    // Hard edge at 0: half the weights vanish and γ = 0.5, so the effective ratio is 1.
    check(&gmp(0.5, &[(0.5, 0.0), (0.5, 1.0)]));
    // Just after two bulks merge: a cusp inside the support.
    check(&gmp(0.8115917453, &[(0.5, 1.0), (0.5, 20.0)]));
    check(&gmp(0.25, &[(0.5, -1.0), (0.5, 1.0)]));
}

#[test]
fn monte_carlo_weight_laws_are_consistent() {
    let ce_diag = population_law(Loss::Ce, 0, 0, 10, 1.0, 0.5, 1 << 18, 3).unwrap();
    check(&Gmp::new(0.5, ce_diag).unwrap());
    let ce_off = population_law(Loss::Ce, 0, 1, 10, 1.0, 0.5, 1 << 18, 3).unwrap();
    check(&Gmp::new(0.5, ce_off).unwrap());
}

#[test]
fn mixtures_are_consistent() {
    let a: Arc<dyn SpectralLaw> = Arc::new(gmp(0.1, &[(1.0, 1.0)]));
    let b: Arc<dyn SpectralLaw> = Arc::new(gmp(0.1, &[(1.0, 5.0)]));
    check(&Mixture::new(
        vec![a, b],
        "mixture of two disjoint GMP laws",
    ));
    // Overlapping components: the edges of one lie inside the support of the other.
    let c: Arc<dyn SpectralLaw> = Arc::new(gmp(0.5, &[(1.0, 1.0)]));
    let d: Arc<dyn SpectralLaw> = Arc::new(MarchenkoPastur::new(2.0, 1.0).unwrap());
    check(&Mixture::new(vec![c, d], "mixture of overlapping laws"));
}

#[test]
fn separable_laws_are_consistent() {
    let w = |atoms: &[(f64, f64)]| WeightLaw::from_atoms(atoms).unwrap();
    // Population covariance with two well separated eigenvalues: two bulks at small γ.
    check(
        &Separable::new(
            0.1,
            w(&[(0.5, 1.0), (0.5, 10.0)]),
            WeightLaw::point(1.0).unwrap(),
        )
        .unwrap(),
    );
    // Signed weights, zeros, and a three-level Σ.
    check(
        &Separable::new(
            0.6,
            w(&[(0.2, 0.5), (0.5, 1.0), (0.3, 4.0)]),
            w(&[(0.3, -1.0), (0.2, 0.0), (0.5, 2.0)]),
        )
        .unwrap(),
    );
    // Σ with a zero eigenvalue and γ > 1.
    check(
        &Separable::new(
            1.7,
            w(&[(0.25, 0.0), (0.75, 2.0)]),
            w(&[(0.5, 1.0), (0.5, 3.0)]),
        )
        .unwrap(),
    );
    // One-point weights go through the exact companion GMP law, also for t < 0 and γ > 1.
    check(
        &Separable::new(
            0.4,
            w(&[(0.3, 0.0), (0.4, 1.0), (0.3, 6.0)]),
            WeightLaw::point(-2.0).unwrap(),
        )
        .unwrap(),
    );
    check(
        &Separable::new(
            2.5,
            w(&[(0.5, 1.0), (0.5, 3.0)]),
            WeightLaw::point(1.5).unwrap(),
        )
        .unwrap(),
    );
}

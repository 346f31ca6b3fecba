//! Self-consistency of every law the crate offers: density ≥ 0 and zero off the support; mass 1;
//! CDF increments equal integrals of the density; moments by quadrature equal the free-cumulant
//! moments; for solved laws, the Stieltjes transform by quadrature equals the solver's.

use std::sync::Arc;

use gauss_quad::legendre::GaussLegendre;
use hessian_rmt::laws::{Gmp, MarchenkoPastur, Mixture, SpectralLaw, WeightLaw};
use hessian_rmt::models::Loss;
use hessian_rmt::sampling::weight_laws::population_law;
use num_complex::Complex64;

/// Nodes and weights of ∫ over the continuous part, with the edge-removing substitution
/// x = a + (b − a)(1 − cos θ)/2 and 512 panels of 12 Gauss–Legendre nodes per support interval
/// (a different rule from the CDF table's 8 nodes, so the two quadratures are independent).
fn quadrature(law: &dyn SpectralLaw) -> Vec<(f64, f64)> {
    let rule = GaussLegendre::new(12.try_into().unwrap());
    let panels = 512;
    let width = std::f64::consts::PI / panels as f64;
    let mut nodes = Vec::new();
    for (a, b) in law.support() {
        for k in 0..panels {
            for &(node, weight) in rule.as_node_weight_pairs() {
                let theta = (k as f64 + 0.5 * (node + 1.0)) * width;
                let x = a + (b - a) * 0.5 * (1.0 - theta.cos());
                nodes.push((x, 0.5 * width * weight * (b - a) * 0.5 * theta.sin()));
            }
        }
    }
    nodes
}

/// Checks one law; `stieltjes` is the solver's transform when the law has one.
fn check_law(
    name: &str,
    law: &dyn SpectralLaw,
    stieltjes: Option<&dyn Fn(Complex64) -> Complex64>,
) {
    let nodes = quadrature(law);
    let xs: Vec<f64> = nodes.iter().map(|n| n.0).collect();
    let rho = law.density(&xs).unwrap();
    assert!(
        rho.iter().all(|r| *r >= 0.0 && r.is_finite()),
        "{name}: negative or non-finite density"
    );

    let (lo, hi) = law.hull();
    let width = hi - lo;
    let outside = [lo - 0.1 * width - 1.0, hi + 0.1 * width + 1.0];
    assert_eq!(
        law.density(&outside).unwrap(),
        vec![0.0, 0.0],
        "{name}: density off the support"
    );
    let f_out = law.cdf(&outside).unwrap();
    assert_eq!(f_out[0], 0.0, "{name}: F below the support");
    assert!(
        (f_out[1] - 1.0).abs() < 1e-9,
        "{name}: F above the support is {}",
        f_out[1]
    );

    // Mass: atoms plus the quadrature of the density (independent of the CDF table's own rule).
    let atoms = law.atoms();
    let atom_mass: f64 = atoms.iter().map(|a| a.mass).sum();
    let continuous: f64 = nodes.iter().zip(&rho).map(|((_, w), r)| w * r).sum();
    assert!(
        (atom_mass + continuous - 1.0).abs() < 1e-8,
        "{name}: total mass {}",
        atom_mass + continuous
    );

    // CDF increments against the integral of the density between support points.
    for &(a, b) in &law.support() {
        let points: Vec<f64> = (0..=10).map(|i| a + (b - a) * i as f64 / 10.0).collect();
        let cdf = law.cdf(&points).unwrap();
        assert!(
            cdf.windows(2).all(|w| w[1] >= w[0]),
            "{name}: CDF decreases on [{a}, {b}]"
        );
        for i in 0..10 {
            // A node sum over a sub-range is exact only between nodes, so compare it with the CDF
            // at the first and last node inside the sub-range.
            let inside: Vec<f64> = xs
                .iter()
                .copied()
                .filter(|x| *x > points[i] && *x <= points[i + 1])
                .collect();
            if inside.len() < 2 {
                continue;
            }
            let ends = law.cdf(&[inside[0], inside[inside.len() - 1]]).unwrap();
            let between: f64 = nodes
                .iter()
                .zip(&rho)
                .filter(|((x, _), _)| *x > inside[0] && *x <= inside[inside.len() - 1])
                .map(|((_, w), r)| w * r)
                .sum();
            // Each end node carries half-weight ambiguity: bound by the largest node weight.
            let slack = nodes
                .iter()
                .zip(&rho)
                .map(|((_, w), r)| w * r)
                .fold(0.0, f64::max);
            assert!(
                (ends[1] - ends[0] - between).abs() <= slack + 1e-9,
                "{name}: F increment {} vs integral {between} on [{}, {}]",
                ends[1] - ends[0],
                inside[0],
                inside[inside.len() - 1]
            );
        }
    }

    // Moments by quadrature against the free-cumulant moments.
    let predicted = law.moments(4);
    let scale = predicted[1].abs().sqrt();
    for k in 1..=4 {
        let quad: f64 = nodes
            .iter()
            .zip(&rho)
            .map(|((x, w), r)| w * r * x.powi(k))
            .sum::<f64>()
            + atoms.iter().map(|a| a.mass * a.x.powi(k)).sum::<f64>();
        let exact = predicted[k as usize - 1];
        // Relative to the moment itself, with an absolute floor for moments near 0. 1e-7: on the
        // CE off-diagonal law, whose density spikes at its upper edge, this harness quadrature
        // itself reaches only about 5e-8.
        let err = (quad - exact).abs() / (exact.abs() + 1e-6 * scale.powi(k));
        assert!(
            err < 1e-7,
            "{name}: moment {k} by quadrature {quad} vs {exact} (relative error {err:e})"
        );
    }

    // Stieltjes transform by quadrature at a point well off the axis.
    if let Some(solver) = stieltjes {
        let z = Complex64::new(0.5 * (lo + hi), 0.5 * width.max(1e-3));
        let quad: Complex64 = nodes
            .iter()
            .zip(&rho)
            .map(|((x, w), r)| w * r / (x - z))
            .sum::<Complex64>()
            + atoms.iter().map(|a| a.mass / (a.x - z)).sum::<Complex64>();
        let m = solver(z);
        assert!(
            (quad - m).norm() < 1e-8 * m.norm(),
            "{name}: m(z) by quadrature {quad} vs solver {m}"
        );
    }
}

fn check_gmp(name: &str, gamma: f64, weights: WeightLaw) {
    let law = Gmp::new(gamma, weights).unwrap();
    let solver = |z: Complex64| law.stieltjes(z).unwrap();
    check_law(name, &law, Some(&solver));
}

#[test]
fn closed_form_laws_are_consistent() {
    check_law("MP(0.5)", &MarchenkoPastur::new(0.5, 1.0).unwrap(), None);
    check_law(
        "MP(2, σ² = 3)",
        &MarchenkoPastur::new(2.0, 3.0).unwrap(),
        None,
    );
    check_law("MP(1)", &MarchenkoPastur::new(1.0, 1.0).unwrap(), None);
}

#[test]
fn solved_laws_are_consistent() {
    check_gmp("GMP point law", 0.5, WeightLaw::point(1.0).unwrap());
    check_gmp(
        "GMP negative point law",
        0.3,
        WeightLaw::point(-2.0).unwrap(),
    );
    check_gmp(
        "GMP mixed signs",
        0.4,
        WeightLaw::from_atoms(&[(0.3, -0.5), (0.7, 1.0)]).unwrap(),
    );
    check_gmp(
        "GMP with zero weights",
        1.5,
        WeightLaw::from_atoms(&[(0.25, -1.0), (0.25, 0.0), (0.5, 0.6)]).unwrap(),
    );
    check_gmp(
        "GMP two bulks",
        4.0,
        WeightLaw::from_atoms(&[(0.5, 1.0), (0.5, 20.0)]).unwrap(),
    );
    let ce_diag = population_law(Loss::Ce, 0, 0, 10, 1.0, 0.5, 1 << 18, 3).unwrap();
    check_gmp("GMP population CE diag", 0.5, ce_diag);
    let ce_off = population_law(Loss::Ce, 0, 1, 10, 1.0, 0.5, 1 << 18, 3).unwrap();
    check_gmp("GMP population CE offdiag", 0.5, ce_off);
}

#[test]
fn mixtures_are_consistent() {
    // Disjoint components: the harness integrates each support interval with one smooth rule,
    // which cannot follow a component's edge inside a merged interval.
    let a: Arc<dyn SpectralLaw> = Arc::new(Gmp::new(0.1, WeightLaw::point(1.0).unwrap()).unwrap());
    let b: Arc<dyn SpectralLaw> = Arc::new(Gmp::new(0.1, WeightLaw::point(5.0).unwrap()).unwrap());
    let mix = Mixture::new(vec![a, b], "mixture");
    check_law("mixture of two GMP laws", &mix, None);
}

//! The solver against independent references: closed-form Marchenko–Pastur, and for laws with
//! two or three weight atoms the roots of the polynomial that the equation becomes, found as the
//! eigenvalues of a companion matrix (faer's general eigensolver), not by our Newton iteration.
//! Also the cases that other tools get wrong, each with its right value.

use faer::Mat;
use hessian_rmt::laws::{Gmp, MarchenkoPastur, SpectralLaw, WeightLaw};
use num_complex::Complex64;

fn gmp(gamma: f64, atoms: &[(f64, f64)]) -> Gmp {
    Gmp::new(gamma, WeightLaw::from_atoms(atoms).unwrap()).unwrap()
}

/// Product of polynomials with coefficients in increasing degree.
fn mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len().max(b.len())];
    for (i, x) in a.iter().enumerate() {
        out[i] += x;
    }
    for (i, y) in b.iter().enumerate() {
        out[i] += y;
    }
    out
}

/// Finds all roots of a polynomial (increasing degree) as eigenvalues of its companion matrix,
/// each polished by three Newton steps on the polynomial itself.
fn roots(coefficients: &[f64]) -> Vec<Complex64> {
    // A vanishing leading coefficient (x = 0 in the equation polynomial) lowers the degree.
    let scale = coefficients.iter().fold(0.0_f64, |a, c| a.max(c.abs()));
    let n = coefficients
        .iter()
        .rposition(|c| c.abs() > 1e-14 * scale)
        .expect("a non-zero polynomial");
    let coefficients = &coefficients[..=n];
    let lead = coefficients[n];
    let companion = Mat::<f64>::from_fn(n, n, |i, j| {
        if j == n - 1 {
            -coefficients[i] / lead
        } else if i == j + 1 {
            1.0
        } else {
            0.0
        }
    });
    let eval = |z: Complex64| {
        let mut p = Complex64::new(0.0, 0.0);
        let mut dp = Complex64::new(0.0, 0.0);
        for &c in coefficients.iter().rev() {
            dp = dp * z + p;
            p = p * z + c;
        }
        (p, dp)
    };
    companion
        .eigenvalues()
        .unwrap_or_else(|e| panic!("eigenvalues of the companion of {coefficients:?}: {e:?}"))
        .into_iter()
        .map(|r| {
            let mut z = Complex64::new(r.re, r.im);
            for _ in 0..3 {
                let (p, dp) = eval(z);
                if dp.norm() > 0.0 {
                    z -= p / dp;
                }
            }
            z
        })
        .collect()
}

/// Writes the GMP equation at real x as a polynomial in m of degree K + 1:
/// x m Π(1 + γ t_j m) + Π(1 + γ t_j m) − m Σ_j p_j t_j Π_{k≠j}(1 + γ t_k m) = 0.
fn equation_polynomial(gamma: f64, atoms: &[(f64, f64)], x: f64) -> Vec<f64> {
    let factor = |t: f64| vec![1.0, gamma * t];
    let product = atoms
        .iter()
        .fold(vec![1.0], |acc, &(_, t)| mul(&acc, &factor(t)));
    let mut sum = vec![0.0];
    for (j, &(p, t)) in atoms.iter().enumerate() {
        let others = atoms
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != j)
            .fold(vec![p * t], |acc, (_, &(_, s))| mul(&acc, &factor(s)));
        sum = add(&sum, &others);
    }
    let first = mul(&[0.0, x], &product);
    let last: Vec<f64> = mul(&[0.0, 1.0], &sum).into_iter().map(|c| -c).collect();
    add(&add(&first, &product), &last)
}

/// Edges as critical values of the inverse map: x′(w) = 0 ⇔ γ Π(w − t_j)² = Σ_j p_j t_j²
/// Π_{k≠j}(w − t_k)², a polynomial of degree 2K in w; every real root is an edge.
fn reference_edges(gamma: f64, atoms: &[(f64, f64)]) -> Vec<f64> {
    let square = |t: f64| mul(&[-t, 1.0], &[-t, 1.0]);
    let product = atoms
        .iter()
        .fold(vec![gamma], |acc, &(_, t)| mul(&acc, &square(t)));
    let mut sum = vec![0.0];
    for (j, &(p, t)) in atoms.iter().enumerate() {
        let others = atoms
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != j)
            .fold(vec![p * t * t], |acc, (_, &(_, s))| mul(&acc, &square(s)));
        sum = add(&sum, &others);
    }
    let poly = add(&product, &sum.iter().map(|c| -c).collect::<Vec<_>>());
    let x_of = |w: f64| gamma * w + w * atoms.iter().map(|&(p, t)| p * t / (w - t)).sum::<f64>();
    let mut edges: Vec<f64> = roots(&poly)
        .into_iter()
        .filter(|r| r.im.abs() <= 1e-7 * r.norm().max(1.0))
        .map(|r| x_of(r.re))
        .collect();
    edges.sort_by(f64::total_cmp);
    edges
}

#[test]
fn marchenko_pastur_for_extreme_ratios() {
    for gamma in [0.001, 0.25, 1.0, 4.0, 1000.0] {
        let law = gmp(gamma, &[(1.0, 1.0)]);
        let mp = MarchenkoPastur::new(gamma, 1.0).unwrap();
        let (a, b) = mp.edges();
        let (lo, hi) = law.support()[0];
        // Edges to 1e-12 relative (the lower edge at γ = 1 is 0: absolute 1e-12 · b there).
        assert!(
            (lo - a).abs() <= 1e-12 * a.max(1e-12 * b) + 1e-12 * b * f64::from(gamma == 1.0),
            "γ = {gamma}: lower edge {lo} vs {a}"
        );
        assert!(
            (hi - b).abs() <= 1e-12 * b,
            "γ = {gamma}: upper edge {hi} vs {b}"
        );
        // The atom mass is exact: the same formula, bit for bit.
        assert_eq!(law.zero_atom(), mp.zero_atom(), "γ = {gamma}");
        let xs: Vec<f64> = (1..1000).map(|i| a + (b - a) * i as f64 / 1000.0).collect();
        let (density, cdf) = law.density_and_cdf(&xs).unwrap();
        let peak = xs.iter().map(|&x| mp.density_at(x)).fold(0.0, f64::max);
        for ((x, rho), f) in xs.iter().zip(density).zip(cdf) {
            let exact = mp.density_at(*x);
            assert!(
                (rho - exact).abs() <= 1e-10 * peak,
                "γ = {gamma}, x = {x}: density {rho} vs {exact}"
            );
            let exact_f = mp.cdf_at(*x);
            assert!(
                (f - exact_f).abs() <= 1e-10,
                "γ = {gamma}, x = {x}: CDF {f} vs {exact_f}"
            );
        }
    }
}

#[test]
fn two_and_three_atom_laws_match_polynomial_roots() {
    let cases: [(f64, &[(f64, f64)]); 6] = [
        (0.25, &[(0.5, 0.25), (0.5, 1.0)]),
        (0.25, &[(0.5, -1.0), (0.5, 1.0)]),
        (4.0, &[(0.5, 1.0), (0.5, 20.0)]),
        (0.7, &[(0.2, -2.0), (0.5, 0.5), (0.3, 3.0)]),
        (3.0, &[(0.3, 1.0), (0.3, 4.0), (0.4, 16.0)]),
        (0.05, &[(0.6, 1.0), (0.3, -0.3), (0.1, 5.0)]),
    ];
    for (gamma, atoms) in cases {
        let law = gmp(gamma, atoms);
        // Edges.
        let ours: Vec<f64> = law.support().iter().flat_map(|&(a, b)| [a, b]).collect();
        let reference = reference_edges(gamma, atoms);
        assert_eq!(
            ours.len(),
            reference.len(),
            "γ = {gamma}, {atoms:?}: {ours:?} vs {reference:?}"
        );
        for (x, r) in ours.iter().zip(&reference) {
            assert!(
                (x - r).abs() <= 1e-10 * r.abs().max(1.0),
                "γ = {gamma}, {atoms:?}: edge {x} vs {r}"
            );
        }
        // Density at interior points: Im of the one root in the upper half plane, over π.
        for &(a, b) in &law.support() {
            let xs: Vec<f64> = (1..200).map(|i| a + (b - a) * i as f64 / 200.0).collect();
            let density = law.density(&xs).unwrap();
            for (x, rho) in xs.iter().zip(density) {
                let poly = equation_polynomial(gamma, atoms, *x);
                let upper = roots(&poly)
                    .into_iter()
                    .max_by(|p, q| p.im.total_cmp(&q.im))
                    .unwrap();
                let exact = upper.im.max(0.0) / std::f64::consts::PI;
                assert!(
                    (rho - exact).abs() <= 1e-9 * exact.max(1e-3),
                    "γ = {gamma}, {atoms:?}, x = {x}: density {rho} vs {exact}"
                );
            }
        }
    }
}

#[test]
fn mp_above_ratio_one_has_half_its_mass_at_zero() {
    // MP with γ = 2: F = 0.5 on [0, (1 − √2)²), mean 1, variance 2.
    let law = gmp(2.0, &[(1.0, 1.0)]);
    let lower = (1.0 - 2f64.sqrt()).powi(2);
    let f = law.cdf(&[-1e-12, 0.0, 0.5 * lower, lower]).unwrap();
    assert_eq!(f[0], 0.0);
    assert!(f[1..].iter().all(|v| (v - 0.5).abs() < 1e-14), "{f:?}");
    let moments = law.moments(2);
    assert!(
        (moments[0] - 1.0).abs() < 1e-14 && (moments[1] - moments[0].powi(2) - 2.0).abs() < 1e-13
    );
}

#[test]
fn lower_edge_is_found_for_any_ratio() {
    for gamma in [1.5, 2.0, 10.0, 100.0, 1e4, 1e6] {
        let law = gmp(gamma, &[(1.0, 1.0)]);
        let (lo, hi) = law.support()[0];
        let (a, b) = ((1.0 - gamma.sqrt()).powi(2), (1.0 + gamma.sqrt()).powi(2));
        assert!(
            (lo - a).abs() <= 1e-12 * a && (hi - b).abs() <= 1e-12 * b,
            "γ = {gamma}: [{lo}, {hi}]"
        );
    }
}

#[test]
fn two_positive_atoms_give_the_published_support() {
    let law = gmp(0.25, &[(0.5, 0.25), (0.5, 1.0)]);
    let support = law.support();
    assert_eq!(support.len(), 1);
    let (lo, hi) = support[0];
    assert!((lo - 0.125919521300668).abs() < 1e-14, "{lo}");
    assert!((hi - 1.596483512719283).abs() < 1e-14, "{hi}");
}

#[test]
fn symmetric_signed_weights_give_a_symmetric_law() {
    let law = gmp(0.25, &[(0.5, -1.0), (0.5, 1.0)]);
    let support = law.support();
    assert_eq!(support.len(), 1);
    let (lo, hi) = support[0];
    assert!((lo + 1.100917368760403).abs() < 1e-14, "{lo}");
    assert!((hi - 1.100917368760403).abs() < 1e-14, "{hi}");
    let xs: Vec<f64> = (1..50).map(|i| hi * i as f64 / 50.0).collect();
    let neg: Vec<f64> = xs.iter().map(|x| -x).collect();
    let (d_pos, f_pos) = law.density_and_cdf(&xs).unwrap();
    let (d_neg, f_neg) = law.density_and_cdf(&neg).unwrap();
    for i in 0..xs.len() {
        assert!((d_pos[i] - d_neg[i]).abs() < 1e-13, "x = {}", xs[i]);
        assert!((f_pos[i] + f_neg[i] - 1.0).abs() < 1e-13, "x = {}", xs[i]);
    }
    assert!(law.atoms().is_empty());
}

#[test]
fn half_zero_weights_give_a_hard_edge_at_zero() {
    // H = ½δ₀ + ½δ₁ at γ = 0.5 is MP(γ = 1, σ² = ½): support [0, 2], no atom, and density
    // √((2 − x)/x)/π, which blows up like x^(−1/2) at 0.
    let law = gmp(0.5, &[(0.5, 0.0), (0.5, 1.0)]);
    assert!(law.atoms().is_empty(), "{:?}", law.atoms());
    let (lo, hi) = law.support()[0];
    assert!(lo.abs() < 1e-12, "lower edge {lo}");
    assert!((hi - 2.0).abs() < 1e-12, "upper edge {hi}");
    let mp = MarchenkoPastur::new(1.0, 0.5).unwrap();
    let xs = [
        1e-12,
        1e-9,
        1e-6,
        1e-3,
        0.1,
        1.0,
        1.9,
        2.0 - 1e-6,
        2.0 - 1e-9,
    ];
    let (density, cdf) = law.density_and_cdf(&xs).unwrap();
    for ((x, rho), f) in xs.iter().zip(density).zip(cdf) {
        let exact = ((2.0 - x) / x).sqrt() / std::f64::consts::PI;
        // Relative 1e-9 near the hard edge. Near the soft edge at 2 the root of the equation is
        // nearly double and only about half the digits of m are determined by the rounded
        // equation: at 2 − 1e-9 the absolute error is 1.6e-11, so the bound there is absolute,
        // 1e-10 (the density's scale is 1).
        assert!(
            (rho - exact).abs() <= 1e-9 * exact || (*x > 1.99 && (rho - exact).abs() <= 1e-10),
            "x = {x}: density {rho} vs {exact}"
        );
        // F(x) = (√(x(2 − x)) + 2 asin(√(x/2)))/π, the antiderivative of the density (this form
        // keeps full relative precision near 0, where the general MP formula cancels).
        let exact_f =
            ((x * (2.0 - x)).sqrt() + 2.0 * (x / 2.0).sqrt().asin()) / std::f64::consts::PI;
        assert!(
            (f - exact_f).abs() <= 1e-12,
            "x = {x}: CDF {f} vs {exact_f}"
        );
    }
    // A trapezoid rule on a uniform grid of 1000 points misses mass near the hard edge; the
    // law's CDF does not.
    let f = law.cdf(&[2.0 / 1000.0]).unwrap()[0];
    assert!(
        (f - mp.cdf_at(2.0 / 1000.0)).abs() < 1e-13 && f > 0.02,
        "F(0.002) = {f}"
    );
}

/// Support edges of the Marchenko–Pastur law with population covariance Σ (τ ≡ 1), from the
/// classical inverse map of the companion transform, z(m) = −1/m + γ Σ_k q_k s_k/(1 + s_k m)
/// (Silverstein–Choi 1995): every real critical point of z gives an edge. Critical points are
/// bracketed on a fine logarithmic grid of m on each side of 0 and refined by bisection on z′.
fn sample_covariance_edges(gamma: f64, sigma: &[(f64, f64)]) -> Vec<f64> {
    let z = |m: f64| {
        -1.0 / m
            + gamma
                * sigma
                    .iter()
                    .map(|&(q, s)| q * s / (1.0 + s * m))
                    .sum::<f64>()
    };
    let dz = |m: f64| {
        1.0 / (m * m)
            - gamma
                * sigma
                    .iter()
                    .map(|&(q, s)| q * s * s / (1.0 + s * m).powi(2))
                    .sum::<f64>()
    };
    let mut grid: Vec<f64> = (0..200_000)
        .map(|i| 10f64.powf(-6.0 + 12.0 * i as f64 / 200_000.0))
        .flat_map(|v| [v, -v])
        .collect();
    grid.sort_by(f64::total_cmp);
    let poles: Vec<f64> = sigma.iter().map(|&(_, s)| -1.0 / s).collect();
    let mut edges = Vec::new();
    for w in grid.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a < 0.0) != (b < 0.0) || poles.iter().any(|p| (a - p) * (b - p) <= 0.0) {
            continue;
        }
        if (dz(a) > 0.0) != (dz(b) > 0.0) {
            let (mut lo, mut hi) = (a, b);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if (dz(mid) > 0.0) == (dz(lo) > 0.0) {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            edges.push(z(0.5 * (lo + hi)));
        }
    }
    edges.sort_by(f64::total_cmp);
    edges
}

#[test]
fn separable_law_with_unit_weights_matches_the_sample_covariance_edges() {
    use hessian_rmt::laws::Separable;
    for (gamma, sigma) in [
        (0.1, vec![(0.5, 1.0), (0.5, 10.0)]),
        (0.3, vec![(0.2, 1.0), (0.5, 3.0), (0.3, 8.0)]),
        (2.0, vec![(0.7, 1.0), (0.3, 5.0)]),
    ] {
        let law = Separable::new(
            gamma,
            WeightLaw::from_atoms(&sigma).unwrap(),
            WeightLaw::point(1.0).unwrap(),
        )
        .unwrap();
        let scanned = Separable::new_scanned(
            gamma,
            WeightLaw::from_atoms(&sigma).unwrap(),
            WeightLaw::point(1.0).unwrap(),
        )
        .unwrap();
        let reference = sample_covariance_edges(gamma, &sigma);
        // The general support search (scan, refinement, polish) and the exact companion GMP law.
        for (path, law) in [("scanned", &scanned), ("companion", &law)] {
            let ours: Vec<f64> = law.support().iter().flat_map(|&(a, b)| [a, b]).collect();
            assert_eq!(
                ours.len(),
                reference.len(),
                "{path}, γ = {gamma}, Σ {sigma:?}: {ours:?} vs {reference:?}"
            );
            for (x, r) in ours.iter().zip(&reference) {
                assert!(
                    (x - r).abs() <= 1e-10 * r.abs().max(1.0),
                    "{path}, γ = {gamma}, Σ {sigma:?}: edge {x} vs {r}"
                );
            }
        }

        // The two paths agree on the density and the CDF.
        let (xs, n) = (law.support()[0].0, 400);
        let hi = law.support().last().unwrap().1;
        // Midpoints of a grid, away from the edges, where the density changes like the square
        // root of the distance and a 1e-16 difference in an edge would show.
        let grid: Vec<f64> = (0..n)
            .map(|i| xs + (hi - xs) * (i as f64 + 0.5) / n as f64)
            .collect();
        let (d1, f1) = law.density_and_cdf(&grid).unwrap();
        let (d2, f2) = scanned.density_and_cdf(&grid).unwrap();
        for i in 0..n {
            assert!(
                (d1[i] - d2[i]).abs() <= 1e-9 * (1.0 + d2[i]),
                "x = {}: density {} (companion) vs {} (scanned)",
                grid[i],
                d1[i],
                d2[i]
            );
            assert!(
                (f1[i] - f2[i]).abs() <= 1e-12,
                "x = {}: CDF {} (companion) vs {} (scanned)",
                grid[i],
                f1[i],
                f2[i]
            );
        }

        // Atom at 0 for γ > 1: mass 1 − 1/γ.
        let atom: f64 = law.atoms().iter().map(|a| a.mass).sum();
        assert!((atom - (1.0 - 1.0 / gamma).max(0.0)).abs() < 1e-15);
    }
}

#[test]
fn separable_moments_match_free_probability() {
    use hessian_rmt::laws::Separable;
    // m₁ = E s E τ and m₂ = E s² (E τ)² + γ (E s)² E τ² (free multiplicative convolution of the
    // laws of Σ and of the GMP block).
    let sigma = WeightLaw::from_atoms(&[(0.4, 0.5), (0.6, 3.0)]).unwrap();
    let weights = WeightLaw::from_atoms(&[(0.3, -1.0), (0.2, 0.0), (0.5, 2.0)]).unwrap();
    let gamma = 0.6;
    let law = Separable::new(gamma, sigma.clone(), weights.clone()).unwrap();
    let m = law.moments(2);
    let (s1, s2, t1, t2) = (
        sigma.moment(1),
        sigma.moment(2),
        weights.moment(1),
        weights.moment(2),
    );
    let m1 = s1 * t1;
    let m2 = s2 * t1 * t1 + gamma * s1 * s1 * t2;
    assert!(
        (m[0] - m1).abs() < 1e-12 * m1.abs().max(1.0),
        "{} vs {m1}",
        m[0]
    );
    assert!((m[1] - m2).abs() < 1e-12 * m2, "{} vs {m2}", m[1]);
}

#[test]
fn sweep_after_jump_keeps_root() {
    // Regression: the population law of a ReLU cross-entropy diagonal block (half the weights 0,
    // γ = ½, so a hard edge at 0), evaluated at the pooled eigenvalues: a run of them near 1e-17,
    // then one at 2.4e-6. The cubic prediction across the jump started Newton far away, it
    // converged to a spurious complex root, the CDF came out as 1 instead of 0.006, and the KS
    // distance was 0.97. Every CDF value of the sweep must equal the value computed alone.
    use hessian_rmt::compare::mlp_suite::{MlpCaseSpec, run_mlp_suite};
    use hessian_rmt::compare::suite::{BlockKind, SuiteSettings};
    use hessian_rmt::models::Loss;
    use hessian_rmt::models::mlp::Activation;
    use hessian_rmt::sampling::DataDist;
    use hessian_rmt::sampling::mlp::MlpConfig;
    let config = MlpConfig {
        dim: 300,
        samples: 600,
        width: 8,
        classes: 10,
        sigma_w: 1.0,
        sigma_v: 1.0,
        data: DataDist::Gaussian,
        fix_weights: false,
        redraw_v: false,
        replicates: 4,
        seed: 1005,
    };
    let case = MlpCaseSpec {
        loss: Loss::Ce,
        activation: Activation::Relu,
        block: BlockKind::HiddenDiag,
    };
    let settings = SuiteSettings {
        curve_points: 0,
        ..SuiteSettings::default()
    };
    let result = run_mlp_suite(&config, &[case], &settings, &|| {}).unwrap();
    let (esd, law) = (
        result[0].esd.as_ref().unwrap(),
        result[0].law.as_ref().unwrap(),
    );
    let batch = law.cdf(esd.values()).unwrap();
    for (k, (x, f)) in esd.values().iter().zip(&batch).enumerate() {
        let single = law.cdf(&[*x]).unwrap()[0];
        assert!(
            (f - single).abs() <= 1e-10,
            "eigenvalue {k}, F({x:e}): {f} in the sweep, {single} alone"
        );
    }
    let ks = result[0].report.ks.unwrap();
    assert!(ks < 0.1, "KS {ks} (d 300, N 600, R 4, seed 1005)");
}

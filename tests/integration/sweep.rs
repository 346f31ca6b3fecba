//! The class-count sweep: theory against Monte Carlo, and the slopes.

use hessian_rmt::compare::sweep::{
    SweepConfig, SweepModel, SweepPoint, fitted_slope, log_spaced, run_sweep,
};
use hessian_rmt::models::Loss;

fn config(model: SweepModel, loss: Loss, classes: Vec<usize>, theory_only: bool) -> SweepConfig {
    SweepConfig {
        model,
        loss,
        classes,
        dim: 100,
        samples: 200,
        logit_scale: 1.0,
        width: 8,
        replicates: 12,
        seed: 3,
        theory_only,
    }
}

fn slope(points: &[SweepPoint], range: (usize, usize)) -> f64 {
    let classes: Vec<usize> = points.iter().map(|p| p.classes).collect();
    let theory: Vec<f64> = points.iter().map(|p| p.theory).collect();
    fitted_slope(&classes, &theory, range).unwrap()
}

#[test]
fn linear_ce_ratio_falls_like_one_over_c() {
    // R(C) ≈ c(γ, s)/C for large C, so the fitted theory slope over C in [100, 10⁵] is close to
    // −1; at s = 1 the 1/C correction leaves it within 0.05 of −1.
    let classes = log_spaced(100, 100_000, 16);
    let points = run_sweep(
        &config(SweepModel::Linear, Loss::Ce, classes, true),
        &|_| {},
    )
    .unwrap();
    let s = slope(&points, (100, 100_000));
    assert!(
        (-1.05..=-0.95).contains(&s),
        "theory slope {s} over [100, 1e5] at s = 1"
    );
}

#[test]
fn network_ratio_falls_like_one_over_root_c() {
    // ReLU, MSE: R_rms(C)² ∝ 1/(C − 2), slope −½ up to the C − 2 correction at small C.
    let classes = log_spaced(10, 10_000, 10);
    let points = run_sweep(&config(SweepModel::Mlp, Loss::Mse, classes, true), &|_| {}).unwrap();
    let s = slope(&points, (10, 10_000));
    assert!(
        (-0.55..=-0.45).contains(&s),
        "theory slope {s} over [10, 1e4]"
    );
}

#[test]
fn network_ce_slope_is_minus_half() {
    // Cross-entropy: the theory is itself a Monte Carlo over V, with a relative standard error of
    // about 6 % per point. The points are strongly correlated across C because every C uses the
    // same draws. The fitted slope over [10, 10⁴] must lie in [−0.55, −0.45]. About 10 s.
    let classes = vec![10, 100, 1000, 10_000];
    let points = run_sweep(&config(SweepModel::Mlp, Loss::Ce, classes, true), &|_| {}).unwrap();
    let s = slope(&points, (10, 10_000));
    assert!(
        (-0.55..=-0.45).contains(&s),
        "theory slope {s} over [10, 1e4]"
    );
    assert!(points.iter().all(|p| p.theory_stderr.is_some()));
}

#[test]
fn monte_carlo_ratios_agree_with_theory() {
    // Each Monte Carlo ratio against the finite-size prediction, in standard errors. The
    // all-pairs average of the linear model averages C(C − 1) pairs, and the network's
    // root-mean-square averages over V; both are within 3 standard errors, the delta-method rate
    // of a mean of 12 replicates. About 10 s in release.
    for (model, loss, classes) in [
        (SweepModel::Linear, Loss::Ce, vec![2, 5, 30, 300, 3000]),
        (SweepModel::Mlp, Loss::Mse, vec![10, 100, 1000]),
        (SweepModel::Mlp, Loss::Ce, vec![10, 100, 1000]),
    ] {
        let cfg = config(model, loss, classes, false);
        let points = run_sweep(&cfg, &|_| {}).unwrap();
        for p in &points {
            let (e, se) = match model {
                SweepModel::Linear => (p.empirical_all_pairs.unwrap(), p.stderr_all_pairs.unwrap()),
                SweepModel::Mlp => (p.empirical.unwrap(), p.stderr.unwrap()),
            };
            // The uncertainty adds the standard error of a Monte Carlo theory.
            let uncertainty = se.hypot(p.theory_stderr.unwrap_or(0.0));
            let z = if e == p.theory_finite {
                0.0
            } else {
                (e - p.theory_finite) / uncertainty.max(1e-9 * p.theory_finite)
            };
            assert!(
                z.abs() <= 3.0,
                "{model:?} {loss} C = {}: Monte Carlo {e} ± {se}, prediction {}, z {z} (d {}, N {}, R {}, seed {})",
                p.classes,
                p.theory_finite,
                cfg.dim,
                cfg.samples,
                cfg.replicates,
                cfg.seed
            );
        }
    }
}

#[test]
fn linear_mse_ratio_is_exactly_zero() {
    let cfg = config(SweepModel::Linear, Loss::Mse, vec![2, 10, 100], false);
    for p in run_sweep(&cfg, &|_| {}).unwrap() {
        assert_eq!(p.theory, 0.0);
        assert_eq!(p.empirical, Some(0.0), "C = {}", p.classes);
        assert_eq!(p.empirical_all_pairs, Some(0.0), "C = {}", p.classes);
    }
}

#[test]
fn spectral_ratio_agrees_with_its_prediction() {
    // The spectral ratio is set by the few largest weights of each block and scatters widely: one
    // replicate of the linear model has a relative standard deviation of 0.2 to 0.7. With 120
    // replicates the jackknife standard error of the pooled ratio is about 8 %, and that of the
    // prediction (up to 256 realisations) about 6 %. Both enter the 3-standard-error bound.
    // The network's prediction is closed-form. About 5 s in release.
    for (model, loss, classes, replicates) in [
        (SweepModel::Linear, Loss::Ce, vec![30, 300], 120),
        (SweepModel::Mlp, Loss::Mse, vec![30, 300], 60),
    ] {
        let mut cfg = config(model, loss, classes, false);
        cfg.replicates = replicates;
        for p in run_sweep(&cfg, &|_| {}).unwrap() {
            let (e, se) = (p.spectral.unwrap(), p.spectral_stderr.unwrap());
            let predicted = p.spectral_theory.unwrap();
            let uncertainty = se.hypot(p.spectral_theory_stderr.unwrap_or(0.0));
            let z = (e - predicted) / uncertainty;
            assert!(
                z.abs() <= 3.0,
                "{model:?} {loss} C = {}: spectral ratio {e} ± {se}, prediction {predicted} ± {:?}, z {z} (d {}, N {}, R {}, seed {})",
                p.classes,
                p.spectral_theory_stderr,
                cfg.dim,
                cfg.samples,
                cfg.replicates,
                cfg.seed
            );
            assert!(
                uncertainty < 0.25 * predicted,
                "C = {}: uncertainty {uncertainty} too wide to test {predicted}",
                p.classes
            );
        }
    }
}

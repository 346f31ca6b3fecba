//! Criterion benchmarks for the Stieltjes-transform law solver.
//!
//! Every input is deterministic, so runs on the same machine compare like with like. Each
//! `density_and_cdf` call evaluates 2000 points equally spaced over the law's hull.
//!
//! - `gmp/two_atoms/density_and_cdf_2000`: `Gmp::new` for γ = 0.25 and weights {0.25, 1} with
//!   mass 1/2 each, plus `density_and_cdf`. Acceptance: median at most 0.5 ms.
//! - `gmp/10k_atoms/density_and_cdf_2000`: the same for a 10,000-atom empirical weight law
//!   (see [`signed_log_uniform_samples`]). Acceptance: median at most 50 ms.
//! - `gmp/support_only/10k_atoms`: `Gmp::new` alone for that 10,000-atom law, which is the support
//!   search and the CDF table at the interval edges.
//! - `separable/two_by_two/density_and_cdf_2000`: `Separable::new` for γ = 0.3, Σ eigenvalues
//!   {1, 4} and weights {−1, 2} (mass 1/2 each), plus `density_and_cdf`.
//! - `gmp/atoms/{10,100,1000,10000}`: `density_and_cdf` alone, with the law built before timing,
//!   to show how the cost grows with the number of weight atoms.
//!
//! The acceptance figures are targets for the medians that criterion reports. Nothing here fails
//! when they are missed, and the tests do not check speed. Run with `make bench` or
//! `cargo bench --bench solver`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hessian_rmt::laws::{Gmp, Separable, SpectralLaw, WeightLaw};

/// Number of evaluation points per `density_and_cdf` call.
const POINT_COUNT: usize = 2000;

/// Returns `count` points equally spaced over `[lo, hi]`, both ends included.
fn equally_spaced(count: usize, (lo, hi): (f64, f64)) -> Vec<f64> {
    let step = (hi - lo) / (count - 1) as f64;
    (0..count).map(|i| lo + step * i as f64).collect()
}

/// Returns `count` weights exp(6u − 3) for u = (i + 0.5)/count, with every third one negated, so
/// the magnitudes span e^±3 and the law has atoms of both signs.
fn signed_log_uniform_samples(count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| {
            let u = (i as f64 + 0.5) / count as f64;
            let magnitude = (6.0 * u - 3.0).exp();
            if i % 3 == 0 { -magnitude } else { magnitude }
        })
        .collect()
}

fn two_atom_weights() -> WeightLaw {
    WeightLaw::from_atoms(&[(0.5, 0.25), (0.5, 1.0)]).expect("valid two-atom weight law")
}

fn empirical_weights(count: usize) -> WeightLaw {
    WeightLaw::from_samples(&signed_log_uniform_samples(count)).expect("finite samples")
}

fn bench_gmp(c: &mut Criterion) {
    let mut group = c.benchmark_group("gmp");

    let two_atom_xs = equally_spaced(
        POINT_COUNT,
        Gmp::new(0.25, two_atom_weights())
            .expect("valid GMP law")
            .hull(),
    );
    group.bench_function("two_atoms/density_and_cdf_2000", |b| {
        b.iter(|| {
            let law = Gmp::new(black_box(0.25), two_atom_weights()).expect("valid GMP law");
            law.density_and_cdf(black_box(&two_atom_xs))
                .expect("solver converges")
        })
    });

    // The 10,000-atom cases are the slow ones (the acceptance figure allows up to 50 ms per
    // iteration), so they get fewer samples.
    group.sample_size(20);
    let weights = empirical_weights(10_000);
    let xs = equally_spaced(
        POINT_COUNT,
        Gmp::new(0.25, weights.clone())
            .expect("valid GMP law")
            .hull(),
    );
    group.bench_function("10k_atoms/density_and_cdf_2000", |b| {
        b.iter(|| {
            let law = Gmp::new(black_box(0.25), weights.clone()).expect("valid GMP law");
            law.density_and_cdf(black_box(&xs))
                .expect("solver converges")
        })
    });
    group.bench_function("support_only/10k_atoms", |b| {
        b.iter(|| Gmp::new(black_box(0.25), weights.clone()).expect("valid GMP law"))
    });

    group.finish();
}

fn bench_separable(c: &mut Criterion) {
    let sigma = || WeightLaw::from_atoms(&[(0.5, 1.0), (0.5, 4.0)]).expect("valid Σ law");
    let weights = || WeightLaw::from_atoms(&[(0.5, -1.0), (0.5, 2.0)]).expect("valid weight law");
    let xs = equally_spaced(
        POINT_COUNT,
        Separable::new(0.3, sigma(), weights())
            .expect("valid separable law")
            .hull(),
    );

    let mut group = c.benchmark_group("separable");
    group.bench_function("two_by_two/density_and_cdf_2000", |b| {
        b.iter(|| {
            let law =
                Separable::new(black_box(0.3), sigma(), weights()).expect("valid separable law");
            law.density_and_cdf(black_box(&xs))
                .expect("solver converges")
        })
    });
    group.finish();
}

fn bench_atom_ladder(c: &mut Criterion) {
    let mut group = c.benchmark_group("gmp/atoms");
    group.sample_size(20);
    for atom_count in [10, 100, 1000, 10_000] {
        let law = Gmp::new(0.25, empirical_weights(atom_count)).expect("valid GMP law");
        let xs = equally_spaced(POINT_COUNT, law.hull());
        group.bench_with_input(BenchmarkId::from_parameter(atom_count), &xs, |b, xs| {
            b.iter(|| {
                law.density_and_cdf(black_box(xs))
                    .expect("solver converges")
            })
        });
    }
    group.finish();
}

// No HTML plots: criterion's charts would go through plotters, whose font feature in this crate
// (ab_glyph, fonts registered by the crate) has no font for criterion; the numbers are printed.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_gmp, bench_separable, bench_atom_ladder
}
criterion_main!(benches);

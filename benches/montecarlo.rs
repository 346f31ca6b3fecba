//! Criterion benchmarks for the Monte Carlo side of a verification, over a ladder of sizes.
//!
//! - `formation/ce_block/{d}`: one cross-entropy block (1/N) X diag(τ) Xᵀ, lower triangle, with
//!   N = 2d, through `weighted_gram_lower` on all threads.
//! - `eigenvalues/{seq,par}/{n}`: eigenvalues of a random symmetric n×n matrix through the
//!   two-stage reduction of `models::tridiag`, on one thread and on all threads. For comparison,
//!   `eigenvalues/{faer_seq,faer_par}/{n}` do the same through faer's one-stage reduction. The
//!   4000 rung runs on all threads only.
//! - `replicate/ce_pair/{d}`: one replicate of a linear cross-entropy block pair, (1,1) and (1,2),
//!   as `verify` samples it: draw W and X, form both blocks, take their eigenvalues.
//! - `full_hessian/ce/{N}_{d}_{C}`: the full cross-entropy Hessian of the linear model.
//! - `verify/linear_ce_pair/d200`: a whole `verify` of the pair at d = 200, N = 400, R = 4, with
//!   the population laws, as the command runs it without plots.
//!
//! Nothing here fails when a run is slow, and the tests do not check speed. `make bench` runs these
//! and the solver benchmarks. The side-by-side comparison with numpy is `bench/compare.sh`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::{Mat, Par};
use hessian_rmt::compare::suite::{CaseSpec, SuiteSettings, default_cases, run_linear_suite};
use hessian_rmt::models::eigen::{symmetric_eigenvalues, symmetric_eigenvalues_faer};
use hessian_rmt::models::linear::{Loss, full_hessian, weighted_gram_lower};
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::linear::{BlockRequest, LinearConfig, sample_replicate};
use hessian_rmt::sampling::seeds::{Stream, rng};

const SEED: u64 = 42;

fn gaussian(rows: usize, cols: usize, scale: f64) -> Mat<f64> {
    let mut generator = rng(SEED, Stream::Replicate(0));
    DataDist::Gaussian.sample(&mut generator, rows, cols, scale)
}

fn config(dim: usize, samples: usize, replicates: usize) -> LinearConfig {
    LinearConfig::gaussian(dim, samples, replicates, SEED)
}

fn bench_formation(c: &mut Criterion) {
    let mut group = c.benchmark_group("formation");
    group.sample_size(10);
    for dim in [250, 500, 1000, 2000] {
        let x = gaussian(dim, 2 * dim, 1.0);
        let tau: Vec<f64> = (0..2 * dim).map(|i| 0.1 + (i % 7) as f64 * 0.01).collect();
        group.bench_with_input(BenchmarkId::new("ce_block", dim), &dim, |b, _| {
            b.iter(|| black_box(weighted_gram_lower(x.as_ref(), &tau, Par::rayon(0))));
        });
    }
    group.finish();
}

fn bench_eigenvalues(c: &mut Criterion) {
    let mut group = c.benchmark_group("eigenvalues");
    group.sample_size(10);
    for n in [250, 500, 1000, 2000, 4000] {
        let a = gaussian(n, n, 1.0);
        for (name, par) in [("seq", Par::Seq), ("par", Par::rayon(0))] {
            if n == 4000 && name == "seq" {
                continue;
            }
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| black_box(symmetric_eigenvalues(a.as_ref(), par).unwrap()));
            });
            group.bench_with_input(BenchmarkId::new(format!("faer_{name}"), n), &n, |b, _| {
                b.iter(|| black_box(symmetric_eigenvalues_faer(a.as_ref(), par).unwrap()));
            });
        }
    }
    group.finish();
}

fn bench_replicate(c: &mut Criterion) {
    let mut group = c.benchmark_group("replicate");
    group.sample_size(10);
    let requests = [(0, 0), (0, 1)].map(|(k, l)| BlockRequest {
        loss: Loss::Ce,
        k,
        l,
        spectrum: true,
    });
    for dim in [250, 500, 1000] {
        let config = config(dim, 2 * dim, 1);
        group.bench_with_input(BenchmarkId::new("ce_pair", dim), &dim, |b, _| {
            b.iter(|| {
                let mut generator = rng(SEED, Stream::Replicate(0));
                black_box(sample_replicate(&config, &requests, None, &mut generator).unwrap())
            });
        });
    }
    group.finish();
}

fn bench_full_hessian(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_hessian");
    group.sample_size(10);
    for (samples, dim, classes) in [(500, 50, 10), (2000, 200, 20)] {
        let x = gaussian(dim, samples, 1.0);
        let w = gaussian(classes, dim, 1.0 / (dim as f64).sqrt());
        let id = format!("{samples}_{dim}_{classes}");
        group.bench_function(BenchmarkId::new("ce", id), |b| {
            b.iter(|| {
                black_box(full_hessian(x.as_ref(), w.as_ref(), Loss::Ce, Par::rayon(0)).unwrap())
            });
        });
    }
    group.finish();
}

fn bench_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    let config = config(200, 400, 4);
    let cases: Vec<CaseSpec> = default_cases()
        .into_iter()
        .filter(|case| case.loss == Loss::Ce)
        .collect();
    let settings = SuiteSettings {
        curve_points: 0,
        ..SuiteSettings::default()
    };
    group.bench_function("linear_ce_pair/d200", |b| {
        b.iter(|| black_box(run_linear_suite(&config, &cases, &settings, &|| {}).unwrap()));
    });
    group.finish();
}

// Criterion's plots need a system font, which this project does not depend on.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_formation,
        bench_eigenvalues,
        bench_replicate,
        bench_full_hessian,
        bench_verify
}
criterion_main!(benches);

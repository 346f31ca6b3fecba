//! Times one Monte Carlo workload and prints one JSON line: its name, sizes, seconds and peak
//! resident memory. `bench/compare.sh` runs it beside `bench/reference.py`, which does the same work
//! with numpy.
//!
//! Usage (after `cargo build --release --example workload`):
//!
//! - `workload eig N`: eigenvalues of one random symmetric N×N matrix, on all threads;
//! - `workload verify-pair D N R`: the Monte Carlo side of verifying one linear cross-entropy block
//!   pair, (1,1) and (1,2), with C = 10: R replicates, each drawing X and W, forming both blocks and
//!   taking their eigenvalues, then pooling. This is the path `hessian-rmt verify` takes, without
//!   the limit laws;
//! - `workload full-hessian N D C`: the full (C·d)×(C·d) cross-entropy Hessian of the linear model.
//!
//! The clock covers the work only, not the start of the process or the drawing of the input of
//! `eig` and `full-hessian`.

use std::time::Instant;

use faer::{Mat, Par};
use hessian_rmt::models::eigen::symmetric_eigenvalues;
use hessian_rmt::models::linear::{Loss, full_hessian};
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::esd::Esd;
use hessian_rmt::sampling::linear::{BlockRequest, LinearConfig, sample_replicate_with};
use hessian_rmt::sampling::montecarlo::run_replicates_with;
use hessian_rmt::sampling::seeds::{Stream, rng};

const SEED: u64 = 42;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args
        .iter()
        .skip(1)
        .map(|a| {
            a.parse().unwrap_or_else(|_| {
                fail(&format!("invalid size '{a}': expected a positive integer"))
            })
        })
        .collect();
    let (name, seconds) = match (args.first().map(String::as_str), sizes.as_slice()) {
        (Some("eig"), &[n]) => ("eig", eig(n)),
        (Some("verify-pair"), &[d, n, r]) => ("verify-pair", verify_pair(d, n, r)),
        (Some("full-hessian"), &[n, d, c]) => ("full-hessian", full(n, d, c)),
        _ => fail("usage: workload eig N | verify-pair D N R | full-hessian N D C"),
    };
    let sizes: Vec<String> = sizes.iter().map(ToString::to_string).collect();
    println!(
        "{{\"tool\": \"hessian-rmt\", \"workload\": \"{name}\", \"sizes\": \"{}\", \"seconds\": {seconds:.6}, \"peak_mib\": {:.1}, \"seed\": {SEED}, \"version\": \"{}\"}}",
        sizes.join(" "),
        peak_mib(),
        env!("CARGO_PKG_VERSION")
    );
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}

fn eig(n: usize) -> f64 {
    let mut generator = rng(SEED, Stream::Replicate(0));
    let a = DataDist::Gaussian.sample(&mut generator, n, n, 1.0);
    // The eigensolver reads only the lower triangle, so A stands for the symmetric matrix with it.
    let start = Instant::now();
    let values = symmetric_eigenvalues(a.as_ref(), Par::rayon(0)).expect("eigenvalues");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(values.len(), n);
    seconds
}

fn verify_pair(dim: usize, samples: usize, replicates: usize) -> f64 {
    let config = LinearConfig::gaussian(dim, samples, replicates, SEED);
    let requests = [(0, 0), (0, 1)].map(|(k, l)| BlockRequest {
        loss: Loss::Ce,
        k,
        l,
        spectrum: true,
    });
    let start = Instant::now();
    let replicates = run_replicates_with(
        SEED,
        replicates as u64,
        |_, generator, buffers| sample_replicate_with(&config, &requests, None, generator, buffers),
        &|| {},
    )
    .expect("replicates");
    let pooled: Vec<Esd> = (0..requests.len())
        .map(|b| Esd::pooled(replicates.iter().map(|r| r.blocks[b].eigenvalues.clone())))
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        pooled
            .iter()
            .all(|esd| esd.len() == dim * config.replicates)
    );
    seconds
}

fn full(samples: usize, dim: usize, classes: usize) -> f64 {
    let mut generator = rng(SEED, Stream::Replicate(0));
    let x = DataDist::Gaussian.sample(&mut generator, dim, samples, 1.0);
    let w: Mat<f64> =
        DataDist::Gaussian.sample(&mut generator, classes, dim, 1.0 / (dim as f64).sqrt());
    let start = Instant::now();
    let h = full_hessian(x.as_ref(), w.as_ref(), Loss::Ce, Par::rayon(0)).expect("Hessian");
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(h.nrows(), classes * dim);
    seconds
}

/// Returns the peak resident memory of this process in MiB, from VmHWM in /proc/self/status. Returns
/// 0 where that file does not exist (outside Linux).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

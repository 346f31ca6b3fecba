//! Calibrates the statistical tolerances: runs a suite over many seeds and prints, per case and
//! weight law, the median and largest ratios of a statistic to its tolerance (below 1 passes). The
//! statistics are the KS distance, the normalized moment error, the relative edge error, and for
//! the network's output-layer blocks the relative matrix error.
//!
//! Usage: `cargo run --release --example calibrate -- [linear|mlp] DIM SAMPLES REPLICATES SEEDS`
//! (the model defaults to linear).

use hessian_rmt::compare::mlp_suite::{default_mlp_cases, run_mlp_suite};
use hessian_rmt::compare::suite::{
    CaseResult, SuiteSettings, WeightLawKind, default_cases, run_linear_suite,
};
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::linear::LinearConfig;
use hessian_rmt::sampling::mlp::MlpConfig;

/// Per case: name, and the ratios KS/tol, moments/tol, edges/tol over seeds.
type Row = (String, Vec<f64>, Vec<f64>, Vec<f64>);

fn run(model: &str, sizes: [usize; 3], seed: u64, settings: &SuiteSettings) -> Vec<CaseResult> {
    let [dim, samples, replicates] = sizes;
    if model == "mlp" {
        let config = MlpConfig {
            dim,
            samples,
            width: 8,
            classes: 10,
            sigma_w: 1.0,
            sigma_v: 1.0,
            data: DataDist::Gaussian,
            fix_weights: false,
            redraw_v: false,
            replicates,
            seed,
        };
        run_mlp_suite(&config, &default_mlp_cases(), settings, &|| {}).unwrap()
    } else {
        let config = LinearConfig::gaussian(dim, samples, replicates, seed);
        run_linear_suite(&config, &default_cases(), settings, &|| {}).unwrap()
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let model = if args.first().is_some_and(|a| a == "mlp" || a == "linear") {
        args.remove(0)
    } else {
        String::from("linear")
    };
    let numbers: Vec<usize> = args
        .iter()
        .map(|a| a.parse().expect("integer argument"))
        .collect();
    let (sizes, seeds) = ([numbers[0], numbers[1], numbers[2]], numbers[3]);
    for weight_law in [
        WeightLawKind::Population,
        WeightLawKind::Conditional,
        WeightLawKind::Realised,
    ] {
        let settings = SuiteSettings {
            weight_law,
            curve_points: 0,
            ..SuiteSettings::default()
        };
        let mut rows: Vec<Row> = Vec::new();
        for seed in 0..seeds as u64 {
            let results = run(&model, sizes, 1000 + seed, &settings);
            for (i, r) in results.iter().enumerate() {
                let rep = &r.report;
                if rows.len() <= i {
                    rows.resize(i + 1, (String::new(), vec![], vec![], vec![]));
                }
                let activation = rep.activation.map(|a| format!("{a} ")).unwrap_or_default();
                rows[i].0 = format!("{activation}{} {}", rep.loss, rep.block);
                if let Some(m) = &rep.matrix {
                    rows[i].1.push(m.relative_error / m.tolerance);
                    continue;
                }
                let Some(m) = rep.moments.as_ref() else {
                    continue;
                };
                // Ratios to the tolerance: below 1 passes.
                rows[i]
                    .1
                    .push(rep.ks.unwrap_or(f64::NAN) / rep.tolerance.unwrap_or(f64::NAN));
                rows[i].2.push(
                    (m.normalized_error[0] / m.tolerance[0])
                        .max(m.normalized_error[1] / m.tolerance[1]),
                );
                if let Some(e) = rep.edges.as_ref() {
                    rows[i].3.push(e.relative_error / e.tolerance);
                }
            }
        }
        for (name, ks, mom, edge) in rows.iter().filter(|r| !r.1.is_empty()) {
            let stat = |v: &Vec<f64>| {
                if v.is_empty() {
                    return String::from("-");
                }
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                format!("median {:.3} max {:.3}", s[s.len() / 2], s[s.len() - 1])
            };
            println!(
                "{weight_law:<12} {name:<26} KS (or matrix)/tol {}  moments/tol {}  edges/tol {}",
                stat(ks),
                stat(mom),
                stat(edge)
            );
        }
    }
}

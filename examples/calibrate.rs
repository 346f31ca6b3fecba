//! Calibrates the statistical tolerances: runs the linear suite over many seeds and prints, per
//! case and weight law, the median and largest KS distance, normalized moment error and relative
//! edge error, each divided by its tolerance (a ratio below 1 passes).
//!
//! Usage: `cargo run --release --example calibrate -- DIM SAMPLES REPLICATES SEEDS`

use hessian_rmt::compare::suite::{SuiteSettings, WeightLawKind, default_cases, run_linear_suite};
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::linear::LinearConfig;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("integer argument"))
        .collect();
    let (dim, samples, replicates, seeds) = (args[0], args[1], args[2], args[3]);
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
        // Per case: name, and the ratios KS/tol, moments/tol, edges/tol over seeds.
        type Row = (String, Vec<f64>, Vec<f64>, Vec<f64>);
        let mut rows: Vec<Row> = Vec::new();
        for seed in 0..seeds as u64 {
            let config = LinearConfig {
                dim,
                samples,
                classes: 10,
                logit_scale: 1.0,
                data: DataDist::Gaussian,
                fix_weights: false,
                replicates,
                seed: 1000 + seed,
            };
            let results = run_linear_suite(&config, &default_cases(), &settings, &|| {}).unwrap();
            for (i, r) in results.iter().enumerate().filter(|(_, r)| r.esd.is_some()) {
                let rep = &r.report;
                if rows.len() <= i {
                    rows.resize(i + 1, (String::new(), vec![], vec![], vec![]));
                }
                rows[i].0 = format!("{} {}", rep.loss, rep.block);
                // Ratios to the tolerance: below 1 passes.
                rows[i].1.push(rep.ks / rep.tolerance);
                let m = rep.moments.as_ref().unwrap();
                rows[i].2.push(
                    (m.normalized_error[0] / m.tolerance[0])
                        .max(m.normalized_error[1] / m.tolerance[1]),
                );
                let e = rep.edges.as_ref().unwrap();
                rows[i].3.push(e.relative_error / e.tolerance);
            }
        }
        for (name, ks, mom, edge) in rows.iter().filter(|r| !r.0.is_empty()) {
            let stat = |v: &Vec<f64>| {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                format!("median {:.3} max {:.3}", s[s.len() / 2], s[s.len() - 1])
            };
            println!(
                "{weight_law:<12} {name:<12} KS/tol {}  moments/tol {}  edges/tol {}",
                stat(ks),
                stat(mom),
                stat(edge)
            );
        }
    }
}

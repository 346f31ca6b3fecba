use hessian_rmt::compare::suite::{SuiteSettings, WeightLawKind, default_cases, run_linear_suite};
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::linear::LinearConfig;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wl = match args[0].as_str() { "population" => WeightLawKind::Population, "conditional" => WeightLawKind::Conditional, _ => WeightLawKind::Realised };
    let dim: usize = args[1].parse().unwrap();
    let settings = SuiteSettings { weight_law: wl, curve_points: 0, ..SuiteSettings::default() };
    let config = LinearConfig { dim, samples: 2*dim, classes: 10, logit_scale: 1.0, data: DataDist::Gaussian, fix_weights: false, replicates: 10, seed: 1 };
    let t = std::time::Instant::now();
    let results = run_linear_suite(&config, &default_cases(), &settings, &|| {}).unwrap();
    eprintln!("time {:?}", t.elapsed());
    for r in &results { println!("{}", serde_json::to_string(&r.report).unwrap()); }
}

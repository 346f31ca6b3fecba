//! `hessian-rmt verify`: sample Hessian blocks, compare with their limit laws, print a table, write
//! plots and a JSON report.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::Outcome;
use super::args::{at_least_two, positive_f64, positive_usize};
use super::output::{Staging, prepare_dir, print};
use crate::VERSION;
use crate::compare::convergence;
use crate::compare::data_suite::{self, DEFAULT_STANDARDIZE, DataConfig, run_data_suite};
use crate::compare::mlp_suite::{MlpCaseSpec, default_mlp_cases, run_mlp_suite, validate_cases};
use crate::compare::suite::{
    BlockKind, CaseReport, CaseResult, CaseSpec, SuiteSettings, WeightLawKind, all_pass,
    default_cases, run_linear_suite,
};
use crate::models::Loss;
use crate::models::mlp::Activation;
use crate::plot::{
    ConvergenceFigure, ConvergenceSeries, OverlayFigure, XAxis, draw_convergence, draw_overlay,
};
use crate::sampling::DataDist;
use crate::sampling::dataset::{BUILTIN, Standardize, load_source, standardize};
use crate::sampling::linear::LinearConfig;
use crate::sampling::mlp::MlpConfig;

/// Model whose Hessian is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// f(x) = W x.
    Linear,
    /// f(x) = V φ(W x), one hidden layer of width m.
    Mlp,
}

/// Arguments of `verify`.
#[derive(Debug, Clone, Args)]
#[command(
    long_about = "Sample Hessian blocks and compare their eigenvalues with the predicted limit laws.\n\n\
Linear model (--model linear): f(x) = W x, W a C×d matrix with i.i.d. N(0, s²/d) entries, so logits \
have variance ≈ s². Block (k, l) is the d×d Hessian block of rows w_k, w_l of W: diag = (1, 1), \
offdiag = (1, 2).\n\n\
Network with one hidden layer (--model mlp): f(x) = V φ(W x), W m×d with i.i.d. N(0, σ_w²/d) entries, \
V C×m with i.i.d. N(0, σ_v²/m) entries. hidden-diag and hidden-offdiag are the d×d blocks of neurons \
(1, 1) and (1, 2) (rows of W), compared with GMP laws conditional on V; output-diag and output-offdiag \
are the m×m blocks of classes (1, 1) and (1, 2) (rows of V), compared with the matrix E[A_kl h hᵀ] \
they converge to. V is drawn once and shared by the replicates unless --redraw-v is given.\n\n\
Data x_i in R^d have i.i.d. standardised entries; labels are uniform on C classes. γ = d/N.\n\n\
With no flags, runs the default suites of both models at d = 500, N = 1000, C = 10, R = 10: for the \
linear model (s = 1), cross-entropy diag and offdiag, MSE diag, and the check that MSE offdiag is \
exactly zero; for the network (m = 8, σ_w = σ_v = 1), the hidden-layer blocks for MSE and \
cross-entropy with ReLU and tanh, and the ReLU output-layer blocks (the MSE offdiag one must be \
exactly zero). Network flags (--width, --activation, --init-scales, --redraw-v, network blocks) \
select --model mlp when --model is not given.\n\n\
Exit status: 0 when every case passes, 1 when a case fails, 2 on invalid input."
)]
pub struct VerifyArgs {
    /// Model; both default suites when omitted.
    #[arg(long, value_enum)]
    pub model: Option<Model>,
    /// Loss; all cases of the suite when omitted.
    #[arg(long, value_enum)]
    pub loss: Option<Loss>,
    /// Input dimension d.
    #[arg(long, default_value = "500", value_parser = positive_usize, allow_hyphen_values = true)]
    pub dim: usize,
    /// Number of samples N (γ = d/N).
    #[arg(long, default_value = "1000", value_parser = positive_usize, allow_hyphen_values = true)]
    pub samples: usize,
    /// Number of classes C [default: 10; for real data, the largest label plus one].
    #[arg(long, value_parser = at_least_two, allow_hyphen_values = true)]
    pub classes: Option<usize>,
    /// Logit scale s of the linear model: W has entries N(0, s²/d) [default: 1].
    #[arg(long, value_parser = positive_f64, allow_hyphen_values = true)]
    pub logit_scale: Option<f64>,
    /// Hidden width m of the network [default: 8].
    #[arg(long, value_parser = positive_usize, allow_hyphen_values = true)]
    pub width: Option<usize>,
    /// Activations of the network, comma-separated [default suite: relu,tanh].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub activation: Option<Vec<Activation>>,
    /// σ_w,σ_v of the network: W ~ N(0, σ_w²/d), V ~ N(0, σ_v²/m) [default: 1,1].
    #[arg(long, value_parser = scales, allow_hyphen_values = true, value_name = "SIGMA_W,SIGMA_V")]
    pub init_scales: Option<(f64, f64)>,
    /// Draw V per replicate; the prediction is then the mixture of the per-V laws.
    #[arg(long)]
    pub redraw_v: bool,
    /// Blocks to check, comma-separated: diag, offdiag (linear); hidden-diag, hidden-offdiag,
    /// output-diag, output-offdiag (network).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub blocks: Option<Vec<BlockKind>>,
    /// Number of independent replicates R, pooled before comparing.
    #[arg(long, default_value = "10", value_parser = positive_usize, allow_hyphen_values = true)]
    pub replicates: usize,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Data: gaussian or rademacher (i.i.d. entries), mnist or digits (the built-in real data
    /// sets), or the path of a CSV (optionally gzip) or NPY file [default: gaussian].
    #[arg(long, value_parser = data_source, value_name = "LAW|NAME|PATH")]
    pub data: Option<DataSource>,
    /// Labels of a real data set, one per sample (CSV or NPY); without it, the last column of
    /// the data file.
    #[arg(long, value_name = "PATH")]
    pub labels: Option<PathBuf>,
    /// Standardisation of real data: none, center, scale, whiten or whiten:K [default: center].
    #[arg(long, value_parser = standardize_mode, value_name = "MODE")]
    pub standardize: Option<Standardize>,
    /// Samples n per replicate, drawn with replacement from a real data set (γ = d/n); d comes
    /// from the data, and --dim and --samples are not used [default: a fifth of the data set].
    #[arg(long, value_parser = at_least_two, allow_hyphen_values = true)]
    pub subset: Option<usize>,
    /// Weight law of the prediction: population (pre-activations or logits ~ N(0, σ² I)),
    /// conditional (on the realised W), or realised (the sampled weights themselves).
    #[arg(long, value_enum, default_value_t = WeightLawKind::Population)]
    pub weight_law: WeightLawKind,
    /// Draw W (the first-layer weights of the network) once and share it across replicates.
    #[arg(long)]
    pub fix_weights: bool,
    /// Folder for plots (PNG and SVG) and report.json.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Do not draw plots.
    #[arg(long)]
    pub no_plots: bool,
    /// Print the JSON report on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Convergence study: run the synthetic suites at each dimension d of this comma list, with
    /// γ = dim/samples fixed, fit the rate of the KS distance in d, and pass a case only if it
    /// shrinks at least like d^(−1/2). Writes convergence.json, .csv and .png besides the report
    /// and plots of the largest d.
    #[arg(long, value_delimiter = ',', value_parser = positive_usize, allow_hyphen_values = true)]
    pub sizes: Option<Vec<usize>>,
}

/// Source of the data.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    /// I.i.d. entries of this law.
    Dist(DataDist),
    /// A built-in data set, by name.
    Builtin(&'static str),
    /// A file.
    File(PathBuf),
}

impl DataSource {
    /// True for real data (a built-in data set or a file).
    fn is_real(&self) -> bool {
        !matches!(self, DataSource::Dist(_))
    }
}

/// Parses --data: a law's name, a built-in data set's name, or else a path.
fn data_source(text: &str) -> Result<DataSource, String> {
    if let Ok(dist) = <DataDist as ValueEnum>::from_str(text, false) {
        return Ok(DataSource::Dist(dist));
    }
    if let Some((name, _, _)) = BUILTIN.iter().find(|(n, _, _)| *n == text) {
        return Ok(DataSource::Builtin(name));
    }
    if text.is_empty() {
        return Err(String::from(
            "must be gaussian, rademacher, mnist, digits or a file path",
        ));
    }
    Ok(DataSource::File(PathBuf::from(text)))
}

fn standardize_mode(text: &str) -> Result<Standardize, String> {
    text.parse()
}

/// Parses "σ_w,σ_v": two finite positive numbers.
fn scales(text: &str) -> Result<(f64, f64), String> {
    let rule = "must be two finite positive numbers SIGMA_W,SIGMA_V";
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != 2 {
        return Err(String::from(rule));
    }
    let parse = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    match (parse(parts[0]), parse(parts[1])) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(String::from(rule)),
    }
}

/// The JSON report.
#[derive(Debug, Serialize)]
struct Report<'a> {
    version: &'static str,
    seed: u64,
    pass: bool,
    cases: Vec<&'a crate::compare::suite::CaseReport>,
}

/// One suite of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suite {
    /// The linear model on synthetic data.
    Linear,
    /// The network on synthetic data.
    Mlp,
    /// The linear model on real data.
    Data,
}

/// Chooses the suites to run from `--model`, `--data` and the model-specific flags.
fn suites(args: &VerifyArgs) -> Result<Vec<Suite>> {
    let real = args.data.as_ref().is_some_and(DataSource::is_real);
    let data_flags: Vec<&str> = [
        (args.labels.is_some(), "--labels"),
        (args.standardize.is_some(), "--standardize"),
        (args.subset.is_some(), "--subset"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect();
    if !real && !data_flags.is_empty() {
        bail!(
            "{} {} real data: --data mnist, digits or a file",
            data_flags.join(", "),
            if data_flags.len() == 1 {
                "needs"
            } else {
                "need"
            }
        );
    }
    if args.labels.is_some() && matches!(args.data, Some(DataSource::Builtin(_))) {
        bail!("--labels goes with a data file; the built-in data sets carry their labels");
    }
    if real {
        if args.model == Some(Model::Mlp) || models(args)? == [Model::Mlp] {
            bail!(
                "real data (--data) runs the linear model only; drop --model mlp and the network flags"
            );
        }
        if args.fix_weights {
            bail!("--fix-weights does not apply to real data: W is drawn per replicate");
        }
        return Ok(vec![Suite::Data]);
    }
    let models = models(args)?;
    let mut out: Vec<Suite> = models
        .iter()
        .map(|m| match m {
            Model::Linear => Suite::Linear,
            Model::Mlp => Suite::Mlp,
        })
        .collect();
    // The plain `verify` also shows one real data set.
    if args.model.is_none()
        && args.data.is_none()
        && models.len() == 2
        && args.loss.is_none()
        && args.blocks.is_none()
    {
        out.push(Suite::Data);
    }
    Ok(out)
}

/// Chooses the models to run from `--model` and the model-specific flags.
fn models(args: &VerifyArgs) -> Result<Vec<Model>> {
    let blocks = args.blocks.as_deref().unwrap_or(&[]);
    let network_flags: Vec<&str> = [
        (args.width.is_some(), "--width"),
        (args.activation.is_some(), "--activation"),
        (args.init_scales.is_some(), "--init-scales"),
        (args.redraw_v, "--redraw-v"),
        (
            blocks.iter().any(|b| b.is_network_block()),
            "network blocks",
        ),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect();
    let linear_blocks = blocks.iter().any(|b| !b.is_network_block());
    let linear_flags = linear_blocks || args.logit_scale.is_some();
    match args.model {
        Some(Model::Linear) if !network_flags.is_empty() => bail!(
            "network flags ({}) need --model mlp, not --model linear",
            network_flags.join(", ")
        ),
        Some(Model::Mlp) if linear_blocks => bail!(
            "blocks diag and offdiag belong to --model linear; the network has hidden-diag, \
             hidden-offdiag, output-diag and output-offdiag"
        ),
        Some(Model::Mlp) if args.logit_scale.is_some() => {
            bail!("--logit-scale applies to --model linear; the network's scales are --init-scales")
        }
        Some(model) => Ok(vec![model]),
        None if !network_flags.is_empty() && linear_flags => bail!(
            "linear-model flags (--logit-scale, diag, offdiag) and network flags ({}) cannot be \
             mixed; run one model at a time",
            network_flags.join(", ")
        ),
        None if !network_flags.is_empty() => Ok(vec![Model::Mlp]),
        None if linear_flags => Ok(vec![Model::Linear]),
        None => Ok(vec![Model::Linear, Model::Mlp]),
    }
}

fn losses(args: &VerifyArgs) -> Vec<Loss> {
    match args.loss {
        Some(loss) => vec![loss],
        None => vec![Loss::Ce, Loss::Mse],
    }
}

fn unique<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

fn linear_cases(args: &VerifyArgs) -> Vec<CaseSpec> {
    if args.loss.is_none() && args.blocks.is_none() {
        return default_cases();
    }
    let blocks = unique(
        args.blocks
            .as_deref()
            .unwrap_or(&[BlockKind::Diag, BlockKind::Offdiag]),
    );
    losses(args)
        .into_iter()
        .flat_map(|loss| blocks.iter().map(move |&block| CaseSpec { loss, block }))
        .collect()
}

fn mlp_cases(args: &VerifyArgs) -> Vec<MlpCaseSpec> {
    if args.loss.is_none() && args.blocks.is_none() && args.activation.is_none() {
        return default_mlp_cases();
    }
    let blocks = unique(args.blocks.as_deref().unwrap_or(&[
        BlockKind::HiddenDiag,
        BlockKind::HiddenOffdiag,
        BlockKind::OutputDiag,
        BlockKind::OutputOffdiag,
    ]));
    let activations = unique(
        args.activation
            .as_deref()
            .unwrap_or(&[Activation::Relu, Activation::Tanh]),
    );
    let mut cases = Vec::new();
    for &activation in &activations {
        for loss in losses(args) {
            for &block in &blocks {
                cases.push(MlpCaseSpec {
                    loss,
                    activation,
                    block,
                });
            }
        }
    }
    cases
}

/// Returns the data law of the synthetic suites.
fn data_dist(args: &VerifyArgs) -> DataDist {
    match args.data {
        Some(DataSource::Dist(dist)) => dist,
        _ => DataDist::Gaussian,
    }
}

/// Loads the real data set of a run: the one given, or MNIST for the plain `verify`.
fn data_config(args: &VerifyArgs) -> Result<DataConfig> {
    let source = match &args.data {
        Some(DataSource::File(path)) => path.clone(),
        Some(DataSource::Builtin(name)) => PathBuf::from(name),
        _ => PathBuf::from(DEFAULT_DATA),
    };
    let raw = load_source(&source, args.labels.as_deref(), args.classes)?;
    // The plain `verify` shows the case where the laws are expected to hold: whitened MNIST.
    let (mode, subset) = match args.data {
        None => (DEFAULT_RUN_STANDARDIZE, Some(DEFAULT_RUN_SUBSET)),
        Some(_) => (args.standardize.unwrap_or(DEFAULT_STANDARDIZE), args.subset),
    };
    let dataset = standardize(&raw, mode)?;
    let subset = subset.unwrap_or((dataset.len() / 5).max(2));
    let config = DataConfig {
        dataset: std::sync::Arc::new(dataset),
        subset,
        logit_scale: args.logit_scale.unwrap_or(1.0),
        replicates: args.replicates,
        seed: args.seed,
    };
    config.validate()?;
    Ok(config)
}

fn data_cases(args: &VerifyArgs) -> Result<Vec<CaseSpec>> {
    if let Some(bad) = args
        .blocks
        .iter()
        .flatten()
        .find(|b| !data_suite::supports(**b))
    {
        bail!("block {bad} is not available on real data; use diag or offdiag");
    }
    Ok(linear_cases(args))
}

fn linear_config(args: &VerifyArgs) -> LinearConfig {
    LinearConfig {
        dim: args.dim,
        samples: args.samples,
        classes: args.classes.unwrap_or(DEFAULT_CLASSES),
        logit_scale: args.logit_scale.unwrap_or(1.0),
        data: data_dist(args),
        fix_weights: args.fix_weights,
        replicates: args.replicates,
        seed: args.seed,
    }
}

fn mlp_config(args: &VerifyArgs) -> MlpConfig {
    let (sigma_w, sigma_v) = args.init_scales.unwrap_or((1.0, 1.0));
    MlpConfig {
        dim: args.dim,
        samples: args.samples,
        width: args.width.unwrap_or(DEFAULT_WIDTH),
        classes: args.classes.unwrap_or(DEFAULT_CLASSES),
        sigma_w,
        sigma_v,
        data: data_dist(args),
        fix_weights: args.fix_weights,
        redraw_v: args.redraw_v,
        replicates: args.replicates,
        seed: args.seed,
    }
}

/// KS tolerance above which the table warns that a check has little power.
const WIDE_KS_TOLERANCE: f64 = 0.1;

/// Relative-Frobenius tolerance of an output-layer block above which the table warns.
const WIDE_MATRIX_TOLERANCE: f64 = 0.5;

/// Hidden width of the network when --width is not given (the paper's synthetic experiment).
const DEFAULT_WIDTH: usize = 8;

/// Classes of the synthetic suites when --classes is not given.
const DEFAULT_CLASSES: usize = 10;

/// The real data set of the plain `verify`.
const DEFAULT_DATA: &str = "mnist";

/// Its standardisation: whitened onto 200 principal components, so that Σ = I.
const DEFAULT_RUN_STANDARDIZE: Standardize = Standardize::Whiten(Some(200));

/// Its subset size: γ = 200/400.
const DEFAULT_RUN_SUBSET: usize = 400;

/// Runs `verify`.
///
/// # Errors
/// Invalid sizes or flags, an unwritable output folder, or a failing solver.
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    // Every check before any work or file.
    let suites = suites(args)?;
    if suites.contains(&Suite::Linear) {
        linear_config(args).validate()?;
    }
    if suites.contains(&Suite::Mlp) {
        let config = mlp_config(args);
        config.validate()?;
        validate_cases(&config, &mlp_cases(args))?;
    }
    if let Some(sizes) = &args.sizes {
        if sizes.len() < 2 || !sizes.windows(2).all(|w| w[0] < w[1]) {
            bail!(
                "invalid value '{}' for '--sizes': must be two or more increasing dimensions",
                sizes
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
        if args.data.as_ref().is_some_and(DataSource::is_real) {
            bail!("--sizes runs the synthetic suites; real data have one dimension");
        }
    }
    let data = if suites.contains(&Suite::Data) && args.sizes.is_none() {
        Some((data_config(args)?, data_cases(args)?))
    } else {
        None
    };
    prepare_dir(&args.out)?;
    let settings = SuiteSettings {
        weight_law: args.weight_law,
        curve_points: if args.no_plots {
            0
        } else {
            SuiteSettings::default().curve_points
        },
        ..SuiteSettings::default()
    };

    if let Some(sizes) = &args.sizes {
        return run_sizes(args, sizes, &suites, &settings);
    }
    let results = run_suites(args, &suites, data.as_ref(), &settings)?;

    let pass = all_pass(&results);
    let report = Report {
        version: VERSION,
        seed: args.seed,
        pass,
        cases: results.iter().map(|r| &r.report).collect(),
    };
    let json = serde_json::to_string_pretty(&report)? + "\n";
    let stage = Staging::new(&args.out)?;
    stage.write("report.json", json.as_bytes())?;
    if !args.no_plots {
        draw_plots(&results, args, stage.dir())?;
    }
    stage.commit()?;
    if args.json {
        print(&json)?;
    } else {
        print(&table(&results, args))?;
    }
    Ok(if pass { Outcome::Pass } else { Outcome::Fail })
}

/// Runs the suites with a progress bar.
fn run_suites(
    args: &VerifyArgs,
    suites: &[Suite],
    data: Option<&(DataConfig, Vec<CaseSpec>)>,
    settings: &SuiteSettings,
) -> Result<Vec<CaseResult>> {
    let progress = ProgressBar::new((args.replicates * suites.len()) as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} replicates ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let tick = || progress.inc(1);
    let mut results = Vec::new();
    for suite in suites {
        match suite {
            Suite::Data => {
                let (config, cases) = data.expect("loaded before");
                progress.set_message(config.dataset.name.clone());
                results.extend(run_data_suite(config, cases, settings.curve_points, &tick)?);
            }
            Suite::Linear => {
                progress.set_message("linear model");
                results.extend(run_linear_suite(
                    &linear_config(args),
                    &linear_cases(args),
                    settings,
                    &tick,
                )?);
            }
            Suite::Mlp => {
                progress.set_message("network");
                results.extend(run_mlp_suite(
                    &mlp_config(args),
                    &mlp_cases(args),
                    settings,
                    &tick,
                )?);
            }
        }
    }
    progress.finish_and_clear();
    Ok(results)
}

/// Runs the convergence study of `--sizes`: the synthetic suites at every d with γ fixed.
fn run_sizes(
    args: &VerifyArgs,
    sizes: &[usize],
    suites: &[Suite],
    settings: &SuiteSettings,
) -> Result<Outcome> {
    let gamma = args.dim as f64 / args.samples as f64;
    let suites: Vec<Suite> = suites
        .iter()
        .copied()
        .filter(|s| *s != Suite::Data)
        .collect();
    let mut runs: Vec<VerifyArgs> = Vec::with_capacity(sizes.len());
    for &d in sizes {
        let mut run = args.clone();
        run.dim = d;
        run.samples = (d as f64 / gamma).round() as usize;
        if suites.contains(&Suite::Linear) {
            linear_config(&run).validate()?;
        }
        if suites.contains(&Suite::Mlp) {
            let config = mlp_config(&run);
            config.validate()?;
            validate_cases(&config, &mlp_cases(&run))?;
        }
        runs.push(run);
    }

    // Every size but the largest without curves: only the largest is drawn.
    let quiet = SuiteSettings {
        curve_points: 0,
        ..*settings
    };
    let mut per_size = Vec::with_capacity(sizes.len());
    let mut largest = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        eprintln!("d = {}, N = {}", run.dim, run.samples);
        let last = index + 1 == runs.len();
        let results = run_suites(run, &suites, None, if last { settings } else { &quiet })?;
        per_size.push(
            results
                .iter()
                .map(|r| {
                    let rep = &r.report;
                    (case_label(rep), rep.ks, rep.w1, rep.tolerance, rep.pass)
                })
                .collect::<Vec<_>>(),
        );
        if last {
            largest = results;
        }
    }
    let cases = convergence::assess(sizes, &per_size);
    let pass = cases.iter().all(|c| c.pass);

    let last = runs.last().expect("at least two sizes");
    let report = Report {
        version: VERSION,
        seed: args.seed,
        pass: all_pass(&largest),
        cases: largest.iter().map(|r| &r.report).collect(),
    };
    let study = ConvergenceReport {
        version: VERSION,
        seed: args.seed,
        gamma,
        sizes: sizes.to_vec(),
        rate_bound: convergence::RATE_BOUND,
        pass,
        cases: &cases,
    };
    let json = serde_json::to_string_pretty(&study)? + "\n";
    let stage = Staging::new(&args.out)?;
    stage.write(
        "report.json",
        (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
    )?;
    stage.write("convergence.json", json.as_bytes())?;
    stage.write("convergence.csv", convergence_csv(&study).as_bytes())?;
    if !args.no_plots {
        draw_plots(&largest, last, stage.dir())?;
        draw_convergence_plot(&study, args, stage.dir())?;
    }
    stage.commit()?;
    if args.json {
        print(&json)?;
    } else {
        let mut text = format!("largest size: d = {}, N = {}\n", last.dim, last.samples);
        text.push_str(&table(&largest, last));
        text.push_str(&convergence_table(&study));
        print(&text)?;
    }
    Ok(if pass { Outcome::Pass } else { Outcome::Fail })
}

/// The JSON of a convergence study.
#[derive(Debug, Serialize)]
struct ConvergenceReport<'a> {
    version: &'static str,
    seed: u64,
    gamma: f64,
    sizes: Vec<usize>,
    rate_bound: f64,
    pass: bool,
    cases: &'a [convergence::ConvergenceCase],
}

fn convergence_csv(study: &ConvergenceReport<'_>) -> String {
    let mut text = format!(
        "# hessian-rmt {} convergence study, γ = {}, seed {}\ncase,d,ks,w1,tolerance\n",
        study.version, study.gamma, study.seed
    );
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for case in study.cases {
        for (i, d) in study.sizes.iter().enumerate() {
            let _ = writeln!(
                text,
                "{},{d},{},{},{}",
                case.case,
                cell(case.ks[i]),
                cell(case.w1[i]),
                cell(case.tolerance[i])
            );
        }
    }
    text
}

fn convergence_table(study: &ConvergenceReport<'_>) -> String {
    let width = study
        .cases
        .iter()
        .map(|c| c.case.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "\nconvergence at γ = {}: KS at each d, fitted slope of ln KS (and ln W1) against ln d; a \
         case passes when it passes at the largest d and its KS slope is at most {}\n{:<width$}",
        study.gamma, study.rate_bound, "case"
    );
    for d in &study.sizes {
        let _ = write!(out, " {:>8}", format!("d={d}"));
    }
    let _ = writeln!(out, " {:>9} {:>9}  verdict", "slope KS", "slope W1");
    for case in study.cases {
        let _ = write!(out, "{:<width$}", case.case);
        for ks in &case.ks {
            let _ = write!(
                out,
                " {:>8}",
                ks.map_or(String::from("-"), |v| format!("{v:.4}"))
            );
        }
        let slope = |s: Option<f64>| s.map_or(String::from("-"), |s| format!("{s:.2}"));
        let _ = writeln!(
            out,
            " {:>9} {:>9}  {}",
            slope(case.slope_ks),
            slope(case.slope_w1),
            if case.pass { "pass" } else { "FAIL" }
        );
    }
    out
}

fn draw_convergence_plot(
    study: &ConvergenceReport<'_>,
    args: &VerifyArgs,
    dir: &std::path::Path,
) -> Result<()> {
    let series: Vec<ConvergenceSeries> = study
        .cases
        .iter()
        .filter(|c| c.ks.iter().all(Option::is_some) && c.w1.iter().all(Option::is_some))
        .map(|c| ConvergenceSeries {
            label: format!(
                "{}: slope {}",
                c.case,
                c.slope_ks.map_or(String::from("-"), |s| format!("{s:.2}"))
            ),
            label_w1: format!(
                "{}: slope {}",
                c.case,
                c.slope_w1.map_or(String::from("-"), |s| format!("{s:.2}"))
            ),
            ks: c.ks.iter().map(|v| v.unwrap_or(0.0)).collect(),
            w1: c.w1.iter().map(|v| v.unwrap_or(0.0)).collect(),
        })
        .collect();
    if series.is_empty() {
        return Ok(());
    }
    let figure = ConvergenceFigure {
        title: String::from("Distance to the predicted law against the dimension"),
        caption: format!(
            "γ = {}, d = {}, R = {} replicates, {} weight law, seed {}, hessian-rmt {}",
            study.gamma,
            study
                .sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            args.replicates,
            args.weight_law,
            args.seed,
            VERSION
        ),
        sizes: &study.sizes,
        series: &series,
    };
    for extension in ["png", "svg"] {
        draw_convergence(&dir.join(format!("convergence.{extension}")), &figure)
            .with_context(|| format!("cannot draw convergence.{extension}"))?;
    }
    Ok(())
}

/// Short name of a real data set: its file name up to the first dot.
fn dataset_stem(r: &CaseReport) -> Option<String> {
    r.dataset
        .as_ref()
        .map(|d| d.name.split('.').next().unwrap_or(&d.name).to_string())
}

/// File stem of a case's plots: linear-ce-diag, mlp-relu-ce-hidden-offdiag, data-mnist_5k-ce-diag, …
fn case_stem(r: &CaseReport) -> String {
    if let Some(stem) = dataset_stem(r) {
        return format!("data-{stem}-{}-{}", r.loss, r.block);
    }
    match r.activation {
        Some(activation) => format!("{}-{activation}-{}-{}", r.model, r.loss, r.block),
        None => format!("{}-{}-{}", r.model, r.loss, r.block),
    }
}

/// Row label of a case in the table.
fn case_label(r: &CaseReport) -> String {
    let index = format!("({},{})", r.block_index[0], r.block_index[1]);
    if let Some(stem) = dataset_stem(r) {
        return format!("{stem} {} {index} {}", r.loss, r.block);
    }
    match r.activation {
        Some(activation) => format!("mlp {activation} {} {} {index}", r.loss, r.block),
        None => format!("{} {index} {}", r.loss, r.block),
    }
}

fn title(r: &CaseReport) -> String {
    let index = format!("({},{})", r.block_index[0], r.block_index[1]);
    match r.activation {
        Some(activation) => {
            let layer = if r.block.name().starts_with("hidden") {
                "hidden-layer block of neurons"
            } else {
                "output-layer block of classes"
            };
            format!(
                "One-hidden-layer network, {}, {}, {layer} {index}",
                activation.long_name(),
                r.loss.long_name()
            )
        }
        None => match &r.dataset {
            Some(d) => format!(
                "Linear model on {} ({}), {}, Hessian block {index}",
                d.name,
                d.standardize,
                r.loss.long_name()
            ),
            None => format!(
                "Linear model, {}, Hessian block {index}",
                r.loss.long_name()
            ),
        },
    }
}

fn caption(r: &CaseReport, seed: u64) -> String {
    let model = match (r.logit_scale, r.width, r.init_scales) {
        (Some(s), _, _) => format!("C = {}, s = {s}", r.classes),
        (None, Some(m), Some([sw, sv])) => {
            let v = if r.redraw_v == Some(true) {
                "V per replicate"
            } else {
                "V shared"
            };
            format!("m = {m}, C = {}, σ_w = {sw}, σ_v = {sv}, {v}", r.classes)
        }
        _ => format!("C = {}", r.classes),
    };
    if let Some(d) = &r.dataset {
        return format!(
            "d = {}, n = {} of {} samples per replicate, γ = {:.4}, {model}, W shared, {}, \
             seed {seed}, hessian-rmt {}",
            r.dim,
            r.samples,
            d.samples_in_file,
            r.gamma,
            replicate_count(r.replicates),
            VERSION
        );
    }
    format!(
        "d = {}, N = {}, γ = {}, {model}, {} data, {}, seed {seed}, hessian-rmt {}",
        r.dim,
        r.samples,
        r.gamma,
        r.data,
        replicate_count(r.replicates),
        VERSION
    )
}

/// "R = 1 replicate" or "R = 10 replicates".
fn replicate_count(replicates: usize) -> String {
    let noun = if replicates == 1 {
        "replicate"
    } else {
        "replicates"
    };
    format!("R = {replicates} {noun}")
}

fn draw_plots(results: &[CaseResult], args: &VerifyArgs, dir: &std::path::Path) -> Result<()> {
    for result in results {
        let (Some(esd), Some(law), Some(curve)) = (&result.esd, &result.law, &result.curve) else {
            continue;
        };
        let r = &result.report;
        let atoms: Vec<(f64, f64)> = r.atoms.iter().map(|a| (a.x, a.mass)).collect();
        let figure = OverlayFigure {
            title: title(r),
            caption: caption(r, args.seed),
            law_label: law.name(),
            eigenvalues: esd.values(),
            grid: &curve.x,
            density: &curve.density,
            cdf: &curve.cdf,
            atoms: &atoms,
            ks: r.ks,
            x_axis: XAxis::Auto,
        };
        for extension in ["png", "svg"] {
            let path = dir.join(format!("{}.{extension}", case_stem(r)));
            draw_overlay(&path, &figure)
                .with_context(|| format!("cannot draw {}.{extension}", case_stem(r)))?;
        }
    }
    Ok(())
}

fn table(results: &[CaseResult], args: &VerifyArgs) -> String {
    let labels: Vec<String> = results.iter().map(|r| case_label(&r.report)).collect();
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$} {:>8} {:>8} {:>10} {:>9} {:>9} {:>21} {:>21} {:>13}  verdict",
        "block", "KS", "tol", "W1", "m1 err", "m2 err", "λ range", "support", "atom at 0"
    );
    for (result, name) in results.iter().zip(&labels) {
        let r = &result.report;
        let verdict = if r.pass { "pass" } else { "FAIL" };
        let dash = "-";
        if let Some(max) = r.max_abs_entry {
            let _ = writeln!(
                out,
                "{name:<width$} {dash:>8} {dash:>8} {dash:>10} {dash:>9} {dash:>9} {dash:>21} {:>21} {dash:>13}  \
                 {verdict} (max |entry| = {max:e})",
                "zero"
            );
            continue;
        }
        if let Some(m) = &r.matrix {
            let _ = writeln!(
                out,
                "{name:<width$} {dash:>8} {dash:>8} {dash:>10} {dash:>9} {dash:>9} {dash:>21} {:>21} {dash:>13}  \
                 {verdict} (‖B̄ − M‖/‖M‖ = {:.2e}, tol {:.2e})",
                "E[A h hᵀ]", m.relative_error, m.tolerance
            );
            continue;
        }
        let (m1, m2) = r.moments.as_ref().map_or((f64::NAN, f64::NAN), |m| {
            (m.normalized_error[0], m.normalized_error[1])
        });
        let (range, support) =
            r.edges
                .as_ref()
                .map_or((String::from("-"), String::from("-")), |e| {
                    (
                        format!("[{:.4}, {:.4}]", e.min_eigenvalue, e.max_eigenvalue),
                        format!("[{:.4}, {:.4}]", e.support_lo, e.support_hi),
                    )
                });
        let atom = r.atom_at_zero.map_or(String::from("-"), |a| {
            format!("{:.3}/{:.3}", a.predicted, a.empirical)
        });
        let _ = writeln!(
            out,
            "{name:<width$} {:>8.4} {:>8.4} {:>10.3e} {:>9.2e} {:>9.2e} {range:>21} {support:>21} {atom:>13}  {verdict}",
            r.ks.unwrap_or(f64::NAN),
            r.tolerance.unwrap_or(f64::NAN),
            r.w1.unwrap_or(f64::NAN),
            m1,
            m2
        );
    }
    let fitted: Vec<(&CaseResult, &String)> = results
        .iter()
        .zip(&labels)
        .filter(|(r, _)| r.report.fits.is_some())
        .collect();
    if let Some((first, _)) = fitted.first() {
        let dataset = first.report.dataset.as_ref().expect("real-data case");
        let _ = writeln!(
            out,
            "\nreal data: {}, standardised '{}', d = {} of {} features, n = {} of {} samples per \
             replicate, largest eigenvalue of Σ {:.1} times the mean",
            dataset.name,
            dataset.standardize,
            first.report.dim,
            dataset.features_in_file,
            dataset.subset,
            dataset.samples_in_file,
            dataset.top_eigenvalue_ratio
        );
        let _ = writeln!(
            out,
            "{:<width$} {:<11} {:>8} {:>8} {:>10} {:>9} {:>9} {:>11}",
            "block", "law", "KS", "KS x≠0", "W1", "m1 rel", "m2 rel", "mass at 0"
        );
        for (result, name) in &fitted {
            for fit in result.report.fits.iter().flatten() {
                let m = &fit.moments;
                let rel = |k: usize| (m.empirical[k] / m.predicted[k] - 1.0).abs();
                let chosen = if result.report.law == fit.name {
                    "  ← judged"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{name:<width$} {:<11} {:>8.4} {:>8.4} {:>10.3e} {:>9.2e} {:>9.2e} {:>11}{chosen}",
                    fit.law.name(),
                    fit.ks,
                    fit.ks_nonzero,
                    fit.w1,
                    rel(0),
                    rel(1),
                    format!("{:.3}/{:.3}", fit.zero_mass[0], fit.zero_mass[1]),
                );
            }
        }
    }
    let _ = writeln!(out, "\nlaws (atom at 0: predicted/empirical mass):");
    for (result, name) in results.iter().zip(&labels) {
        if result.report.max_abs_entry.is_none() {
            let _ = writeln!(out, "  {name:<width$}  {}", result.report.law);
        }
    }
    // A mass at 0 that the judged law of a real data set lacks explains a failed KS check.
    for (result, name) in &fitted {
        let r = &result.report;
        if let Some(fit) = r.fits.iter().flatten().find(|f| f.name == r.law) {
            let [law, empirical] = fit.zero_mass;
            if empirical - law > r.tolerance.unwrap_or(0.0) {
                let _ = writeln!(
                    out,
                    "note: {name}: {empirical:.3} of the eigenvalues are 0 against {law:.3} in the \
                     law; features constant within a subset (such as rare pixels) make zero \
                     eigenvalues that no law here models (theory/real-data.md)"
                );
            }
        }
    }
    // A verdict with a very wide tolerance cannot fail for any plausible mistake, so the table notes it.
    for (result, name) in results.iter().zip(&labels) {
        let r = &result.report;
        let wide = match (&r.matrix, r.tolerance) {
            (Some(m), _) if m.tolerance > WIDE_MATRIX_TOLERANCE => Some(m.tolerance),
            (None, Some(t)) if t > WIDE_KS_TOLERANCE => Some(t),
            _ => None,
        };
        if let Some(t) = wide {
            let _ = writeln!(
                out,
                "note: {name}: tolerance {t:.3} is wide, so this check has little power at these \
                 sizes; raise N or R"
            );
        }
    }
    let _ = writeln!(
        out,
        "weight law: {}; seed {}; hessian-rmt {}",
        match (
            fitted.is_empty(),
            fitted.len()
                == results
                    .iter()
                    .filter(|r| r.report.max_abs_entry.is_none())
                    .count()
        ) {
            (true, _) => args.weight_law.to_string(),
            (false, true) => String::from("τ given W over the whole data set"),
            (false, false) => format!(
                "{} (synthetic data), τ given W over the whole data set (real data)",
                args.weight_law
            ),
        },
        args.seed,
        VERSION
    );
    let written = if args.no_plots {
        "report"
    } else {
        "report and plots"
    };
    let _ = writeln!(out, "{written} in {}", args.out.display());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicate_count_agrees_in_number() {
        assert_eq!(replicate_count(1), "R = 1 replicate");
        assert_eq!(replicate_count(10), "R = 10 replicates");
    }
}

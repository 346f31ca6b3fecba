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
use super::output::{prepare_dir, print, write_atomic};
use crate::VERSION;
use crate::compare::mlp_suite::{MlpCaseSpec, default_mlp_cases, run_mlp_suite, validate_cases};
use crate::compare::suite::{
    BlockKind, CaseReport, CaseResult, CaseSpec, SuiteSettings, WeightLawKind, all_pass,
    default_cases, run_linear_suite,
};
use crate::models::Loss;
use crate::models::mlp::Activation;
use crate::plot::{OverlayFigure, draw_overlay};
use crate::sampling::DataDist;
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
#[derive(Debug, Args)]
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
    /// Number of classes C.
    #[arg(long, default_value = "10", value_parser = at_least_two, allow_hyphen_values = true)]
    pub classes: usize,
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
    /// Law of the data entries.
    #[arg(long, value_enum, default_value_t = DataDist::Gaussian)]
    pub data: DataDist,
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

fn linear_config(args: &VerifyArgs) -> LinearConfig {
    LinearConfig {
        dim: args.dim,
        samples: args.samples,
        classes: args.classes,
        logit_scale: args.logit_scale.unwrap_or(1.0),
        data: args.data,
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
        classes: args.classes,
        sigma_w,
        sigma_v,
        data: args.data,
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

/// Runs `verify`.
///
/// # Errors
/// Invalid sizes or flags, an unwritable output folder, or a failing solver.
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    // Every check before any work or file.
    let models = models(args)?;
    if models.contains(&Model::Linear) {
        linear_config(args).validate()?;
    }
    if models.contains(&Model::Mlp) {
        let config = mlp_config(args);
        config.validate()?;
        validate_cases(&config, &mlp_cases(args))?;
    }
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

    let progress = ProgressBar::new((args.replicates * models.len()) as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} replicates ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let tick = || progress.inc(1);
    let mut results = Vec::new();
    for model in &models {
        match model {
            Model::Linear => {
                progress.set_message("linear model");
                results.extend(run_linear_suite(
                    &linear_config(args),
                    &linear_cases(args),
                    &settings,
                    &tick,
                )?);
            }
            Model::Mlp => {
                progress.set_message("network");
                results.extend(run_mlp_suite(
                    &mlp_config(args),
                    &mlp_cases(args),
                    &settings,
                    &tick,
                )?);
            }
        }
    }
    progress.finish_and_clear();

    let pass = all_pass(&results);
    let report = Report {
        version: VERSION,
        seed: args.seed,
        pass,
        cases: results.iter().map(|r| &r.report).collect(),
    };
    let json = serde_json::to_string_pretty(&report)? + "\n";
    write_atomic(&args.out.join("report.json"), json.as_bytes())?;
    if !args.no_plots {
        draw_plots(&results, args)?;
    }
    if args.json {
        print(&json)?;
    } else {
        print(&table(&results, args))?;
    }
    Ok(if pass { Outcome::Pass } else { Outcome::Fail })
}

/// File stem of a case's plots: linear-ce-diag, mlp-relu-ce-hidden-offdiag, …
fn case_stem(r: &CaseReport) -> String {
    match r.activation {
        Some(activation) => format!("{}-{activation}-{}-{}", r.model, r.loss, r.block),
        None => format!("{}-{}-{}", r.model, r.loss, r.block),
    }
}

/// Row label of a case in the table.
fn case_label(r: &CaseReport) -> String {
    let index = format!("({},{})", r.block_index[0], r.block_index[1]);
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
        None => format!(
            "Linear model, {}, Hessian block {index}",
            r.loss.long_name()
        ),
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
    format!(
        "d = {}, N = {}, γ = {}, {model}, {} data, R = {} replicates, seed {seed}, hessian-rmt {}",
        r.dim, r.samples, r.gamma, r.data, r.replicates, VERSION
    )
}

fn draw_plots(results: &[CaseResult], args: &VerifyArgs) -> Result<()> {
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
        };
        for extension in ["png", "svg"] {
            let path = args.out.join(format!("{}.{extension}", case_stem(r)));
            draw_overlay(&path, &figure)
                .with_context(|| format!("cannot draw '{}'", path.display()))?;
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
    let _ = writeln!(out, "\nlaws (atom at 0: predicted/empirical mass):");
    for (result, name) in results.iter().zip(&labels) {
        if result.report.max_abs_entry.is_none() {
            let _ = writeln!(out, "  {name:<width$}  {}", result.report.law);
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
        args.weight_law, args.seed, VERSION
    );
    let written = if args.no_plots {
        "report"
    } else {
        "report and plots"
    };
    let _ = writeln!(out, "{written} in {}", args.out.display());
    out
}

//! `hessian-rmt verify`: sample Hessian blocks, compare with their limit laws, print a table, write
//! plots and a JSON report.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::Outcome;
use super::args::{at_least_two, positive_f64, positive_usize};
use super::output::{prepare_dir, print, write_atomic};
use crate::VERSION;
use crate::compare::suite::{
    BlockKind, CaseResult, CaseSpec, SuiteSettings, WeightLawKind, all_pass, default_cases,
    run_linear_suite,
};
use crate::models::Loss;
use crate::plot::{OverlayFigure, draw_overlay};
use crate::sampling::DataDist;
use crate::sampling::linear::LinearConfig;

/// Model whose Hessian is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// f(x) = W x.
    Linear,
}

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(
    long_about = "Sample Hessian blocks and compare their eigenvalues with the predicted limit laws.\n\n\
Linear model f(x) = W x, W a C×d matrix with i.i.d. N(0, s²/d) entries, so logits have variance ≈ s². \
Data x_i in R^d have i.i.d. standardised entries; labels are uniform on C classes. Block (k, l) is the \
d×d Hessian block of rows w_k, w_l of W: diag = (1, 1), offdiag = (1, 2). γ = d/N.\n\n\
With no flags, runs the default suite: cross-entropy diag and offdiag, MSE diag, and the check that \
MSE offdiag is exactly zero, at d = 500, N = 1000, C = 10, s = 1, R = 10.\n\n\
Exit status: 0 when every case passes, 1 when a case fails, 2 on invalid input."
)]
pub struct VerifyArgs {
    /// Model.
    #[arg(long, value_enum, default_value_t = Model::Linear)]
    pub model: Model,
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
    /// Logit scale s: W has entries N(0, s²/d).
    #[arg(long, default_value = "1", value_parser = positive_f64, allow_hyphen_values = true)]
    pub logit_scale: f64,
    /// Blocks to check, comma-separated: diag = (1,1), offdiag = (1,2).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [BlockKind::Diag, BlockKind::Offdiag])]
    pub blocks: Vec<BlockKind>,
    /// Number of independent replicates R, pooled before comparing.
    #[arg(long, default_value = "10", value_parser = positive_usize, allow_hyphen_values = true)]
    pub replicates: usize,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Law of the data entries.
    #[arg(long, value_enum, default_value_t = DataDist::Gaussian)]
    pub data: DataDist,
    /// Weight law of the prediction: population (logits ~ N(0, s² I)), conditional (on the realised
    /// W), or realised (the sampled weights themselves).
    #[arg(long, value_enum, default_value_t = WeightLawKind::Population)]
    pub weight_law: WeightLawKind,
    /// Draw W once and share it across replicates.
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

/// The JSON report.
#[derive(Debug, Serialize)]
struct Report<'a> {
    version: &'static str,
    seed: u64,
    pass: bool,
    cases: Vec<&'a crate::compare::suite::CaseReport>,
}

fn cases(args: &VerifyArgs) -> Vec<CaseSpec> {
    if args.loss.is_none() && args.blocks == [BlockKind::Diag, BlockKind::Offdiag] {
        return default_cases();
    }
    let losses = match args.loss {
        Some(loss) => vec![loss],
        None => vec![Loss::Ce, Loss::Mse],
    };
    let mut blocks = args.blocks.clone();
    blocks.dedup();
    losses
        .into_iter()
        .flat_map(|loss| blocks.iter().map(move |&block| CaseSpec { loss, block }))
        .collect()
}

/// Runs `verify`.
///
/// # Errors
/// Invalid sizes, an unwritable output folder, or a failing solver.
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let config = LinearConfig {
        dim: args.dim,
        samples: args.samples,
        classes: args.classes,
        logit_scale: args.logit_scale,
        data: args.data,
        fix_weights: args.fix_weights,
        replicates: args.replicates,
        seed: args.seed,
    };
    config.validate()?;
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

    let progress = ProgressBar::new(args.replicates as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} replicates ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    progress.set_message("sampling");
    let results = run_linear_suite(&config, &cases(args), &settings, &|| progress.inc(1))?;
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

fn case_stem(result: &CaseResult) -> String {
    let r = &result.report;
    format!("{}-{}-{}", r.model, r.loss, r.block)
}

fn draw_plots(results: &[CaseResult], args: &VerifyArgs) -> Result<()> {
    for result in results {
        let (Some(esd), Some(law), Some(curve)) = (&result.esd, &result.law, &result.curve) else {
            continue;
        };
        let r = &result.report;
        let atoms: Vec<(f64, f64)> = r.atoms.iter().map(|a| (a.x, a.mass)).collect();
        let figure = OverlayFigure {
            title: format!(
                "Linear model, {}, Hessian block ({},{})",
                r.loss.long_name(),
                r.block_index[0],
                r.block_index[1]
            ),
            caption: format!(
                "d = {}, N = {}, γ = {}, C = {}, s = {}, {} data, R = {} replicates, seed {}, hessian-rmt {}",
                r.dim,
                r.samples,
                r.gamma,
                r.classes,
                r.logit_scale,
                r.data,
                r.replicates,
                args.seed,
                VERSION
            ),
            law_label: law.name(),
            eigenvalues: esd.values(),
            grid: &curve.x,
            density: &curve.density,
            cdf: &curve.cdf,
            atoms: &atoms,
            ks: Some(r.ks),
        };
        for extension in ["png", "svg"] {
            let path = args.out.join(format!("{}.{extension}", case_stem(result)));
            draw_overlay(&path, &figure)
                .with_context(|| format!("cannot draw '{}'", path.display()))?;
        }
    }
    Ok(())
}

fn table(results: &[CaseResult], args: &VerifyArgs) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<18} {:>8} {:>8} {:>10} {:>9} {:>9} {:>21} {:>21}  verdict",
        "block", "KS", "tol", "W1", "m1 err", "m2 err", "λ range", "support"
    );
    for result in results {
        let r = &result.report;
        let name = format!(
            "{} ({},{}) {}",
            r.loss, r.block_index[0], r.block_index[1], r.block
        );
        let verdict = if r.pass { "pass" } else { "FAIL" };
        if let Some(max) = r.max_abs_entry {
            let _ = writeln!(
                out,
                "{name:<18} {:>8} {:>8} {:>10} {:>9} {:>9} {:>21} {:>21}  {verdict} (max |entry| = {max:e})",
                "-", "-", "-", "-", "-", "-", "zero"
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
        let _ = writeln!(
            out,
            "{name:<18} {:>8.4} {:>8.4} {:>10.3e} {:>9.2e} {:>9.2e} {range:>21} {support:>21}  {verdict}",
            r.ks, r.tolerance, r.w1, m1, m2
        );
    }
    let _ = writeln!(
        out,
        "\nlaws: {}; weight law: {}; seed {}; hessian-rmt {}",
        results
            .iter()
            .filter_map(|r| r.law.as_ref().map(|l| l.name()))
            .collect::<Vec<_>>()
            .join(", "),
        args.weight_law,
        args.seed,
        VERSION
    );
    let _ = writeln!(out, "report and plots in {}", args.out.display());
    out
}

//! `hessian-rmt sweep`: the off-diagonal to diagonal block ratio over the number of classes, in
//! theory and by Monte Carlo, as a table, JSON, CSV and a log-log plot.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use super::Outcome;
use super::args::{positive_f64, positive_usize};
use super::output::{Staging, prepare_dir, print};
use crate::VERSION;
use crate::compare::sweep::{
    SweepConfig, SweepModel, SweepPoint, fitted_slope, log_spaced, run_sweep,
};
use crate::models::Loss;
use crate::plot::{SweepFigure, SweepFigurePoint, draw_sweep};

/// Arguments of `sweep`.
#[derive(Debug, Args)]
#[command(
    long_about = "Sweep the number of classes C and report how block-diagonal the Hessian is: the \
ratio R(C) = ‖H_12‖_F/‖H_11‖_F of the off-diagonal block (1,2) to the diagonal block (1,1).\n\n\
Theory: R(C)² = [(E τ_12)² + γ E τ_12²]/[(E τ_11)² + γ E τ_11²], the limit of the blocks' second \
moments, computed without sampling for any C (linear model, cross-entropy: a one-dimensional \
integral per moment; network, ReLU, MSE: closed form, root-mean-square over V; network, ReLU, \
cross-entropy: Monte Carlo over 128 draws of V and 2048 pre-activations each, with a standard \
error). The finite-size \
prediction replaces (E τ)² + γ E τ² by (1 − 1/N)(E τ)² + ((d + 2)/N) E τ².\n\n\
Monte Carlo: R replicates per C with fresh data and weights; the ratio of the summed squared norms \
(linear model) or the root-mean-square of per-replicate ratios (network, V redrawn), with a \
standard error, and the same ratio averaged over all block pairs (linear model). No block larger \
than d×d is formed.\n\n\
The finite-size prediction of the linear model averages the weight moments over the norm of x, \
which sets the scale of the logits of each sample.\n\n\
Exit status: 0 when every judged Monte Carlo ratio (all pairs for the linear model, the \
root-mean-square for the network) is within 3 standard errors of the finite-size prediction (or \
with --theory-only), 1 otherwise, 2 on invalid input."
)]
pub struct SweepArgs {
    /// Model: linear (f = W x) or mlp (hidden-layer blocks of f = V relu(W x)).
    #[arg(long, value_enum, default_value_t = SweepModel::Linear)]
    pub model: SweepModel,
    /// Loss.
    #[arg(long, value_enum, default_value_t = Loss::Ce)]
    pub loss: Loss,
    /// Class counts: a list "2,4,8" or a range "2..10000" spaced evenly in log C.
    #[arg(long, default_value = "2..10000", allow_hyphen_values = true)]
    pub classes: String,
    /// Number of class counts for a range.
    #[arg(long, default_value = "13", value_parser = positive_usize, allow_hyphen_values = true)]
    pub points: usize,
    /// Input dimension d.
    #[arg(long, default_value = "200", value_parser = positive_usize, allow_hyphen_values = true)]
    pub dim: usize,
    /// Number of samples N (γ = d/N).
    #[arg(long, default_value = "400", value_parser = positive_usize, allow_hyphen_values = true)]
    pub samples: usize,
    /// Replicates per class count (at least 2).
    #[arg(long, default_value = "20", value_parser = positive_usize, allow_hyphen_values = true)]
    pub replicates: usize,
    /// Logit scale s of the linear model.
    #[arg(long, default_value = "1", value_parser = positive_f64, allow_hyphen_values = true)]
    pub logit_scale: f64,
    /// Hidden width m of the network.
    #[arg(long, default_value = "8", value_parser = positive_usize, allow_hyphen_values = true)]
    pub width: usize,
    /// Range of C for the fitted slopes, "LO,HI" [default: 100 to the largest C for the linear
    /// model, 10 to the largest C for the network].
    #[arg(long, allow_hyphen_values = true)]
    pub fit_range: Option<String>,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Skip the Monte Carlo.
    #[arg(long)]
    pub theory_only: bool,
    /// Folder for sweep.png, sweep.svg, sweep.csv and sweep.json.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Do not draw the plot.
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
    model: SweepModel,
    loss: Loss,
    dim: usize,
    samples: usize,
    gamma: f64,
    replicates: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    logit_scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<usize>,
    fit_range: [usize; 2],
    /// Fitted slope of ln R(C) (theory) against ln C over the fit range.
    slope: Option<f64>,
    /// Fitted slope of the Monte Carlo ratios over the fit range.
    slope_empirical: Option<f64>,
    /// Every Monte Carlo ratio within 3 standard errors of the finite-size prediction.
    pass: bool,
    points: &'a [SweepPoint],
}

/// Parses "2,4,8" or "LO..HI" (with `points` log-spaced values).
fn parse_classes(text: &str, points: usize) -> Result<Vec<usize>> {
    let rule = "must be a list of integers ≥ 2 such as 2,4,8 or a range LO..HI with 2 ≤ LO < HI";
    let parse = |t: &str| -> Result<usize> {
        match t.trim().parse::<usize>() {
            Ok(v) if v >= 2 => Ok(v),
            _ => bail!("invalid value '{text}' for '--classes': {rule}"),
        }
    };
    let mut classes = if let Some((lo, hi)) = text.split_once("..") {
        let (lo, hi) = (parse(lo)?, parse(hi)?);
        if lo >= hi {
            bail!("invalid value '{text}' for '--classes': {rule}");
        }
        if points < 2 {
            bail!(
                "invalid value '{points}' for '--points': a range LO..HI needs at least 2 points"
            );
        }
        log_spaced(lo, hi, points)
    } else {
        text.split(',').map(parse).collect::<Result<Vec<_>>>()?
    };
    classes.sort_unstable();
    classes.dedup();
    Ok(classes)
}

fn parse_fit_range(text: &str) -> Result<(usize, usize)> {
    let rule = "must be two integers LO,HI with LO < HI";
    let parts: Vec<&str> = text.split(',').collect();
    match parts.as_slice() {
        [a, b] => match (a.trim().parse::<usize>(), b.trim().parse::<usize>()) {
            (Ok(a), Ok(b)) if a < b => Ok((a, b)),
            _ => bail!("invalid value '{text}' for '--fit-range': {rule}"),
        },
        _ => bail!("invalid value '{text}' for '--fit-range': {rule}"),
    }
}

/// Runs `sweep`.
///
/// # Errors
/// Invalid settings, an unwritable output folder, or a failed eigenvalue decomposition.
pub fn run(args: &SweepArgs) -> Result<Outcome> {
    let classes = parse_classes(&args.classes, args.points)?;
    if args.replicates < 2 && !args.theory_only {
        bail!(
            "invalid value '{}' for '--replicates': the Monte Carlo needs at least 2 for a standard error",
            args.replicates
        );
    }
    let largest = *classes.last().expect("at least one class count");
    let fit_range = match &args.fit_range {
        Some(text) => parse_fit_range(text)?,
        None => match args.model {
            SweepModel::Linear => (100.min(largest), largest),
            SweepModel::Mlp => (10.min(largest), largest),
        },
    };
    if args.model == SweepModel::Mlp {
        if let Some(&bad) = classes.iter().find(|&&c| c < 3) {
            bail!(
                "invalid value '{bad}' in '--classes': the network sweep needs C ≥ 3, because its \
                 ratio averages over V through E[1/χ²_C], finite only for C ≥ 3"
            );
        }
    }
    let in_range = classes
        .iter()
        .filter(|&&c| c >= fit_range.0 && c <= fit_range.1)
        .count();
    if in_range < 2 && classes.len() >= 2 && args.fit_range.is_some() {
        bail!(
            "invalid value '{},{}' for '--fit-range': it holds {in_range} of the swept class counts; \
             a slope needs at least 2",
            fit_range.0,
            fit_range.1
        );
    }
    let config = SweepConfig {
        model: args.model,
        loss: args.loss,
        classes,
        dim: args.dim,
        samples: args.samples,
        logit_scale: args.logit_scale,
        width: args.width,
        replicates: args.replicates,
        seed: args.seed,
        theory_only: args.theory_only,
    };
    crate::compare::sweep::validate(&config)?;
    prepare_dir(&args.out)?;

    let progress = ProgressBar::new(config.classes.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("sweep [{bar:30}] {pos}/{len} class counts ({elapsed})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let points = run_sweep(&config, &|_| progress.inc(1))?;
    progress.finish_and_clear();

    let theory: Vec<f64> = points.iter().map(|p| p.theory).collect();
    let slope = fitted_slope(&config.classes, &theory, fit_range);
    let empirical: Vec<f64> = points.iter().map(|p| p.empirical.unwrap_or(0.0)).collect();
    let slope_empirical = if args.theory_only {
        None
    } else {
        fitted_slope(&config.classes, &empirical, fit_range)
    };
    let pass = points
        .iter()
        .all(|p| judged_z(p, args.dim).is_none_or(|z| z.abs() <= 3.0));
    let report = Report {
        version: VERSION,
        seed: args.seed,
        model: args.model,
        loss: args.loss,
        dim: args.dim,
        samples: args.samples,
        gamma: config.gamma(),
        replicates: args.replicates,
        logit_scale: (args.model == SweepModel::Linear).then_some(args.logit_scale),
        width: (args.model == SweepModel::Mlp).then_some(args.width),
        fit_range: [fit_range.0, fit_range.1],
        slope,
        slope_empirical,
        pass,
        points: &points,
    };
    let json = serde_json::to_string_pretty(&report)? + "\n";
    let stage = Staging::new(&args.out)?;
    stage.write("sweep.json", json.as_bytes())?;
    stage.write("sweep.csv", csv(&report).as_bytes())?;
    // MSE of the linear model has R = 0 everywhere, which has no log-log plot.
    let plotted = !args.no_plots && report.points.iter().any(|p| p.theory > 0.0);
    if plotted {
        draw(&report, stage.dir())?;
    }
    stage.commit()?;
    if args.json {
        print(&json)?;
    } else {
        print(&table(&report, &args.out, plotted))?;
    }
    Ok(if pass { Outcome::Pass } else { Outcome::Fail })
}

/// Relative accuracy of the theory (the quadrature reproduces exact identities to about 1e-12);
/// standard errors are floored at this times the prediction, so that C = 2, where every sample
/// ratio is exactly 1, is not judged on rounding.
const THEORY_REL: f64 = 1e-9;

/// Multiplier of 1/d in the model error of the finite-size prediction. The prediction leaves out
/// the correlation of the weights of different samples through the shared W, a relative effect
/// of order 1/d. At d = 200 an independent Monte Carlo with 200 to 400 replicates put the ratio
/// 0.12 to 0.2 % above it, that is 0.25 to 0.4 of 1/d.
const MODEL_DIM: f64 = 1.0;

/// (Monte Carlo − finite-size prediction)/uncertainty, where the uncertainty combines the standard
/// error of `value`, the standard error of a Monte Carlo theory and the model error MODEL_DIM/d of
/// the prediction. An exact match (MSE of the linear model, where both are 0) counts as 0.
fn z_of(value: Option<f64>, stderr: Option<f64>, point: &SweepPoint, dim: usize) -> Option<f64> {
    let (e, se) = (value?, stderr?);
    let prediction = point.theory_finite;
    if e == prediction {
        return Some(0.0);
    }
    let model = MODEL_DIM / dim as f64 * prediction.abs();
    let theory = point.theory_stderr.unwrap_or(0.0);
    let uncertainty = se
        .hypot(model)
        .hypot(theory)
        .max(THEORY_REL * prediction.abs());
    Some((e - prediction) / uncertainty)
}

/// z of the pair (1, 2).
fn z_score(point: &SweepPoint, dim: usize) -> Option<f64> {
    z_of(point.empirical, point.stderr, point, dim)
}

/// z of the average over all pairs (linear model).
fn z_score_all_pairs(point: &SweepPoint, dim: usize) -> Option<f64> {
    z_of(
        point.empirical_all_pairs,
        point.stderr_all_pairs,
        point,
        dim,
    )
}

/// Returns the z of the estimate that the verdict judges, which must be at most 3 in absolute value.
/// For the linear model it is the average over all pairs, because the squared norms of one pair are
/// heavy-tailed and pair (1, 2) alone needs many replicates. For the network it is the
/// root-mean-square over V.
fn judged_z(point: &SweepPoint, dim: usize) -> Option<f64> {
    z_score_all_pairs(point, dim).or_else(|| z_score(point, dim))
}

fn describe(report: &Report<'_>) -> String {
    match report.model {
        SweepModel::Linear => format!(
            "linear model, {}, s = {}",
            report.loss.long_name(),
            report.logit_scale.unwrap_or(1.0)
        ),
        SweepModel::Mlp => format!(
            "one-hidden-layer ReLU network, {}, width {}, hidden-layer blocks",
            report.loss.long_name(),
            report.width.unwrap_or(8)
        ),
    }
}

fn number(value: Option<f64>, digits: usize) -> String {
    value.map_or(String::from("-"), |v| format!("{v:.digits$e}"))
}

fn table(report: &Report<'_>, out: &std::path::Path, plotted: bool) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:>7} {:>11} {:>11} {:>11} {:>10} {:>6} {:>11} {:>10} {:>6} {:>11} {:>11}",
        "C",
        "theory",
        "finite d,N",
        match report.model {
            SweepModel::Linear => "pair (1,2)",
            SweepModel::Mlp => "RMS over V",
        },
        "stderr",
        "z",
        "all pairs",
        "stderr",
        "z",
        "spectral",
        "predicted"
    );
    let z_text = |z: Option<f64>| z.map_or(String::from("-"), |z| format!("{z:.2}"));
    for p in report.points {
        let _ = writeln!(
            text,
            "{:>7} {:>11.4e} {:>11.4e} {:>11} {:>10} {:>6} {:>11} {:>10} {:>6} {:>11} {:>11}",
            p.classes,
            p.theory,
            p.theory_finite,
            number(p.empirical, 4),
            number(p.stderr, 2),
            z_text(z_score(p, report.dim)),
            number(p.empirical_all_pairs, 4),
            number(p.stderr_all_pairs, 2),
            z_text(z_score_all_pairs(p, report.dim)),
            number(p.spectral, 4),
            number(p.spectral_theory, 4),
        );
    }

    let slope = |s: Option<f64>| s.map_or(String::from("-"), |s| format!("{s:.4}"));
    let _ = writeln!(
        text,
        "\n{}; d = {}, N = {}, γ = {}, R = {}",
        describe(report),
        report.dim,
        report.samples,
        report.gamma,
        report.replicates
    );
    let _ = writeln!(
        text,
        "fitted slope of ln R against ln C over C in [{}, {}]: theory {}, Monte Carlo ({}) {}",
        report.fit_range[0],
        report.fit_range[1],
        slope(report.slope),
        match report.model {
            SweepModel::Linear => "pair (1,2)",
            SweepModel::Mlp => "RMS over V",
        },
        slope(report.slope_empirical)
    );
    let judged = match report.model {
        SweepModel::Linear => "all-pairs",
        SweepModel::Mlp => "root-mean-square",
    };
    let failing: Vec<String> = report
        .points
        .iter()
        .filter(|p| judged_z(p, report.dim).is_some_and(|z| z.abs() > 3.0))
        .map(|p| p.classes.to_string())
        .collect();
    let uncertainty = format!(
        "3 standard errors (with a model error of 1/d = {:.2e})",
        1.0 / report.dim as f64
    );
    let verdict = if report.points.iter().all(|p| p.empirical.is_none()) {
        String::from("Monte Carlo skipped (--theory-only)")
    } else if report.pass {
        format!(
            "every {judged} Monte Carlo ratio is within {uncertainty} of the finite-size prediction"
        )
    } else {
        format!(
            "FAIL: the {judged} Monte Carlo ratio at C = {} is more than {uncertainty} from the finite-size prediction",
            failing.join(", ")
        )
    };
    let _ = writeln!(text, "{verdict}");
    let _ = writeln!(text, "seed {}; hessian-rmt {}", report.seed, report.version);
    let written = if plotted {
        "sweep.json, sweep.csv and sweep.png/.svg"
    } else {
        "sweep.json and sweep.csv"
    };
    let _ = writeln!(text, "{written} in {}", out.display());
    text
}

fn csv(report: &Report<'_>) -> String {
    let mut text = format!(
        "# hessian-rmt {} sweep: {}; d = {}, N = {}, R = {}, seed {}\n",
        report.version,
        describe(report),
        report.dim,
        report.samples,
        report.replicates,
        report.seed
    );
    text.push_str("classes,theory,theory_finite,theory_stderr,empirical,stderr,empirical_all_pairs,stderr_all_pairs,spectral,spectral_stderr,spectral_theory,spectral_theory_stderr,spread\n");
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for p in report.points {
        let _ = writeln!(
            text,
            "{},{:e},{:e},{},{},{},{},{},{},{},{},{},{}",
            p.classes,
            p.theory,
            p.theory_finite,
            cell(p.theory_stderr),
            cell(p.empirical),
            cell(p.stderr),
            cell(p.empirical_all_pairs),
            cell(p.stderr_all_pairs),
            cell(p.spectral),
            cell(p.spectral_stderr),
            cell(p.spectral_theory),
            cell(p.spectral_theory_stderr),
            cell(p.spread)
        );
    }
    text
}

fn draw(report: &Report<'_>, out: &std::path::Path) -> Result<()> {
    let points: Vec<SweepFigurePoint> = report
        .points
        .iter()
        .map(|p| SweepFigurePoint {
            classes: p.classes,
            theory: p.theory,
            theory_finite: p.theory_finite,
            empirical: p.empirical.zip(p.stderr),
            empirical_all: p.empirical_all_pairs.zip(p.stderr_all_pairs),
            z: judged_z(p, report.dim),
        })
        .collect();
    let slope = |s: Option<f64>| s.map_or(String::from("no fit"), |s| format!("slope {s:.3}"));
    let (ratio_label, what) = match report.model {
        SweepModel::Linear => (
            "Frobenius norm ratio ‖H₁₂‖ / ‖H₁₁‖",
            "Monte Carlo, pair (1,2)",
        ),
        SweepModel::Mlp => (
            "Frobenius norm ratio ‖H₁₂‖ / ‖H₁₁‖ (RMS over V)",
            "Monte Carlo, RMS over V",
        ),
    };
    let figure = SweepFigure {
        title: format!("Off-diagonal to diagonal block ratio, {}", describe(report)),
        caption: format!(
            "d = {}, N = {}, γ = {}, R = {} replicates per C, slopes fitted over C in [{}, {}], seed {}, hessian-rmt {}",
            report.dim,
            report.samples,
            report.gamma,
            report.replicates,
            report.fit_range[0],
            report.fit_range[1],
            report.seed,
            report.version
        ),
        ratio_label: String::from(ratio_label),
        theory_label: format!("limit R(C), {}", slope(report.slope)),
        empirical_label: format!("{what}, {}", slope(report.slope_empirical)),
        empirical_all_label: String::from("Monte Carlo, all pairs"),
        residual_label: match report.model {
            SweepModel::Linear => String::from("all pairs: (Monte Carlo − prediction) / s.e."),
            SweepModel::Mlp => String::from("(Monte Carlo − prediction) / s.e."),
        },
        points: &points,
    };
    for extension in ["png", "svg"] {
        let path = out.join(format!("sweep.{extension}"));
        draw_sweep(&path, &figure).with_context(|| format!("cannot draw sweep.{extension}"))?;
    }
    Ok(())
}

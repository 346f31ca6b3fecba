//! `hessian-rmt law`: the GMP law of a discrete weight law, as CSV, JSON or a plot.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use super::Outcome;
use super::args::{atoms, positive_f64, positive_usize, range};
use super::output::print;
use crate::VERSION;
use crate::laws::{Atom, Gmp, Separable, SpectralLaw, WeightLaw};
use crate::plot::{LawFigure, draw_law};

/// Arguments of `law`.
#[derive(Debug, Args)]
#[command(
    long_about = "Print or plot the generalized Marchenko–Pastur law GMP(γ, H): the limit of the \
eigenvalue law of (1/N) Σ_i τ_i x_i x_iᵀ with d/N → γ and weights τ_i of law H.\n\n\
H is given as atoms PROBABILITY:VALUE separated by commas (--weights), or as samples in a file \
(--weights-file), each sample an atom of equal mass; values may be negative or zero, \
probabilities must sum to 1. Example: --gamma 0.5 --weights 0.5:1,0.5:-1.\n\n\
With --sigma-weights or --sigma-file the data have population covariance Σ, given by the law of \
its eigenvalues (same formats, values ≥ 0): the law is then the separable one, with Stieltjes \
transform m = ∫ dF_Σ(s)/(s a(e) − z), a(e) = E[τ/(1 + γτe)], e = ∫ s dF_Σ(s)/(s a(e) − z).\n\n\
Output: CSV lines x,density,cdf on a grid (the density is that of the continuous part; atoms appear \
as jumps of the CDF and are listed in the header), or with --json an object with support, atoms, \
moments and grid. --support and --atoms print only the support intervals or the atoms."
)]
pub struct LawArgs {
    /// Aspect ratio γ = d/N.
    #[arg(long, value_parser = positive_f64, allow_hyphen_values = true)]
    pub gamma: f64,
    /// Weight law as PROBABILITY:VALUE pairs, comma-separated (or give --weights-file).
    #[arg(
        long,
        allow_hyphen_values = true,
        required_unless_present = "weights_file",
        conflicts_with = "weights_file"
    )]
    pub weights: Option<String>,
    /// Weight law as samples in a file: numbers separated by commas, semicolons, spaces, tabs or
    /// newlines; lines starting with # are comments.
    #[arg(long, value_name = "PATH")]
    pub weights_file: Option<PathBuf>,
    /// Eigenvalue law of the population covariance Σ as PROBABILITY:VALUE pairs (separable law).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "sigma_file")]
    pub sigma_weights: Option<String>,
    /// Eigenvalues of Σ in a file (same format as --weights-file), each of equal mass.
    #[arg(long, value_name = "PATH")]
    pub sigma_file: Option<PathBuf>,
    /// Number of grid points.
    #[arg(long, default_value = "201", value_parser = positive_usize, allow_hyphen_values = true)]
    pub grid: usize,
    /// Grid range A,B; by default the support with a 5 % margin.
    #[arg(long, value_parser = range, allow_hyphen_values = true)]
    pub range: Option<(f64, f64)>,
    /// Print JSON instead of CSV.
    #[arg(long)]
    pub json: bool,
    /// Print only the support intervals (CSV lo,hi), with --atoms also the atoms.
    #[arg(long)]
    pub support: bool,
    /// Print only the atoms (CSV x,mass), with --support also the support.
    #[arg(long)]
    pub atoms: bool,
    /// Also draw the law to this file (.png or .svg).
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Grid {
    x: Vec<f64>,
    density: Vec<f64>,
    cdf: Vec<f64>,
}

#[derive(Debug, Serialize)]
struct WeightAtom {
    probability: f64,
    value: f64,
}

#[derive(Debug, Serialize)]
struct LawReport {
    version: &'static str,
    gamma: f64,
    law: String,
    weights: Vec<WeightAtom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma: Option<Vec<WeightAtom>>,
    support: Vec<[f64; 2]>,
    atoms: Vec<Atom>,
    moments: Vec<f64>,
    grid: Grid,
}

/// Reads a law given either inline (PROBABILITY:VALUE pairs) or as samples in a file.
fn read_law(inline: Option<&str>, file: Option<&PathBuf>, flag: &str) -> Result<WeightLaw> {
    match (inline, file) {
        (Some(text), _) => {
            let pairs =
                atoms(text).map_err(|rule| anyhow::anyhow!("invalid --{flag} '{text}': {rule}"))?;
            WeightLaw::from_atoms(&pairs).with_context(|| format!("invalid --{flag} '{text}'"))
        }
        (None, Some(path)) => {
            let samples = read_samples(path)?;
            WeightLaw::from_samples(&samples)
                .with_context(|| format!("invalid samples in '{}'", path.display()))
        }
        (None, None) => anyhow::bail!("--{flag} or --{flag}-file is required"),
    }
}

/// Numbers separated by commas, spaces or newlines; `#` starts a comment line. A cell that is not
/// a finite number is reported with its line and column.
fn read_samples(path: &PathBuf) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read '{}'", path.display()))?;
    let mut samples = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut column = 1;
        for cell in line.split([',', ' ', '\t', ';']) {
            let cell_column = column;
            column += cell.chars().count() + 1;
            if cell.trim().is_empty() {
                continue;
            }
            match cell.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => samples.push(v),
                _ => anyhow::bail!(
                    "{}:{}:{cell_column}: '{}' is not a finite number",
                    path.display(),
                    number + 1,
                    cell.trim()
                ),
            }
        }
    }
    if samples.is_empty() {
        anyhow::bail!("'{}' contains no samples", path.display());
    }
    Ok(samples)
}

/// Shortest decimal that reads back to the same number; in exponent form outside [1e-6, 1e16),
/// where the plain form runs to hundreds of digits.
fn number(x: f64) -> String {
    if x != 0.0 && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn describe_law(law: &WeightLaw) -> String {
    if law.len() > 8 {
        format!("{} atoms, mean {}", law.len(), law.moment(1))
    } else {
        describe(law)
    }
}

fn atom_list(law: &WeightLaw) -> Vec<WeightAtom> {
    law.values()
        .iter()
        .zip(law.probs())
        .map(|(&value, &probability)| WeightAtom { probability, value })
        .collect()
}

/// Runs `law`.
///
/// # Errors
/// An invalid weight law, an unwritable plot path, or a failing solver.
pub fn run(args: &LawArgs) -> Result<Outcome> {
    let weights = read_law(
        args.weights.as_deref(),
        args.weights_file.as_ref(),
        "weights",
    )?;
    let sigma = match (&args.sigma_weights, &args.sigma_file) {
        (None, None) => None,
        (inline, file) => Some(read_law(inline.as_deref(), file.as_ref(), "sigma-weights")?),
    };
    let (law, title): (Box<dyn SpectralLaw>, String) = match &sigma {
        None => (
            Box::new(Gmp::new(args.gamma, weights.clone())?),
            if weights.len() == 1 {
                // One weight value v: GMP(γ, δ_v) is the Marchenko–Pastur law scaled by v.
                format!("Marchenko–Pastur law, γ = {}", args.gamma)
            } else {
                format!("GMP law, γ = {}", args.gamma)
            },
        ),
        Some(sigma) => (
            Box::new(
                Separable::new(args.gamma, sigma.clone(), weights.clone())
                    .context("invalid covariance law (--sigma-weights or --sigma-file)")?,
            ),
            format!("separable law, γ = {}", args.gamma),
        ),
    };
    let mut header = format!(
        "# hessian-rmt {VERSION}: {title}, weights {}",
        describe_law(&weights)
    );
    if let Some(sigma) = &sigma {
        let _ = write!(header, ", covariance eigenvalues {}", describe_law(sigma));
    }
    header.push('\n');
    let law_atoms = law.atoms();
    for atom in &law_atoms {
        let _ = writeln!(header, "# atom at x = {} with mass {}", atom.x, atom.mass);
    }

    if (args.support || args.atoms) && !args.json {
        let mut out = header;
        if args.support {
            out.push_str("lo,hi\n");
            for (a, b) in law.support() {
                let _ = writeln!(out, "{},{}", number(a), number(b));
            }
        }
        if args.atoms {
            out.push_str("x,mass\n");
            for atom in &law_atoms {
                let _ = writeln!(out, "{},{}", number(atom.x), number(atom.mass));
            }
        }
        print(&out)?;
        return Ok(Outcome::Pass);
    }

    let (lo, hi) = args.range.unwrap_or_else(|| {
        let (a, b) = law.hull();
        // A law concentrated at 0 (all weights 0) has no width or scale: show [−1, 1].
        let margin = match 0.05 * (b - a).max(a.abs().max(b.abs())) {
            m if m > 0.0 => m,
            _ => 1.0,
        };
        (a - margin, b + margin)
    });
    let x: Vec<f64> = if args.grid == 1 {
        vec![0.5 * (lo + hi)]
    } else {
        (0..args.grid)
            .map(|i| lo + (hi - lo) * i as f64 / (args.grid - 1) as f64)
            .collect()
    };
    let (density, cdf) = law.density_and_cdf(&x)?;

    if let Some(path) = &args.plot {
        let atoms: Vec<(f64, f64)> = law_atoms.iter().map(|a| (a.x, a.mass)).collect();
        let mut caption = format!("weights (probability:value) {}", describe_law(&weights));
        if let Some(sigma) = &sigma {
            let _ = write!(caption, "; Σ eigenvalues {}", describe_law(sigma));
        }
        let _ = write!(caption, "; hessian-rmt {VERSION}");
        let figure = LawFigure {
            title: title.clone(),
            caption,
            grid: &x,
            density: &density,
            cdf: &cdf,
            atoms: &atoms,
        };
        draw_law(path, &figure).with_context(|| format!("cannot draw '{}'", path.display()))?;
    }

    if args.json {
        let report = LawReport {
            version: VERSION,
            gamma: args.gamma,
            law: law.name(),
            weights: atom_list(&weights),
            sigma: sigma.as_ref().map(atom_list),
            support: law.support().into_iter().map(|(a, b)| [a, b]).collect(),
            atoms: law_atoms,
            moments: law.moments(4),
            grid: Grid { x, density, cdf },
        };
        print(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        let mut out = header;
        out.push_str("x,density,cdf\n");
        for ((x, d), f) in x.iter().zip(&density).zip(&cdf) {
            let _ = writeln!(out, "{},{},{}", number(*x), number(*d), number(*f));
        }
        print(&out)?;
    }
    Ok(Outcome::Pass)
}

fn describe(weights: &WeightLaw) -> String {
    weights
        .values()
        .iter()
        .zip(weights.probs())
        .map(|(t, p)| format!("{}:{}", number(*p), number(*t)))
        .collect::<Vec<_>>()
        .join(",")
}

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
use crate::laws::{Atom, Gmp, SpectralLaw, WeightLaw};
use crate::plot::{LawFigure, draw_law};

/// Arguments of `law`.
#[derive(Debug, Args)]
#[command(
    long_about = "Print or plot the generalized Marchenko–Pastur law GMP(γ, H): the limit of the \
eigenvalue law of (1/N) Σ_i τ_i x_i x_iᵀ with d/N → γ and weights τ_i of law H.\n\n\
H is given as atoms PROBABILITY:VALUE separated by commas; values may be negative or zero, \
probabilities must sum to 1. Example: --gamma 0.5 --weights 0.5:1,0.5:-1.\n\n\
Output: CSV lines x,density,cdf on a grid (the density is that of the continuous part; atoms appear \
as jumps of the CDF), or with --json an object with support, atoms, moments and grid."
)]
pub struct LawArgs {
    /// Aspect ratio γ = d/N.
    #[arg(long, value_parser = positive_f64, allow_hyphen_values = true)]
    pub gamma: f64,
    /// Weight law as PROBABILITY:VALUE pairs, comma-separated.
    #[arg(long, allow_hyphen_values = true)]
    pub weights: String,
    /// Number of grid points.
    #[arg(long, default_value = "201", value_parser = positive_usize, allow_hyphen_values = true)]
    pub grid: usize,
    /// Grid range A,B; by default the support with a 5 % margin.
    #[arg(long, value_parser = range, allow_hyphen_values = true)]
    pub range: Option<(f64, f64)>,
    /// Print JSON instead of CSV.
    #[arg(long)]
    pub json: bool,
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
    weights: Vec<WeightAtom>,
    support: Vec<[f64; 2]>,
    atoms: Vec<Atom>,
    moments: Vec<f64>,
    grid: Grid,
}

/// Runs `law`.
///
/// # Errors
/// An invalid weight law, an unwritable plot path, or a failing solver.
pub fn run(args: &LawArgs) -> Result<Outcome> {
    let pairs = atoms(&args.weights)
        .map_err(|rule| anyhow::anyhow!("invalid --weights '{}': {rule}", args.weights))?;
    let weights = WeightLaw::from_atoms(&pairs)
        .with_context(|| format!("invalid --weights '{}'", args.weights))?;
    let law = Gmp::new(args.gamma, weights.clone())?;
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
    let density = law.density(&x)?;
    let cdf = law.cdf(&x)?;

    if let Some(path) = &args.plot {
        let atoms: Vec<(f64, f64)> = law.atoms().iter().map(|a| (a.x, a.mass)).collect();
        let figure = LawFigure {
            title: format!("GMP law, γ = {}", args.gamma),
            caption: format!("weights {}; hessian-rmt {VERSION}", describe(&weights)),
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
            weights: weights
                .values()
                .iter()
                .zip(weights.probs())
                .map(|(&value, &probability)| WeightAtom { probability, value })
                .collect(),
            support: law.support().into_iter().map(|(a, b)| [a, b]).collect(),
            atoms: law.atoms(),
            moments: law.moments(4),
            grid: Grid { x, density, cdf },
        };
        print(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        let mut out = format!(
            "# hessian-rmt {VERSION}: GMP law, gamma = {}, weights {}\nx,density,cdf\n",
            args.gamma,
            describe(&weights)
        );
        for ((x, d), f) in x.iter().zip(&density).zip(&cdf) {
            let _ = writeln!(out, "{x},{d},{f}");
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
        .map(|(t, p)| format!("{p}:{t}"))
        .collect::<Vec<_>>()
        .join(",")
}

//! The `hessian-rmt` command line: clap structs that parse and range-check, one file per
//! subcommand, and the mapping of outcomes to exit codes.
//!
//! Exit codes: 0 when every check passed (or the command had nothing to check), 1 when a check ran
//! and failed, 2 on invalid input or any other error. Errors are printed as one line on stderr.
//! A closed stdout (for example `hessian-rmt law … | head`) ends the program quietly with 0.

pub mod args;
pub mod heatmap;
pub mod law;
pub mod output;
pub mod reproduce;
pub mod sweep;
pub mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line arguments of `hessian-rmt`.
#[derive(Debug, Parser)]
#[command(
    name = "hessian-rmt",
    version,
    about = "Check random-matrix limit laws of neural-network Hessian blocks against Monte Carlo eigenvalues",
    long_about = "Check random-matrix limit laws of neural-network Hessian blocks against Monte Carlo \
eigenvalues.\n\nNormalisation: a block is the d×d matrix (1/N) Σ_i τ_i x_i x_iᵀ over N samples x_i in \
R^d, γ = d/N, and its eigenvalues are compared with the generalized Marchenko–Pastur law GMP(γ, H) \
of the weights τ."
)]
pub struct Cli {
    /// Subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sample Hessian blocks and compare their eigenvalues with the predicted limit laws.
    Verify(verify::VerifyArgs),
    /// Print or plot a limit law: GMP for given weights, or separable with a covariance Σ.
    Law(law::LawArgs),
    /// Sweep the number of classes: off-diagonal to diagonal block ratio, theory and Monte Carlo.
    Sweep(sweep::SweepArgs),
    /// Draw the absolute Hessian at initialisation as a heatmap, grouped by neuron and class.
    Heatmap(heatmap::HeatmapArgs),
    /// Regenerate every committed figure and write SUMMARY.md, one section per claim.
    Reproduce(reproduce::ReproduceArgs),
}

/// Outcome of a subcommand that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every check passed.
    Pass,
    /// A check failed.
    Fail,
}

/// Parses the arguments, runs the subcommand and returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return report_parse_error(err),
    };
    let result = match cli.command {
        Command::Verify(args) => verify::run(&args),
        Command::Law(args) => law::run(&args),
        Command::Sweep(args) => sweep::run(&args),
        Command::Heatmap(args) => heatmap::run(&args),
        Command::Reproduce(args) => reproduce::run(&args),
    };
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Fail) => ExitCode::from(1),
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

/// Help and version go to stdout with exit 0; any other parse error becomes one line with exit 2.
fn report_parse_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            // The first paragraph of clap's message: a rule, and for missing arguments the
            // list of them on the following lines; joined into one line.
            let text = err.render().to_string();
            let paragraph: Vec<&str> = text
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect();
            let message = match paragraph.join(" ") {
                m if m.is_empty() => String::from("invalid arguments"),
                m => m,
            };
            eprintln!("{message} (see --help)");
            ExitCode::from(2)
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

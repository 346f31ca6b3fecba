//! Typed errors of the library.
//!
//! Each message is lowercase, names the rule that failed and quotes the offending value, so that the
//! command-line front end can print it as a one-line error.

use num_complex::Complex64;
use thiserror::Error;

/// Invalid parameters of a law or a weight law.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LawError {
    /// The aspect ratio γ = d/N is not a finite positive number.
    #[error("aspect ratio gamma must be finite and positive, got {0}")]
    Gamma(f64),
    /// A variance or scale parameter is not a finite positive number.
    #[error("{name} must be finite and positive, got {value}")]
    Scale {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: f64,
    },
    /// A weight law was given no atoms.
    #[error("weight law must have at least one atom")]
    NoAtoms,
    /// An atom value is NaN or infinite.
    #[error("weight value must be finite, got {0}")]
    Value(f64),
    /// An atom probability is negative, NaN or infinite.
    #[error("weight probability must be finite and non-negative, got {0}")]
    Probability(f64),
    /// The probabilities do not sum to one.
    #[error("weight probabilities must sum to 1 (within {tol:e}), got {sum}")]
    ProbabilitySum {
        /// The sum of the given probabilities.
        sum: f64,
        /// The accepted deviation from 1.
        tol: f64,
    },
    /// An eigenvalue of a population covariance is negative or not finite.
    #[error("population covariance eigenvalues must be finite and non-negative, got {0}")]
    Covariance(f64),
    /// The law's support or CDF could not be computed.
    #[error(transparent)]
    Solver(#[from] SolverError),
}

/// A numerical solver that did not reach its tolerance.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SolverError {
    /// Newton's method or the fixed-point iteration stopped before converging.
    #[error(
        "stieltjes solver did not converge at z = {z} after {iterations} iterations (residual {residual:e})"
    )]
    NoConvergence {
        /// Spectral argument.
        z: Complex64,
        /// Iterations performed.
        iterations: usize,
        /// Absolute residual of the fixed-point equation at the last iterate.
        residual: f64,
    },
    /// The support computation could not bracket a critical point.
    #[error("support edge search failed on the interval ({lo}, {hi}) of the inverse map")]
    EdgeSearch {
        /// Left end of the interval in the w-variable.
        lo: f64,
        /// Right end of the interval in the w-variable.
        hi: f64,
    },
    /// The eigenvalue computation failed: the block has a NaN or infinite entry, or the QL
    /// iteration did not converge.
    #[error(
        "eigenvalues of a {n}×{n} block failed: an entry is NaN or infinite, or the iteration did not converge"
    )]
    Eigen {
        /// Block dimension.
        n: usize,
    },
}

/// Invalid model or sampling parameters.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// A size parameter is outside its allowed range.
    #[error("{name} must be at least {min}, got {value}")]
    TooSmall {
        /// Parameter name as the user knows it.
        name: &'static str,
        /// Smallest allowed value.
        min: usize,
        /// Offending value.
        value: usize,
    },
    /// A block index is not a class index.
    #[error(
        "block index {index} is out of range for {classes} classes (indices are 1..={classes})"
    )]
    BlockIndex {
        /// Offending 1-based index.
        index: usize,
        /// Number of classes.
        classes: usize,
    },
    /// The logit scale is not finite and positive.
    #[error("logit scale must be finite and positive, got {0}")]
    LogitScale(f64),
    /// A matrix dimension does not fit the model.
    #[error("dimension mismatch: {0}")]
    Shape(String),
    /// A parameter breaks a rule; the message names the value and the rule.
    #[error("{0}")]
    Parameter(String),
}

//! Distances between an ESD and a law, verdicts, and the verification suite.
//!
//! - [`distances`]: Kolmogorov–Smirnov and Wasserstein-1;
//! - [`verdict`]: tolerances from the sizes, moment and edge comparisons;
//! - [`suite`]: the linear-model suite that ties sampling, laws and distances together.

pub mod distances;
pub mod suite;
pub mod verdict;

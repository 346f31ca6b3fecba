//! Distances between an ESD and a law, verdicts, and the verification suite.
//!
//! - [`distances`]: Kolmogorov–Smirnov and Wasserstein-1;
//! - [`verdict`]: tolerances from the sizes, moment and edge comparisons;
//! - [`suite`]: the linear-model suite that ties sampling, laws and distances together, and the
//!   parts every suite shares;
//! - [`mlp_suite`]: the suite of the network with one hidden layer;
//! - [`data_suite`]: the linear model on a real data set, against laws built from its covariance;
//! - [`sweep`]: the off-diagonal to diagonal block ratio over the number of classes;
//! - [`convergence`]: the distances over the dimension d, their fitted rate and its verdict.

pub mod convergence;
pub mod data_suite;
pub mod distances;
pub mod mlp_suite;
pub mod suite;
pub mod sweep;
pub mod verdict;

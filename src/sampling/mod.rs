//! Monte Carlo: random generators, data, replicates, weight-law samples and pooled spectra.
//!
//! Randomness is always passed in: every replicate and every chunk of a weight-law sample gets its
//! own generator derived from (seed, stream) by [`seeds::rng`], so results do not depend on the
//! number of threads or on the order in which rayon schedules work.
//!
//! - [`seeds`]: named, portable generators (PCG 128/64) per stream;
//! - [`data`]: Gaussian and Rademacher data matrices;
//! - [`montecarlo`]: the parallel replicate driver;
//! - [`linear`]: one replicate of the linear model's Hessian blocks;
//! - [`mlp`]: one replicate of the network's blocks, and its weight laws and expected blocks;
//! - [`weight_laws`]: population and conditional weight laws of the linear model;
//! - [`esd`]: the pooled empirical spectral distribution.

pub mod data;
pub mod dataset;
pub mod esd;
pub mod linear;
pub mod mlp;
pub mod montecarlo;
pub mod seeds;
pub mod weight_laws;

pub use data::DataDist;
pub use esd::Esd;
pub use seeds::{Stream, rng};

//! Tools for testing limit laws, in this crate and in users' own test suites.
//!
//! - [`consistency`]: the self-consistency harness that every law passes (density, mass, CDF,
//!   moments and Stieltjes transform agree with each other).

pub mod consistency;

pub use consistency::{Check, ConsistencyReport, self_consistency};

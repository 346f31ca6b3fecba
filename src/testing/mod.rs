//! Tools for testing limit laws, in this crate and in users' own test suites.
//!
//! - [`consistency`]: the self-consistency harness that every law passes (density, mass, CDF,
//!   moments and Stieltjes transform agree with each other);
//! - [`esd`]: an ESD against a law, with a tolerance that follows from the sizes;
//! - [`strategies`]: proptest strategies for weight laws, γ and sizes (feature `proptest`).

pub mod consistency;
pub mod esd;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use consistency::{Check, ConsistencyReport, self_consistency};
pub use esd::{EsdCheck, EsdTolerance, assert_esd_matches, check_esd};

//! Solvers for Stieltjes transforms of generalized Marchenko–Pastur laws, and the recovery of the
//! density, support and CDF from them.
//!
//! Convention: m(z) = ∫ dμ(x)/(x − z), Im m > 0 when Im z > 0; the density is Im m(x + i0)/π.
//!
//! - [`equation`]: the fixed-point equation and its inverse map on the real axis;
//! - [`solver`]: damped Newton with η-continuation, and warm-started sweeps along the real axis;
//! - [`support`]: support edges as critical values of the inverse map, and the atom at 0;
//! - [`potential`]: the CDF in closed form from m(x + i0), through the log-potential.

pub mod equation;
pub mod potential;
pub mod solver;
pub mod support;

pub use equation::{Evaluation, GmpEquation, StieltjesEquation};
pub use solver::SolverParams;
pub use support::Support;

//! Solvers for Stieltjes transforms of generalized Marchenko–Pastur laws, and the recovery of the
//! density, support and CDF from them.
//!
//! Convention: m(z) = ∫ dμ(x)/(x − z), Im m > 0 when Im z > 0; the density is Im m(x + i0)/π.
//!
//! - [`equation`]: the fixed-point equation and its inverse map on the real axis;
//! - [`solver`]: damped Newton with η-continuation, and warm-started sweeps along the real axis;
//! - [`support`]: support edges as critical values of the inverse map, and the atom at 0;
//! - [`cdf`]: the CDF by Gauss–Legendre quadrature after an edge-removing change of variables.

pub mod cdf;
pub mod equation;
pub mod solver;
pub mod support;

pub use equation::GmpEquation;
pub use solver::SolverParams;
pub use support::Support;

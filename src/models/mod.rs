//! Hessian blocks of the models whose limit laws the crate predicts.
//!
//! Every block is a weighted sample covariance (1/N) Σ_i τ_i x_i x_iᵀ; a model supplies the
//! per-sample weights τ_i and forms blocks with one matrix product.
//!
//! - [`linear`]: the linear model f(x) = W x with MSE or cross-entropy loss;
//! - [`mlp`]: the network with one hidden layer, f(x) = V φ(W x), and its hidden, output and cross
//!   blocks;
//! - [`eigen`]: eigenvalues of a symmetric block through faer.

pub mod eigen;
pub mod linear;
pub mod lower;
pub mod mlp;
pub mod tridiag;

pub use linear::Loss;

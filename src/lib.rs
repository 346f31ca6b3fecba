//! hessian-rmt: limit laws of neural-network Hessian blocks, checked against Monte Carlo eigenvalues.
//!
//! The crate computes the limiting eigenvalue laws that random-matrix theory predicts for the Hessian
//! blocks of simple models at random initialisation, samples the exact blocks, takes their
//! eigenvalues with faer, and measures how far the two are apart.
//!
//! # Glossary
//!
//! Every module uses these words in this sense only.
//!
//! - **d**: input dimension; **N**: number of samples; **C**: number of classes.
//! - **`gamma`** (γ): the aspect ratio d/N. Never anything else.
//! - **block**: a d×d matrix `H = (1/N) Σ_i τ_i x_i x_iᵀ`, the part of a Hessian that couples two rows
//!   of a weight matrix. Block (k, l) of the linear model couples rows w_k and w_l of W. Indices are
//!   0-based in the library and 1-based in everything a user reads (CLI, plots, reports).
//! - **weight law**: the law H of the scalar weights τ_i; represented by [`laws::WeightLaw`], a
//!   finite set of atoms (value, probability). A Monte Carlo sample is a weight law with equal masses.
//! - **ESD**: empirical spectral distribution, the uniform measure on the eigenvalues of one or more
//!   sampled blocks ([`sampling::Esd`]). Replicates are pooled into one ESD.
//! - **LSD**: limiting spectral distribution, the law the ESD converges to as d, N → ∞ with d/N → γ.
//! - **Stieltjes transform**: `m(z) = ∫ dμ(x) / (x − z)`, with `Im m > 0` when `Im z > 0`.
//! - **`eta`** (η): the imaginary part of the spectral argument `z = x + iη`.
//! - **MP(γ, σ²)**: the Marchenko–Pastur law of `(σ²/N) X Xᵀ`, X a d×N matrix of i.i.d. standardised
//!   entries ([`laws::MarchenkoPastur`]).
//! - **GMP(γ, H)**: the generalized Marchenko–Pastur law of a block whose weights have law H
//!   ([`laws::Gmp`]); its Stieltjes transform solves `m = 1 / (−z + E_H[τ / (1 + γ τ m)])`.
//! - **replicate**: one independent draw of the data (and of the model weights unless fixed), with its
//!   own random generator derived from (seed, replicate index).
//!
//! # Layout
//!
//! Data flows `laws` + `stieltjes` (theory) and `models` + `sampling` (Monte Carlo) into `compare`
//! (distances and verdicts); `plot` draws; `cli` glues them into the `hessian-rmt` binary. Nothing
//! depends on `cli`, and only `cli` depends on `plot`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cli;
pub mod compare;
pub mod error;
pub mod laws;
pub mod models;
pub mod plot;
pub mod sampling;
pub mod stieltjes;
pub mod testing;
pub mod tol;

/// The complex type of Stieltjes transforms, re-exported so that implementing
/// [`laws::SpectralLaw`] needs no direct dependency on num-complex.
pub use num_complex::Complex64;

/// The crate version, written into every report and figure caption.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Compiles and runs the Rust examples of README.md as doctests, so the README cannot drift from
/// the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

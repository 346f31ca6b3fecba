//! Integration tests: one binary, one module per area.

mod cli;
mod consistency;
mod data;
mod mlp;
mod properties;
mod solver;
mod suite;
mod sweep;

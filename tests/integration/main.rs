//! Integration tests: one binary, one module per area.

mod cli;
mod consistency;
mod properties;
mod solver;
mod suite;

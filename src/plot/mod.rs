//! Placeholder until the plotting module lands.

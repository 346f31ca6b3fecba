//! Distances between an ESD and a law, and verdicts.

//! Integration tests: one binary, one module per area.

mod cli;
mod consistency;
mod data;
mod mlp;
mod properties;
mod readme_property;
mod solver;
mod suite;
mod sweep;

/// The README shows tests/integration/readme_property.rs as the example of a property test; the
/// example must be the file that runs here.
#[test]
fn readme_shows_the_property_test_file() {
    let readme = include_str!("../../README.md");
    let example = include_str!("readme_property.rs");
    assert!(
        readme.contains(example),
        "README.md does not contain tests/integration/readme_property.rs verbatim"
    );
}

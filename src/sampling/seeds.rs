//! Per-stream random generators derived from one user seed.
//!
//! The generator is PCG-XSL-RR 128/64 (`rand_pcg::Pcg64`), whose output is specified bit for bit
//! and is the same on every platform. A user seed s is spread over the 128-bit state with
//! SplitMix64; each [`Stream`] selects one of PCG's 2¹²⁷ independent increments, so the streams of
//! different replicates never overlap.

use rand_pcg::Pcg64;

/// A named source of randomness inside one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Data (and model weights, unless fixed) of replicate `index`.
    Replicate(u64),
    /// Model weights shared by all replicates when the user fixes them.
    FixedWeights,
    /// Chunk `chunk` of the sample that represents a population weight law.
    PopulationLaw {
        /// Chunk index.
        chunk: u64,
    },
    /// Chunk `chunk` of the sample that represents a population weight law of a hidden-layer block
    /// of the network with one hidden layer. `part` numbers the output-layer weights V the law is
    /// conditional on: 0 when V is shared by all replicates, replicate index + 1 otherwise.
    HiddenPopulationLaw {
        /// Which V.
        part: u32,
        /// Chunk index.
        chunk: u32,
    },
    /// Chunk `chunk` of the fresh data behind the weight law of a hidden-layer block conditional on
    /// the W (and V) of replicate `replicate`.
    HiddenConditionalLaw {
        /// Replicate index.
        replicate: u32,
        /// Chunk index.
        chunk: u32,
    },
    /// Chunk `chunk` of the pre-activations behind the expected output-layer block; `part` as in
    /// [`Stream::HiddenPopulationLaw`].
    OutputPopulation {
        /// Which V.
        part: u32,
        /// Chunk index.
        chunk: u32,
    },
    /// Chunk `chunk` of the fresh data behind the expected output-layer block conditional on the W
    /// (and V) of replicate `replicate`.
    OutputConditional {
        /// Replicate index.
        replicate: u32,
        /// Chunk index.
        chunk: u32,
    },
    /// Draw `draw` of the Monte Carlo behind a sweep's theory: `part` 0 for V, 1 for the
    /// pre-activations.
    SweepTheory {
        /// Random quantity: 0 for V, 1 for the pre-activations.
        part: u32,
        /// Draw index.
        draw: u32,
    },
    /// Chunk `chunk` of the fresh data behind the weight law conditional on replicate `replicate`.
    ConditionalLaw {
        /// Replicate index.
        replicate: u32,
        /// Chunk index.
        chunk: u32,
    },
}

impl Stream {
    fn id(self) -> u128 {
        match self {
            Stream::Replicate(i) => (1u128 << 64) | u128::from(i),
            Stream::FixedWeights => 2u128 << 64,
            Stream::PopulationLaw { chunk } => (3u128 << 64) | u128::from(chunk),
            Stream::ConditionalLaw { replicate, chunk } => {
                (4u128 << 64) | (u128::from(replicate) << 32) | u128::from(chunk)
            }
            Stream::HiddenPopulationLaw { part, chunk } => pair(5, part, chunk),
            Stream::HiddenConditionalLaw { replicate, chunk } => pair(6, replicate, chunk),
            Stream::OutputPopulation { part, chunk } => pair(7, part, chunk),
            Stream::OutputConditional { replicate, chunk } => pair(8, replicate, chunk),
            Stream::SweepTheory { part, draw } => pair(9, part, draw),
        }
    }
}

/// Packs family `family` and two 32-bit indices into a stream id.
fn pair(family: u128, high: u32, low: u32) -> u128 {
    (family << 64) | (u128::from(high) << 32) | u128::from(low)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of `stream` in a run with user seed `seed`.
pub fn rng(seed: u64, stream: Stream) -> Pcg64 {
    let mut mix = seed;
    let state = (u128::from(splitmix64(&mut mix)) << 64) | u128::from(splitmix64(&mut mix));
    Pcg64::new(state, stream.id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_and_repeat() {
        let a = rng(7, Stream::Replicate(0)).next_u64();
        let b = rng(7, Stream::Replicate(1)).next_u64();
        let c = rng(8, Stream::Replicate(0)).next_u64();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, rng(7, Stream::Replicate(0)).next_u64());
    }

    #[test]
    fn output_is_stable_across_versions() {
        // Value-stability check: if this changes, every published seed gives new numbers.
        let value = rng(42, Stream::Replicate(0)).next_u64();
        assert_eq!(
            value, STABLE_FIRST_OUTPUT,
            "first output of seed 42, replicate 0"
        );
    }

    // Recorded with rand_pcg 0.10.3 when the derivation was written.
    const STABLE_FIRST_OUTPUT: u64 = 6_964_171_714_009_056_870;
}

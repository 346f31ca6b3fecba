use faer::Par;
use hessian_rmt::laws::MarchenkoPastur;
use hessian_rmt::models::{eigen::symmetric_eigenvalues, linear::weighted_gram_lower};
use hessian_rmt::sampling::{DataDist, Stream, rng};
use hessian_rmt::testing::esd::{EsdTolerance, assert_esd_matches};
use hessian_rmt::testing::strategies::sizes;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4, rng_seed: RngSeed::Fixed(1), failure_persistence: None,
        ..ProptestConfig::default()
    })]
    #[test]
    fn mp_blocks_match((d, n) in sizes(100, 200), seed in 0u64..1000) {
        let x = DataDist::Gaussian.sample(&mut rng(seed, Stream::Replicate(0)), d, n, 1.0);
        let block = weighted_gram_lower(x.as_ref(), &vec![1.0; n], Par::Seq);
        let eigenvalues = symmetric_eigenvalues(block.as_ref(), Par::Seq).unwrap();
        let law = MarchenkoPastur::new(d as f64 / n as f64, 1.0).unwrap();
        // τ ≡ 1 is deterministic: no weight term in the tolerance.
        assert_esd_matches(&eigenvalues, &law, &EsdTolerance::new(d, n, 1).exact_weights().seed(seed));
    }
}

//! Hidden-layer blocks of the network with one hidden layer against their GMP laws (Monte Carlo).

use faer::Par;
use hessian_rmt::compare::distances::kolmogorov_smirnov;
use hessian_rmt::laws::Gmp;
use hessian_rmt::models::Loss;
use hessian_rmt::models::eigen::symmetric_eigenvalues;
use hessian_rmt::models::linear::weighted_gram_lower;
use hessian_rmt::models::mlp::{Activation, Mlp, hidden_block_weights};
use hessian_rmt::sampling::mlp::{MlpLawSampler, PreActivations};
use hessian_rmt::sampling::weight_laws::POPULATION_DRAWS;
use hessian_rmt::sampling::{DataDist, Esd, Stream, rng};
use rand::RngExt;

/// KS distance between the pooled ESD of hidden block (j, j′) over `replicates` draws of X, W and
/// the labels (V fixed) and the population GMP law.
fn hidden_block_ks(
    activation: Activation,
    loss: Loss,
    j: usize,
    jp: usize,
    seed: u64,
) -> (f64, f64) {
    let (d, n, m, c, replicates) = (600, 1200, 8, 50, 8);
    let gamma = d as f64 / n as f64;
    // V with i.i.d. N(0, σ_v²/m) entries, σ_v = 1, fixed for all replicates.
    let v = DataDist::Gaussian.sample(
        &mut rng(seed, Stream::FixedWeights),
        c,
        m,
        (1.0 / m as f64).sqrt(),
    );
    let mut eigenvalues = Vec::new();
    for r in 0..replicates {
        let mut generator = rng(seed, Stream::Replicate(r));
        let x = DataDist::Gaussian.sample(&mut generator, d, n, 1.0);
        let w = DataDist::Gaussian.sample(&mut generator, m, d, (1.0 / d as f64).sqrt());
        let labels: Vec<usize> = (0..n).map(|_| generator.random_range(0..c)).collect();
        let net = Mlp {
            w,
            v: v.clone(),
            activation,
        };
        let (forward, _) = net.forward(x.as_ref(), &labels, loss).unwrap();
        let tau = hidden_block_weights(&net, &forward, loss, j, jp);
        let block = weighted_gram_lower(x.as_ref(), &tau, Par::Seq);
        eigenvalues.push(symmetric_eigenvalues(block.as_ref(), Par::Seq).unwrap());
    }
    let sampler = MlpLawSampler {
        v: &v,
        activation,
        loss,
        source: PreActivations::Population {
            sigma_w: 1.0,
            part: 0,
        },
        seed,
    };
    let weights = sampler
        .hidden_weight_law(j, jp, gamma, POPULATION_DRAWS)
        .unwrap();
    let law = Gmp::new(gamma, weights).unwrap();
    let mut esd = Esd::pooled(eigenvalues);
    esd.snap_zeros();
    let ks = kolmogorov_smirnov(&esd, &law).unwrap();
    (ks, law.zero_atom())
}

#[test]
fn hidden_blocks_follow_their_population_laws() {
    // The size-aware tolerance of this crate is ln d/d + (R N)^(−1/2) + draws^(−1/2) ≈ 0.021 here
    // (eigenvalue rigidity, weight fluctuation, sampled law; `testing::esd::EsdTolerance`). The
    // acceptance figure for the network model, 0.015, is stricter and is the one asserted; with
    // this fixed seed the largest of the eight cases is 0.0129. About 10 s in release.
    for activation in [Activation::Relu, Activation::Tanh] {
        for loss in [Loss::Mse, Loss::Ce] {
            for (j, jp) in [(0, 0), (0, 1)] {
                let seed = 17;
                let (ks, atom) = hidden_block_ks(activation, loss, j, jp, seed);
                println!("{activation} {loss} ({j}, {jp}): KS {ks:.4}, atom at 0 {atom:.3}");
                assert!(
                    ks <= 0.015,
                    "{activation}, {loss}, block ({j}, {jp}): KS {ks} > 0.015 (seed {seed})"
                );
            }
        }
    }
}

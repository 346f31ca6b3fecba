use hessian_rmt::laws::{Gmp, SpectralLaw, WeightLaw};
use hessian_rmt::models::Loss;
use hessian_rmt::sampling::DataDist;
use hessian_rmt::sampling::linear::{LinearConfig, BlockRequest, sample_replicate};
use hessian_rmt::sampling::seeds::{rng, Stream};
fn main() {
    let config = LinearConfig { dim: 500, samples: 1000, classes: 10, logit_scale: 1.0, data: DataDist::Rademacher, fix_weights: false, replicates: 10, seed: 42 };
    let req = [BlockRequest { loss: Loss::Ce, k: 0, l: 1, spectrum: false }];
    for r in 0..10 {
        let rep = sample_replicate(&config, &req, None, &mut rng(42, Stream::Replicate(r))).unwrap();
        let w = WeightLaw::from_samples(&rep.blocks[0].weights).unwrap();
        let g = Gmp::new(0.5, w).unwrap();
        let s = g.support();
        let f = g.cdf(&[-1.0, -0.05, -0.01, 0.0, 1.0]).unwrap();
        println!("rep {r}: mass {:.12} intervals {} first {:?} last {:?} cdf {:?}", g.total_mass(), s.len(), s[0], s[s.len()-1], f);
    }
}

use hessian_rmt::laws::{Gmp, SpectralLaw};
use hessian_rmt::models::Loss;
use hessian_rmt::sampling::weight_laws::population_law;
fn main() {
    for (k, l) in [(0, 0), (0, 1)] {
        let t = std::time::Instant::now();
        let w = population_law(Loss::Ce, k, l, 10, 1.0, 0.5, 1 << 20, 1).unwrap();
        let n = w.len();
        let g = Gmp::new(0.5, w).unwrap();
        println!("({k},{l}) atoms {n} {:?} mass {} support {:?}", t.elapsed(), g.total_mass(), g.support());
    }
}

//! Moments of free multiplicative-type laws from their free cumulants.
//!
//! A GMP(γ, H) law has free cumulants κ_n = γ^(n−1) E_H\[τⁿ\]. Moments follow from the free
//! moment–cumulant relation, summed over non-crossing partitions; in recursive form,
//!
//! ```text
//! m_n = Σ_{s=1..n} κ_s · [x^(n−s)] M(x)^s,     M(x) = Σ_{i≥0} m_i xⁱ, m_0 = 1,
//! ```
//!
//! which gives m_1 = κ_1, m_2 = κ_2 + κ_1², m_3 = κ_3 + 3κ_1κ_2 + κ_1³,
//! m_4 = κ_4 + 4κ_1κ_3 + 2κ_2² + 6κ_1²κ_2 + κ_1⁴. For τ ≡ 1 these are the Narayana polynomials.

use num_complex::Complex64;

use crate::error::SolverError;

/// Free cumulants κ_1..=κ_count of GMP(γ, H) from the raw moments E\[τⁿ\] of H.
pub fn gmp_free_cumulants(gamma: f64, weight_moments: &[f64]) -> Vec<f64> {
    weight_moments
        .iter()
        .enumerate()
        .map(|(i, m)| gamma.powi(i as i32) * m)
        .collect()
}

/// Raw moments m_1..=m_n from free cumulants κ_1..=κ_n.
pub fn moments_from_free_cumulants(kappa: &[f64]) -> Vec<f64> {
    let n = kappa.len();
    // m[0] = 1; m[k] for k ≥ 1 filled in order.
    let mut m = vec![0.0; n + 1];
    m[0] = 1.0;
    for order in 1..=n {
        let mut total = 0.0;
        for s in 1..=order {
            // Coefficient of x^(order − s) in M(x)^s, by repeated truncated products.
            let degree = order - s;
            let mut power = vec![0.0; degree + 1];
            power[0] = 1.0;
            for _ in 0..s {
                let mut next = vec![0.0; degree + 1];
                for (i, a) in power.iter().enumerate() {
                    for j in 0..=(degree - i) {
                        next[i + j] += a * m[j];
                    }
                }
                power = next;
            }
            total += kappa[s - 1] * power[degree];
        }
        m[order] = total;
    }
    m[1..].to_vec()
}

/// Nodes on the upper half of the contour in [`contour_moments`].
const CONTOUR_NODES: usize = 96;

/// Raw moments 1..=count of a law from its Stieltjes transform, by the trapezoid rule on a circle
/// around the law's hull `(lo, hi)` (atoms included).
///
/// m(z) = −Σ_k M_k / z^(k+1) outside the support, so M_k = −(1/2πi) ∮ z^k m(z) dz. On the circle
/// |z − c| = R with c the hull's centre and R twice its half-width, the trapezoid rule on 2n nodes
/// converges like 2^(−2n) because the integrand is analytic in the annulus that reaches down to
/// the hull; m(z̄) = conj m(z), so only the n nodes in the upper half plane are evaluated.
///
/// # Errors
/// Any error of `stieltjes`.
pub fn contour_moments(
    stieltjes: impl Fn(Complex64) -> Result<Complex64, SolverError>,
    hull: (f64, f64),
    count: usize,
) -> Result<Vec<f64>, SolverError> {
    let (lo, hi) = hull;
    let centre = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    let radius = match 2.0 * half.max(1e-3 * centre.abs()) {
        r if r > 0.0 => r,
        _ => 1.0,
    };
    let n = CONTOUR_NODES;
    let mut sums = vec![0.0; count];
    for j in 0..n {
        let theta = std::f64::consts::PI * (j as f64 + 0.5) / n as f64;
        let direction = Complex64::from_polar(1.0, theta);
        let z = centre + radius * direction;
        let weight = stieltjes(z)? * radius * direction;
        let mut power = z;
        for sum in &mut sums {
            *sum -= (power * weight).re / n as f64;
            power *= z;
        }
    }
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::{MarchenkoPastur, SpectralLaw};

    #[test]
    fn contour_moments_of_marchenko_pastur() {
        for gamma in [0.3, 2.0] {
            let mp = MarchenkoPastur::new(gamma, 1.5).unwrap();
            let exact = mp.moments(4);
            let got = contour_moments(|z| mp.stieltjes(z), mp.hull(), 4).unwrap();
            for k in 0..4 {
                assert!(
                    (got[k] - exact[k]).abs() < 1e-12 * exact[k],
                    "γ {gamma}, k {k}: {} vs {}",
                    got[k],
                    exact[k]
                );
            }
        }
    }

    #[test]
    fn narayana_moments_for_mp() {
        let g: f64 = 0.3;
        let kappa = gmp_free_cumulants(g, &[1.0; 5]);
        let m = moments_from_free_cumulants(&kappa);
        let expected = [
            1.0,
            1.0 + g,
            1.0 + 3.0 * g + g * g,
            1.0 + 6.0 * g + 6.0 * g * g + g.powi(3),
            1.0 + 10.0 * g + 20.0 * g * g + 10.0 * g.powi(3) + g.powi(4),
        ];
        for (k, (a, b)) in m.iter().zip(expected).enumerate() {
            assert!((a - b).abs() < 1e-14, "moment {}: {a} vs {b}", k + 1);
        }
    }

    #[test]
    fn explicit_fourth_moment_formula() {
        let kappa = [0.7, -0.2, 0.05, 1.3];
        let m = moments_from_free_cumulants(&kappa);
        let (k1, k2, k3, k4) = (kappa[0], kappa[1], kappa[2], kappa[3]);
        let m4 = k4 + 4.0 * k1 * k3 + 2.0 * k2 * k2 + 6.0 * k1 * k1 * k2 + k1.powi(4);
        assert!((m[3] - m4).abs() < 1e-14, "{} vs {m4}", m[3]);
        assert!((m[2] - (k3 + 3.0 * k1 * k2 + k1.powi(3))).abs() < 1e-14);
    }
}

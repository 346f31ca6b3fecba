//! The CDF in closed form from the Stieltjes transform, through the log-potential.
//!
//! # Derivation
//! Let Φ(z) = ∫ log(λ − z) dμ(λ) for Im z > 0 (principal logarithm). Then Φ′ = −m, and on the real
//! axis Im Φ(x + i0) = −π μ((−∞, x)), because arg(λ − x − i0) is −π for λ < x and 0 for λ > x.
//! So F(x) = −Im Φ(x + i0)/π, and what is needed is Φ in closed form.
//!
//! For GMP(γ, H) put
//!
//! ```text
//! Ψ(m, z) = −z m − log m + (1/γ) E_H[log(1 + γ τ m)].
//! ```
//!
//! ∂Ψ/∂m = −z − 1/m + E[τ/(1 + γτm)] vanishes exactly when m solves the GMP equation, and
//! ∂Ψ/∂z = −m. Along the solution m(z) the chain rule gives d/dz Ψ(m(z), z) = −m(z) = Φ′(z), and
//! as z → ∞ both Φ(z) and Ψ(m(z), z) − 1 behave like log(−z) + o(1). Hence Φ = Ψ − 1 and
//!
//! ```text
//! F(x) = (1/π) [ x Im m + arg m − (1/γ) Σ_j p_j arg(1 + γ t_j m) ],   m = m(x + i0).
//! ```
//!
//! The arguments are those reached from the upper half plane: m and 1 + γtm (t > 0) stay in the
//! closed upper half plane, so their arguments lie in [0, π]; 1 + γtm with t < 0 stays in the
//! closed lower half plane, with arguments in [−π, 0]. `atan2` gives exactly these values when the
//! imaginary parts carry their signed zeros, which is why Im(1 + γtm) is formed as γ t Im m.
//!
//! # Accuracy
//! Ψ is stationary in m at the solution, so an error δ in m changes F only by O(δ²/γ): the CDF is
//! as accurate as the arithmetic, about 1e-15 · (1 + 1/γ), edges and atoms included. Outside the
//! support m is real and F is a sum of multiples of p_j/γ, which is how the masses of separate
//! bulks (p_j/γ each when the groups of samples do not overlap) come out exactly.
//!
//! # Complexity
//! One `atan2` per weight atom and per point, on top of the solve for m.

use num_complex::Complex64;

use super::equation::GmpEquation;

/// F(x) = μ((−∞, x]) for the GMP law of `eq`, from m = m(x + i0).
///
/// `m` must be the Stieltjes transform at x + i0: Im m > 0 inside the support, and outside it the
/// real limit from above (with a positive zero as imaginary part). Returns the value unclamped;
/// rounding can leave it a few ulps outside [0, 1].
pub fn gmp_cdf(eq: &GmpEquation<'_>, x: f64, m: Complex64) -> f64 {
    let gamma = eq.gamma;
    let mut sum = 0.0;
    for (&t, &p) in eq.values.iter().zip(eq.probs) {
        if t == 0.0 {
            continue;
        }
        let gt = gamma * t;
        // Signed zero on purpose: for t < 0 and real m this is −0, and atan2 returns −π.
        sum += p * (gt * m.im).atan2(1.0 + gt * m.re);
    }
    (x * m.im + m.im.atan2(m.re) - sum / gamma) / std::f64::consts::PI
}

/// The real Stieltjes transform m = −1/(γ w) at a support edge with critical point w, as a
/// complex number with imaginary part +0.
///
/// A hard edge at 0 has w = 0 and m infinite; there the sign of m is that of the outside of the
/// support next to the edge (`outside_is_right`: the gap lies at larger w), and a huge finite value
/// of that sign gives the limit of [`gmp_cdf`].
pub fn edge_stieltjes(gamma: f64, w: f64, outside_is_right: bool) -> Complex64 {
    let re = if w == 0.0 {
        // w > 0 corresponds to m < 0.
        if outside_is_right { -1e300 } else { 1e300 }
    } else {
        -1.0 / (gamma * w)
    };
    Complex64::new(re, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::MarchenkoPastur;

    /// Closed-form m(x + i0) of MP(γ, 1): the root of γ z m² + (z + γ − 1) m + 1 = 0 with Im m ≥ 0.
    fn mp_stieltjes(gamma: f64, x: f64) -> Complex64 {
        let z = Complex64::new(x, 1e-300);
        let b = z + gamma - 1.0;
        let disc = (b * b - 4.0 * gamma * z).sqrt();
        let r1 = (-b + disc) / (2.0 * gamma * z);
        let r2 = (-b - disc) / (2.0 * gamma * z);
        let r = if r1.im > r2.im { r1 } else { r2 };
        Complex64::new(r.re, r.im.max(0.0))
    }

    #[test]
    fn matches_the_closed_form_mp_cdf() {
        for gamma in [0.01, 0.3, 1.0, 2.5, 50.0] {
            let mp = MarchenkoPastur::new(gamma, 1.0).unwrap();
            let eq = GmpEquation {
                gamma,
                values: &[1.0],
                probs: &[1.0],
            };
            let (a, b) = mp.edges();
            for i in 0..=200 {
                let x = a - 0.1 + (b - a + 0.2) * i as f64 / 200.0;
                if x == 0.0 {
                    continue;
                }
                let f = gmp_cdf(&eq, x, mp_stieltjes(gamma, x));
                let exact = mp.cdf_at(x);
                assert!(
                    (f - exact).abs() < 1e-12,
                    "γ = {gamma}, x = {x}: {f} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn negative_weights_take_the_lower_branch() {
        // τ ≡ −1 mirrors MP: F(x) = 1 − F_MP(−x). Above the support m is real and negative.
        let gamma = 0.5;
        let mp = MarchenkoPastur::new(gamma, 1.0).unwrap();
        let eq = GmpEquation {
            gamma,
            values: &[-1.0],
            probs: &[1.0],
        };
        for x in [-3.0, -1.0, -0.2, 0.5] {
            // m_{−μ}(z) = −m_μ(−z̄)̄ : reflect the MP transform.
            let mirrored = mp_stieltjes(gamma, -x);
            let m = Complex64::new(-mirrored.re, mirrored.im);
            let f = gmp_cdf(&eq, x, m);
            let exact = 1.0 - mp.cdf_at(-x);
            assert!((f - exact).abs() < 1e-12, "x = {x}: {f} vs {exact}");
        }
    }
}

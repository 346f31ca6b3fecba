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
use wide::f64x4;

use super::equation::GmpEquation;

/// F(x) = μ((−∞, x]) for the GMP law of `eq`, from m = m(x + i0).
///
/// `m` must be the Stieltjes transform at x + i0: Im m > 0 inside the support, and outside it the
/// real limit from above (with a positive zero as imaginary part). Returns the value unclamped;
/// rounding can leave it a few ulps outside [0, 1].
pub fn gmp_cdf(eq: &GmpEquation<'_>, x: f64, m: Complex64) -> f64 {
    let gamma = eq.gamma;
    let sum = if m.im > 0.0 {
        argument_sum(eq.values, eq.probs, gamma, m)
    } else {
        // Real m (outside the support or at an edge): every argument is 0 or ±π.
        let mut sum = 0.0;
        for (&t, &p) in eq.values.iter().zip(eq.probs) {
            if t == 0.0 {
                continue;
            }
            let gt = gamma * t;
            // Signed zero on purpose: for t < 0 and real m this is −0, and atan2 returns −π.
            sum += p * (gt * m.im).atan2(1.0 + gt * m.re);
        }
        sum
    };
    (x * m.im + m.im.atan2(m.re) - sum / gamma) / std::f64::consts::PI
}

/// Σ_j p_j arg(1 + γ t_j m) for Im m > 0, with one `atan2` per run of atoms of equal probability
/// instead of one per atom (Monte Carlo laws have a single run).
///
/// Within a run the factors u_j = 1 + γ t_j m are multiplied together, and the number of whole
/// turns that the principal argument of the running product loses is counted. Multiplying a product
/// P by u changes the lifted argument by arg u exactly, and the principal argument wraps only when
/// P and u lie in the same open half plane: two factors in the upper half plane (arguments in
/// [0, π]) have a sum in [0, 2π), which passes π exactly when Im(P u) < 0; two in the lower half
/// plane have a sum in (−2π, 0), which passes −π exactly when Im(P u) ≥ 0. In those two cases the
/// two terms of Im(P u) = Im P Re u + Re P Im u have the same sign unless the sum is near ±π, where
/// either branch gives the same lifted argument, so rounding cannot miscount a turn.
pub(crate) fn argument_sum(values: &[f64], probs: &[f64], gamma: f64, m: Complex64) -> f64 {
    let mut total = 0.0;
    let mut j = 0;
    while j < values.len() {
        let p = probs[j];
        let end = j + probs[j..].iter().take_while(|&&q| q == p).count();
        // Four independent running products, one per lane of f64x4 (atom k of the run goes to
        // lane k mod 4), so that consecutive multiplications do not wait for each other. They
        // are merged at the end by the same rule. An atom with t = 0 contributes the factor 1, which changes
        // neither the product nor the turns, exactly as leaving it out.
        let (m_re, m_im) = (f64x4::splat(m.re), f64x4::splat(m.im));
        let (mut p_re, mut p_im, mut turns) = (f64x4::ONE, f64x4::ZERO, f64x4::ZERO);
        let (zero, one) = (f64x4::ZERO, f64x4::ONE);
        for chunk in values[j..end].chunks(4) {
            let mut t = [0.0; 4];
            t[..chunk.len()].copy_from_slice(chunk);
            let a = f64x4::splat(gamma) * f64x4::from(t);
            let (u_re, u_im) = (one + a * m_re, a * m_im);
            let next_re = p_re * u_re - p_im * u_im;
            let next_im = p_re * u_im + p_im * u_re;
            // Same half-plane rule as `Winding::merge`, lane by lane.
            let (p_up, u_up) = (p_im.simd_ge(zero), u_im.simd_ge(zero));
            let (p_down, u_down) = (p_im.simd_lt(zero), u_im.simd_lt(zero));
            let forward = p_up & u_up & next_im.simd_lt(zero);
            let backward = p_down & u_down & next_im.simd_ge(zero);
            turns += forward.select(one, zero) - backward.select(one, zero);
            p_re = next_re;
            // −0 and +0 must not differ in what follows: the comparisons read the sign of 0.
            p_im = next_im + zero;
            // Keep the products finite; only their directions matter.
            let size = p_re.abs() + p_im.abs();
            let rescale = size.simd_gt(f64x4::splat(1e150)) | size.simd_lt(f64x4::splat(1e-150));
            if rescale.any() {
                p_re = rescale.select(p_re / size, p_re);
                p_im = rescale.select(p_im / size, p_im);
            }
        }
        let (p_re, p_im, turns) = (p_re.to_array(), p_im.to_array(), turns.to_array());
        let lane = |l: usize| Winding {
            product: Complex64::new(p_re[l], p_im[l]),
            turns: turns[l] as i64,
        };
        let mut merged = lane(0);
        merged.merge(lane(1));
        merged.merge(lane(2));
        merged.merge(lane(3));
        total += p * merged.lifted();
        j = end;
    }
    total
}

/// A product of complex numbers with the count of whole turns its principal argument has lost:
/// its lifted argument is arg(product) + 2π · turns.
#[derive(Debug, Clone, Copy)]
struct Winding {
    product: Complex64,
    turns: i64,
}

impl Winding {
    /// Tests whether arg z lies in [0, π] (the sign of a zero imaginary part is normalised away).
    fn upper(z: Complex64) -> bool {
        z.im >= 0.0
    }

    /// Multiplies by another winding product.
    fn merge(&mut self, other: Self) {
        let (p, u) = (self.product, other.product);
        let next = p * u;
        // Principal arguments in the same closed half plane can add past ±π, and the sign of
        // Im(p u) shows whether they did (see `argument_sum`).
        let wrap = match (Self::upper(p), Self::upper(u)) {
            (true, true) if next.im < 0.0 => 1,
            (false, false) if next.im >= 0.0 => -1,
            _ => 0,
        };
        self.turns += other.turns + wrap;
        // −0 and +0 must not differ in what follows: atan2 and `upper` read the sign of 0.
        self.product = Complex64::new(next.re, next.im + 0.0);
        // Keep the product finite; only its direction matters.
        let size = self.product.re.abs() + self.product.im.abs();
        if !(1e-150..=1e150).contains(&size) {
            self.product /= size;
        }
    }

    fn lifted(&self) -> f64 {
        self.product.im.atan2(self.product.re) + std::f64::consts::TAU * self.turns as f64
    }
}

/// Returns the real Stieltjes transform m = −1/(γ w) at a support edge with critical point w, as a
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

    #[test]
    fn argument_sum_counts_whole_turns() {
        // Many equal-mass atoms of both signs, m close to the real axis and far from it: the
        // product form must equal the sum of atan2 terms, which can exceed 2π in total.
        let values: Vec<f64> = (0..3001).map(|i| -3.0 + 0.002 * i as f64 + 1e-7).collect();
        let probs = vec![1.0 / values.len() as f64; values.len()];
        for m in [
            Complex64::new(-2.5, 1e-9),
            Complex64::new(-0.7, 0.3),
            Complex64::new(5.0, 2.0),
            Complex64::new(-40.0, 1e-3),
        ] {
            let gamma = 1.7;
            let direct: f64 = values
                .iter()
                .map(|&t| {
                    let a = gamma * t;
                    (a * m.im).atan2(1.0 + a * m.re) / values.len() as f64
                })
                .sum();
            let product = argument_sum(&values, &probs, gamma, m);
            assert!(
                (direct - product).abs() < 1e-12,
                "m = {m}: {direct} vs {product}"
            );
        }
    }

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
            let eq = GmpEquation::new(gamma, &[1.0], &[1.0]);
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
        let eq = GmpEquation::new(gamma, &[-1.0], &[1.0]);
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

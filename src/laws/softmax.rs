//! Moments of the cross-entropy weights of the linear model, for any number of classes, without
//! sampling.
//!
//! # Setting
//! Logits z_1, …, z_C are i.i.d. N(0, s²) and p = softmax(z). The diagonal block (k, k) has weights
//! τ = p_k(1 − p_k) and the off-diagonal block (k, l) has τ = −p_k p_l. The Frobenius ratio of the
//! two blocks needs E τ and E τ² of both (see [`frobenius_ratio`]).
//!
//! # Method
//! Plain Monte Carlo fails here: E[(p_k p_l)²] is dominated by rare large logits, and its relative
//! standard error over n draws grows like e^(4s²)/√n. Instead, with Y = e^(sZ) for a standard
//! normal Z, the identity X^(−r) = Γ(r)^(−1) ∫_0^∞ t^(r−1) e^(−tX) dt turns every moment into a
//! one-dimensional integral, because the denominator X = Y_1 + … + Y_C is a sum of independent
//! terms:
//!
//! ```text
//! E[p_k^j]        = Γ(j)^(−1)  ∫ t^(j−1)  φ_j(t)  L(t)^(C−1) dt,
//! E[(p_k p_l)^j]  = Γ(2j)^(−1) ∫ t^(2j−1) φ_j(t)² L(t)^(C−2) dt,
//! φ_j(t) = E[Y^j e^(−tY)],   L(t) = φ_0(t)  (the Laplace transform of one log-normal term).
//! ```
//!
//! Then E τ_kk = E p − E p², E τ_kk² = E p² − 2 E p³ + E p⁴, E τ_kl = −E[p_k p_l] and
//! E τ_kl² = E[(p_k p_l)²]. No approximation is made in C: L(t)^(C−1) = exp((C − 1) ln L(t)) costs
//! the same for C = 2 and C = 10⁵.
//!
//! # Accuracy
//! Both integrals use the trapezoid rule on the real line (in z for φ_j, in u = ln t for the
//! moments). Their integrands are smooth and decay at least like a Gaussian in z and in u, where the
//! trapezoid rule converges geometrically in the step. The exact identities E p_k = 1/C and
//! E τ_kk = −(C − 1) E τ_kl hold to about 1e-12 relative, and the unit tests check them and a
//! closed form at C = 2. Construction costs about 2·10⁷ exponentials (about 0.3 s on two cores);
//! each C then costs a few thousand operations.

use rayon::prelude::*;

/// Step of the trapezoid rule in z for φ_j. The integrand e^(jsz − t e^(sz)) φ(z) changes over a
/// width of about 1/s in z, so 0.02 puts at least 10 nodes in it for s ≤ 5.
const Z_STEP: f64 = 0.02;

/// Half-width of the z range: φ(38) ≈ 1e-314, the end of the double range.
const Z_MAX: f64 = 38.0;

/// Step of the trapezoid rule in u = ln t.
const U_STEP: f64 = 0.02;

/// Largest logit scale accepted: beyond it the z grid no longer resolves e^(−t e^(sz)).
pub const MAX_LOGIT_SCALE: f64 = 5.0;

/// E τ and E τ² of the diagonal and off-diagonal cross-entropy weights for one C.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CeMoments {
    /// Number of classes C.
    pub classes: usize,
    /// [E τ_kk, E τ_kk²].
    pub diag: [f64; 2],
    /// [E τ_kl, E τ_kl²], k ≠ l.
    pub off: [f64; 2],
    /// E p_k, which is exactly 1/C: a check of the quadrature.
    pub mean_probability: f64,
}

/// Precomputed φ_j(t) on the u = ln t grid for one logit scale.
#[derive(Debug, Clone)]
pub struct SoftmaxMoments {
    logit_scale: f64,
    /// t at each node.
    t: Vec<f64>,
    /// ln L(t) at each node, from 1 − L computed without cancellation.
    log_laplace: Vec<f64>,
    /// φ_1 … φ_4 at each node.
    phi: Vec<[f64; 4]>,
}

impl SoftmaxMoments {
    /// Precomputes the integrals for logit scale s.
    ///
    /// # Panics
    /// If s is not in (0, [`MAX_LOGIT_SCALE`]].
    pub fn new(logit_scale: f64) -> Self {
        assert!(
            logit_scale > 0.0 && logit_scale <= MAX_LOGIT_SCALE,
            "logit scale must be in (0, {MAX_LOGIT_SCALE}], got {logit_scale}"
        );
        let s = logit_scale;

        // Nodes in z: y = e^(sz) and the trapezoid weights times the normal density.
        let count = (2.0 * Z_MAX / Z_STEP).round() as usize + 1;
        let norm = Z_STEP / (2.0 * std::f64::consts::PI).sqrt();
        let nodes: Vec<(f64, f64)> = (0..count)
            .map(|i| {
                let z = -Z_MAX + i as f64 * Z_STEP;
                ((s * z).exp(), norm * (-0.5 * z * z).exp())
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();

        // The u range: the moments are integrals of t^r φ_j(t)^k L(t)^n over t. Below t = e^(−50)
        // the factor t^r (r ≥ 1) is negligible; above, φ_j(t) decays like e^(−(ln t)²/(2s²)), so
        // u = ln t up to 12 s + 10 leaves less than e^(−70).
        let (u_lo, u_hi) = (-50.0 - 8.0 * s, 12.0 * s + 10.0);
        let u_count = ((u_hi - u_lo) / U_STEP).round() as usize + 1;
        // Each node is independent of the others, so they run in parallel without changing a bit.
        let columns: Vec<(f64, f64, [f64; 4])> = (0..u_count)
            .into_par_iter()
            .map(|i| {
                let ti = (u_lo + i as f64 * U_STEP).exp();
                // 1 − L(t) = E[1 − e^(−tY)], summed without cancellation.
                let mut one_minus_l = 0.0;
                let mut sums = [0.0; 4];
                for &(y, w) in &nodes {
                    let x = ti * y;
                    // Past x = 746, e^(−x) underflows to 0 and the node adds only to 1 − L.
                    if x > 746.0 {
                        one_minus_l += w;
                        continue;
                    }
                    let e = (-x).exp();
                    one_minus_l += if x < 0.5 {
                        -w * (-x).exp_m1()
                    } else {
                        w * (1.0 - e)
                    };
                    let mut power = w * e;
                    for sum in &mut sums {
                        power *= y;
                        *sum += power;
                    }
                }
                (ti, (-one_minus_l).ln_1p(), sums)
            })
            .collect();
        let t = columns.iter().map(|c| c.0).collect();
        let log_laplace = columns.iter().map(|c| c.1).collect();
        let phi = columns.iter().map(|c| c.2).collect();
        Self {
            logit_scale,
            t,
            log_laplace,
            phi,
        }
    }

    /// Returns the logit scale s.
    pub fn logit_scale(&self) -> f64 {
        self.logit_scale
    }

    /// Integrates t^r · Π φ_{j_i}(t) · L(t)^n dt / Γ(r) in u = ln t; `factors` lists the j_i.
    fn integral(&self, r: i32, factors: &[usize], n: f64) -> f64 {
        let gamma_r: f64 = (1..r).map(f64::from).product();
        let mut total = 0.0;
        for ((&t, &log_l), phi) in self.t.iter().zip(&self.log_laplace).zip(&self.phi) {
            // dt = t du, so the integrand in u carries t^r.
            let mut value = t.powi(r) * (n * log_l).exp();
            for &j in factors {
                value *= phi[j - 1];
            }
            total += value;
        }
        total * U_STEP / gamma_r
    }

    /// Computes the moments for C classes.
    ///
    /// # Panics
    /// If C < 2.
    pub fn moments(&self, classes: usize) -> CeMoments {
        assert!(classes >= 2, "at least two classes, got {classes}");
        let c = classes as f64;
        // E p^j with the other C − 1 terms in the denominator.
        let p = |j: usize| self.integral(j as i32, &[j], c - 1.0);
        let (p1, p2, p3, p4) = (p(1), p(2), p(3), p(4));
        // E (p_k p_l)^j with the other C − 2 terms.
        let pair1 = self.integral(2, &[1, 1], c - 2.0);
        let pair2 = self.integral(4, &[2, 2], c - 2.0);
        CeMoments {
            classes,
            diag: [p1 - p2, p2 - 2.0 * p3 + p4],
            off: [-pair1, pair2],
            mean_probability: p1,
        }
    }
}

/// Returns the limit ratio ‖H_off‖_F/‖H_diag‖_F of two blocks with weight moments `off` and `diag`
/// ([E τ, E τ²] each) at aspect ratio γ.
///
/// From the free cumulants, ‖H‖_F²/d = (1/d) tr H² → m₂ = (E τ)² + γ E τ².
pub fn frobenius_ratio(off: [f64; 2], diag: [f64; 2], gamma: f64) -> f64 {
    let m2 = |m: [f64; 2]| m[0] * m[0] + gamma * m[1];
    (m2(off) / m2(diag)).sqrt()
}

/// Returns the ratio of E‖H_off‖_F² and E‖H_diag‖_F² at finite d and N, square-rooted, for Gaussian
/// data and weights independent of the data.
///
/// With H = (1/N) Σ τ_i x_i x_iᵀ, E tr H² = (1/N²) Σ_ij E[τ_i τ_j] E(x_iᵀ x_j)², and E(x_iᵀx_j)² is
/// d for i ≠ j and d² + 2d for i = j. So E‖H‖_F²/d = (1 − 1/N)(E τ)² + ((d + 2)/N) E τ².
pub fn frobenius_ratio_finite(off: [f64; 2], diag: [f64; 2], dim: usize, samples: usize) -> f64 {
    let (d, n) = (dim as f64, samples as f64);
    let m2 = |m: [f64; 2]| (1.0 - 1.0 / n) * m[0] * m[0] + (d + 2.0) / n * m[1];
    (m2(off) / m2(diag)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_probability_is_one_over_c() {
        // E p_k = 1/C by symmetry, for every s and C; the quadrature must reproduce it.
        for s in [0.5, 1.0, 2.0, 3.0] {
            let integrator = SoftmaxMoments::new(s);
            for c in [2, 3, 10, 1000, 100_000] {
                let m = integrator.moments(c);
                let expected = 1.0 / c as f64;
                let error = (m.mean_probability - expected).abs() / expected;
                assert!(error < 1e-10, "s {s}, C {c}: E p = {}", m.mean_probability);
            }
        }
    }

    #[test]
    fn diagonal_mean_balances_off_diagonal_means() {
        // Σ_l τ_kl = 0 per sample, so E τ_kk = −(C − 1) E τ_kl.
        let integrator = SoftmaxMoments::new(1.0);
        for c in [2, 5, 50, 5000, 100_000] {
            let m = integrator.moments(c);
            let balance = -(c as f64 - 1.0) * m.off[0];
            let error = (m.diag[0] - balance).abs() / m.diag[0];
            assert!(error < 1e-10, "C {c}: E τ_kk {} vs {balance}", m.diag[0]);
        }
    }

    #[test]
    fn two_classes_match_a_direct_quadrature() {
        // With C = 2, p_1 = σ(z_1 − z_2) with z_1 − z_2 ~ N(0, 2s²), and τ_11 = −τ_12 = p(1 − p).
        // Reference: the trapezoid rule in w = z_1 − z_2 on a fine grid.
        let s: f64 = 1.3;
        let sd = s * 2.0_f64.sqrt();
        let (mut e1, mut e2) = (0.0, 0.0);
        let h = 1e-3;
        for i in -40_000..=40_000 {
            let w = i as f64 * h;
            let density =
                (-0.5 * (w / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
            let p = 1.0 / (1.0 + (-w).exp());
            let tau = p * (1.0 - p);
            e1 += h * density * tau;
            e2 += h * density * tau * tau;
        }
        let m = SoftmaxMoments::new(s).moments(2);
        for (name, got, want) in [
            ("E τ_11", m.diag[0], e1),
            ("E τ_11²", m.diag[1], e2),
            ("E τ_12", m.off[0], -e1),
            ("E τ_12²", m.off[1], e2),
        ] {
            assert!(
                (got - want).abs() < 1e-11 * want.abs(),
                "{name}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn large_c_follows_the_mean_field_limit() {
        // For large C the denominator is C e^(s²/2) (1 + O(C^(−1/2))), so
        // E τ_kl² → e^(4s²)/(C⁴ e^(2s²)) = e^(2s²)/C⁴ and C⁴ E τ_kl² → e^(2s²), with a relative
        // correction of order 1/C; at C = 10⁵ that is about 1e-4.
        let s: f64 = 1.0;
        let m = SoftmaxMoments::new(s).moments(100_000);
        let scaled = m.off[1] * (1e5f64).powi(4);
        let limit = (2.0 * s * s).exp();
        assert!(
            (scaled / limit - 1.0).abs() < 1e-3,
            "C⁴ E τ_kl² = {scaled}, limit {limit}"
        );
    }

    #[test]
    fn ratio_formulas_reduce_to_each_other() {
        // For large d and N the finite-size ratio tends to the limit ratio.
        let (off, diag) = ([-0.01, 0.0004], [0.09, 0.01]);
        let limit = frobenius_ratio(off, diag, 0.5);
        let finite = frobenius_ratio_finite(off, diag, 500_000, 1_000_000);
        assert!((limit - finite).abs() < 1e-5 * limit, "{limit} vs {finite}");
    }
}

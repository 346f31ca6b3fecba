//! The generalized Marchenko–Pastur equation and its inverse map.
//!
//! For a block with aspect ratio γ and weight law H = Σ_j p_j δ_{t_j}, the Stieltjes transform m(z)
//! solves
//!
//! ```text
//! F(m; z) = −1/m + Σ_j p_j t_j / (1 + γ t_j m) − z = 0,      Im m > 0 when Im z > 0.
//! ```
//!
//! Solving F = 0 for z gives the inverse map z(m). On the real axis it is easier to study in the
//! variable w = −1/(γ m), which sends m ∈ (0, ∞) to w ∈ (−∞, 0) and m ∈ (−∞, 0) to w ∈ (0, ∞),
//! preserves order on each half-line, and glues m = ±∞ to w = 0:
//!
//! ```text
//! x(w)  = γ w + w Σ_j p_j t_j / (w − t_j),
//! x'(w) = γ − Σ_j p_j t_j² / (w − t_j)²  =  γ − φ(w).
//! ```
//!
//! φ is convex between consecutive poles t_j, which makes the critical points of x easy to bracket
//! (see [`super::support`]). Atoms at t = 0 contribute nothing to either formula.

use num_complex::Complex64;

/// The equation F(m; z) = 0 for one aspect ratio and one discrete weight law.
///
/// Holds borrowed atoms so that a law can build equations without copying.
#[derive(Debug, Clone, Copy)]
pub struct GmpEquation<'a> {
    /// Aspect ratio γ = d/N.
    pub gamma: f64,
    /// Atom values t_j.
    pub values: &'a [f64],
    /// Atom probabilities p_j.
    pub probs: &'a [f64],
}

impl GmpEquation<'_> {
    /// Evaluates F(m; z), dF/dm = 1/m² − γ Σ p t² / (1 + γ t m)², and the magnitude of the
    /// summed terms (|1/m| + Σ |p t / (1 + γ t m)| + |z|, each |·| the cheaper l¹ norm of real and
    /// imaginary part), below which rounding makes F indistinguishable from 0.
    pub fn residual(&self, m: Complex64, z: Complex64) -> (Complex64, Complex64, f64) {
        // Real arithmetic on purpose: 1/(1 + γ t m) = conj(D)/|D|² with D = 1 + γ t m, one real
        // division per atom instead of a general complex division; this loop is the solver's cost.
        let (mut sum_re, mut sum_im) = (0.0, 0.0);
        let (mut dsum_re, mut dsum_im) = (0.0, 0.0);
        let mut magnitude = 0.0;
        for (&t, &p) in self.values.iter().zip(self.probs) {
            if t == 0.0 {
                continue;
            }
            let gt = self.gamma * t;
            let d_re = 1.0 + gt * m.re;
            let d_im = gt * m.im;
            let scale = 1.0 / (d_re * d_re + d_im * d_im);
            let (inv_re, inv_im) = (d_re * scale, -d_im * scale);
            let pt = p * t;
            let (term_re, term_im) = (pt * inv_re, pt * inv_im);
            sum_re += term_re;
            sum_im += term_im;
            // term · t · inv, for the derivative.
            let (tt_re, tt_im) = (term_re * t, term_im * t);
            dsum_re += tt_re * inv_re - tt_im * inv_im;
            dsum_im += tt_re * inv_im + tt_im * inv_re;
            magnitude += term_re.abs() + term_im.abs();
        }
        let sum = Complex64::new(sum_re, sum_im);
        let dsum = Complex64::new(dsum_re, dsum_im);
        let inv_m = 1.0 / m;
        let f = -inv_m + sum - z;
        let df = inv_m * inv_m - self.gamma * dsum;
        (f, df, magnitude + inv_m.l1_norm() + z.l1_norm())
    }

    /// Evaluates the inverse map x(w) on the real axis.
    pub fn inverse_map(&self, w: f64) -> f64 {
        let sum: f64 = self
            .values
            .iter()
            .zip(self.probs)
            .filter(|(t, _)| **t != 0.0)
            .map(|(&t, &p)| p * t / (w - t))
            .sum();
        self.gamma * w + w * sum
    }

    /// Evaluates φ(w) = Σ p t² / (w − t)² and φ'(w) = −2 Σ p t² / (w − t)³.
    pub fn phi(&self, w: f64) -> (f64, f64) {
        let mut phi = 0.0;
        let mut dphi = 0.0;
        for (&t, &p) in self.values.iter().zip(self.probs) {
            if t == 0.0 {
                continue;
            }
            let r = 1.0 / (w - t);
            let term = p * t * t * r * r;
            phi += term;
            dphi -= 2.0 * term * r;
        }
        (phi, dphi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_map_matches_residual() {
        // On the real axis, z = x(w) must make F(m; z) vanish at m = −1/(γ w).
        let values = [-0.5, 0.25, 1.0];
        let probs = [0.2, 0.3, 0.5];
        let eq = GmpEquation {
            gamma: 0.7,
            values: &values,
            probs: &probs,
        };
        for w in [-3.0, -0.1, 0.4, 2.5] {
            let x = eq.inverse_map(w);
            let m = Complex64::new(-1.0 / (eq.gamma * w), 0.0);
            let (f, _, _) = eq.residual(m, Complex64::new(x, 0.0));
            assert!(f.norm() < 1e-12, "w = {w}: residual {f}");
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let values = [-1.0, 0.0, 2.0];
        let probs = [0.3, 0.3, 0.4];
        let eq = GmpEquation {
            gamma: 1.3,
            values: &values,
            probs: &probs,
        };
        let z = Complex64::new(0.3, 0.2);
        let m = Complex64::new(-0.4, 0.9);
        let h = 1e-6;
        let (_, df, _) = eq.residual(m, z);
        let fd = (eq.residual(m + h, z).0 - eq.residual(m - h, z).0) / (2.0 * h);
        assert!((df - fd).norm() < 1e-7, "dF {df} vs finite difference {fd}");
        let w = 0.8;
        let (_, dphi) = eq.phi(w);
        let fd = (eq.phi(w + h).0 - eq.phi(w - h).0) / (2.0 * h);
        assert!(
            (dphi - fd).abs() < 1e-5 * dphi.abs().max(1.0),
            "{dphi} vs {fd}"
        );
    }
}

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
use wide::f64x4;

/// The equation F(m; z) = 0 for one aspect ratio and one discrete weight law.
///
/// Borrows the atoms and keeps, for the solver's inner loop, the products a_j = γ t_j and
/// b_j = p_j t_j of the non-zero atoms in two flat arrays.
#[derive(Debug, Clone)]
pub struct GmpEquation<'a> {
    /// Aspect ratio γ = d/N.
    pub gamma: f64,
    /// Atom values t_j.
    pub values: &'a [f64],
    /// Atom probabilities p_j.
    pub probs: &'a [f64],
    /// γ t_j for the atoms with t_j ≠ 0.
    a: Vec<f64>,
    /// p_j t_j for the same atoms.
    b: Vec<f64>,
}

/// A fixed-point equation F(m; z) = 0 whose root in the upper half plane the solvers find: the
/// GMP equation here, the separable one in [`crate::laws::separable`].
pub trait StieltjesEquation: Sync {
    /// F, dF/dm, d²F/dm² and the magnitude of F's terms at (m, z).
    fn evaluate(&self, m: Complex64, z: Complex64) -> Evaluation;

    /// Returns a starting point for z far from the spectrum (|z| large compared with its radius).
    fn far_field(&self, z: Complex64) -> Complex64;

    /// Cost of one evaluation in atom terms, for deciding when to work in parallel.
    fn work(&self) -> usize;
}

impl StieltjesEquation for GmpEquation<'_> {
    fn evaluate(&self, m: Complex64, z: Complex64) -> Evaluation {
        GmpEquation::evaluate(self, m, z)
    }

    fn far_field(&self, z: Complex64) -> Complex64 {
        // m(z) = −1/z − E[λ]/z² + …, and E[λ] = E[τ]: the first two terms of −1/(z − E τ).
        let mean: f64 = self.values.iter().zip(self.probs).map(|(t, p)| t * p).sum();
        -1.0 / (z - mean)
    }

    fn work(&self) -> usize {
        self.a.len() + 1
    }
}

/// Lanes of independent partial sums in [`GmpEquation::evaluate`].
const LANES: usize = 4;

/// Sums kept by [`GmpEquation::evaluate`]: Σ b u, Σ a b u², Σ a² b u³ (real and imaginary parts,
/// u = 1/(1 + a m)) and Σ |b u|.
const ACCUMULATORS: usize = 7;

/// F(m; z), dF/dm, d²F/dm² and the magnitude of F's terms at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// F(m; z).
    pub f: Complex64,
    /// dF/dm.
    pub df: Complex64,
    /// d²F/dm² = −2/m³ + 2γ² Σ p t³ / (1 + γ t m)³.
    pub d2f: Complex64,
    /// Sum of the l¹ sizes of F's terms.
    pub magnitude: f64,
}

impl<'a> GmpEquation<'a> {
    /// Builds the equation of GMP(γ, Σ_j p_j δ_{t_j}).
    ///
    /// # Panics
    /// If `values` and `probs` differ in length.
    pub fn new(gamma: f64, values: &'a [f64], probs: &'a [f64]) -> Self {
        assert_eq!(values.len(), probs.len(), "one probability per atom");
        let (a, b) = values
            .iter()
            .zip(probs)
            .filter(|(t, _)| **t != 0.0)
            .map(|(&t, &p)| (gamma * t, p * t))
            .unzip();
        Self {
            gamma,
            values,
            probs,
            a,
            b,
        }
    }
}

impl GmpEquation<'_> {
    /// Evaluates F(m; z), dF/dm = 1/m² − γ Σ p t² / (1 + γ t m)², and the magnitude of the
    /// summed terms (|1/m| + Σ |p t / (1 + γ t m)| + |z|, each |·| the cheaper l¹ norm of real and
    /// imaginary part), below which rounding makes F indistinguishable from 0.
    pub fn residual(&self, m: Complex64, z: Complex64) -> (Complex64, Complex64, f64) {
        let e = self.evaluate(m, z);
        (e.f, e.df, e.magnitude)
    }

    /// Evaluates F, its first two derivatives in m, and the magnitude of its terms at once.
    pub fn evaluate(&self, m: Complex64, z: Complex64) -> Evaluation {
        // Real arithmetic on purpose: 1/(1 + a m) = conj(D)/|D|² with D = 1 + a m, one real
        // division per atom instead of a general complex division. The sums run in LANES
        // independent accumulators, which breaks the chain of dependent additions; this loop is
        // the solver's cost.
        let mut acc = [f64x4::ZERO; ACCUMULATORS];
        let (a_chunks, b_chunks) = (self.a.chunks_exact(LANES), self.b.chunks_exact(LANES));
        let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
        let (m_re, m_im) = (f64x4::splat(m.re), f64x4::splat(m.im));
        for (a, b) in a_chunks.zip(b_chunks) {
            let a = f64x4::from([a[0], a[1], a[2], a[3]]);
            let b = f64x4::from([b[0], b[1], b[2], b[3]]);
            accumulate(&mut acc, a, b, m_re, m_im);
        }
        // The tail goes to lane 0, one atom at a time, with the same arithmetic as a vector lane
        // (so the sums do not depend on whether an atom falls into a chunk or the tail beyond
        // this rule).
        let mut acc: [[f64; LANES]; ACCUMULATORS] = acc.map(|v| v.to_array());
        for (&a, &b) in a_tail.iter().zip(b_tail) {
            let d_re = 1.0 + a * m.re;
            let d_im = a * m.im;
            let scale = 1.0 / (d_re * d_re + d_im * d_im);
            let (u_re, u_im) = (d_re * scale, -(d_im * scale));
            let (t1_re, t1_im) = (b * u_re, b * u_im);
            let (au_re, au_im) = (a * u_re, a * u_im);
            let (t2_re, t2_im) = (t1_re * au_re - t1_im * au_im, t1_re * au_im + t1_im * au_re);
            acc[0][0] += t1_re;
            acc[1][0] += t1_im;
            acc[2][0] += t2_re;
            acc[3][0] += t2_im;
            acc[4][0] += t2_re * au_re - t2_im * au_im;
            acc[5][0] += t2_re * au_im + t2_im * au_re;
            acc[6][0] += t1_re.abs() + t1_im.abs();
        }
        let total = |k: usize| acc[k].iter().sum::<f64>();
        let sum = Complex64::new(total(0), total(1));
        let dsum = Complex64::new(total(2), total(3));
        let d2sum = Complex64::new(total(4), total(5));
        let inv_m = 1.0 / m;
        let inv_m2 = inv_m * inv_m;
        Evaluation {
            f: -inv_m + sum - z,
            df: inv_m2 - dsum,
            d2f: -2.0 * inv_m2 * inv_m + 2.0 * d2sum,
            magnitude: total(6) + inv_m.l1_norm() + z.l1_norm(),
        }
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

/// Adds four atoms' terms b u, a b u² and a² b u³ with u = 1/(1 + a m) (real and imaginary parts)
/// and the l¹ size of the first, one atom per lane, to the accumulators. Lanes with a = b = 0 add 0.
#[inline(always)]
fn accumulate(acc: &mut [f64x4; ACCUMULATORS], a: f64x4, b: f64x4, m_re: f64x4, m_im: f64x4) {
    let one = f64x4::ONE;
    let d_re = one + a * m_re;
    let d_im = a * m_im;
    let scale = one / (d_re * d_re + d_im * d_im);
    let (u_re, u_im) = (d_re * scale, -(d_im * scale));
    let (t1_re, t1_im) = (b * u_re, b * u_im);
    // a u, then a b u² = t1 · (a u) and a² b u³ = t2 · (a u).
    let (au_re, au_im) = (a * u_re, a * u_im);
    let (t2_re, t2_im) = (t1_re * au_re - t1_im * au_im, t1_re * au_im + t1_im * au_re);
    acc[0] += t1_re;
    acc[1] += t1_im;
    acc[2] += t2_re;
    acc[3] += t2_im;
    acc[4] += t2_re * au_re - t2_im * au_im;
    acc[5] += t2_re * au_im + t2_im * au_re;
    acc[6] += t1_re.abs() + t1_im.abs();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_map_matches_residual() {
        // On the real axis, z = x(w) must make F(m; z) vanish at m = −1/(γ w).
        let values = [-0.5, 0.25, 1.0];
        let probs = [0.2, 0.3, 0.5];
        let eq = GmpEquation::new(0.7, &values, &probs);
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
        let eq = GmpEquation::new(1.3, &values, &probs);
        let z = Complex64::new(0.3, 0.2);
        let m = Complex64::new(-0.4, 0.9);
        let h = 1e-6;
        let (_, df, _) = eq.residual(m, z);
        let fd = (eq.residual(m + h, z).0 - eq.residual(m - h, z).0) / (2.0 * h);
        assert!((df - fd).norm() < 1e-7, "dF {df} vs finite difference {fd}");
        let d2f = eq.evaluate(m, z).d2f;
        let fd2 = (eq.residual(m + h, z).1 - eq.residual(m - h, z).1) / (2.0 * h);
        assert!(
            (d2f - fd2).norm() < 1e-6 * d2f.norm(),
            "d²F {d2f} vs finite difference {fd2}"
        );
        let w = 0.8;
        let (_, dphi) = eq.phi(w);
        let fd = (eq.phi(w + h).0 - eq.phi(w - h).0) / (2.0 * h);
        assert!(
            (dphi - fd).abs() < 1e-5 * dphi.abs().max(1.0),
            "{dphi} vs {fd}"
        );
    }
}

//! The separable law: a weighted sample covariance of data with a population covariance Σ.
//!
//! # Notation and normalisation
//! The block is (1/N) Σ_i τ_i x_i x_iᵀ with x_i = Σ^(1/2) g_i, g_i i.i.d. standardised, τ_i i.i.d.
//! with law H independent of the data, and d/N → γ. F_Σ is the eigenvalue law of Σ (a
//! [`WeightLaw`] with non-negative values); H may have any signs and zeros. With Σ = I this is
//! GMP(γ, H); with τ ≡ 1 it is the Marchenko–Pastur law with population covariance Σ.
//!
//! # Formula
//! With a(e) = E_H[τ/(1 + γτe)], the auxiliary transform e solves
//!
//! ```text
//! G(e; z) = e − ∫ s dF_Σ(s) / (s a(e) − z) = 0,      Im e > 0 when Im z > 0,
//! ```
//!
//! and m(z) = ∫ dF_Σ(s) / (s a(e) − z). The density is Im m(x + i0)/π. The atom at 0 has mass
//! max(F_Σ({0}), 1 − P(τ ≠ 0)/γ): the rank of the block is at most that of Σ and at most the number
//! of samples with τ_i ≠ 0. The CDF comes from the log-potential Ψ = ∫ log(s a − z) dF_Σ +
//! (1/γ) E log(1 + γτe) − a e, which is stationary in (a, e) at the solution and has ∂Ψ/∂z = −m
//! (theory/separable.md):
//!
//! ```text
//! F(x) = −(1/π) [ Σ_k q_k arg(s_k a − x) + (1/γ) Σ_j p_j arg(1 + γ t_j e) − Im(a e) ].
//! ```
//!
//! # Accuracy
//! The density and the CDF inside the support have the accuracy of the GMP law (Newton to
//! rounding; the CDF stationary in e). The support is located by a scan at height η = 1e-6 · B
//! (B the spectral radius bound) on 2048 points, then every edge is polished by Newton's method on
//! the two equations G = 0, ∂G/∂e = 0 in (e, x), which defines the edge exactly. A bulk or a gap
//! narrower than the scan's spacing is caught by the CDF, because the masses on both sides of
//! each gap must agree to 1e-10. A gap where they do not is scanned again with 2048 points of its
//! own (twice). What is still narrower than that is missed, and a warning is logged.
//!
//! # Complexity
//! Construction: about 2048 · 3 evaluations of O(K_H + K_Σ) for the scan. Each density or CDF
//! point then costs a few evaluations.
//!
//! # References
//! J. W. Silverstein, Z. D. Bai (1995), for the weighted sample covariance; R. Couillet,
//! W. Hachem, "Analysis of the limiting spectral measure of large random matrices of the separable
//! covariance type", Random Matrices: Theory Appl. 3 (2014). See theory/separable.md.

use num_complex::Complex64;

use super::gmp::Gmp;
use super::moments::contour_moments;
use super::weights::WeightLaw;
use super::{Atom, SpectralLaw};
use crate::error::{LawError, SolverError};
use crate::stieltjes::potential::argument_sum;
use crate::stieltjes::solver::{solve_by_continuation, solve_on_support, solve_sweep_at};
use crate::stieltjes::{Evaluation, SolverParams, StieltjesEquation};

/// Points of the support scan.
const SCAN_POINTS: usize = 2048;
/// Height of the scan above the axis, relative to the spectral radius bound.
const SCAN_ETA: f64 = 1e-6;
/// Growth of Im m from height η to 2η below which a scan point counts as inside the support.
/// Inside, the growth is about 1 and outside about 2. Near an edge it is in between, and the
/// polish moves the edge to its exact place.
const INSIDE_GROWTH: f64 = 1.5;
/// Points of each refined scan around a dip of the density.
const DIP_POINTS: usize = 64;
/// Levels of refinement around dips: 2048 points and then 64 per level resolve gaps down to about
/// 2 · 10⁻³ · 16⁻⁵ ≈ 2e-9 of the scanned range.
const DIP_DEPTH: usize = 5;
/// Most refined scans per support search; a noisy or oscillating density cannot make the search
/// grow without bound.
const MAX_REFINEMENTS: usize = 256;
/// Density ratio (dip to the larger of the points two away) below which a dip is refined. On both
/// sides of a hidden gap the density grows like a square root, which gives ratios near 0.5; a smooth
/// minimum sampled finely gives ratios near 1.
const DIP_RATIO: f64 = 0.9;

/// One point read by the support scan.
#[derive(Debug, Clone, Copy)]
struct Sample {
    x: f64,
    /// Re e at x + iη (the real e outside the support, up to O(η)).
    e: f64,
    inside: bool,
    /// Im m of the continuous part at x + iη, about π times the density.
    density: f64,
}

/// Brackets (x_before, x_after, e at the outside end, entering) where consecutive samples change
/// from outside to inside or back.
fn brackets(samples: &[Sample]) -> Vec<(f64, f64, f64, bool)> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
    sorted.dedup_by(|a, b| a.x == b.x);
    sorted
        .windows(2)
        .filter(|w| w[0].inside != w[1].inside)
        .map(|w| {
            let entering = w[1].inside;
            let outside_e = if entering { w[0].e } else { w[1].e };
            (w[0].x, w[1].x, outside_e, entering)
        })
        .collect()
}

/// Disagreement of the CDF on the two sides of a gap above which the gap is scanned again.
const GAP_MASS: f64 = 1e-10;

/// The separable equation G(e; z) = 0 for one Σ law and one weight law.
#[derive(Debug, Clone)]
pub struct SeparableEquation<'a> {
    gamma: f64,
    sigma: &'a WeightLaw,
    weights: &'a WeightLaw,
}

/// a(e), a′(e) and a″(e).
fn weight_sums(gamma: f64, weights: &WeightLaw, e: Complex64) -> [Complex64; 3] {
    let mut out = [Complex64::new(0.0, 0.0); 3];
    for (&t, &p) in weights.values().iter().zip(weights.probs()) {
        if t == 0.0 {
            continue;
        }
        let u = 1.0 / (1.0 + gamma * t * e);
        let pu = p * t * u;
        out[0] += pu;
        out[1] -= gamma * t * pu * u;
        out[2] += 2.0 * gamma * gamma * t * t * pu * u * u;
    }
    out
}

impl<'a> SeparableEquation<'a> {
    /// Builds the equation for aspect ratio γ, eigenvalue law `sigma` of Σ and weight law `weights`.
    pub fn new(gamma: f64, sigma: &'a WeightLaw, weights: &'a WeightLaw) -> Self {
        Self {
            gamma,
            sigma,
            weights,
        }
    }

    /// m(z) from the auxiliary transform e.
    pub fn stieltjes_from(&self, e: Complex64, z: Complex64) -> Complex64 {
        let a = weight_sums(self.gamma, self.weights, e)[0];
        self.sigma
            .values()
            .iter()
            .zip(self.sigma.probs())
            .map(|(&s, &q)| q / (s * a - z))
            .sum()
    }

    /// Computes the part of m(z) that comes from the non-zero eigenvalues of Σ: m minus F_Σ({0})/(0 − z).
    /// Its imaginary part on the axis is π times the density (the kernel of Σ only adds to the
    /// atom at 0), and it is finite at z = 0.
    pub fn stieltjes_nonzero_from(&self, e: Complex64, z: Complex64) -> Complex64 {
        let a = weight_sums(self.gamma, self.weights, e)[0];
        self.sigma
            .values()
            .iter()
            .zip(self.sigma.probs())
            .filter(|(s, _)| **s != 0.0)
            .map(|(&s, &q)| q / (s * a - z))
            .sum()
    }

    /// Σ q s^k v^j for v = 1/(s a − z): returns [Σ q s v, Σ q s² v², Σ q s³ v³, Σ q s v²,
    /// Σ q s² v³] and the l¹ size of the first sum's terms.
    fn sigma_sums(&self, a: Complex64, z: Complex64) -> ([Complex64; 5], f64) {
        let mut out = [Complex64::new(0.0, 0.0); 5];
        let mut size = 0.0;
        for (&s, &q) in self.sigma.values().iter().zip(self.sigma.probs()) {
            if s == 0.0 {
                continue;
            }
            let v = 1.0 / (s * a - z);
            let qsv = q * s * v;
            out[0] += qsv;
            out[1] += qsv * s * v;
            out[2] += qsv * s * s * v * v;
            out[3] += qsv * v;
            out[4] += qsv * s * v * v;
            size += qsv.l1_norm();
        }
        (out, size)
    }

    /// Evaluates the two equations of an edge, G = 0 and ∂G/∂e = 0, and their Jacobian in (e, x), at real
    /// (e, x).
    fn edge_system(&self, e: f64, x: f64) -> ([f64; 2], [[f64; 2]; 2]) {
        let z = Complex64::new(x, 0.0);
        let e = Complex64::new(e, 0.0);
        let [a, da, d2a] = weight_sums(self.gamma, self.weights, e);
        let ([s1, s2, s3, s1x, s2x], _) = self.sigma_sums(a, z);
        // G = e − S1; ∂S1/∂e = −a′ S2; ∂S2/∂e = −2 a′ S3; ∂S1/∂x = Σ q s v²; ∂S2/∂x = 2 Σ q s² v³.
        let g = e - s1;
        let ge = 1.0 + da * s2;
        let gx = -s1x;
        let gee = d2a * s2 - 2.0 * da * da * s3;
        let gex = 2.0 * da * s2x;
        ([g.re, ge.re], [[ge.re, gx.re], [gee.re, gex.re]])
    }
}

impl StieltjesEquation for SeparableEquation<'_> {
    fn evaluate(&self, e: Complex64, z: Complex64) -> Evaluation {
        let [a, da, d2a] = weight_sums(self.gamma, self.weights, e);
        let ([s1, s2, s3, _, _], size) = self.sigma_sums(a, z);
        Evaluation {
            f: e - s1,
            df: 1.0 + da * s2,
            d2f: d2a * s2 - 2.0 * da * da * s3,
            magnitude: e.l1_norm() + size,
        }
    }

    fn far_field(&self, z: Complex64) -> Complex64 {
        // e(z) = −E[s]/z + O(z⁻²).
        let mean_s = self.sigma.moment(1);
        let mean_t = self.weights.moment(1);
        -mean_s / (z - mean_s * mean_t)
    }

    fn work(&self) -> usize {
        self.sigma.len() + self.weights.len()
    }
}

/// The separable law with its support computed.
///
/// ```
/// use hessian_rmt::laws::{Gmp, Separable, SpectralLaw, WeightLaw};
/// // Σ = I gives back GMP(γ, H).
/// let h = WeightLaw::from_atoms(&[(0.5, -1.0), (0.5, 1.0)]).unwrap();
/// let sep = Separable::new(0.25, WeightLaw::point(1.0).unwrap(), h.clone()).unwrap();
/// let gmp = Gmp::new(0.25, h).unwrap();
/// let (a, b) = (sep.support()[0], gmp.support()[0]);
/// assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Separable {
    gamma: f64,
    sigma: WeightLaw,
    weights: WeightLaw,
    intervals: Vec<(f64, f64)>,
    /// Real e at the upper edge of each interval.
    upper_e: Vec<f64>,
    zero_atom: f64,
    scale: f64,
    params: SolverParams,
    upper_cdf: Vec<f64>,
    label: String,
    /// For weights that are one point mass, the exact reduction to a GMP law (see [`Companion`]).
    companion: Option<Companion>,
}

/// The separable law with τ ≡ t as a GMP law, through the companion matrix.
///
/// With τ ≡ t the block is B = t (1/N) Σ^(1/2) Z Zᵀ Σ^(1/2). Its non-zero eigenvalues are those of
/// the N×N matrix t (1/N) Zᵀ Σ Z = t γ (1/d) Σ_k s_k z_k z_kᵀ (z_k the rows of Z), which is t γ times
/// a GMP block of dimension N, d samples and weights s_k: its law is GMP(1/γ, F_Σ). Counting
/// eigenvalues, μ_B = (1/γ) (law of c g) + (1 − 1/γ) δ_0 with g ~ GMP(1/γ, F_Σ) and c = tγ. The support
/// and the atoms then come from the exact GMP support search, with no scan.
#[derive(Debug, Clone)]
struct Companion {
    law: Gmp,
    /// c = t γ: the eigenvalues of B are c times those of the GMP law.
    factor: f64,
    /// 1/γ, the weight of the GMP part in μ_B.
    share: f64,
}

impl Companion {
    fn support(&self) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = self
            .law
            .support()
            .into_iter()
            .map(|(a, b)| {
                let (p, q) = (a * self.factor, b * self.factor);
                (p.min(q), p.max(q))
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        let c = self.factor;
        let ys: Vec<f64> = xs.iter().map(|x| x / c).collect();
        let (density, cdf) = self.law.density_and_cdf(&ys)?;
        let atom = self.law.zero_atom();
        let rest = 1.0 - self.share;
        let density = density.iter().map(|d| self.share * d / c.abs()).collect();
        let cdf = xs
            .iter()
            .zip(cdf)
            .map(|(&x, f)| {
                // For c < 0, P(c g ≤ x) = P(g ≥ x/c) = 1 − F(x/c) + P(g = x/c).
                let part = if c > 0.0 {
                    f
                } else {
                    1.0 - f + if x == 0.0 { atom } else { 0.0 }
                };
                let jump = if x >= 0.0 { rest } else { 0.0 };
                (self.share * part + jump).clamp(0.0, 1.0)
            })
            .collect();
        Ok((density, cdf))
    }

    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        // m_B(z) = (1/γ)(1/c) m_G(z/c) − (1 − 1/γ)/z; for c < 0, z/c lies below the axis and
        // m_G there is the conjugate of m_G at the conjugate point.
        let c = self.factor;
        let y = z / c;
        let m = if y.im > 0.0 {
            self.law.stieltjes(y)?
        } else {
            self.law.stieltjes(y.conj())?.conj()
        };
        Ok(self.share * m / c - (1.0 - self.share) / z)
    }

    fn moments(&self, count: usize) -> Vec<f64> {
        self.law
            .moments(count)
            .into_iter()
            .enumerate()
            .map(|(k, moment)| self.share * self.factor.powi(k as i32 + 1) * moment)
            .collect()
    }
}

/// F(x) from e = e(x + i0) (real outside the support).
fn separable_cdf(eq: &SeparableEquation<'_>, x: f64, e: Complex64) -> f64 {
    let pi = std::f64::consts::PI;
    let a = weight_sums(eq.gamma, eq.weights, e)[0];
    let real = e.im <= 0.0;
    // arg(s a − x): s a − z stays in the closed lower half plane; on the axis a negative value
    // has argument −π.
    let mut sigma_term = 0.0;
    for (&s, &q) in eq.sigma.values().iter().zip(eq.sigma.probs()) {
        let w = Complex64::new(s * a.re - x, s * a.im);
        // The kernel of Σ (s = 0) gives arg(−x − i0): −π from x = 0 on, the atom at 0.
        let arg = if s == 0.0 {
            if x >= 0.0 { -pi } else { 0.0 }
        } else if real || w.im >= 0.0 {
            if w.re < 0.0 { -pi } else { 0.0 }
        } else {
            w.im.atan2(w.re)
        };
        sigma_term += q * arg;
    }
    // arg(1 + γ t e): upper half plane for t > 0, lower for t < 0.
    let weight_term = if real {
        eq.weights
            .values()
            .iter()
            .zip(eq.weights.probs())
            .filter(|(t, _)| **t != 0.0)
            .map(|(&t, &p)| {
                let negative = 1.0 + eq.gamma * t * e.re < 0.0;
                p * if !negative {
                    0.0
                } else if t > 0.0 {
                    pi
                } else {
                    -pi
                }
            })
            .sum()
    } else {
        argument_sum(eq.weights.values(), eq.weights.probs(), eq.gamma, e)
    };
    let im_ae = if real { 0.0 } else { (a * e).im };
    -(sigma_term + weight_term / eq.gamma - im_ae) / pi
}

impl Separable {
    /// Builds the separable law for aspect ratio γ, eigenvalue law `sigma` of the population
    /// covariance, and weight law `weights`.
    ///
    /// # Errors
    /// [`LawError::Gamma`] unless γ is finite and positive; [`LawError::Covariance`] for a
    /// negative eigenvalue of Σ; [`LawError::Solver`] if the support scan fails.
    pub fn new(gamma: f64, sigma: WeightLaw, weights: WeightLaw) -> Result<Self, LawError> {
        Self::build(gamma, sigma, weights, true)
    }

    /// As [`Separable::new`], but always with the general support search, also when the weights
    /// are one point mass (where `new` uses the exact companion GMP law). For testing the general
    /// path against the exact one.
    ///
    /// # Errors
    /// As [`Separable::new`].
    pub fn new_scanned(gamma: f64, sigma: WeightLaw, weights: WeightLaw) -> Result<Self, LawError> {
        Self::build(gamma, sigma, weights, false)
    }

    fn build(
        gamma: f64,
        sigma: WeightLaw,
        weights: WeightLaw,
        use_companion: bool,
    ) -> Result<Self, LawError> {
        if !(gamma.is_finite() && gamma > 0.0) {
            return Err(LawError::Gamma(gamma));
        }
        if let Some(&bad) = sigma.values().iter().find(|s| **s < 0.0) {
            return Err(LawError::Covariance(bad));
        }
        let max_s = sigma.max_abs();
        let scale =
            (max_s * weights.max_abs() * (1.0 + gamma.sqrt()).powi(2)).max(f64::MIN_POSITIVE);
        let nonzero = 1.0 - weights.zero_mass();
        let zero_atom = sigma.zero_mass().max(1.0 - nonzero / gamma).max(0.0);
        let mut law = Self {
            gamma,
            sigma,
            weights,
            intervals: Vec::new(),
            upper_e: Vec::new(),
            zero_atom,
            scale,
            params: SolverParams::default(),
            upper_cdf: Vec::new(),
            label: format!("separable law (γ = {gamma})"),
            companion: None,
        };
        if max_s == 0.0 || nonzero == 0.0 {
            law.zero_atom = 1.0;
            return Ok(law);
        }
        if let ([t], true) = (law.weights.values(), use_companion) {
            let companion = Companion {
                law: Gmp::new(1.0 / gamma, law.sigma.clone())?,
                factor: t * gamma,
                share: 1.0 / gamma,
            };
            law.intervals = companion.support();
            law.companion = Some(companion);
            return Ok(law);
        }
        law.find_support()?;
        Ok(law)
    }

    /// Replaces the label used by [`SpectralLaw::name`].
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Returns the equation this law solves.
    pub fn equation(&self) -> SeparableEquation<'_> {
        SeparableEquation::new(self.gamma, &self.sigma, &self.weights)
    }

    /// Mass of the atom at 0.
    pub fn zero_atom(&self) -> f64 {
        self.zero_atom
    }

    fn find_support(&mut self) -> Result<(), SolverError> {
        let negative = self.weights.values().iter().any(|t| *t < 0.0);
        let positive = self.weights.values().iter().any(|t| *t > 0.0);
        let b = self.scale;
        let lo = if negative { -1.05 * b } else { -0.05 * b };
        let hi = if positive { 1.05 * b } else { 0.05 * b };
        // A uniform scan resolves structure at the scale of the largest eigenvalues only, but bulks
        // made by small weights or small eigenvalues of Σ sit close to 0. A geometric scan on
        // each side of 0, from B down to 1e-12 B, resolves every scale to about 3 %.
        let mut samples = self.scan_refined(lo, hi)?;
        if negative {
            samples.extend(self.scan_geometric(-1.0));
        }
        if positive {
            samples.extend(self.scan_geometric(1.0));
        }
        let mut edges = self.polish(&brackets(&samples));
        for _ in 0..2 {
            let suspicious = self.unbalanced_gaps(&edges, lo, hi);
            if suspicious.is_empty() {
                break;
            }
            for (a, c) in suspicious {
                // Bisect the gap on its CDF jump down to a point inside the missing bulk, then
                // scan around that point.
                match self.locate_missing(a, c) {
                    Some((x, w)) => samples.extend(self.scan_refined(x - w, x + w)?),
                    None => samples.extend(self.scan_refined(a, c)?),
                }
            }
            edges = self.polish(&brackets(&samples));
        }
        if !self.unbalanced_gaps(&edges, lo, hi).is_empty() {
            log::warn!(
                "{}: the CDF disagrees across a gap; a bulk narrower than the scan may be missing",
                self.label
            );
        }

        // Pair the edges into intervals: each lower edge (entering the support) with the next
        // upper edge.
        self.intervals.clear();
        self.upper_e.clear();
        let mut open: Option<f64> = None;
        for &(x, e, entering) in &edges {
            match (entering, open) {
                (true, None) => open = Some(x),
                (false, Some(start)) if x > start => {
                    self.intervals.push((start, x));
                    self.upper_e.push(e);
                    open = None;
                }
                _ => {}
            }
        }
        let eq = self.equation();
        self.upper_cdf = self
            .intervals
            .iter()
            .zip(&self.upper_e)
            .map(|(&(_, x), &e)| separable_cdf(&eq, x, Complex64::new(e, 0.0)).clamp(0.0, 1.0))
            .collect();
        Ok(())
    }

    /// Scans [lo, hi] on [`SCAN_POINTS`] points, then again on [`DIP_POINTS`] points around every
    /// dip of the density (where a gap narrower than the spacing may hide), for up to
    /// [`DIP_DEPTH`] levels. Returns every sample read.
    fn scan_refined(&self, lo: f64, hi: f64) -> Result<Vec<Sample>, SolverError> {
        let mut all = Vec::new();
        let mut work = vec![(lo, hi, SCAN_POINTS, 0)];
        let mut refinements = 0;
        while let Some((a, c, points, depth)) = work.pop() {
            let samples = self.scan(a, c, points)?;
            if depth < DIP_DEPTH && refinements < MAX_REFINEMENTS {
                for i in 2..samples.len().saturating_sub(2) {
                    let (left, here, right) = (&samples[i - 1], &samples[i], &samples[i + 1]);
                    let outer = samples[i - 2].density.max(samples[i + 2].density);
                    // A local minimum of the density well below its neighbours two points away:
                    // a square-root dip on both sides of a hidden gap, or a deep valley.
                    if here.inside
                        && here.density <= left.density
                        && here.density <= right.density
                        && here.density < DIP_RATIO * outer
                    {
                        work.push((samples[i - 2].x, samples[i + 2].x, DIP_POINTS, depth + 1));
                        refinements += 1;
                    }
                }
            }
            all.extend(samples);
        }
        Ok(all)
    }

    /// Reads inside/outside at the points sign · B · 10^(−12 k / n), k = 0..n, on one side of 0,
    /// with η a small fraction of each point's distance to 0.
    fn scan_geometric(&self, sign: f64) -> Vec<Sample> {
        let eq = self.equation();
        let n = SCAN_POINTS;
        let mut xs: Vec<f64> = (0..=n)
            .map(|k| sign * self.scale * 10f64.powf(-12.0 * k as f64 / n as f64))
            .collect();
        xs.sort_by(f64::total_cmp);
        let mut samples = Vec::with_capacity(xs.len());
        // One sweep per decade, each at its own η, so that η stays below the local spacing.
        for decade in xs.chunks(n / 12) {
            let spacing = decade
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f64::INFINITY, f64::min);
            let eta = 1e-3 * spacing;
            let read = |height: f64| solve_sweep_at(&eq, decade, height, self.scale, &self.params);
            // Very close to an atom at 0, m is huge and the solver can fail. A decade that cannot
            // be read is skipped (the CDF check across gaps still catches a bulk missed there).
            let (Ok(low_e), Ok(high_e)) = (read(eta), read(2.0 * eta)) else {
                log::debug!("{}: scan decade near {} skipped", self.label, decade[0]);
                continue;
            };
            for ((&x, e1), e2) in decade.iter().zip(low_e).zip(high_e) {
                let (low, high) = (
                    self.continuous_im(e1, x, eta),
                    self.continuous_im(e2, x, 2.0 * eta),
                );
                samples.push(Sample {
                    x,
                    e: e1.re,
                    inside: low > 0.0 && high < INSIDE_GROWTH * low,
                    density: low.max(0.0),
                });
            }
        }
        samples
    }

    /// Im m of the continuous part at x + iη: Im m minus that of the atom at 0, mass/(0 − z).
    /// Where the atom's term dominates, the difference is rounding: a value below 1e-10 of |m| is
    /// read as 0.
    fn continuous_im(&self, e: Complex64, x: f64, eta: f64) -> f64 {
        let z = Complex64::new(x, eta);
        // The kernel of Σ is left out exactly; what the atom has beyond it (from weights that
        // vanish) is subtracted, with rounding.
        let m = self.equation().stieltjes_nonzero_from(e, z);
        let excess = self.zero_atom - self.sigma.zero_mass();
        let continuous = if excess > 0.0 {
            (m + excess / z).im
        } else {
            m.im
        };
        if continuous > 1e-10 * m.norm() {
            continuous
        } else {
            0.0
        }
    }

    /// Reads inside/outside at `points` equally spaced points of [lo, hi].
    fn scan(&self, lo: f64, hi: f64, points: usize) -> Result<Vec<Sample>, SolverError> {
        let eq = self.equation();
        let xs: Vec<f64> = (0..points)
            .map(|i| lo + (hi - lo) * i as f64 / (points - 1) as f64)
            .collect();
        // Inside the support Im m(x + iη) tends to πρ(x) as η → 0; outside it is proportional to
        // η. Doubling η therefore leaves Im m nearly unchanged inside and doubles it outside,
        // whatever the scale of the law. η is a small fraction of both the law's scale and the
        // spacing. The atom at 0 contributes mass/(0 − z), which is not part of the continuous
        // support and is removed first.
        let spacing = (hi - lo) / (points - 1) as f64;
        let eta = (SCAN_ETA * self.scale).min(1e-3 * spacing);
        let solve = |height: f64| -> Result<(Vec<Complex64>, Vec<f64>), SolverError> {
            let es = solve_sweep_at(&eq, &xs, height, self.scale, &self.params)?;
            let im = xs
                .iter()
                .zip(&es)
                .map(|(&x, &e)| self.continuous_im(e, x, height))
                .collect();
            Ok((es, im))
        };
        let (es, low) = solve(eta)?;
        let (_, high) = solve(2.0 * eta)?;
        Ok((0..points)
            .map(|i| Sample {
                x: xs[i],
                e: es[i].re,
                inside: low[i] > 0.0 && high[i] < INSIDE_GROWTH * low[i],
                density: low[i].max(0.0),
            })
            .collect())
    }

    /// Polishes each bracket to an exact edge (x, real e, entering) by Newton's method on
    /// G = 0, ∂G/∂e = 0; a bracket where that fails keeps its midpoint.
    fn polish(&self, brackets: &[(f64, f64, f64, bool)]) -> Vec<(f64, f64, bool)> {
        let eq = self.equation();
        let mut edges = Vec::with_capacity(brackets.len());
        for &bracket in brackets {
            // Narrow the bracket first: Newton's basin around a fold is small where e varies
            // like a square root of the distance to the edge.
            let (x0, x1, e0, entering) = self.narrow(bracket);
            let width = x1 - x0;
            let mut x = if entering { x0 } else { x1 };
            let mut e = e0;
            let mut ok = false;
            // Quadratic convergence takes the step from the bracket's width to rounding in a
            // handful of iterations. The last steps stall at a few ulps, so success is a step
            // below 1e-13 relative, followed by two more steps.
            let mut extra = 2;
            for _ in 0..60 {
                let ([g, ge], [[j00, j01], [j10, j11]]) = eq.edge_system(e, x);
                let det = j00 * j11 - j01 * j10;
                if !(det.is_finite() && det != 0.0) {
                    break;
                }
                let de = (g * j11 - ge * j01) / det;
                let dx = (j00 * ge - j10 * g) / det;
                e -= de;
                x -= dx;
                if !(e.is_finite() && x.is_finite()) {
                    ok = false;
                    break;
                }
                if dx.abs() <= 1e-13 * x.abs().max(self.scale * 1e-3)
                    && de.abs() <= 1e-13 * e.abs().max(1e-300)
                {
                    ok = true;
                    if extra == 0 {
                        break;
                    }
                    extra -= 1;
                }
            }
            // The polished edge must stay near its bracket; otherwise Newton found another fold.
            // A hard edge, where the density blows up like x^(−1/2), lies at 0 (effective ratio
            // 1) and has e infinite, so Newton cannot reach it: a failed bracket around 0 is one.
            // Its e stays that of the outside sample, which gives the same CDF (F is constant
            // outside the support and depends on e only through signs there).
            if !(ok && x >= x0 - width && x <= x1 + width) && x0 <= 0.0 && 0.0 <= x1 {
                x = 0.0;
                e = e0;
            } else if !(ok && x >= x0 - width && x <= x1 + width) {
                log::warn!("{}: edge polish failed in [{x0}, {x1}]", self.label);
                x = 0.5 * (x0 + x1);
                e = e0;
            }
            edges.push((x, e, entering));
        }
        edges
    }

    /// Bisects a bracket on the inside/outside reading, with η a thousandth of the current width,
    /// until it is 1e-7 of its own position wide (or 40 steps). Keeps e at the outside end.
    fn narrow(&self, bracket: (f64, f64, f64, bool)) -> (f64, f64, f64, bool) {
        let eq = self.equation();
        let (mut x0, mut x1, mut e_out, entering) = bracket;
        for _ in 0..40 {
            let width = x1 - x0;
            if width <= 1e-7 * x0.abs().max(x1.abs()) {
                break;
            }
            let mid = 0.5 * (x0 + x1);
            let eta = 1e-3 * width;
            let solve = |h: f64| {
                solve_by_continuation(&eq, Complex64::new(mid, h), self.scale, &self.params)
            };
            let (Ok(e1), Ok(e2)) = (solve(eta), solve(2.0 * eta)) else {
                break;
            };
            let (low, high) = (
                self.continuous_im(e1, mid, eta),
                self.continuous_im(e2, mid, 2.0 * eta),
            );
            let inside = low > 0.0 && high < INSIDE_GROWTH * low;
            // Entering: outside at x0, inside at x1; leaving: the reverse.
            if inside == entering {
                x1 = mid;
                if !entering {
                    e_out = e1.re;
                }
            } else {
                x0 = mid;
                if entering {
                    e_out = e1.re;
                }
            }
        }
        (x0, x1, e_out, entering)
    }

    /// Finds a point of the support inside (a, c), an interval read as outside whose CDF
    /// nonetheless rises: bisects on where F jumps, with F from the real e of each midpoint, until
    /// a midpoint reads inside. Returns the point and the width of the last bracket.
    fn locate_missing(&self, mut a: f64, mut c: f64) -> Option<(f64, f64)> {
        let eq = self.equation();
        let read = |x: f64, width: f64| -> Option<(bool, f64)> {
            let eta = 1e-3 * width;
            let solve =
                |h: f64| solve_by_continuation(&eq, Complex64::new(x, h), self.scale, &self.params);
            let (e1, e2) = (solve(eta).ok()?, solve(2.0 * eta).ok()?);
            let (low, high) = (
                self.continuous_im(e1, x, eta),
                self.continuous_im(e2, x, 2.0 * eta),
            );
            let inside = low > 0.0 && high < INSIDE_GROWTH * low;
            Some((inside, separable_cdf(&eq, x, Complex64::new(e1.re, 0.0))))
        };
        let (_, mut f_a) = read(a, c - a)?;
        for _ in 0..80 {
            let mid = 0.5 * (a + c);
            if mid <= a || mid >= c {
                return None;
            }
            let (inside, f_mid) = read(mid, c - a)?;
            if inside {
                return Some((mid, c - a));
            }
            if (f_mid - f_a).abs() > 0.5 * GAP_MASS {
                c = mid;
            } else {
                (a, f_a) = (mid, f_mid);
            }
        }
        None
    }

    /// Gaps (between consecutive edges, outside the support) across which the CDF changes.
    fn unbalanced_gaps(&self, edges: &[(f64, f64, bool)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
        let eq = self.equation();
        let cdf = |x: f64, e: f64| separable_cdf(&eq, x, Complex64::new(e, 0.0));
        let mut out = Vec::new();
        // Points just outside the support: below the first edge, between an upper and the next
        // lower edge, above the last edge.
        let mut previous: Option<(f64, f64)> = None;
        for &(x, e, entering) in edges {
            if entering {
                let below = previous.map_or(0.0, |(px, pe)| cdf(px, pe));
                let atom = match previous {
                    Some((px, _)) if px < 0.0 && x >= 0.0 => self.zero_atom,
                    None if x >= 0.0 => self.zero_atom,
                    _ => 0.0,
                };
                if (cdf(x, e) - below - atom).abs() > GAP_MASS {
                    out.push((previous.map_or(lo, |p| p.0), x));
                }
            } else {
                previous = Some((x, e));
            }
        }
        if let Some((px, pe)) = previous {
            if (cdf(px, pe) - 1.0).abs() > GAP_MASS {
                out.push((px, hi));
            }
        }
        out
    }

    fn solve_inside(&self, xs: &[f64]) -> Result<Vec<(usize, Complex64)>, SolverError> {
        solve_on_support(
            &self.equation(),
            &self.intervals,
            xs,
            self.scale,
            &self.params,
        )
    }

    fn gap_cdf(&self, x: f64) -> f64 {
        let left = self.intervals.partition_point(|&(_, hi)| hi <= x);
        let (below, gap_start) = match left {
            0 => (0.0, f64::NEG_INFINITY),
            k => (self.upper_cdf[k - 1], self.intervals[k - 1].1),
        };
        let atom = if gap_start < 0.0 && x >= 0.0 {
            self.zero_atom
        } else {
            0.0
        };
        (below + atom).clamp(0.0, 1.0)
    }
}

impl SpectralLaw for Separable {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn support(&self) -> Vec<(f64, f64)> {
        self.intervals.clone()
    }

    fn atoms(&self) -> Vec<Atom> {
        match self.zero_atom {
            mass if mass > 0.0 => vec![Atom { x: 0.0, mass }],
            _ => Vec::new(),
        }
    }

    fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        Ok(self.density_and_cdf(xs)?.0)
    }

    fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        Ok(self.density_and_cdf(xs)?.1)
    }

    fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        if let Some(companion) = &self.companion {
            return companion.density_and_cdf(xs);
        }
        let eq = self.equation();
        let mut density = vec![0.0; xs.len()];
        let mut cdf: Vec<f64> = xs.iter().map(|&x| self.gap_cdf(x)).collect();
        for (i, e) in self.solve_inside(xs)? {
            let z = Complex64::new(xs[i], 0.0);
            density[i] = (eq.stieltjes_nonzero_from(e, z).im / std::f64::consts::PI).max(0.0);
            cdf[i] = separable_cdf(&eq, xs[i], e).clamp(0.0, 1.0);
        }
        Ok((density, cdf))
    }

    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        assert!(
            z.im > 0.0,
            "the Stieltjes transform is evaluated in the upper half plane, got z = {z}"
        );
        if let Some(companion) = &self.companion {
            return companion.stieltjes(z);
        }
        let eq = self.equation();
        let e = solve_by_continuation(&eq, z, self.scale, &self.params)?;
        Ok(eq.stieltjes_from(e, z))
    }

    fn moments(&self, count: usize) -> Vec<f64> {
        if let Some(companion) = &self.companion {
            return companion.moments(count);
        }
        if self.intervals.is_empty() {
            // All mass at 0 (Σ = 0 or every weight 0).
            return vec![0.0; count];
        }
        let (lo, hi) = self.hull();
        contour_moments(|z| self.stieltjes(z), (lo, hi), count)
            .unwrap_or_else(|_| vec![f64::NAN; count])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_covariance_gives_gmp() {
        let h = WeightLaw::from_atoms(&[(0.3, -0.5), (0.2, 0.0), (0.5, 2.0)]).unwrap();
        for gamma in [0.2, 1.3] {
            let sep = Separable::new(gamma, WeightLaw::point(1.0).unwrap(), h.clone()).unwrap();
            let gmp = Gmp::new(gamma, h.clone()).unwrap();
            assert_eq!(
                sep.support().len(),
                gmp.support().len(),
                "γ {gamma}: {:?} vs {:?}",
                sep.support(),
                gmp.support()
            );
            for (a, b) in sep.support().iter().zip(gmp.support()) {
                assert!(
                    (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12,
                    "{a:?} vs {b:?}"
                );
            }
            assert!((sep.zero_atom() - gmp.zero_atom()).abs() < 1e-15);
            let (lo, hi) = gmp.hull();
            let xs: Vec<f64> = (0..=300)
                .map(|i| lo - 0.1 + (hi - lo + 0.2) * i as f64 / 300.0)
                .collect();
            let (d1, f1) = sep.density_and_cdf(&xs).unwrap();
            let (d2, f2) = gmp.density_and_cdf(&xs).unwrap();
            for i in 0..xs.len() {
                assert!(
                    (d1[i] - d2[i]).abs() < 1e-10 * (1.0 + d2[i]),
                    "x {}: {} vs {}",
                    xs[i],
                    d1[i],
                    d2[i]
                );
                assert!(
                    (f1[i] - f2[i]).abs() < 1e-12,
                    "x {}: F {} vs {}",
                    xs[i],
                    f1[i],
                    f2[i]
                );
            }
        }
    }
}

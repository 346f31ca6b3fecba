//! Newton's method for the Stieltjes transform, with continuation in η.
//!
//! Off the real axis the solution of F(m; z) = 0 with Im m > 0 is unique (Silverstein–Bai 1995). On
//! the real axis inside the support it is the unique root in the upper half plane: in the w-variable
//! the equation is a polynomial of degree K + 1 for K distinct non-zero atoms, and x(w) runs from +∞
//! to −∞ between consecutive poles, so at least K − 1 of its roots are real and at most one pair is
//! not. Newton's method restricted to Im m > 0 therefore cannot land on a wrong branch; the only
//! risk is slow or failed convergence, which the continuation in η removes.

use num_complex::Complex64;

use super::equation::GmpEquation;
use crate::error::SolverError;
use crate::tol;

/// Parameters of the Newton solver.
#[derive(Debug, Clone, Copy)]
pub struct SolverParams {
    /// Relative step size at which an iteration stops.
    pub step_rel: f64,
    /// Maximum Newton iterations of one solve.
    pub max_iter: usize,
    /// Factor by which η shrinks between continuation stages (between 0 and 1).
    pub eta_factor: f64,
}

impl Default for SolverParams {
    fn default() -> Self {
        Self {
            step_rel: tol::SOLVER_STEP_REL,
            max_iter: tol::SOLVER_MAX_ITER,
            eta_factor: 0.25,
        }
    }
}

/// Solves F(m; z) = 0 by damped Newton from `m0`, keeping Im m > 0.
///
/// `z` must satisfy Im z ≥ 0; for real z the caller must know that z is inside the support (else
/// the solution is real and this iteration cannot reach it). Returns the root and the iteration
/// count.
///
/// # Errors
/// [`SolverError::NoConvergence`] when the step does not fall below `params.step_rel · |m|` within
/// `params.max_iter` iterations.
pub fn newton(
    eq: &GmpEquation<'_>,
    z: Complex64,
    m0: Complex64,
    params: &SolverParams,
) -> Result<(Complex64, usize), SolverError> {
    let mut m = m0;
    let (mut f, mut df, mut magnitude) = eq.residual(m, z);
    // F is a sum of terms of total size `magnitude`; once |F| is a few ulps of that, rounding
    // dominates and further steps only wander.
    let at_rounding_level =
        |f: Complex64, magnitude: f64| f.norm() <= 8.0 * f64::EPSILON * magnitude;
    if at_rounding_level(f, magnitude) {
        return Ok((m, 0));
    }
    for iteration in 1..=params.max_iter {
        let step = f / df;
        if !step.is_finite() {
            break;
        }

        // Damping: halve the step until the iterate stays in the upper half plane (the branch of
        // the Stieltjes transform) and the residual does not grow. Near a square-root edge the root
        // is almost double, and full steps would overshoot across the real axis.
        let mut lambda = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate = m - lambda * step;
            if candidate.im > 0.0 && candidate.is_finite() {
                let (fc, dfc, mc) = eq.residual(candidate, z);
                if fc.norm() <= f.norm() || at_rounding_level(fc, mc) {
                    accepted = Some((candidate, fc, dfc, mc));
                    break;
                }
            }
            lambda *= 0.5;
        }
        let Some((candidate, fc, dfc, mc)) = accepted else {
            break;
        };
        let moved = (candidate - m).norm();
        (m, f, df, magnitude) = (candidate, fc, dfc, mc);
        if moved <= params.step_rel * m.norm() || at_rounding_level(f, magnitude) {
            return Ok((m, iteration));
        }
    }
    Err(SolverError::NoConvergence {
        z,
        iterations: params.max_iter,
        residual: f.norm(),
    })
}

/// Solves F(m; z) = 0 by following the solution from far above the real axis down to `z`.
///
/// Starts at z + iη₀ with η₀ well above the spectrum, where m ≈ −1/(z − E τ) is accurate, and
/// shrinks η geometrically, warm-starting Newton at each stage. `scale` is a bound on the spectral
/// radius of the law (any value of that order works).
///
/// # Errors
/// [`SolverError::NoConvergence`] if Newton fails at some stage.
pub fn solve_by_continuation(
    eq: &GmpEquation<'_>,
    z: Complex64,
    scale: f64,
    params: &SolverParams,
) -> Result<Complex64, SolverError> {
    let mean: f64 = eq.values.iter().zip(eq.probs).map(|(t, p)| t * p).sum();
    let eta_target = z.im.max(0.0);
    let mut eta = (4.0 * scale + z.re.abs()).max(eta_target);
    let mut m = -1.0 / (Complex64::new(z.re, eta) - mean);
    loop {
        let stage = Complex64::new(z.re, eta);
        m = newton(eq, stage, m, params)?.0;
        if eta <= eta_target {
            return Ok(m);
        }
        eta *= params.eta_factor;
        // Below this η the stage is indistinguishable from the target; jump there.
        if eta < 1e-12 * scale || eta < eta_target {
            eta = eta_target;
        }
    }
}

/// Smallest Im m / |m| accepted from a warm-started solve; below it the point is re-solved by
/// continuation. Interior points have Im m / |m| of order 1; only points within about 1e-16 of
/// a square-root edge fall below 1e-8 legitimately, and continuation handles them too.
const WARM_START_MIN_IM: f64 = 1e-8;

/// Solves at real points `xs` (sorted ascending, all inside one support interval), warm-starting
/// each Newton solve from the previous root and falling back to continuation when that fails.
///
/// # Errors
/// [`SolverError::NoConvergence`] when both Newton and continuation fail at some point.
pub fn solve_sweep(
    eq: &GmpEquation<'_>,
    xs: &[f64],
    scale: f64,
    params: &SolverParams,
) -> Result<Vec<Complex64>, SolverError> {
    let mut out = Vec::with_capacity(xs.len());
    let mut previous: Option<Complex64> = None;
    for &x in xs {
        let z = Complex64::new(x, 0.0);
        // A warm start near the real axis can slide onto one of the real roots of F, which Newton
        // approaches from above with Im m → 0 and a vanishing residual; such a result is
        // rejected and the point is solved by continuation, which follows the Stieltjes branch.
        let warm = previous
            .and_then(|m0| newton(eq, z, m0, params).ok())
            .map(|r| r.0)
            .filter(|m| m.im > WARM_START_MIN_IM * m.norm());
        let m = match warm {
            Some(m) => m,
            None => solve_by_continuation(eq, z, scale, params)?,
        };
        out.push(m);
        previous = Some(m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed-form Stieltjes transform of MP(γ, 1): the root of γ z m² + (z + γ − 1) m + 1 = 0 with
    /// Im m > 0.
    fn mp_stieltjes(gamma: f64, z: Complex64) -> Complex64 {
        let b = z + gamma - 1.0;
        let disc = (b * b - 4.0 * gamma * z).sqrt();
        let r1 = (-b + disc) / (2.0 * gamma * z);
        let r2 = (-b - disc) / (2.0 * gamma * z);
        if r1.im > r2.im { r1 } else { r2 }
    }

    #[test]
    fn continuation_matches_mp_off_axis() {
        let eq = GmpEquation {
            gamma: 0.5,
            values: &[1.0],
            probs: &[1.0],
        };
        let params = SolverParams::default();
        for z in [
            Complex64::new(1.0, 0.5),
            Complex64::new(-2.0, 0.01),
            Complex64::new(4.0, 1e-6),
        ] {
            let m = solve_by_continuation(&eq, z, 3.0, &params).unwrap();
            let exact = mp_stieltjes(0.5, z);
            assert!(
                (m - exact).norm() < 1e-12 * exact.norm(),
                "z = {z}: {m} vs {exact}"
            );
        }
    }

    #[test]
    fn sweep_matches_mp_on_axis() {
        let eq = GmpEquation {
            gamma: 0.5,
            values: &[1.0],
            probs: &[1.0],
        };
        let xs: Vec<f64> = (1..100)
            .map(|i| 0.0858 + 2.8284 * i as f64 / 100.0)
            .collect();
        let ms = solve_sweep(&eq, &xs, 3.0, &SolverParams::default()).unwrap();
        for (x, m) in xs.iter().zip(ms) {
            let exact = mp_stieltjes(0.5, Complex64::new(*x, 1e-300));
            assert!((m - exact).norm() < 1e-10, "x = {x}: {m} vs {exact}");
        }
    }
}

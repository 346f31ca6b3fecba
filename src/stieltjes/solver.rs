//! Newton's method for the Stieltjes transform, with continuation in η.
//!
//! Off the real axis the solution of F(m; z) = 0 with Im m > 0 is unique (Silverstein–Bai 1995). On
//! the real axis inside the support it is the unique root in the upper half plane: in the w-variable
//! the equation is a polynomial of degree K + 1 for K distinct non-zero atoms, and x(w) runs from +∞
//! to −∞ between consecutive poles, so at least K − 1 of its roots are real and at most one pair is
//! not. Newton's method restricted to Im m > 0 therefore cannot land on a wrong branch; the only
//! risk is slow or failed convergence, which the continuation in η removes.

use num_complex::Complex64;
use rayon::prelude::*;

use super::equation::StieltjesEquation;
use crate::error::SolverError;
use crate::tol;

/// Largest relative step that [`newton`] may take as its last without evaluating the residual
/// after it. Together with the second-derivative bound, it limits the early exit to starts that are
/// already close to the root.
const EARLY_STEP_REL: f64 = 1e-6;

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
pub fn newton<E: StieltjesEquation + ?Sized>(
    eq: &E,
    z: Complex64,
    m0: Complex64,
    params: &SolverParams,
) -> Result<(Complex64, usize), SolverError> {
    let mut m = m0;
    let mut e = eq.evaluate(m, z);
    // Squared norms throughout: `norm` calls `hypot`, which costs more than the whole residual of
    // a law with a few atoms.
    let at_rounding_level =
        |f: Complex64, magnitude: f64| f.norm_sqr() <= (8.0 * f64::EPSILON * magnitude).powi(2);
    if at_rounding_level(e.f, e.magnitude) {
        return Ok((m, 0));
    }
    for iteration in 1..=params.max_iter {
        let step = e.f / e.df;
        if !step.is_finite() {
            break;
        }

        // Last step without a last evaluation: the error after a Newton step is about
        // |F''| |step|² / (2 |F'|). When that is below the relative tolerance `step_rel` (the
        // size of the rounding in F itself), the step is taken and the root returned. This saves
        // one evaluation of F per point along a warm-started sweep. Near a nearly double root (a
        // square-root edge) |F'| is small, the bound is large, and the iteration goes on as usual.
        let after_sqr = e.d2f.norm_sqr() * step.norm_sqr().powi(2) / (4.0 * e.df.norm_sqr());
        let finished = m - step;
        if finished.im > 0.0
            && step.norm_sqr() <= EARLY_STEP_REL.powi(2) * finished.norm_sqr()
            && after_sqr <= params.step_rel.powi(2) * finished.norm_sqr()
        {
            return Ok((finished, iteration));
        }

        // Damping: halve the step until the iterate stays in the upper half plane (the branch of
        // the Stieltjes transform) and the residual does not grow. Near a square-root edge the root
        // is almost double, and full steps would overshoot across the real axis.
        let mut lambda = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate = m - lambda * step;
            if candidate.im > 0.0 && candidate.is_finite() {
                let ec = eq.evaluate(candidate, z);
                if ec.f.norm_sqr() <= e.f.norm_sqr() || at_rounding_level(ec.f, ec.magnitude) {
                    accepted = Some((candidate, ec));
                    break;
                }
            }
            lambda *= 0.5;
        }
        let Some((candidate, ec)) = accepted else {
            break;
        };
        // Converged when the full Newton step (not the damped one, which can be tiny while the
        // iterate is still far from the root) is below the tolerance.
        let full_step = step.norm_sqr();
        (m, e) = (candidate, ec);
        if (lambda == 1.0 && full_step <= params.step_rel.powi(2) * m.norm_sqr())
            || at_rounding_level(e.f, e.magnitude)
        {
            return Ok((m, iteration));
        }
    }
    let f = e.f;
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
pub fn solve_by_continuation<E: StieltjesEquation + ?Sized>(
    eq: &E,
    z: Complex64,
    scale: f64,
    params: &SolverParams,
) -> Result<Complex64, SolverError> {
    let eta_target = z.im.max(0.0);
    let mut eta = (4.0 * scale + z.re.abs()).max(eta_target);
    let mut m = newton(
        eq,
        Complex64::new(z.re, eta),
        eq.far_field(Complex64::new(z.re, eta)),
        params,
    )?
    .0;
    let mut factor = params.eta_factor;
    while eta > eta_target {
        // Below this η the stage is indistinguishable from the target; jump there.
        let mut next = eta * factor;
        if next < 1e-12 * scale || next < eta_target {
            next = eta_target;
        }
        match newton(eq, Complex64::new(z.re, next), m, params) {
            Ok((root, _)) => {
                (m, eta) = (root, next);
                factor = params.eta_factor;
            }
            // A stage too far for the warm start (near a pole of m, where m grows like 1/η):
            // retry with a step half as long in log η, down to a factor of 0.999.
            Err(_) if factor < 0.999 => factor = factor.sqrt(),
            Err(error) => return Err(error),
        }
    }
    Ok(m)
}

/// Largest relative distance Newton may move a warm start before the result is checked by
/// continuation. A cubic prediction on a sweep is off by O(h⁴), far below this. A start that
/// needs to travel half its own size came from a jump and may reach another root.
const WARM_START_MAX_TRAVEL: f64 = 0.5;

/// Smallest Im m / |m| accepted from a warm-started solve; below it the point is re-solved by
/// continuation. Interior points have Im m / |m| of order 1; only points within about 1e-16 of
/// a square-root edge fall below 1e-8 legitimately, and continuation handles them too.
const WARM_START_MIN_IM: f64 = 1e-8;

/// Points per independent stretch of a parallel sweep. Each stretch starts with one continuation
/// solve (40 or more Newton steps) and then needs one or two evaluations per point, so 1024 points
/// keep the restart cost to a few per cent. The size is fixed, not derived from the thread count, so
/// that results do not depend on the machine.
const SWEEP_CHUNK: usize = 1024;

/// Work (points × atoms) below which a sweep runs on the calling thread.
const PARALLEL_WORK: usize = 1 << 18;

/// Solves at real points `xs` (sorted ascending, all inside one support interval), warm-starting
/// each Newton solve from the previous roots and falling back to continuation when that fails.
/// [`solve_sweep_at`] does the same at height η above the axis.
///
/// Large sweeps are cut into stretches of `SWEEP_CHUNK` (1024) points solved in parallel (rayon).
/// The cut depends only on the number of points, so results are identical for any thread count.
///
/// # Errors
/// [`SolverError::NoConvergence`] when both Newton and continuation fail at some point.
pub fn solve_sweep<E: StieltjesEquation + ?Sized>(
    eq: &E,
    xs: &[f64],
    scale: f64,
    params: &SolverParams,
) -> Result<Vec<Complex64>, SolverError> {
    solve_sweep_at(eq, xs, 0.0, scale, params)
}

/// Solves at every point of `xs` (any order) that lies strictly inside one of the support
/// `intervals`, one sorted sweep per interval, and returns (index into `xs`, root) pairs. Points
/// outside the support are left out: there the root is real and the sweep cannot follow it.
///
/// # Errors
/// As [`solve_sweep`].
pub fn solve_on_support<E: StieltjesEquation + ?Sized>(
    eq: &E,
    intervals: &[(f64, f64)],
    xs: &[f64],
    scale: f64,
    params: &SolverParams,
) -> Result<Vec<(usize, Complex64)>, SolverError> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
    let mut out = Vec::new();
    for &(lo, hi) in intervals {
        let inside: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| xs[i] > lo && xs[i] < hi)
            .collect();
        let points: Vec<f64> = inside.iter().map(|&i| xs[i]).collect();
        let roots = solve_sweep(eq, &points, scale, params)?;
        out.extend(inside.into_iter().zip(roots));
    }
    Ok(out)
}

/// [`solve_sweep`] at the points x + iη, η ≥ 0; the points need not lie in the support when
/// η > 0.
///
/// # Errors
/// As [`solve_sweep`].
pub fn solve_sweep_at<E: StieltjesEquation + ?Sized>(
    eq: &E,
    xs: &[f64],
    eta: f64,
    scale: f64,
    params: &SolverParams,
) -> Result<Vec<Complex64>, SolverError> {
    if xs.len() <= SWEEP_CHUNK || xs.len() * eq.work() < PARALLEL_WORK {
        return sweep_serial(eq, xs, eta, scale, params);
    }
    let parts = xs
        .par_chunks(SWEEP_CHUNK)
        .map(|chunk| sweep_serial(eq, chunk, eta, scale, params))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(parts.into_iter().flatten().collect())
}

fn sweep_serial<E: StieltjesEquation + ?Sized>(
    eq: &E,
    xs: &[f64],
    eta: f64,
    scale: f64,
    params: &SolverParams,
) -> Result<Vec<Complex64>, SolverError> {
    let mut out: Vec<Complex64> = Vec::with_capacity(xs.len());
    for (i, &x) in xs.iter().enumerate() {
        let z = Complex64::new(x, eta);
        // Start from the cubic extrapolation of the last four roots (error O(h⁴) for grid
        // spacing h), which is often close enough for a single Newton step. Near an edge, where
        // it can leave the upper half plane, `predict` falls back to lower orders.
        let start = (i > 0).then(|| predict(&xs[..i], &out, x));
        // A warm start on the real axis can slide onto one of the real roots of F, which Newton
        // approaches from above with Im m → 0 and a vanishing residual; such a result is
        // rejected and the point is solved by continuation, which follows the Stieltjes branch.
        // Off the axis the root in the upper half plane is unique and no check is needed.
        // On the axis the equation of a law with several atoms also has spurious complex roots
        // in the upper half plane. A start far from the solution, after a jump of many orders of
        // magnitude in x next to a hard edge, can converge to one. A warm start is kept
        // only if Newton moved it by less than WARM_START_MAX_TRAVEL of its size.
        let warm = start
            .and_then(|m0| newton(eq, z, m0, params).ok().map(|r| (m0, r.0)))
            .filter(|(m0, m)| (m - m0).norm() <= WARM_START_MAX_TRAVEL * m0.norm())
            .map(|(_, m)| m)
            .filter(|m| eta > 0.0 || m.im > WARM_START_MIN_IM * m.norm());
        let m = match warm {
            Some(m) => m,
            None => solve_by_continuation(eq, z, scale, params)?,
        };
        out.push(m);
    }
    Ok(out)
}

/// Extrapolates the roots `ms` at the previous points `xs` to `x`: cubic through the last four,
/// else quadratic, else linear, else the last root, whichever first stays in the upper half plane.
fn predict(xs: &[f64], ms: &[Complex64], x: f64) -> Complex64 {
    let n = xs.len();
    let last = ms[n - 1];
    let lagrange = |k: usize| -> Option<Complex64> {
        if n < k {
            return None;
        }
        let (px, pm) = (&xs[n - k..], &ms[n - k..]);
        let mut guess = Complex64::new(0.0, 0.0);
        for i in 0..k {
            let mut weight = 1.0;
            for j in 0..k {
                if i != j {
                    weight *= (x - px[j]) / (px[i] - px[j]);
                }
            }
            guess += pm[i] * weight;
        }
        (guess.im > 0.0 && guess.is_finite()).then_some(guess)
    };
    lagrange(4)
        .or_else(|| lagrange(3))
        .or_else(|| lagrange(2))
        .unwrap_or(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stieltjes::GmpEquation;

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
        let eq = GmpEquation::new(0.5, &[1.0], &[1.0]);
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
        let eq = GmpEquation::new(0.5, &[1.0], &[1.0]);
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

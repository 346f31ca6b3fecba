//! The self-consistency harness: checks that any [`SpectralLaw`] is a probability law whose parts
//! agree with each other.
//!
//! Every law the crate offers runs through [`self_consistency`] in the test suite, and users can run
//! their own laws (or ours at their parameters) through it. The checks:
//!
//! 1. the density is finite and ≥ 0 on the support, and exactly 0 off it (below, between and above
//!    the support intervals);
//! 2. atoms plus the integral of the density make 1;
//! 3. the CDF at the ends of every quadrature panel equals the atoms plus the integral up to there,
//!    and F is 0 below and 1 above the support;
//! 4. the moments 1–4 by quadrature equal [`SpectralLaw::moments`] (closed forms or free cumulants);
//! 5. the Stieltjes transform by quadrature equals [`SpectralLaw::stieltjes`] at points off the axis.
//!
//! # The quadrature
//! On each support interval [a, b], x(θ) = a + (b − a)(1 − cos θ)/2 removes the square-root and
//! inverse-square-root edge singularities (see theory/gmp.md). θ ∈ [0, π] is cut into panels and
//! each panel gets 12-point Gauss–Legendre; a panel whose rule and the sum of its two halves differ
//! by more than [`tol::QUADRATURE_ABS`] is split, for up to [`MAX_ROUNDS`] rounds. The splitting
//! finds what the substitution does not remove: cusps where two bulks just merged, and the edges of
//! mixture components inside a merged interval. The density is evaluated one round at a time, on
//! all new nodes at once, so that the solvers can warm-start along the sorted nodes.

use std::fmt;

use gauss_quad::legendre::GaussLegendre;
use num_complex::Complex64;

use crate::error::SolverError;
use crate::laws::SpectralLaw;
use crate::tol;

/// Gauss–Legendre nodes per panel.
const NODES: usize = 12;
/// θ-panels per support interval before any split.
const INITIAL_PANELS: usize = 64;
/// Rounds of panel splitting.
pub const MAX_ROUNDS: usize = 14;

/// One check: its measured error and the tolerance it must stay within.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Name of the check.
    pub name: &'static str,
    /// Largest error found (absolute or relative, as the tolerance).
    pub error: f64,
    /// Largest error accepted.
    pub tolerance: f64,
    /// Location of the largest error, in words.
    pub at: String,
}

impl Check {
    /// Returns whether the error is within tolerance (NaN fails).
    pub fn passed(&self) -> bool {
        self.error <= self.tolerance
    }
}

/// The outcome of [`self_consistency`] for one law.
#[derive(Debug, Clone)]
pub struct ConsistencyReport {
    /// The law's name.
    pub law: String,
    /// Every check, passed or not.
    pub checks: Vec<Check>,
}

impl ConsistencyReport {
    /// Returns whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(Check::passed)
    }

    /// Panics with the whole report unless every check passed.
    ///
    /// # Panics
    /// If a check failed.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "{self}");
    }
}

impl fmt::Display for ConsistencyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "self-consistency of {}:", self.law)?;
        for c in &self.checks {
            let mark = if c.passed() { "ok  " } else { "FAIL" };
            // A check without any error has no place to point at.
            let at = if c.error == 0.0 {
                "everywhere"
            } else {
                c.at.as_str()
            };
            writeln!(
                f,
                "  {mark} {:<28} error {:.3e} (tolerance {:.1e}) at {at}",
                c.name, c.error, c.tolerance
            )?;
        }
        Ok(())
    }
}

/// Whether error `a` is worse than `b`: larger, or NaN (a NaN error must surface, not hide).
fn worse(a: f64, b: f64) -> bool {
    a > b || (a.is_nan() && !b.is_nan())
}

/// Nodes of one panel: (x, weight including the Jacobian, density).
type PanelNodes = Vec<(f64, f64, f64)>;

/// A θ-panel of one support interval.
#[derive(Debug, Clone, Copy)]
struct Panel {
    interval: usize,
    from: f64,
    to: f64,
}

/// Quadrature nodes (x, weight) of the continuous part, each panel's integral of the density,
/// and the panel list, after adaptive refinement.
struct Quadrature {
    panels: Vec<Panel>,
    /// Nodes of each panel: (x, weight, density).
    nodes: Vec<Vec<(f64, f64, f64)>>,
}

fn rule() -> Vec<(f64, f64)> {
    let degree = std::num::NonZeroUsize::new(NODES).expect("nodes > 0");
    GaussLegendre::new(degree).as_node_weight_pairs().to_vec()
}

fn x_of(interval: (f64, f64), theta: f64) -> f64 {
    interval.0 + (interval.1 - interval.0) * 0.5 * (1.0 - theta.cos())
}

/// Nodes of one panel before the density is known: (x, weight including the Jacobian).
fn panel_nodes(rule: &[(f64, f64)], interval: (f64, f64), panel: Panel) -> Vec<(f64, f64)> {
    let half = 0.5 * (panel.to - panel.from);
    rule.iter()
        .map(|&(node, weight)| {
            let theta = panel.from + half * (node + 1.0);
            let jacobian = (interval.1 - interval.0) * 0.5 * theta.sin();
            (x_of(interval, theta), half * weight * jacobian)
        })
        .collect()
}

/// Evaluates the density on the nodes of many panels with one call (sorted, for warm starts).
fn evaluate(
    law: &dyn SpectralLaw,
    rule: &[(f64, f64)],
    intervals: &[(f64, f64)],
    panels: &[Panel],
) -> Result<Vec<PanelNodes>, SolverError> {
    let raw: Vec<Vec<(f64, f64)>> = panels
        .iter()
        .map(|p| panel_nodes(rule, intervals[p.interval], *p))
        .collect();
    let xs: Vec<f64> = raw.iter().flatten().map(|n| n.0).collect();
    let rho = law.density(&xs)?;
    let mut values = rho.into_iter();
    Ok(raw
        .into_iter()
        .map(|nodes| {
            nodes
                .into_iter()
                .map(|(x, w)| (x, w, values.next().expect("one density per node")))
                .collect()
        })
        .collect())
}

fn panel_integral(nodes: &[(f64, f64, f64)]) -> f64 {
    nodes.iter().map(|(_, w, r)| w * r).sum()
}

fn integrate(law: &dyn SpectralLaw) -> Result<Quadrature, SolverError> {
    let rule = rule();
    let intervals = law.support();
    let width = std::f64::consts::PI / INITIAL_PANELS as f64;
    let mut panels: Vec<Panel> = (0..intervals.len())
        .flat_map(|interval| {
            (0..INITIAL_PANELS).map(move |k| Panel {
                interval,
                from: k as f64 * width,
                to: (k + 1) as f64 * width,
            })
        })
        .collect();
    let mut nodes = evaluate(law, &rule, &intervals, &panels)?;
    let mut done_panels = Vec::new();
    let mut done_nodes = Vec::new();

    for round in 0..=MAX_ROUNDS {
        if panels.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            // Out of rounds: keep what there is; the mass and CDF checks will show the error.
            done_panels.append(&mut panels);
            done_nodes.append(&mut nodes);
            break;
        }
        // Split every undecided panel into halves, evaluate all halves at once, and keep the
        // halves (still undecided) where they changed the panel's integral by more than the
        // tolerance; otherwise the panel is final.
        let halves: Vec<Panel> = panels
            .iter()
            .flat_map(|p| {
                let mid = 0.5 * (p.from + p.to);
                [Panel { to: mid, ..*p }, Panel { from: mid, ..*p }]
            })
            .collect();
        let mut half_nodes = evaluate(law, &rule, &intervals, &halves)?.into_iter();
        let mut next_panels = Vec::new();
        let mut next_nodes = Vec::new();
        for (i, (panel, whole)) in panels.iter().zip(nodes).enumerate() {
            let (left, right) = (
                half_nodes.next().expect("left half"),
                half_nodes.next().expect("right half"),
            );
            let parts = panel_integral(&left) + panel_integral(&right);
            if (parts - panel_integral(&whole)).abs() > tol::QUADRATURE_ABS {
                next_panels.extend([halves[2 * i], halves[2 * i + 1]]);
                next_nodes.extend([left, right]);
            } else {
                done_panels.push(*panel);
                done_nodes.push(whole);
            }
        }
        panels = next_panels;
        nodes = next_nodes;
    }
    let (panels, nodes) = (done_panels, done_nodes);
    Ok(Quadrature { panels, nodes })
}

/// Runs every check on `law`.
///
/// # Errors
/// [`SolverError`] if the law cannot evaluate its density, CDF or Stieltjes transform.
pub fn self_consistency(law: &dyn SpectralLaw) -> Result<ConsistencyReport, SolverError> {
    let quad = integrate(law)?;
    let intervals = law.support();
    let atoms = law.atoms();
    let atom_mass: f64 = atoms.iter().map(|a| a.mass).sum();
    let all_nodes: Vec<(f64, f64, f64)> = quad.nodes.iter().flatten().copied().collect();
    let mut checks = Vec::new();

    // 1. Density sign and support.
    let worst = all_nodes
        .iter()
        .map(|&(x, _, r)| {
            (
                if r.is_finite() {
                    (-r).max(0.0)
                } else {
                    f64::INFINITY
                },
                x,
            )
        })
        .fold((0.0, f64::NAN), |acc, v| if v.0 > acc.0 { v } else { acc });
    checks.push(Check {
        name: "density >= 0 on the support",
        error: worst.0,
        tolerance: 0.0,
        at: format!("x = {}", worst.1),
    });
    let outside = outside_points(law);
    let off = law.density(&outside)?;
    let (off_err, off_at) = outside
        .iter()
        .zip(&off)
        .map(|(&x, &r)| (if r.is_nan() { f64::INFINITY } else { r.abs() }, x))
        .fold((0.0, f64::NAN), |acc, v| if v.0 > acc.0 { v } else { acc });
    checks.push(Check {
        name: "density = 0 off the support",
        error: off_err,
        tolerance: 0.0,
        at: format!("x = {off_at}"),
    });

    // 2. Total mass.
    let continuous: f64 = quad.nodes.iter().map(|n| panel_integral(n)).sum();
    checks.push(Check {
        name: "total mass",
        error: (atom_mass + continuous - 1.0).abs(),
        tolerance: tol::HARNESS_MASS_ABS,
        at: format!("atoms {atom_mass}, density {continuous}"),
    });

    // 3. CDF against the running integral, at every panel end, and outside the support.
    checks.push(cdf_check(law, &quad, &intervals, &atoms)?);
    let cdf_out = law.cdf(&outside)?;
    let expected_out: Vec<f64> = outside
        .iter()
        .map(|&x| {
            let atoms_below: f64 = atoms.iter().filter(|a| a.x <= x).map(|a| a.mass).sum();
            let bulks_below: f64 = quad
                .panels
                .iter()
                .zip(&quad.nodes)
                .filter(|(p, _)| intervals[p.interval].1 <= x)
                .map(|(_, n)| panel_integral(n))
                .sum();
            atoms_below + bulks_below
        })
        .collect();
    let (err, at) = outside
        .iter()
        .zip(cdf_out.iter().zip(&expected_out))
        .map(|(&x, (f, e))| ((f - e).abs(), x))
        .fold(
            (0.0, f64::NAN),
            |acc, v| if worse(v.0, acc.0) { v } else { acc },
        );
    checks.push(Check {
        name: "CDF off the support",
        error: err,
        tolerance: tol::HARNESS_CDF_ABS,
        at: format!("x = {at}"),
    });

    // 4. Moments, relative to the absolute moments ∫|x|^k, which is the size of what is summed
    // (odd moments of a symmetric law are 0).
    let predicted = law.moments(4);
    for (k, exact) in predicted.iter().enumerate() {
        let power = k as i32 + 1;
        let moment = |f: fn(f64) -> f64| -> f64 {
            all_nodes
                .iter()
                .map(|&(x, w, r)| w * r * f(x).powi(power))
                .sum::<f64>()
                + atoms
                    .iter()
                    .map(|a| a.mass * f(a.x).powi(power))
                    .sum::<f64>()
        };
        let quad_moment = moment(|x| x);
        let size = moment(f64::abs).max(f64::MIN_POSITIVE);
        checks.push(Check {
            name: ["moment 1", "moment 2", "moment 3", "moment 4"][k],
            error: (quad_moment - exact).abs() / size,
            tolerance: tol::HARNESS_MOMENT_REL,
            at: format!("quadrature {quad_moment}, exact {exact}"),
        });
    }

    // 5. Stieltjes transform at points off the axis, one per support interval and one at the
    // centre of the hull.
    checks.push(stieltjes_check(law, &all_nodes, &intervals, &atoms)?);

    Ok(ConsistencyReport {
        law: law.name(),
        checks,
    })
}

/// Points below, between and above the support intervals and away from atoms.
fn outside_points(law: &dyn SpectralLaw) -> Vec<f64> {
    let (lo, hi) = law.hull();
    let span = match (hi - lo).max(lo.abs().max(hi.abs())) {
        s if s > 0.0 => s,
        _ => 1.0,
    };
    let mut points = vec![lo - 0.5 * span - 1e-3, hi + 0.5 * span + 1e-3];
    for pair in law.support().windows(2) {
        for t in [0.01, 0.5, 0.99] {
            points.push(pair[0].1 + t * (pair[1].0 - pair[0].1));
        }
    }
    let atoms = law.atoms();
    points.retain(|x| atoms.iter().all(|a| a.x != *x));
    points.sort_by(f64::total_cmp);
    points
}

fn cdf_check(
    law: &dyn SpectralLaw,
    quad: &Quadrature,
    intervals: &[(f64, f64)],
    atoms: &[crate::laws::Atom],
) -> Result<Check, SolverError> {
    // Running integral in the order of the intervals, then panels by θ.
    let mut order: Vec<usize> = (0..quad.panels.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (quad.panels[i], quad.panels[j]);
        a.interval.cmp(&b.interval).then(a.from.total_cmp(&b.from))
    });
    let mut ends = Vec::with_capacity(order.len());
    let mut expected = Vec::with_capacity(order.len());
    let mut below = 0.0;
    for (k, &(a, _)) in intervals.iter().enumerate() {
        let atoms_below: f64 = atoms.iter().filter(|t| t.x <= a).map(|t| t.mass).sum();
        let mut running = 0.0;
        for &i in order.iter().filter(|&&i| quad.panels[i].interval == k) {
            running += panel_integral(&quad.nodes[i]);
            let x = x_of(intervals[k], quad.panels[i].to);
            // Atoms inside an interval's hull but not at an end (mixtures) are counted from there.
            let atoms_inside: f64 = atoms
                .iter()
                .filter(|t| t.x > a && t.x <= x)
                .map(|t| t.mass)
                .sum();
            ends.push(x);
            expected.push(below + atoms_below + atoms_inside + running);
        }
        below += running;
    }
    let got = law.cdf(&ends)?;
    let (error, at) = ends
        .iter()
        .zip(got.iter().zip(&expected))
        .map(|(&x, (f, e))| ((f - e).abs(), x))
        .fold(
            (0.0, f64::NAN),
            |acc, v| if worse(v.0, acc.0) { v } else { acc },
        );
    Ok(Check {
        name: "CDF = integral of density",
        error,
        tolerance: tol::HARNESS_CDF_ABS,
        at: format!("x = {at}"),
    })
}

fn stieltjes_check(
    law: &dyn SpectralLaw,
    nodes: &[(f64, f64, f64)],
    intervals: &[(f64, f64)],
    atoms: &[crate::laws::Atom],
) -> Result<Check, SolverError> {
    let (lo, hi) = law.hull();
    // A law concentrated at one point has no width; its unit is then that point's size, or 1.
    let span = match (hi - lo).max(1e-3 * lo.abs().max(hi.abs())) {
        s if s > 0.0 => s,
        _ => 1.0,
    };
    let mut points = vec![Complex64::new(0.5 * (lo + hi), 0.5 * span)];
    for &(a, b) in intervals {
        // Half the interval's width above its centre: close enough to see its shape, far enough
        // for the 12-point panels to integrate 1/(x − z) accurately.
        points.push(Complex64::new(
            0.5 * (a + b),
            0.5 * (b - a).max(1e-3 * span),
        ));
    }
    let mut worst = (0.0, Complex64::new(f64::NAN, f64::NAN));
    for z in points {
        let quad: Complex64 = nodes
            .iter()
            .map(|&(x, w, r)| w * r / (x - z))
            .sum::<Complex64>()
            + atoms.iter().map(|a| a.mass / (a.x - z)).sum::<Complex64>();
        let m = law.stieltjes(z)?;
        let err = (quad - m).norm() / m.norm();
        if worse(err, worst.0) {
            worst = (err, z);
        }
    }
    Ok(Check {
        name: "Stieltjes = quadrature",
        error: worst.0,
        tolerance: tol::HARNESS_STIELTJES_REL,
        at: format!("z = {}", worst.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::{Atom, MarchenkoPastur};

    /// A law whose CDF is off by 1e-6 in the middle of its support: the harness must notice.
    struct Shifted(MarchenkoPastur);

    impl SpectralLaw for Shifted {
        fn name(&self) -> String {
            "MP with a wrong CDF".into()
        }
        fn support(&self) -> Vec<(f64, f64)> {
            self.0.support()
        }
        fn atoms(&self) -> Vec<Atom> {
            self.0.atoms()
        }
        fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
            self.0.density(xs)
        }
        fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
            let (a, b) = self.0.edges();
            Ok(self
                .0
                .cdf(xs)?
                .into_iter()
                .zip(xs)
                .map(|(f, &x)| if x > a && x < b { f + 1e-6 } else { f })
                .collect())
        }
        fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
            self.0.stieltjes(z)
        }
        fn moments(&self, count: usize) -> Vec<f64> {
            self.0.moments(count)
        }
    }

    #[test]
    fn closed_form_mp_passes() {
        for gamma in [0.001, 0.5, 1.0, 4.0, 1000.0] {
            let law = MarchenkoPastur::new(gamma, 1.0).unwrap();
            self_consistency(&law).unwrap().assert_passed();
        }
    }

    #[test]
    fn a_wrong_cdf_fails() {
        let law = Shifted(MarchenkoPastur::new(0.5, 1.0).unwrap());
        let report = self_consistency(&law).unwrap();
        assert!(!report.passed(), "{report}");
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.name)
            .collect();
        assert_eq!(failed, ["CDF = integral of density"], "{report}");
    }
}

//! Support edges and the atom at zero, by root finding on the inverse map.
//!
//! Silverstein and Choi (1995) show that a real x ≠ 0 lies outside the support exactly when x = x(w)
//! for some real w, away from the poles t_j, at which x is increasing. In the w-variable
//! (see [`super::equation`]) x'(w) = γ − φ(w), so the complement of the support is the image under x
//! of the open set {w : φ(w) < γ}, and the edges are the values of x at the solutions of φ(w) = γ.
//!
//! φ is positive and convex on every interval between consecutive poles and tends to +∞ at each
//! pole, and to 0 as |w| → ∞. Hence:
//! - on each of the two outer intervals, φ = γ has exactly one root;
//! - on an inner interval, φ = γ has two roots if min φ < γ and none otherwise; the minimum is the
//!   unique zero of the increasing function φ'.
//!
//! Everything is found by bisection, which cannot fail once the signs at the ends are known.
//!
//! The atom at zero has mass max(0, 1 − P(τ ≠ 0)/γ): the block has rank at most the number of
//! samples with τ_i ≠ 0.

use super::equation::GmpEquation;
use crate::error::SolverError;
use crate::tol;

/// Size, relative to the largest support end, below which an edge is taken to be the hard edge 0.
/// A soft edge this close to 0 would need an effective ratio within 1e-7 of 1.
const HARD_EDGE_SNAP: f64 = 1e-14;

/// The support of a GMP law: the intervals of its continuous part and the mass of its atom at 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Support {
    /// Disjoint closed intervals [lo, hi], sorted, on which the density is positive inside.
    pub intervals: Vec<(f64, f64)>,
    /// Mass of the atom at 0 (0 when there is none).
    pub zero_atom: f64,
    /// For each interval, the critical points w of the inverse map whose images are its two
    /// edges: m = −1/(γ w) is the (real) Stieltjes transform at the edge. A hard edge at 0 has
    /// w = 0, where m is infinite.
    pub edge_w: Vec<(f64, f64)>,
}

/// Bisects on (lo, hi) for a sign change of `f`, assuming `f` is negative just right of `lo` when
/// `rising` is true (positive otherwise). Ends may be poles; `f` is evaluated only inside.
fn bisect(mut lo: f64, mut hi: f64, rising: bool, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi || hi - lo <= tol::EDGE_BISECTION_REL * lo.abs().max(hi.abs()) {
            return mid;
        }
        let value = f(mid);
        if (value < 0.0) == rising {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Open w-intervals on which φ(w) < γ, in increasing order; `None` stands for ∓∞.
fn increasing_regions(
    eq: &GmpEquation<'_>,
    poles: &[(f64, f64)],
) -> Vec<(Option<f64>, Option<f64>)> {
    let gamma = eq.gamma;
    let phi_minus_gamma = |w: f64| eq.phi(w).0 - gamma;
    let max_abs = poles.iter().fold(0.0_f64, |acc, (t, _)| acc.max(t.abs()));
    // For w beyond the outermost pole by B, φ(w) ≤ max t² / B², which is below γ when
    // B > max|t| / √γ.
    let reach = 2.0 * max_abs / gamma.sqrt();

    let (first, last) = (poles[0].0, poles[poles.len() - 1].0);
    let mut regions = Vec::new();
    // Left outer interval: φ rises from 0 to +∞.
    let left = bisect(first - reach, first, true, phi_minus_gamma);
    regions.push((None, Some(left)));

    for pair in poles.windows(2) {
        let ((t0, p0), (t1, p1)) = (pair[0], pair[1]);
        // Cheap lower bound from the two neighbouring poles alone:
        // min over w of a/(w−t0)² + b/(t1−w)² equals (a^⅓ + b^⅓)³ / (t1 − t0)².
        let a = p0 * t0 * t0;
        let b = p1 * t1 * t1;
        let bound = (a.cbrt() + b.cbrt()).powi(3) / ((t1 - t0) * (t1 - t0));
        if bound > gamma * (1.0 + 1e-9) {
            continue;
        }
        // φ' increases from −∞ to +∞ between the poles; its zero is the minimum of φ.
        let w_min = bisect(t0, t1, true, |w| eq.phi(w).1);
        if eq.phi(w_min).0 >= gamma {
            continue;
        }
        let lo = bisect(t0, w_min, false, phi_minus_gamma);
        let hi = bisect(w_min, t1, true, phi_minus_gamma);
        regions.push((Some(lo), Some(hi)));
    }

    // Right outer interval: φ falls from +∞ to 0.
    let right = bisect(last, last + reach, false, phi_minus_gamma);
    regions.push((Some(right), None));
    regions
}

/// Computes the support intervals and the atom at zero of GMP(γ, H).
///
/// Cost: O(K) per bisection step on the at most K + 1 intervals that the two-pole bound cannot rule
/// out; for Monte Carlo samples (densely packed atoms) nearly all inner intervals are ruled out.
///
/// # Errors
/// Never fails today; the `Result` leaves room for safeguards that can.
pub fn support(eq: &GmpEquation<'_>) -> Result<Support, SolverError> {
    let poles: Vec<(f64, f64)> = eq
        .values
        .iter()
        .zip(eq.probs)
        .filter(|(t, p)| **t != 0.0 && **p > 0.0)
        .map(|(&t, &p)| (t, p))
        .collect();
    let nonzero_mass: f64 = poles.iter().map(|(_, p)| p).sum();
    let zero_atom = (1.0 - nonzero_mass / eq.gamma).max(0.0);
    if poles.is_empty() {
        return Ok(Support {
            intervals: Vec::new(),
            zero_atom: 1.0,
            edge_w: Vec::new(),
        });
    }

    // The complement of the support is the union of the images of the increasing regions; each
    // image keeps the w of its ends, (x, w) pairs, so that the edges know their Stieltjes values.
    type End = (f64, f64);
    let mut complement: Vec<(End, End)> = increasing_regions(eq, &poles)
        .into_iter()
        .map(|(lo, hi)| {
            (
                lo.map_or((f64::NEG_INFINITY, f64::NAN), |w| (eq.inverse_map(w), w)),
                hi.map_or((f64::INFINITY, f64::NAN), |w| (eq.inverse_map(w), w)),
            )
        })
        .collect();
    complement.sort_by(|a, b| a.0.0.total_cmp(&b.0.0));

    let mut intervals = Vec::new();
    let mut edge_w = Vec::new();
    for pair in complement.windows(2) {
        let (lo, hi) = (pair[0].1, pair[1].0);
        if hi.0 > lo.0 {
            intervals.push((lo.0, hi.0));
            edge_w.push((lo.1, hi.1));
        }
    }
    // A hard edge lies exactly at 0 (effective ratio 1, critical point w = 0), but x(w) at the
    // bisected w is a rounding-sized number of either sign, such as −1.2e-32; it is set to 0.
    let size = intervals.iter().fold(0.0_f64, |acc, &(a, b): &(f64, f64)| {
        acc.max(a.abs()).max(b.abs())
    });
    for (a, b) in &mut intervals {
        for end in [a, b] {
            if end.abs() <= HARD_EDGE_SNAP * size {
                *end = 0.0;
            }
        }
    }
    Ok(Support {
        intervals,
        zero_atom,
        edge_w,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(gamma: f64, values: &[f64], probs: &[f64]) -> Support {
        support(&GmpEquation::new(gamma, values, probs)).unwrap()
    }

    #[test]
    fn mp_edges_match_closed_form() {
        for gamma in [0.1, 0.5, 0.99, 2.0, 7.0] {
            let s = edges(gamma, &[1.0], &[1.0]);
            let expected = ((1.0 - gamma.sqrt()).powi(2), (1.0 + gamma.sqrt()).powi(2));
            assert_eq!(s.intervals.len(), 1, "gamma {gamma}: {s:?}");
            let (lo, hi) = s.intervals[0];
            assert!(
                (lo - expected.0).abs() < 1e-12,
                "gamma {gamma}: lo {lo} vs {}",
                expected.0
            );
            assert!(
                (hi - expected.1).abs() < 1e-12,
                "gamma {gamma}: hi {hi} vs {}",
                expected.1
            );
            let atom = (1.0 - 1.0 / gamma).max(0.0);
            assert!((s.zero_atom - atom).abs() < 1e-15);
        }
    }

    #[test]
    fn negated_weights_mirror_the_support() {
        let s = edges(0.5, &[-1.0], &[1.0]);
        let (lo, hi) = s.intervals[0];
        assert!((lo + (1.0 + 0.5_f64.sqrt()).powi(2)).abs() < 1e-12);
        assert!((hi + (1.0 - 0.5_f64.sqrt()).powi(2)).abs() < 1e-12);
    }

    #[test]
    fn well_separated_atoms_give_two_bulks() {
        // Weights 1 and 20 at γ = 4: each group of N/2 = d/8 samples spans its own subspace, so the
        // non-zero eigenvalues split into two bulks near 4·[0.42, 1.83] and 20 times that.
        let s = edges(4.0, &[1.0, 20.0], &[0.5, 0.5]);
        assert_eq!(s.intervals.len(), 2, "{s:?}");
        assert!(s.intervals[0].1 < s.intervals[1].0);
        assert!((s.zero_atom - 0.75).abs() < 1e-15);
    }

    #[test]
    fn full_rank_groups_give_one_bulk() {
        // The same weights at γ = 0.05: both groups are full rank and the block is close to
        // E[τ] I = 10.5 I, so there is one bulk around 10.5.
        let s = edges(0.05, &[1.0, 20.0], &[0.5, 0.5]);
        assert_eq!(s.intervals.len(), 1, "{s:?}");
        assert!(s.intervals[0].0 < 10.5 && s.intervals[0].1 > 10.5);
    }

    #[test]
    fn symmetric_signs_give_two_bulks_and_no_atom() {
        // τ = ±1 with γ = 4: a negative and a positive bulk, mirror images, and an atom of mass
        // 3/4 at 0.
        let s = edges(4.0, &[-1.0, 1.0], &[0.5, 0.5]);
        assert_eq!(s.intervals.len(), 2, "{s:?}");
        assert!(s.intervals[0].1 < 0.0 && s.intervals[1].0 > 0.0);
        assert!((s.intervals[0].0 + s.intervals[1].1).abs() < 1e-12);
        assert!((s.zero_atom - 0.75).abs() < 1e-15);
    }

    #[test]
    fn zero_weights_make_an_atom() {
        let s = edges(0.8, &[0.0, 1.0], &[0.5, 0.5]);
        assert!((s.zero_atom - (1.0 - 0.5 / 0.8)).abs() < 1e-15);
        assert_eq!(s.intervals.len(), 1);
        assert!(s.intervals[0].0 > 0.0);
    }
}

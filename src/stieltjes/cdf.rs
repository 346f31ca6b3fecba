//! The CDF of a law with a density on finitely many intervals, by quadrature after a change of
//! variables that removes the edge singularities.
//!
//! On a support interval [a, b] put x(θ) = a + (b − a)(1 − cos θ)/2, θ ∈ [0, π]. Near a soft edge the
//! density vanishes like √(x − a) ∝ θ and dx/dθ ∝ θ, so the integrand ρ(x(θ)) x'(θ) behaves like θ²;
//! near a hard edge ρ ∝ (x − a)^(−1/2) ∝ 1/θ and the integrand tends to a constant. Both are smooth
//! in θ, so composite Gauss–Legendre on equal θ-panels converges fast.
//!
//! A [`CdfTable`] stores the cumulative mass and its θ-derivative at the panel ends. A query inside
//! an interior panel is answered by cubic Hermite interpolation in θ (error ≤ h⁴/384 · max|F⁽⁴⁾(θ)|
//! for panel width h); a query in the first or last panel of an interval, where the derivative at
//! the edge is not available, is integrated directly with a fresh Gauss–Legendre rule.

use gauss_quad::legendre::GaussLegendre;

use crate::error::SolverError;

/// θ-panels per support interval.
pub const PANELS: usize = 512;
/// Gauss–Legendre nodes per panel.
pub const NODES: usize = 8;

/// A density on sorted points of one interval: returns ρ at each point.
pub type DensityFn<'a> = dyn Fn(&[f64]) -> Result<Vec<f64>, SolverError> + 'a;

/// Cumulative masses of one support interval at the θ-panel ends.
#[derive(Debug, Clone)]
struct IntervalTable {
    lo: f64,
    hi: f64,
    /// Mass between lo and x(θ_k), θ_k = kπ/PANELS.
    cumulative: Vec<f64>,
    /// dF/dθ at θ_k (only interior ends are used).
    slope: Vec<f64>,
}

impl IntervalTable {
    fn x_of(&self, theta: f64) -> f64 {
        self.lo + (self.hi - self.lo) * 0.5 * (1.0 - theta.cos())
    }

    fn theta_of(&self, x: f64) -> f64 {
        let u = 1.0 - 2.0 * (x - self.lo) / (self.hi - self.lo);
        u.clamp(-1.0, 1.0).acos()
    }

    fn jacobian(&self, theta: f64) -> f64 {
        (self.hi - self.lo) * 0.5 * theta.sin()
    }

    fn mass(&self) -> f64 {
        self.cumulative[PANELS]
    }
}

/// The CDF of a law made of an atom at 0 and a density on disjoint intervals.
#[derive(Debug, Clone)]
pub struct CdfTable {
    tables: Vec<IntervalTable>,
    zero_atom: f64,
    rule: Vec<(f64, f64)>,
}

fn gauss_legendre(nodes: usize) -> Vec<(f64, f64)> {
    let degree = std::num::NonZeroUsize::new(nodes).expect("at least one node");
    let mut rule = GaussLegendre::new(degree).as_node_weight_pairs().to_vec();
    rule.sort_by(|a, b| a.0.total_cmp(&b.0));
    rule
}

impl CdfTable {
    /// Integrates `density` over each interval and tabulates the cumulative mass.
    ///
    /// # Errors
    /// Any error of `density`.
    pub fn build(
        intervals: &[(f64, f64)],
        zero_atom: f64,
        density: &DensityFn<'_>,
    ) -> Result<Self, SolverError> {
        let rule = gauss_legendre(NODES);
        let width = std::f64::consts::PI / PANELS as f64;
        let mut tables = Vec::with_capacity(intervals.len());
        for &(lo, hi) in intervals {
            let mut table = IntervalTable {
                lo,
                hi,
                cumulative: vec![0.0; PANELS + 1],
                slope: vec![0.0; PANELS + 1],
            };

            // One sorted sweep over every node and every interior panel end, so that each solve
            // is warm-started from its neighbour.
            let mut thetas = Vec::with_capacity(PANELS * (NODES + 1));
            for k in 0..PANELS {
                let start = k as f64 * width;
                if k > 0 {
                    thetas.push(start);
                }
                thetas.extend(
                    rule.iter()
                        .map(|(node, _)| start + 0.5 * width * (node + 1.0)),
                );
            }
            let xs: Vec<f64> = thetas.iter().map(|&t| table.x_of(t)).collect();
            let rho = density(&xs)?;

            let integrand: Vec<f64> = rho
                .iter()
                .zip(&thetas)
                .map(|(r, &t)| r * table.jacobian(t))
                .collect();
            let mut values = integrand.into_iter();
            for k in 0..PANELS {
                if k > 0 {
                    table.slope[k] = values.next().expect("panel end value");
                }
                let panel: f64 = rule
                    .iter()
                    .map(|(_, weight)| weight * values.next().expect("node value"))
                    .sum();
                table.cumulative[k + 1] = table.cumulative[k] + 0.5 * width * panel;
            }
            tables.push(table);
        }
        Ok(Self {
            tables,
            zero_atom,
            rule,
        })
    }

    /// Total mass: the atom plus the integral of the density. Equals 1 for a probability law up to
    /// quadrature error.
    pub fn total_mass(&self) -> f64 {
        self.zero_atom + self.tables.iter().map(IntervalTable::mass).sum::<f64>()
    }

    /// Masses of the continuous part on each interval.
    pub fn interval_masses(&self) -> Vec<f64> {
        self.tables.iter().map(IntervalTable::mass).collect()
    }

    /// Evaluates F(x) = μ((−∞, x]) at each query point, atoms included.
    ///
    /// `density` must be the function the table was built with; it is called only for queries in
    /// the first or last panel of an interval.
    ///
    /// # Errors
    /// Any error of `density`.
    pub fn cdf(&self, xs: &[f64], density: &DensityFn<'_>) -> Result<Vec<f64>, SolverError> {
        let width = std::f64::consts::PI / PANELS as f64;
        let mut out = Vec::with_capacity(xs.len());
        for &x in xs {
            let mut value = if x >= 0.0 { self.zero_atom } else { 0.0 };
            for table in &self.tables {
                if x >= table.hi {
                    value += table.mass();
                    continue;
                }
                if x <= table.lo {
                    continue;
                }
                let theta = table.theta_of(x);
                let k = ((theta / width) as usize).min(PANELS - 1);
                let start = k as f64 * width;
                let partial = if k == 0 || k == PANELS - 1 {
                    self.integrate_panel(table, start, theta, density)?
                } else {
                    hermite(
                        (start, start + width),
                        (table.cumulative[k], table.cumulative[k + 1]),
                        (table.slope[k], table.slope[k + 1]),
                        theta,
                    ) - table.cumulative[k]
                };
                value += table.cumulative[k] + partial;
            }
            out.push(value.clamp(0.0, 1.0));
        }
        Ok(out)
    }

    fn integrate_panel(
        &self,
        table: &IntervalTable,
        from: f64,
        to: f64,
        density: &DensityFn<'_>,
    ) -> Result<f64, SolverError> {
        if to <= from {
            return Ok(0.0);
        }
        let half = 0.5 * (to - from);
        let thetas: Vec<f64> = self
            .rule
            .iter()
            .map(|(n, _)| from + half * (n + 1.0))
            .collect();
        let xs: Vec<f64> = thetas.iter().map(|&t| table.x_of(t)).collect();
        let rho = density(&xs)?;
        Ok(half
            * self
                .rule
                .iter()
                .zip(rho.iter().zip(&thetas))
                .map(|((_, w), (r, &t))| w * r * table.jacobian(t))
                .sum::<f64>())
    }
}

/// Cubic Hermite interpolation on [t0, t1] from values and slopes at both ends.
fn hermite(t: (f64, f64), f: (f64, f64), df: (f64, f64), at: f64) -> f64 {
    let h = t.1 - t.0;
    let s = (at - t.0) / h;
    let s2 = s * s;
    let s3 = s2 * s;
    let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
    let h10 = s3 - 2.0 * s2 + s;
    let h01 = -2.0 * s3 + 3.0 * s2;
    let h11 = s3 - s2;
    h00 * f.0 + h10 * h * df.0 + h01 * f.1 + h11 * h * df.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicircle_cdf_is_exact() {
        // Wigner semicircle on [−2, 2]: F(x) = 1/2 + x√(4 − x²)/(4π) + asin(x/2)/π.
        let density = |xs: &[f64]| -> Result<Vec<f64>, SolverError> {
            Ok(xs
                .iter()
                .map(|x| (4.0 - x * x).max(0.0).sqrt() / (2.0 * std::f64::consts::PI))
                .collect())
        };
        let table = CdfTable::build(&[(-2.0, 2.0)], 0.0, &density).unwrap();
        assert!(
            (table.total_mass() - 1.0).abs() < 1e-13,
            "mass {}",
            table.total_mass()
        );
        let xs: Vec<f64> = (0..=400).map(|i| -2.1 + 4.2 * i as f64 / 400.0).collect();
        let got = table.cdf(&xs, &density).unwrap();
        for (x, f) in xs.iter().zip(got) {
            let c = x.clamp(-2.0, 2.0);
            let exact = 0.5
                + c * (4.0 - c * c).sqrt() / (4.0 * std::f64::consts::PI)
                + (c / 2.0).asin() / std::f64::consts::PI;
            assert!((f - exact).abs() < 1e-10, "x = {x}: {f} vs {exact}");
        }
    }

    #[test]
    fn hard_edge_arcsine_cdf_is_exact() {
        // Arcsine law on [0, 1]: density 1/(π√(x(1−x))), F(x) = (2/π) asin(√x).
        let density = |xs: &[f64]| -> Result<Vec<f64>, SolverError> {
            Ok(xs
                .iter()
                .map(|x| 1.0 / (std::f64::consts::PI * (x * (1.0 - x)).sqrt()))
                .collect())
        };
        let table = CdfTable::build(&[(0.0, 1.0)], 0.0, &density).unwrap();
        assert!((table.total_mass() - 1.0).abs() < 1e-12);
        for x in [1e-9, 1e-4, 0.01, 0.3, 0.5, 0.999, 1.0 - 1e-9] {
            let f = table.cdf(&[x], &density).unwrap()[0];
            let exact = 2.0 / std::f64::consts::PI * x.sqrt().asin();
            assert!((f - exact).abs() < 1e-10, "x = {x}: {f} vs {exact}");
        }
    }
}

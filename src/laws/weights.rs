//! Discrete weight laws: the law H of the scalar weights τ of a block.
//!
//! A [`WeightLaw`] is a finite set of atoms (value, probability), sorted by value with duplicate values
//! merged. Monte Carlo samples of τ are weight laws with equal masses; a continuous law is represented
//! by a large sample, optionally compressed with [`WeightLaw::compress`].

use crate::error::LawError;
use crate::tol;

/// A probability law on the real line with finitely many atoms.
///
/// Invariants: at least one atom; values finite, strictly increasing; probabilities finite, positive,
/// summing to 1 up to rounding (they are renormalised on construction).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightLaw {
    values: Vec<f64>,
    probs: Vec<f64>,
}

impl WeightLaw {
    /// Builds a law from `(probability, value)` pairs, the order the CLI accepts (`P:T`).
    ///
    /// Atoms with probability exactly 0 are dropped; equal values are merged.
    ///
    /// # Errors
    /// [`LawError`] when there is no atom, a value is not finite, a probability is negative or not
    /// finite, or the probabilities do not sum to 1 within [`tol::PROBABILITY_SUM`].
    pub fn from_atoms(atoms: &[(f64, f64)]) -> Result<Self, LawError> {
        if atoms.is_empty() {
            return Err(LawError::NoAtoms);
        }
        let mut sum = 0.0;
        for &(p, t) in atoms {
            // Written so that NaN fails both checks.
            if !(p.is_finite() && p >= 0.0) {
                return Err(LawError::Probability(p));
            }
            if !t.is_finite() {
                return Err(LawError::Value(t));
            }
            sum += p;
        }
        // Every p is finite here, so the sum is too.
        if (sum - 1.0).abs() > tol::PROBABILITY_SUM {
            return Err(LawError::ProbabilitySum {
                sum,
                tol: tol::PROBABILITY_SUM,
            });
        }
        let mut pairs: Vec<(f64, f64)> = atoms
            .iter()
            .filter(|(p, _)| *p > 0.0)
            .map(|&(p, t)| (t, p / sum))
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Self::from_sorted_pairs(pairs))
    }

    /// Builds the empirical law of a sample: each sample value is an atom of mass 1/n.
    ///
    /// # Errors
    /// [`LawError::NoAtoms`] for an empty sample, [`LawError::Value`] for a non-finite value.
    pub fn from_samples(samples: &[f64]) -> Result<Self, LawError> {
        if samples.is_empty() {
            return Err(LawError::NoAtoms);
        }
        if let Some(&bad) = samples.iter().find(|t| !t.is_finite()) {
            return Err(LawError::Value(bad));
        }
        let mass = 1.0 / samples.len() as f64;
        let mut pairs: Vec<(f64, f64)> = samples.iter().map(|&t| (t, mass)).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Self::from_sorted_pairs(pairs))
    }

    /// The point mass at `value`.
    ///
    /// # Errors
    /// [`LawError::Value`] when `value` is not finite.
    pub fn point(value: f64) -> Result<Self, LawError> {
        Self::from_atoms(&[(1.0, value)])
    }

    /// Discretises a continuous weight law given by a density on [a, b] (not necessarily
    /// normalised) with `nodes`-point Gauss–Legendre quadrature: the atoms are the nodes, with
    /// masses proportional to quadrature weight × density.
    ///
    /// The GMP law depends on H only through E[τ/(1 + γτm)], so for z away from the support of
    /// the discretised law this converges like the quadrature rule, exponentially in `nodes` for a
    /// density analytic on [a, b]. Near the axis, each atom of H can leave its own small bulk at
    /// large γ (where the law of the block resolves single weights), so use many nodes there.
    ///
    /// # Errors
    /// [`LawError::Value`] for a non-finite end or density value, [`LawError::Probability`] for a
    /// negative density value, [`LawError::NoAtoms`] if `nodes` is 0, a < b fails, or the density
    /// integrates to 0.
    pub fn from_density(
        density: impl Fn(f64) -> f64,
        (a, b): (f64, f64),
        nodes: usize,
    ) -> Result<Self, LawError> {
        if !(a.is_finite() && b.is_finite()) {
            return Err(LawError::Value(if a.is_finite() { b } else { a }));
        }
        let Some(degree) = std::num::NonZeroUsize::new(nodes).filter(|_| a < b) else {
            return Err(LawError::NoAtoms);
        };
        let rule = gauss_quad::legendre::GaussLegendre::new(degree);
        let mut pairs = Vec::with_capacity(nodes);
        for &(node, weight) in rule.as_node_weight_pairs() {
            let x = a + 0.5 * (b - a) * (node + 1.0);
            let f = density(x);
            if !f.is_finite() {
                return Err(LawError::Value(f));
            }
            if f < 0.0 {
                return Err(LawError::Probability(f));
            }
            pairs.push((x, weight * f));
        }
        let total: f64 = pairs.iter().map(|(_, w)| w).sum();
        // Written so that NaN fails too.
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(LawError::NoAtoms);
        }
        let mut pairs: Vec<(f64, f64)> = pairs
            .into_iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|(x, w)| (x, w / total))
            .collect();
        pairs.sort_by(|p, q| p.0.total_cmp(&q.0));
        Ok(Self::from_sorted_pairs(pairs))
    }

    fn from_sorted_pairs(pairs: Vec<(f64, f64)>) -> Self {
        let mut values: Vec<f64> = Vec::with_capacity(pairs.len());
        let mut probs: Vec<f64> = Vec::with_capacity(pairs.len());
        for (t, p) in pairs {
            match values.last() {
                Some(&last) if last == t => *probs.last_mut().expect("same length") += p,
                _ => {
                    values.push(t);
                    probs.push(p);
                }
            }
        }
        Self { values, probs }
    }

    /// Returns the law of c·τ for c > 0 (values multiplied by c, probabilities kept).
    ///
    /// # Panics
    /// If c is not finite and positive.
    pub fn scaled(&self, c: f64) -> Self {
        assert!(
            c.is_finite() && c > 0.0,
            "scale factor must be finite and positive, got {c}"
        );
        Self {
            values: self.values.iter().map(|t| t * c).collect(),
            probs: self.probs.clone(),
        }
    }

    /// Atom values, strictly increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Atom probabilities, in the order of [`values`](Self::values).
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// Number of distinct atoms.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a weight law has at least one atom.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The probability q = P(τ = 0).
    pub fn zero_mass(&self) -> f64 {
        self.values
            .iter()
            .zip(&self.probs)
            .filter(|(t, _)| **t == 0.0)
            .map(|(_, p)| *p)
            .sum()
    }

    /// The raw moment E[τ^k].
    pub fn moment(&self, k: i32) -> f64 {
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(t, p)| p * t.powi(k))
            .sum()
    }

    /// The largest |τ|, the natural scale of the law.
    pub fn max_abs(&self) -> f64 {
        self.values.iter().fold(0.0, |acc: f64, t| acc.max(t.abs()))
    }

    /// Compresses the law to at most `max_atoms` atoms by equal-probability binning.
    ///
    /// Consecutive non-zero atoms are grouped into bins of about equal mass, (1 − P(τ = 0))/max_atoms;
    /// each bin becomes one atom at the bin's mean, with the bin's mass. Atoms exactly at 0 keep
    /// their own bin, so the atom of the spectral law at 0 is unchanged. The first moment is preserved exactly (up to rounding); the
    /// error in E[g(τ)] for smooth g is of order (bin spread)² · sup|g''|, which for a bounded law and
    /// 2048 bins is far below Monte Carlo noise. Returns a clone when the law is already small enough.
    pub fn compress(&self, max_atoms: usize) -> Self {
        if self.len() <= max_atoms || max_atoms == 0 {
            return self.clone();
        }
        // The budget goes to the non-zero atoms. ReLU gates close three quarters of the weights of
        // an off-diagonal block, and equal bins over the whole mass would leave only a quarter of
        // the atoms to the rest of the law.
        let nonzero_mass = 1.0 - self.zero_mass();
        let target = nonzero_mass / max_atoms as f64;
        let mut pairs = Vec::with_capacity(max_atoms + 2);
        let (mut mass, mut first_moment) = (0.0, 0.0);
        for (&t, &p) in self.values.iter().zip(&self.probs) {
            if t == 0.0 {
                if mass > 0.0 {
                    pairs.push((first_moment / mass, mass));
                    (mass, first_moment) = (0.0, 0.0);
                }
                pairs.push((0.0, p));
                continue;
            }
            mass += p;
            first_moment += p * t;
            if mass >= target {
                pairs.push((first_moment / mass, mass));
                (mass, first_moment) = (0.0, 0.0);
            }
        }
        if mass > 0.0 {
            pairs.push((first_moment / mass, mass));
        }
        Self::from_sorted_pairs(pairs)
    }

    /// Merges the two outermost atoms at the low end (`low_end`) or the high end into one atom at
    /// their mean, with their total mass. A law with one atom is returned unchanged.
    pub fn merge_end_atoms(&self, low_end: bool) -> Self {
        let n = self.len();
        if n < 2 {
            return self.clone();
        }
        let (i, j) = if low_end { (0, 1) } else { (n - 2, n - 1) };
        let mass = self.probs[i] + self.probs[j];
        let mean = (self.probs[i] * self.values[i] + self.probs[j] * self.values[j]) / mass;
        let mut pairs: Vec<(f64, f64)> = self
            .values
            .iter()
            .copied()
            .zip(self.probs.iter().copied())
            .collect();
        pairs[i] = (mean, mass);
        pairs.remove(j);
        Self::from_sorted_pairs(pairs)
    }

    /// The mixture Σ_r w_r H_r of several laws with the given mixing weights (which must sum to 1).
    pub fn mixture(parts: &[(f64, &WeightLaw)]) -> Self {
        let mut pairs: Vec<(f64, f64)> = parts
            .iter()
            .flat_map(|(w, law)| {
                law.values
                    .iter()
                    .zip(&law.probs)
                    .map(move |(t, p)| (*t, w * p))
            })
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        Self::from_sorted_pairs(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_atoms_merges_and_sorts() {
        let law = WeightLaw::from_atoms(&[(0.25, 2.0), (0.5, -1.0), (0.25, 2.0)]).unwrap();
        assert_eq!(law.values(), &[-1.0, 2.0]);
        assert_eq!(law.probs(), &[0.5, 0.5]);
        assert_eq!(law.moment(1), 0.5);
    }

    #[test]
    fn from_atoms_rejects_bad_input() {
        assert_eq!(WeightLaw::from_atoms(&[]), Err(LawError::NoAtoms));
        assert_eq!(
            WeightLaw::from_atoms(&[(-0.1, 1.0), (1.1, 2.0)]),
            Err(LawError::Probability(-0.1))
        );
        assert!(matches!(
            WeightLaw::from_atoms(&[(0.5, 1.0), (0.4, 2.0)]),
            Err(LawError::ProbabilitySum { .. })
        ));
        assert!(matches!(
            WeightLaw::from_atoms(&[(f64::NAN, 1.0)]),
            Err(LawError::Probability(_))
        ));
        assert!(matches!(
            WeightLaw::from_atoms(&[(1.0, f64::INFINITY)]),
            Err(LawError::Value(_))
        ));
    }

    #[test]
    fn zero_mass_counts_only_exact_zeros() {
        let law = WeightLaw::from_atoms(&[(0.3, 0.0), (0.7, 1e-300)]).unwrap();
        assert_eq!(law.zero_mass(), 0.3);
    }

    #[test]
    fn compress_keeps_mass_mean_and_zero_atom() {
        let samples: Vec<f64> = (0..10_000)
            .map(|i| {
                if i % 4 == 0 {
                    0.0
                } else {
                    (i as f64 * 0.37).sin()
                }
            })
            .collect();
        let law = WeightLaw::from_samples(&samples).unwrap();
        let small = law.compress(100);
        assert!(small.len() <= 102, "got {} atoms", small.len());
        let mass: f64 = small.probs().iter().sum();
        assert!((mass - 1.0).abs() < 1e-12, "mass {mass}");
        assert!((small.moment(1) - law.moment(1)).abs() < 1e-12);
        assert!((small.zero_mass() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn merge_end_atoms_keeps_mass_and_mean() {
        let law = WeightLaw::from_atoms(&[(0.1, -3.0), (0.2, -1.0), (0.7, 2.0)]).unwrap();
        let low = law.merge_end_atoms(true);
        assert_eq!(low.len(), 2);
        assert!((low.values()[0] - (-0.3 - 0.2) / 0.3).abs() < 1e-15);
        assert!((low.moment(1) - law.moment(1)).abs() < 1e-15);
        let high = law.merge_end_atoms(false);
        assert_eq!(high.values()[0], -3.0);
        assert!((high.probs()[1] - 0.9).abs() < 1e-15);
    }

    #[test]
    fn mixture_weights_components() {
        let a = WeightLaw::point(1.0).unwrap();
        let b = WeightLaw::point(3.0).unwrap();
        let mix = WeightLaw::mixture(&[(0.25, &a), (0.75, &b)]);
        assert_eq!(mix.values(), &[1.0, 3.0]);
        assert_eq!(mix.probs(), &[0.25, 0.75]);
    }

    #[test]
    fn from_density_reproduces_moments() {
        // Uniform on [0, 2]: E τ = 1, E τ² = 4/3, E τ³ = 2; Gauss–Legendre with 8 nodes is exact
        // for polynomials up to degree 15.
        let law = WeightLaw::from_density(|_| 1.0, (0.0, 2.0), 8).unwrap();
        assert_eq!(law.len(), 8);
        for (k, exact) in [(1, 1.0), (2, 4.0 / 3.0), (3, 2.0)] {
            assert!(
                (law.moment(k) - exact).abs() < 1e-14,
                "E τ^{k} = {}",
                law.moment(k)
            );
        }
        assert!(WeightLaw::from_density(|x| -x, (0.0, 1.0), 4).is_err());
        assert!(WeightLaw::from_density(|_| 1.0, (1.0, 0.0), 4).is_err());
        assert!(WeightLaw::from_density(|_| 0.0, (0.0, 1.0), 4).is_err());
    }
}

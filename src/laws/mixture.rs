//! Equal-weight mixtures of spectral laws.
//!
//! When replicates are pooled and each replicate has its own law (for example the law conditional
//! on a freshly drawn weight matrix), the pooled ESD estimates the average of the per-replicate
//! laws: F = (1/R) Σ_r F_r. A [`Mixture`] is that average.

use std::sync::Arc;

use num_complex::Complex64;

use super::{Atom, SpectralLaw};
use crate::error::SolverError;

/// The average (1/R) Σ_r μ_r of R spectral laws.
#[derive(Clone)]
pub struct Mixture {
    parts: Vec<Arc<dyn SpectralLaw>>,
    label: String,
}

impl std::fmt::Debug for Mixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mixture")
            .field("parts", &self.parts.len())
            .field("label", &self.label)
            .finish()
    }
}

impl Mixture {
    /// Builds the mixture.
    ///
    /// # Panics
    /// If `parts` is empty.
    pub fn new(parts: Vec<Arc<dyn SpectralLaw>>, label: impl Into<String>) -> Self {
        assert!(!parts.is_empty(), "a mixture needs at least one law");
        Self {
            parts,
            label: label.into(),
        }
    }

    fn average(&self, columns: Vec<Vec<f64>>) -> Vec<f64> {
        let weight = 1.0 / self.parts.len() as f64;
        let mut out = vec![0.0; columns[0].len()];
        for column in columns {
            for (o, v) in out.iter_mut().zip(column) {
                *o += weight * v;
            }
        }
        out
    }
}

impl SpectralLaw for Mixture {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn support(&self) -> Vec<(f64, f64)> {
        let mut all: Vec<(f64, f64)> = self.parts.iter().flat_map(|p| p.support()).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (lo, hi) in all {
            match merged.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        merged
    }

    fn atoms(&self) -> Vec<Atom> {
        let weight = 1.0 / self.parts.len() as f64;
        let mut all: Vec<Atom> = self
            .parts
            .iter()
            .flat_map(|p| p.atoms())
            .map(|a| Atom {
                x: a.x,
                mass: weight * a.mass,
            })
            .collect();
        all.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut merged: Vec<Atom> = Vec::new();
        for atom in all {
            match merged.last_mut() {
                Some(last) if last.x == atom.x => last.mass += atom.mass,
                _ => merged.push(atom),
            }
        }
        merged
    }

    fn density(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        let columns = self
            .parts
            .iter()
            .map(|p| p.density(xs))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.average(columns))
    }

    fn cdf(&self, xs: &[f64]) -> Result<Vec<f64>, SolverError> {
        let columns = self
            .parts
            .iter()
            .map(|p| p.cdf(xs))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.average(columns))
    }

    fn density_and_cdf(&self, xs: &[f64]) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
        let (mut densities, mut cdfs) = (Vec::new(), Vec::new());
        for part in &self.parts {
            let (d, f) = part.density_and_cdf(xs)?;
            densities.push(d);
            cdfs.push(f);
        }
        Ok((self.average(densities), self.average(cdfs)))
    }

    fn stieltjes(&self, z: Complex64) -> Result<Complex64, SolverError> {
        let mut sum = Complex64::new(0.0, 0.0);
        for part in &self.parts {
            sum += part.stieltjes(z)?;
        }
        Ok(sum / self.parts.len() as f64)
    }

    fn moments(&self, count: usize) -> Vec<f64> {
        self.average(self.parts.iter().map(|p| p.moments(count)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laws::MarchenkoPastur;

    #[test]
    fn mixture_averages_cdf_and_merges_atoms() {
        let a: Arc<dyn SpectralLaw> = Arc::new(MarchenkoPastur::new(2.0, 1.0).unwrap());
        let b: Arc<dyn SpectralLaw> = Arc::new(MarchenkoPastur::new(4.0, 1.0).unwrap());
        let mix = Mixture::new(vec![a, b], "two MP laws");
        let atoms = mix.atoms();
        assert_eq!(atoms.len(), 1);
        assert!((atoms[0].mass - 0.5 * (0.5 + 0.75)).abs() < 1e-15);
        let f = mix.cdf(&[0.0, 100.0]).unwrap();
        assert!((f[0] - 0.625).abs() < 1e-15 && (f[1] - 1.0).abs() < 1e-15);
        assert_eq!(mix.support().len(), 1);
    }
}

//! The parallel replicate driver.

use faer::Par;
use rand_pcg::Pcg64;
use rayon::prelude::*;

use super::seeds::{Stream, rng};

/// Runs `work(index, generator)` for replicates 0..count in parallel and returns the results in
/// replicate order. Replicate r always gets the generator of [`Stream::Replicate`]`(r)`, so the
/// output does not depend on the thread count. `on_done` is called once per finished replicate
/// (for progress bars).
///
/// # Errors
/// The error of the first failing replicate, in replicate order.
pub fn run_replicates<T, E, F>(
    seed: u64,
    count: u64,
    work: F,
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(u64, &mut Pcg64) -> Result<T, E> + Sync,
{
    (0..count)
        .into_par_iter()
        .map(|index| {
            let mut generator = rng(seed, Stream::Replicate(index));
            let result = work(index, &mut generator);
            on_done();
            result
        })
        .collect()
}

/// Parallelism inside one replicate, for its matrix products and eigenvalues. With two or more
/// replicates, [`run_replicates`] already keeps the threads busy, so each replicate runs on one
/// thread. A single replicate instead splits its products and its tridiagonal reduction in two
/// (`Par::rayon(2)`): at d = 8000 that halves a run that would otherwise use one core.
///
/// The rule depends on the number of replicates only, never on the machine, so the results do not
/// depend on the thread count (the split is fixed, whatever the pool holds).
pub fn within_replicate(replicates: usize) -> Par {
    if replicates >= 2 {
        Par::Seq
    } else {
        Par::rayon(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let work = |i: u64, g: &mut Pcg64| -> Result<(u64, u64), ()> { Ok((i, g.next_u64())) };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let a = one.install(|| run_replicates(5, 16, work, &|| {})).unwrap();
        let b = four
            .install(|| run_replicates(5, 16, work, &|| {}))
            .unwrap();
        assert_eq!(a, b);
        assert!(a.iter().enumerate().all(|(i, (j, _))| i as u64 == *j));
    }
}

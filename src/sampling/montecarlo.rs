//! The parallel replicate driver.

use std::sync::{Mutex, PoisonError};

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

/// Runs [`run_replicates`] with a scratch value per running replicate. `work(index, generator,
/// scratch)` gets an `S` that earlier replicates on any thread may have used, or a fresh
/// `S::default()`. At most as many scratch values exist as replicates run at once, and all are
/// dropped on return.
///
/// For buffers that a replicate overwrites before reading, such as the n×n matrices of a block,
/// this saves allocating, zeroing and faulting in fresh memory every replicate. The results must
/// not depend on what the scratch held, and then they do not depend on the thread count either.
///
/// # Errors
/// The error of the first failing replicate, in replicate order.
pub fn run_replicates_with<T, E, S, F>(
    seed: u64,
    count: u64,
    work: F,
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    S: Default + Send,
    F: Fn(u64, &mut Pcg64, &mut S) -> Result<T, E> + Sync,
{
    let idle: Mutex<Vec<S>> = Mutex::new(Vec::new());
    // A poisoned lock means that another replicate panicked while pushing or popping. The list is
    // still valid, and that panic reaches the caller anyway.
    let lock = || idle.lock().unwrap_or_else(PoisonError::into_inner);
    run_replicates(
        seed,
        count,
        |index, generator| {
            let mut scratch = lock().pop().unwrap_or_default();
            let result = work(index, generator, &mut scratch);
            lock().push(scratch);
            result
        },
        on_done,
    )
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

    #[test]
    fn scratch_pool_reuses_values() {
        // Each scratch counts the replicates it served. With 2 threads and 16 replicates, at most
        // 2 scratch values can be in use at once, so at most 2 are ever made, and some must have
        // served several replicates.
        let created = std::sync::atomic::AtomicUsize::new(0);
        #[derive(Default)]
        struct Counter(usize);
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let uses = two
            .install(|| {
                run_replicates_with(
                    5,
                    16,
                    |i, g, scratch: &mut Counter| -> Result<(u64, u64, usize), ()> {
                        if scratch.0 == 0 {
                            created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        scratch.0 += 1;
                        Ok((i, g.next_u64(), scratch.0))
                    },
                    &|| {},
                )
            })
            .unwrap();

        let created = created.into_inner();
        assert!(
            (1..=2).contains(&created),
            "{created} scratch values for 2 threads"
        );
        assert!(uses.iter().any(|&(_, _, n)| n > 1), "no scratch was reused");

        // The generators are those of run_replicates.
        let plain = run_replicates(5, 16, |i, g| Ok::<_, ()>((i, g.next_u64())), &|| {}).unwrap();
        let with: Vec<(u64, u64)> = uses.iter().map(|&(i, x, _)| (i, x)).collect();
        assert_eq!(plain, with);
    }
}

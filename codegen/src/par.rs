//! Independent jobs on every core (scoped threads, no dependency): spec files are parsed and
//! output files rendered this way. Results come back in input order, so output stays
//! deterministic.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `job` over `items` on as many threads as the machine has cores, each thread pulling the
/// next item (jobs differ a lot in size); the results in input order.
pub(crate) fn all<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&job).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break mine };
                        mine.push((i, job(item)));
                    }
                })
            })
            .collect();
        // Jobs do not panic on input; if one did (a bug), its panic goes on rather than its
        // results silently going missing.
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

//! Pure work over many items (judging every application) on every core of the machine.

use std::num::NonZeroUsize;

/// Below this many items a second thread costs more than it saves.
const MIN_PER_THREAD: usize = 128;

/// `f` applied to every item, the items split between the machine's cores; the results come
/// in the order of `items`. `f` must be pure (it runs on other threads, in any order).
pub fn map_on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    map_on_threads(items, cores, f)
}

/// As [`map_on_every_core`], with at most `threads` threads.
pub fn map_on_threads<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let per_thread = items.len().div_ceil(threads.max(1)).max(MIN_PER_THREAD);
    if items.len() <= per_thread {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| match part.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_however_they_are_split() {
        let items: Vec<u64> = (0..1_000).collect();
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        for threads in [1, 2, 3, 8, 64] {
            assert_eq!(map_on_threads(&items, threads, |n| n * n), expected);
        }
        assert_eq!(map_on_every_core(&items, |n| n * n), expected);
        assert!(map_on_every_core(&[] as &[u64], |n| *n).is_empty());
    }

    #[test]
    fn the_work_is_shared_between_threads_when_there_is_enough() {
        let items: Vec<u32> = (0..1_000).collect();
        let threads = map_on_threads(&items, 4, |_| std::thread::current().id());
        let distinct: std::collections::BTreeSet<String> =
            threads.iter().map(|t| format!("{t:?}")).collect();
        assert_eq!(distinct.len(), 4);
        let few = map_on_threads(&items[..100], 4, |_| std::thread::current().id());
        assert!(
            few.iter().all(|t| *t == few[0]),
            "a small batch stays on one thread"
        );
    }
}

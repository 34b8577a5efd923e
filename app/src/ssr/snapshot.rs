//! Values computed from the whole estate (the matrix's), kept until the next change.
//!
//! Like [`super::remembered`], a value is stamped with what it was computed at (the audit
//! chain's head, which moves with every change, and whatever else it depends on, such as the
//! day) and trusted only while a request reads the same stamp. One value per type. When the stamp
//! moves, the first request to see it computes the new value (and waits for it); requests that
//! come while it computes are served the value kept, as of the change before, rather than queue
//! behind a computation of seconds at 20,000 applications; with nothing kept they wait for it.
//! So a request never sees a value older than the last change committed before some request of
//! the same instance began computing, and an instance that has seen no request since a change
//! (another instance) computes it when asked.

use std::any::{Any, TypeId};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};

type Value = Arc<dyn Any + Send + Sync>;

/// One type's slot: the value kept with its stamp, and whether a request is computing another.
#[derive(Default)]
struct Slot {
    kept: Mutex<(Option<(String, Value)>, bool)>,
    /// Held while computing: with nothing kept, the others wait on it.
    computing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
pub struct Snapshots {
    slots: Mutex<HashMap<TypeId, Arc<Slot>>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshots")
    }
}

/// Clears a slot's "computing" mark however the computation ends (an error, a dropped request).
struct Computing<'a>(&'a Slot);

impl Drop for Computing<'_> {
    fn drop(&mut self) {
        self.0.kept.lock().unwrap_or_else(|e| e.into_inner()).1 = false;
    }
}

impl Snapshots {
    /// The value of type `T` computed at `stamp`: the one kept when it was computed at `stamp`;
    /// the one kept (computed at an earlier stamp) while another request computes the new one;
    /// otherwise computed by `build` now, and kept.
    pub async fn get<T, E, Fut>(
        &self,
        stamp: &str,
        build: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        Fut: Future<Output = Result<T, E>>,
    {
        self.get_from(stamp, |_| build()).await
    }

    /// As [`Self::get`], with `build` given the value kept at an earlier stamp, if any, so that
    /// it can compute the new value from the old one and what changed since.
    pub async fn get_from<T, E, Fut>(
        &self,
        stamp: &str,
        build: impl FnOnce(Option<Arc<T>>) -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        Fut: Future<Output = Result<T, E>>,
    {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(TypeId::of::<T>())
            .or_default()
            .clone();
        let kept_value = |slot: &Slot, any_stamp: bool| {
            let kept = slot.kept.lock().unwrap_or_else(|e| e.into_inner());
            let (value, computing) = &*kept;
            value
                .as_ref()
                .filter(|(at, _)| at == stamp || (any_stamp && *computing))
                .and_then(|(_, v)| v.clone().downcast::<T>().ok())
        };
        if let Some(v) = kept_value(&slot, true) {
            return Ok(v);
        }
        let _turn = slot.computing.lock().await;
        // Computed meanwhile by the request this one waited for.
        if let Some(v) = kept_value(&slot, false) {
            return Ok(v);
        }
        let previous = {
            let mut kept = slot.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.1 = true;
            kept.0
                .as_ref()
                .and_then(|(_, v)| v.clone().downcast::<T>().ok())
        };
        let computing = Computing(&slot);
        let value = Arc::new(build(previous).await?);
        {
            let mut kept = slot.kept.lock().unwrap_or_else(|e| e.into_inner());
            let value: Value = value.clone();
            // The value it replaces goes once the last request reading it is done.
            kept.0 = Some((stamp.to_string(), value));
        }
        drop(computing);
        Ok(value)
    }

    /// Forgets everything: for writes that bypass the audit trail (test fixtures), never the
    /// portal itself.
    pub fn forget(&self) {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// How many derived values a [`Memo`] keeps: enough for the filters and pages people look at
/// between two changes, few enough that memory stays flat (a matrix page is about half a MB).
pub const MEMO_CAPACITY: usize = 64;

type MemoKey = (TypeId, String);

/// Values derived from one snapshot, by type and key (a filter, a page): each computed once
/// while the snapshot holds, at most [`MEMO_CAPACITY`] kept (when full, the oldest goes). It
/// lives inside the snapshot, so a change that replaces the snapshot drops it too.
#[derive(Default)]
pub struct Memo {
    kept: Mutex<(VecDeque<MemoKey>, HashMap<MemoKey, Value>)>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    /// The value of type `T` kept for `key`, or `compute`d now (outside the lock: two requests
    /// asking at once may both compute it; the first kept wins).
    pub fn get_or<T: Any + Send + Sync>(&self, key: &str, compute: impl FnOnce() -> T) -> Arc<T> {
        let id: MemoKey = (TypeId::of::<T>(), key.to_string());
        let found = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            kept.1.get(&id).cloned()
        };
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        let value = Arc::new(compute());
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = kept
            .1
            .get(&id)
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
        {
            return v;
        }
        if kept.0.len() >= MEMO_CAPACITY
            && let Some(oldest) = kept.0.pop_front()
        {
            kept.1.remove(&oldest);
        }
        kept.0.push_back(id.clone());
        kept.1.insert(id, value.clone());
        value
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn while_one_request_computes_a_new_value_the_others_get_the_one_kept() {
        let s = Arc::new(Snapshots::default());
        assert_eq!(
            *s.get("h1", || async { Ok::<u32, ()>(1) }).await.unwrap(),
            1
        );
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
        let computing = {
            let s = s.clone();
            tokio::spawn(async move {
                *s.get("h2", || async move {
                    started_tx.send(()).unwrap();
                    finish_rx.await.unwrap();
                    Ok::<u32, ()>(2)
                })
                .await
                .unwrap()
            })
        };
        started_rx.await.unwrap();
        // The stamp moved, but a request is computing: the value kept, without waiting.
        let during = s.get("h2", || async { Ok::<u32, ()>(99) }).await.unwrap();
        assert_eq!(*during, 1, "served the value kept while h2 is computed");
        finish_tx.send(()).unwrap();
        assert_eq!(computing.await.unwrap(), 2);
        assert_eq!(
            *s.get("h2", || async { Ok::<u32, ()>(99) }).await.unwrap(),
            2
        );
        // A failed computation leaves the value kept and lets the next request try again.
        assert!(s.get("h3", || async { Err::<u32, ()>(()) }).await.is_err());
        assert_eq!(
            *s.get("h3", || async { Ok::<u32, ()>(3) }).await.unwrap(),
            3
        );
    }

    #[tokio::test]
    async fn with_nothing_kept_requests_wait_for_the_one_computing() {
        let s = Arc::new(Snapshots::default());
        let built = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (s, built) = (s.clone(), built.clone());
            tasks.push(tokio::spawn(async move {
                *s.get("h1", || async move {
                    built.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    Ok::<u32, ()>(7)
                })
                .await
                .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(
            built.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "computed once"
        );
    }

    #[test]
    fn a_derived_value_is_computed_once_per_type_and_key_and_the_oldest_goes_first() {
        let m = Memo::default();
        let mut computed = 0;
        let mut get = |key: &str, v: u32| {
            *m.get_or(key, || {
                computed += 1;
                v
            })
        };
        assert_eq!(get("a", 1), 1);
        assert_eq!(get("a", 2), 1, "kept for a");
        assert_eq!(get("b", 3), 3);
        assert_eq!(computed, 2);
        // Another type under the same key is another value.
        assert_eq!(*m.get_or("a", || "text"), "text");
        assert_eq!(m.len(), 3);
        for i in 0..MEMO_CAPACITY {
            m.get_or(&format!("k{i}"), || i);
        }
        assert_eq!(m.len(), MEMO_CAPACITY, "bounded");
        assert_eq!(*m.get_or("a", || 9u32), 9, "the oldest was dropped first");
        let last = format!("k{}", MEMO_CAPACITY - 1);
        assert_eq!(
            *m.get_or(&last, || 0usize),
            MEMO_CAPACITY - 1,
            "the newest kept"
        );
    }

    #[tokio::test]
    async fn a_value_is_computed_once_per_stamp() {
        let s = Snapshots::default();
        let built = std::sync::atomic::AtomicU32::new(0);
        let make = |v: u32| {
            built.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Ok::<u32, ()>(v) }
        };
        assert_eq!(*s.get("h1", || make(1)).await.unwrap(), 1);
        assert_eq!(*s.get("h1", || make(2)).await.unwrap(), 1, "kept at h1");
        assert_eq!(
            *s.get("h2", || make(3)).await.unwrap(),
            3,
            "the stamp moved"
        );
        assert_eq!(built.load(std::sync::atomic::Ordering::SeqCst), 2);
        s.forget();
        assert_eq!(*s.get("h2", || make(4)).await.unwrap(), 4, "forgotten");
    }

    #[tokio::test]
    async fn a_new_value_is_built_from_the_one_kept() {
        let s = Snapshots::default();
        let first = s
            .get_from("h1", |kept: Option<Arc<u32>>| async move {
                Ok::<u32, ()>(kept.map_or(10, |k| *k + 1))
            })
            .await
            .unwrap();
        assert_eq!(*first, 10, "nothing kept: built from scratch");
        let next = s
            .get_from("h2", |kept: Option<Arc<u32>>| async move {
                Ok::<u32, ()>(kept.map_or(10, |k| *k + 1))
            })
            .await
            .unwrap();
        assert_eq!(*next, 11, "built from the value kept at h1");
        assert_eq!(
            *s.get("h2", || async { Ok::<u32, ()>(0) }).await.unwrap(),
            11
        );
    }
}

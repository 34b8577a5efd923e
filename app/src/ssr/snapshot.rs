//! Values computed from the whole estate (the matrix's), kept until the next change.
//!
//! Like [`super::remembered`], a value is stamped with what it was computed at (the audit
//! chain's head, which moves with every change, and whatever else it depends on, such as the
//! day) and trusted only while a request reads the same stamp, so several instances never serve
//! one older than the last committed change. One value per type; while one request computes it,
//! the others wait for it rather than compute it again.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

type Slot = Arc<tokio::sync::Mutex<Option<(String, Arc<dyn Any + Send + Sync>)>>>;

#[derive(Default)]
pub struct Snapshots {
    slots: Mutex<HashMap<TypeId, Slot>>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshots")
    }
}

impl Snapshots {
    /// The value of type `T` computed at `stamp`, computed by `build` (and kept) only when the
    /// one kept was computed at another stamp.
    pub async fn get<T, E, Fut>(
        &self,
        stamp: &str,
        build: impl FnOnce() -> Fut,
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
        let mut kept = slot.lock().await;
        if let Some((at, value)) = kept.as_ref()
            && at == stamp
            && let Ok(value) = value.clone().downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(build().await?);
        *kept = Some((stamp.to_string(), value.clone()));
        Ok(value)
    }

    /// Forgets everything: for writes that bypass the audit trail (test fixtures), never the
    /// portal itself.
    pub fn forget(&self) {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Figures remembered until the next change, such as how many rows a list's filter matches.
//!
//! Every state change appends an event to the audit trail in its own transaction, and the chain's
//! head (its sequence number and hash) moves with each. A figure computed while the head was H is
//! still right while the head is H: a request reads the head (one primary-key read) and trusts
//! what it remembers only for that head. So several instances behind a load balancer never serve
//! a figure older than the last committed change, and a database restored to another history
//! (another hash at the same sequence number) is never mistaken for this one.

use std::collections::HashMap;
use std::sync::Mutex;

/// How many figures one instance keeps (a few hundred bytes each).
const CAPACITY: usize = 4_096;

#[derive(Debug, Default)]
pub struct Remembered {
    figures: Mutex<HashMap<String, (String, u64)>>,
}

impl Remembered {
    /// The figure remembered under `key`, if it was computed at `head`.
    pub fn get(&self, key: &str, head: &str) -> Option<u64> {
        let figures = self.figures.lock().unwrap_or_else(|e| e.into_inner());
        figures
            .get(key)
            .filter(|(at, _)| at == head)
            .map(|(_, value)| *value)
    }

    /// The figure under `key` at `head`, computed by `compute` (and remembered) only when it is
    /// not remembered for that head.
    pub async fn figure<E, Fut>(
        &self,
        key: String,
        head: &str,
        compute: impl FnOnce() -> Fut,
    ) -> Result<u64, E>
    where
        Fut: std::future::Future<Output = Result<u64, E>>,
    {
        if let Some(value) = self.get(&key, head) {
            return Ok(value);
        }
        let value = compute().await?;
        self.put(key, head, value);
        Ok(value)
    }

    /// Forgets everything: for writes that bypass the audit trail (test fixtures that insert rows
    /// directly, never the portal itself).
    pub fn forget(&self) {
        self.figures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Remembers `value` under `key` as computed at `head`. When full, figures of other heads go
    /// first (they can never be used again), and if every figure is current, all of them.
    pub fn put(&self, key: String, head: &str, value: u64) {
        let mut figures = self.figures.lock().unwrap_or_else(|e| e.into_inner());
        if figures.len() >= CAPACITY && !figures.contains_key(&key) {
            figures.retain(|_, (at, _)| at == head);
            if figures.len() >= CAPACITY {
                figures.clear();
            }
        }
        figures.insert(key, (head.to_string(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_holds_only_at_its_head() {
        let r = Remembered::default();
        assert_eq!(r.get("k", "h1"), None);
        r.put("k".into(), "h1", 7);
        assert_eq!(r.get("k", "h1"), Some(7));
        assert_eq!(r.get("k", "h2"), None, "the head moved");
        assert_eq!(r.get("other", "h1"), None);
        r.put("k".into(), "h2", 8);
        assert_eq!(r.get("k", "h2"), Some(8));
        assert_eq!(r.get("k", "h1"), None);
    }

    #[test]
    fn a_full_memory_forgets_old_heads_first() {
        let r = Remembered::default();
        for i in 0..CAPACITY - 1 {
            r.put(format!("old{i}"), "h1", 1);
        }
        r.put("current".into(), "h2", 2);
        r.put("new".into(), "h2", 3);
        let figures = r.figures.lock().unwrap();
        assert_eq!(figures.len(), 2, "stale figures dropped");
        assert_eq!(figures.get("current"), Some(&("h2".to_string(), 2)));
    }
}

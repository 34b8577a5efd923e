//! The hash chain, as pure functions over stored bytes.

use super::model::ChainStatus;
use sha2::{Digest, Sha256};

/// The hash the first event points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event's fields exactly as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over every field but the hash itself, each length-prefixed so that no two different
/// events can share an encoding; an absent value is distinct from an empty one.
pub fn event_hash(e: &StoredEvent) -> String {
    let mut h = Sha256::new();
    h.update(b"portal.audit.v1");
    h.update(e.seq.to_be_bytes());
    for field in [
        Some(e.occurred_at.as_str()),
        Some(e.actor.as_str()),
        Some(e.action.as_str()),
        Some(e.subject_type.as_str()),
        Some(e.subject_id.as_str()),
        e.before.as_deref(),
        e.after.as_deref(),
        Some(e.prev_hash.as_str()),
    ] {
        match field {
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    hex::encode(h.finalize())
}

/// Walks a chain in sequence order, batch by batch, and remembers the first broken link.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    broken: Option<(i64, String)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            broken: None,
        }
    }
}

impl ChainVerifier {
    /// Feeds the next event (in ascending `seq`). Returns false once the chain is broken.
    pub fn push(&mut self, e: &StoredEvent) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let problem = if e.seq != self.expected_seq {
            Some((
                self.expected_seq,
                format!(
                    "event {} is missing (the next stored event is {})",
                    self.expected_seq, e.seq
                ),
            ))
        } else if e.prev_hash != self.prev_hash {
            Some((
                e.seq,
                format!("event {} does not link to the event before it", e.seq),
            ))
        } else if event_hash(e) != e.hash {
            Some((
                e.seq,
                format!(
                    "event {} was altered after it was written (hash mismatch)",
                    e.seq
                ),
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            self.broken = Some(p);
            return false;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        true
    }

    /// Compares the end of the chain with the recorded head and gives the verdict.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> ChainStatus {
        if let Some((seq, problem)) = self.broken {
            return ChainStatus::Broken { seq, problem };
        }
        let last = self.expected_seq - 1;
        if head_seq > last {
            return ChainStatus::Broken {
                seq: last + 1,
                problem: format!(
                    "the trail was truncated: the head records {head_seq} events but it ends at event {last}"
                ),
            };
        }
        if head_seq < last || head_hash != self.prev_hash {
            return ChainStatus::Broken {
                seq: last,
                problem: format!("event {last} does not match the recorded chain head"),
            };
        }
        ChainStatus::Intact {
            events: last,
            head_hash: self.prev_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = StoredEvent {
                    seq,
                    occurred_at: format!("2026-11-22T10:00:{:02}.000000Z", seq % 60),
                    actor: "host-operator".into(),
                    action: "bootstrap.issued".into(),
                    subject_type: "enrolment_token".into(),
                    subject_id: format!("t{seq}"),
                    before: None,
                    after: Some(format!("{{\"n\":{seq}}}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = event_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[StoredEvent], head_seq: i64, head_hash: &str) -> ChainStatus {
        let mut v = ChainVerifier::default();
        for e in events {
            if !v.push(e) {
                break;
            }
        }
        v.finish(head_seq, head_hash)
    }

    fn head(events: &[StoredEvent]) -> (i64, String) {
        events
            .last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS.into()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let (s, h) = head(&c);
        assert_eq!(
            verify(&c, s, &h),
            ChainStatus::Intact {
                events: 5,
                head_hash: h.clone()
            }
        );
        assert_eq!(
            verify(&[], 0, GENESIS),
            ChainStatus::Intact {
                events: 0,
                head_hash: GENESIS.into()
            }
        );
    }

    #[test]
    fn edited_field_is_named() {
        let mut c = chain(5);
        let (s, h) = head(&c);
        c[2].after = Some("{\"n\":999}".into());
        assert!(matches!(
            verify(&c, s, &h),
            ChainStatus::Broken { seq: 3, .. }
        ));
    }

    #[test]
    fn absent_and_empty_values_hash_differently() {
        let c = chain(1);
        let mut e = c[0].clone();
        e.before = Some(String::new());
        assert_ne!(event_hash(&e), c[0].hash);
    }

    #[test]
    fn rehashed_edit_breaks_the_next_link() {
        let mut c = chain(5);
        let (s, h) = head(&c);
        c[1].actor = "user:mallory".into();
        c[1].hash = event_hash(&c[1]);
        match verify(&c, s, &h) {
            ChainStatus::Broken { seq, problem } => {
                assert_eq!(seq, 3);
                assert!(problem.contains("does not link"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deletion_in_the_middle_is_a_gap() {
        let mut c = chain(5);
        let (s, h) = head(&c);
        c.remove(3);
        match verify(&c, s, &h) {
            ChainStatus::Broken { seq, problem } => {
                assert_eq!(seq, 4);
                assert!(problem.contains("missing"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncation_is_caught_by_the_head() {
        let mut c = chain(5);
        let (s, h) = head(&c);
        c.truncate(3);
        match verify(&c, s, &h) {
            ChainStatus::Broken { seq, problem } => {
                assert_eq!(seq, 4);
                assert!(problem.contains("truncated"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forged_tail_does_not_match_head() {
        let c = chain(5);
        let (s, _) = head(&c);
        assert!(matches!(
            verify(&c, s, GENESIS),
            ChainStatus::Broken { seq: 5, .. }
        ));
    }
}

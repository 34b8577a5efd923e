//! Signed checkpoints (pure): what is signed, and what a database's chain says against the
//! latest checkpoint kept outside it.

use serde::{Deserialize, Serialize};

/// A checkpoint: the chain's head at `seq`, signed. Kept in the database and, the latest one, in
/// a file beside the key (outside the database, so a restored or truncated database cannot take
/// it back with it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339, UTC.
    pub signed_at: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Ed25519 signature of [`message`], hex.
    pub signature: String,
}

/// The bytes a checkpoint signs.
pub fn message(seq: i64, hash: &str, signed_at: &str) -> Vec<u8> {
    format!("portal.audit.checkpoint.v1\n{seq}\n{hash}\n{signed_at}\n").into_bytes()
}

/// What the database's chain says against a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Against {
    /// The chain holds the checkpoint's event with the same hash (and maybe more after it).
    Holds { later: i64 },
    /// The chain ends before the checkpoint: truncated, or an older backup restored.
    RolledBack { head: i64 },
    /// The chain's event at the checkpoint's sequence has another hash: the trail was replaced
    /// (an older backup restored and written to since, or rewritten).
    Diverged { stored: String },
}

/// Compares the chain (its length, and the hash of its event at the checkpoint's sequence) with
/// a checkpoint.
pub fn against(head_seq: i64, hash_at_checkpoint: Option<&str>, cp: &Checkpoint) -> Against {
    if head_seq < cp.seq {
        return Against::RolledBack { head: head_seq };
    }
    match hash_at_checkpoint {
        Some(h) if h == cp.hash => Against::Holds {
            later: head_seq - cp.seq,
        },
        Some(h) => Against::Diverged {
            stored: h.to_string(),
        },
        None => Against::RolledBack { head: head_seq },
    }
}

/// The sentence an operator or auditor reads.
pub fn explain(outcome: &Against, cp: &Checkpoint) -> String {
    match outcome {
        Against::Holds { later } => format!(
            "The chain holds the checkpoint signed {} at event {} ({} event(s) since).",
            cp.signed_at, cp.seq, later
        ),
        Against::RolledBack { head } => format!(
            "ROLLED BACK: the checkpoint signed {} covers {} events but the database holds only \
             {}: it was truncated or an older backup was restored ({} event(s) missing).",
            cp.signed_at,
            cp.seq,
            head,
            cp.seq - head
        ),
        Against::Diverged { stored } => format!(
            "REPLACED: event {} has hash {} but the checkpoint signed {} says {}: the trail was \
             rewritten, or an older backup was restored and written to since.",
            cp.seq, stored, cp.signed_at, cp.hash
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp() -> Checkpoint {
        Checkpoint {
            seq: 120,
            hash: "ab".repeat(32),
            signed_at: "2026-12-01T10:00:00Z".into(),
            public_key: "00".repeat(32),
            signature: "00".repeat(64),
        }
    }

    #[test]
    fn a_chain_that_grew_past_the_checkpoint_holds_it() {
        let c = cp();
        assert_eq!(against(125, Some(&c.hash), &c), Against::Holds { later: 5 });
        assert_eq!(against(120, Some(&c.hash), &c), Against::Holds { later: 0 });
    }

    #[test]
    fn a_shorter_chain_is_rolled_back_and_says_by_how_much() {
        let c = cp();
        let out = against(100, None, &c);
        assert_eq!(out, Against::RolledBack { head: 100 });
        let words = explain(&out, &c);
        assert!(words.contains("ROLLED BACK"), "{words}");
        assert!(words.contains("older backup"), "{words}");
        assert!(words.contains("20 event(s) missing"), "{words}");
    }

    #[test]
    fn another_hash_at_the_checkpoint_is_a_replaced_trail() {
        let c = cp();
        let out = against(130, Some(&"cd".repeat(32)), &c);
        assert!(matches!(out, Against::Diverged { .. }));
        assert!(explain(&out, &c).starts_with("REPLACED: event 120"));
    }

    #[test]
    fn the_signed_message_names_every_part() {
        let m = String::from_utf8(message(7, "ff", "t")).unwrap();
        assert_eq!(m, "portal.audit.checkpoint.v1\n7\nff\nt\n");
        assert_ne!(message(7, "ff", "t"), message(8, "ff", "t"));
    }
}

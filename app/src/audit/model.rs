//! Audit vocabulary shared with the browser.

use serde::{Deserialize, Serialize};

/// Everything the portal audits. Stored by its dotted name; names are never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    /// A first-admin enrolment link was issued from the host.
    BootstrapIssued,
    /// A first-admin link was issued while an active admin existed (break-glass).
    BootstrapBreakGlass,
    /// An unused enrolment link was revoked because a newer one replaced it.
    EnrolmentRevoked,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        Self::BootstrapIssued,
        Self::BootstrapBreakGlass,
        Self::EnrolmentRevoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BootstrapIssued => "bootstrap.issued",
            Self::BootstrapBreakGlass => "bootstrap.break_glass",
            Self::EnrolmentRevoked => "enrolment.revoked",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A signed-in user.
    User(crate::ids::UserId),
    /// An operator at the host's command line.
    HostOperator,
    /// The portal itself (expiry sweeps, reminders).
    System,
}

impl Actor {
    pub fn stored(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::HostOperator => "host-operator".into(),
            Self::System => "system".into(),
        }
    }
}

/// Outcome of a chain verification, as shown to auditors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainStatus {
    /// Every event links to the one before it and the head matches the last event.
    Intact { events: i64, head_hash: String },
    /// The first broken link, with the sequence number of the event where it shows.
    Broken { seq: i64, problem: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "duplicate name {}", a.as_str());
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        assert_eq!(AuditAction::parse("nope"), None);
    }
}

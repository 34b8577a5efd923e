//! What the features above use of the audit trail: writing an event inside their transaction,
//! reading the chain's head (which moves with every change, so figures remembered at a head hold
//! until the next change), and verifying the chain.

pub use super::model::{Actor, AuditAction, ChainStatus};
pub use super::rules::{StoredEvent, event_hash};
pub use super::ssr::{NewAuditEvent, actions_between, head, head_seq, record, verify_chain};

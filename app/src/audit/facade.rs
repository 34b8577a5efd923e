//! What the features above use of the audit trail: writing an event inside their transaction,
//! and verifying the chain.

pub use super::model::{Actor, AuditAction, ChainStatus};
pub use super::ssr::{NewAuditEvent, record, verify_chain};

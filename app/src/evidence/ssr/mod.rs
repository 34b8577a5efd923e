//! The evidence feature's persistence: control status, the audit trail's pages, checkpoints.

pub mod checkpoint;
pub mod coverage;
pub mod export;
pub mod status;
pub mod trail;

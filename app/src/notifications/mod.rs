//! STUB (replaced by the notifications branch).
pub mod facade;

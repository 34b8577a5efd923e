//! The audit trail: every state change writes an event in the same transaction, chained by
//! SHA-256 to the one before it so that any edit, deletion or truncation shows.

#[cfg(feature = "ssr")]
pub mod facade;
pub mod model;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

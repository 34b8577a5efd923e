//! Exceptions: time-limited acceptances of one finding. Requested by an owner (for their
//! applications) or security, decided by a security user who is neither the requester nor an
//! owner, renewed within the policy's cap; an approved exception makes its finding excepted
//! until it expires, and the jobs record expiries and send reminders exactly once across
//! instances.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

//! Findings: every deviation of an application's effective journey from the standard policy,
//! computed by a pure function, kept current in the database, listed, exported and shown on the
//! application page.

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

//! The organisation's standard policy, set by security: the standard journey per population, the
//! requirements by criticality, the methods allowed beyond the standard and never allowed, and
//! the limits on exceptions. Every version is immutable and audited with the whole document.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

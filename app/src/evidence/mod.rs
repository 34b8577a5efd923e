//! Evidence for auditors: control status per application (met, excepted, not met, not
//! applicable), derived from the findings, the exceptions and the frameworks' mapping, never typed
//! in; the framework coverage page; the audit-trail browser; signed checkpoints of the chain; and
//! the exports an assessor loads.

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

//! Moving an estate in and out of the portal: export and import of applications with their latest
//! declarations (CSV and JSON, documented in the README), and a deterministic generator of
//! realistic estates for demonstrations and benchmarks.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod generate;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

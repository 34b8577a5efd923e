//! Journey declarations: drafts, submitted immutable versions, history, differences, as-of.

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

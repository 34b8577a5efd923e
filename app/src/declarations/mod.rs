//! Journey declarations: drafts, submitted immutable versions, history, differences, as-of.

pub mod api;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

//! The consistency matrix (applications × methods), the fragmentation figures above it, the
//! journeys view (applications grouped by identical journey) and password-removal readiness,
//! computed by pure functions over the estate kept in memory until the next change.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod current;
#[cfg(feature = "ssr")]
pub mod export;
pub mod facade;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(all(test, feature = "ssr"))]
mod tests;

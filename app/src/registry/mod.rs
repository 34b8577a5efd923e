//! The application registry: applications, their owners, populations and facts.

pub mod api;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod transfer_api;

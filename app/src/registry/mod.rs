//! The application registry: applications, their owners, populations and facts.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

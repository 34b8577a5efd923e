//! Sessions and sign-in.

pub mod api;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

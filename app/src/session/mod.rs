//! Sessions and sign-in.

#[cfg(feature = "hydrate")]
mod browser;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

//! Sessions and sign-in.

pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "hydrate")]
mod browser;

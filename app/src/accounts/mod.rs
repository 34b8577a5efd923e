//! People, roles and the one-time links that let them enrol a passkey.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

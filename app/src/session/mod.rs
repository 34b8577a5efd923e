//! Sessions and sign-in: who is signed in, the roles and rights they hold, passkey ceremonies,
//! and the access guard every request passes.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod facade;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

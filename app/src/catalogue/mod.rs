//! Catalogues: authentication methods with the attributes the rules use, populations and
//! business units.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
pub mod facade;
pub mod model;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

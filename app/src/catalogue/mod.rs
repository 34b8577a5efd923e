//! Catalogues: authentication methods with the attributes the rules use, populations and
//! business units.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

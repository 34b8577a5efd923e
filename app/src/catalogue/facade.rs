//! What the features above use of the catalogues (besides the `model`): creating the business
//! units an import names.

#[cfg(feature = "ssr")]
pub use super::ssr::insert_business_units;

//! What the features above use of the catalogues (besides the `model`): the names of methods
//! and populations, and creating the business units an import names.

#[cfg(feature = "ssr")]
pub use super::ssr::{EnsuredUnit, ensure_business_units, insert_business_units, names};

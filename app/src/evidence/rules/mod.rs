//! Pure parts of the evidence feature: no database, no clock (time is a parameter).

pub mod checkpoint;
#[cfg(feature = "ssr")]
pub mod oscal;
pub mod status;

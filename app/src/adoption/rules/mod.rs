//! Pure functions of adoption: reading and writing the portal's own file format, aggregating
//! identity-provider exports into counts, the figures and the drift between the declared journey
//! and the observed one. No database, no clock.

#[cfg(feature = "ssr")]
pub mod csv;
pub mod drift;
pub mod figures;
#[cfg(feature = "ssr")]
pub mod generate;
#[cfg(feature = "ssr")]
pub mod providers;

//! What the composers use of adoption besides its model: the estate's headline figures for the
//! dashboard, and on the server the generator's figures and the file ingestion the command
//! line runs.

#[cfg(feature = "ssr")]
pub use super::rules::csv::encode_csv_header;
#[cfg(feature = "ssr")]
pub use super::ssr::export::{batch as export_batch, encode as export_encode};
#[cfg(feature = "ssr")]
pub use super::ssr::generate::generate_figures;
#[cfg(feature = "ssr")]
pub use super::ssr::ingest::{Ingested, Origin};
#[cfg(feature = "ssr")]
pub use super::ssr::read::headline;
#[cfg(feature = "ssr")]
pub use super::ssr::upload::{File, run as ingest_file};

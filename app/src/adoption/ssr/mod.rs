//! Adoption's persistence: storing figures (all or nothing, replacing whole periods), reading
//! them for the pages, the provider name mappings, exporting, and the generator's figures.

pub mod export;
pub mod generate;
pub mod ingest;
pub mod mappings;
pub mod read;
pub mod upload;

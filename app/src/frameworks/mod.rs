//! The control catalogue: frameworks, their controls (ids, short titles, our own one-line
//! summaries where a licence requires), aliases (the CSF 1.1 id PR.AC-1 for PR.AA-01), and the
//! mapping of each finding rule to the controls it bears on with the OSCAL relationship words.
//! Shipped by migration from `migrations/src/frameworks_v1.json`, editable by administrators,
//! imported and exported as JSON in that same format.

pub mod facade;
pub mod model;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

//! Moving an estate in and out of the portal: export and import of applications with their latest
//! declarations (CSV and JSON, documented in the README), and a deterministic generator of
//! realistic estates for demonstrations and benchmarks. Server only.

pub mod generate;
pub mod http;
pub mod model;
pub mod rules;
pub mod ssr;

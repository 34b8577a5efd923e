//! What the import page shows after a file was posted: the report the import handler keeps in
//! the session (the handler itself is `transfer::http::import_applications`, server only).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The outcome of one import, kept in the session until the import page shows it once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The posted file's name, as the browser gave it.
    pub file_name: String,
    /// The file's SHA-256 (hex), as the audit event names it.
    pub sha256: String,
    pub dry_run: bool,
    pub outcome: ImportOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    /// Everything was written (or, on a dry run, would be).
    Done(ImportSummary),
    /// Nothing was written. `total` counts every problem; `problems` holds the first
    /// [`REPORTED_PROBLEMS_MAX`] of them.
    Refused {
        problems: Vec<ImportProblem>,
        total: usize,
    },
}

/// How many problems a report carries (the command line prints them all).
pub const REPORTED_PROBLEMS_MAX: usize = 200;

/// What an import creates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub applications: usize,
    /// Applications that come with a declaration (each becomes version 1).
    pub declarations: usize,
    /// Business units created, by name.
    pub business_units: Vec<String>,
    /// Owner accounts created (invited, owner role), by user name.
    pub owners: Vec<String>,
}

/// Names for a one-line summary: all of them when few, else the first `max` and how many more.
pub fn listing(names: &[String], max: usize) -> String {
    if names.len() <= max {
        return names.join(", ");
    }
    format!("{} and {} more", names[..max].join(", "), names.len() - max)
}

/// One reason a file cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// CSV: the row as a spreadsheet numbers it (the header is row 1). JSON: the application's
    /// position in `applications`, from 1. Zero: the file as a whole.
    pub row: usize,
    /// The application's name as the file gives it (empty when unknown).
    pub application: String,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.application.is_empty()) {
            (0, _) => write!(f, "file: {}", self.message),
            (row, true) => write!(f, "row {row}: {}", self.message),
            (row, false) => write!(f, "row {row} ({}): {}", self.application, self.message),
        }
    }
}

/// The report of the last import in this session, shown once.
#[server(endpoint = "applications/import-report")]
pub async fn take_import_report() -> Result<Option<ImportReport>, AppError> {
    use crate::session::ssr::guard;
    let (_, session) = guard::context().await?;
    guard::respond(crate::transfer::http::take_report(&session).await, None)
}

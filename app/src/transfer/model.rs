//! Moving estates in and out, as the browser sees it: who may, the exchange records (one per
//! application, with references by name so a file moves between portals), the formats, and the
//! report of an import.

use crate::declarations::model::Declaration;
use crate::session::model::{Right, Role};
use serde::{Deserialize, Serialize};

/// Importing estates: security and administrators.
pub struct Importers;

impl Right for Importers {
    const ROLES: &'static [Role] = &[Role::Security, Role::Admin];
}

/// Exporting estates: exports are evidence, so auditors too.
pub struct Exporters;

impl Right for Exporters {
    const ROLES: &'static [Role] = &[Role::Security, Role::Admin, Role::Auditor];
}

/// Where the export is downloaded and the import posted (plain handlers, not server functions).
pub const EXPORT_PATH: &str = "/api/applications/export";
pub const IMPORT_PATH: &str = "/api/applications/import";
/// Where the browser goes after posting a file.
pub const IMPORT_PAGE: &str = "/applications/import";

/// The `format` of a JSON file.
pub const JSON_FORMAT: &str = "passwordless-portal/applications";
/// The `version` of a JSON file this portal writes and reads.
pub const JSON_VERSION: u32 = 1;

/// One application and its latest submitted declaration. Vocabulary values (criticality,
/// integration, lifecycle) stay text here so that a bad value is reported on its row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRecord {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Business unit by name.
    #[serde(default)]
    pub business_unit: Option<String>,
    pub criticality: String,
    pub integration: String,
    pub lifecycle: String,
    /// Archived applications travel too, and are imported archived.
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub identity_provider: bool,
    /// The identity provider's application name (federated applications).
    #[serde(default)]
    pub provider: Option<String>,
    /// Owners by user name.
    pub owners: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Population keys the application serves.
    pub populations: Vec<String>,
    /// The latest submitted version's declaration; drafts are never exported.
    #[serde(default)]
    pub declaration: Option<Declaration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// By a file name's extension (`.csv`, `.json`).
    pub fn of_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.rsplit_once('.')?;
        Self::parse(ext)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::session::model::CurrentUser;

    #[test]
    fn auditors_export_but_never_import() {
        let user = |roles: &[Role]| CurrentUser {
            id: UserId(uuid::Uuid::nil()),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
        };
        assert!(Exporters::admits(&user(&[Role::Auditor])));
        assert!(!Importers::admits(&user(&[Role::Auditor])));
        assert!(Importers::admits(&user(&[Role::Security])));
        assert!(!Exporters::admits(&user(&[Role::Owner])));
    }

    #[test]
    fn listings_are_abbreviated() {
        let names: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
        assert_eq!(listing(&names, 5), "n1, n2, n3, n4, n5");
        assert_eq!(listing(&names, 2), "n1, n2 and 3 more");
    }
}

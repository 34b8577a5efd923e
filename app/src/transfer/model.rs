//! The exchange records: one per application, with references by name (business unit, provider,
//! owners' user names) so a file moves between portals.

use crate::declarations::model::Declaration;
use serde::{Deserialize, Serialize};

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

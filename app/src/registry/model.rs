//! Applications as the browser sees them.

use crate::ids::{ApplicationId, UserId};
use crate::session::model::{Right, Role};
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
pub const TAG_MAX: usize = 48;
pub const TAGS_MAX: usize = 20;
pub const PAGE_SIZE: u64 = 50;

/// Registering applications and editing them and their declarations (owners only their own,
/// which the registry checks against each application's owners).
pub struct Editors;

impl Right for Editors {
    const ROLES: &'static [Role] = &[Role::Owner, Role::Security, Role::Admin];
}

vocabulary!(
    pub enum Criticality {
        Low = ("low", "Low"),
        Medium = ("medium", "Medium"),
        High = ("high", "High"),
        Critical = ("critical", "Critical"),
    }
);

vocabulary!(
    /// How people reach the application's sign-in.
    pub enum Integration {
        Federated = ("federated", "Federated through an identity provider"),
        Local = ("local", "Local authentication"),
        Legacy = ("legacy", "Legacy"),
    }
);

vocabulary!(
    pub enum Lifecycle {
        Planned = ("planned", "Planned"),
        Pilot = ("pilot", "Pilot"),
        Production = ("production", "In production"),
        Sunsetting = ("sunsetting", "Sunsetting"),
        Retired = ("retired", "Retired"),
    }
);

/// The application form, as a plain HTML form posts it. Checkbox groups post
/// `owners[<user id>]=on` and `populations[<key>]=on`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    pub name: String,
    pub description: String,
    /// Business unit id, or empty.
    pub business_unit: String,
    pub criticality: String,
    pub integration: String,
    pub lifecycle: String,
    pub identity_provider: Option<String>,
    /// The identity provider's application id, for a federated application.
    pub provider: String,
    /// By `owner_key`.
    pub owners: BTreeMap<String, String>,
    pub populations: BTreeMap<String, String>,
    /// Comma-separated.
    pub tags: String,
}

/// The form key of an owner checkbox: a letter first, because the form decoder takes a bracketed
/// key that starts with a digit for a list index.
pub fn owner_key(id: UserId) -> String {
    format!("u{}", id.0.simple())
}

pub fn parse_owner_key(key: &str) -> Option<UserId> {
    key.strip_prefix('u')
        .and_then(|k| uuid::Uuid::parse_str(k).ok())
        .map(UserId)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: UserId,
    pub name: String,
    pub username: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: uuid::Uuid,
    pub name: String,
}

/// One row of the applications list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSummary {
    pub id: ApplicationId,
    pub name: String,
    pub business_unit: Option<String>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub lifecycle: Lifecycle,
    pub is_identity_provider: bool,
    pub archived: bool,
    pub owners: Vec<String>,
    pub populations: usize,
    /// The latest submitted version, if any.
    pub version: Option<i32>,
    pub has_draft: bool,
}

/// The list's filters, as the query string carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationFilter {
    pub q: String,
    pub business_unit: String,
    pub criticality: String,
    pub integration: String,
    pub lifecycle: String,
    pub population: String,
    pub tag: String,
    /// `mine`: applications the viewer owns.
    pub owner: String,
    /// `active` (default), `archived` or `all`.
    pub status: String,
    pub page: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationList {
    pub rows: Vec<ApplicationSummary>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub can_create: bool,
    pub options: ListOptions,
}

/// Choices offered by the list's filters (small catalogues only: never the estate's owners or
/// providers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOptions {
    pub business_units: Vec<NamedRef>,
    /// (key, name), in catalogue order.
    pub populations: Vec<(String, String)>,
}

/// Choices offered by the application form and the list's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOptions {
    pub business_units: Vec<NamedRef>,
    pub populations: Vec<(String, String)>,
    /// Active users holding the owner role.
    pub owners: Vec<PersonRef>,
    /// Applications marked as identity providers (not archived).
    pub providers: Vec<NamedRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub id: ApplicationId,
    pub name: String,
    pub description: String,
    pub business_unit: Option<NamedRef>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub lifecycle: Lifecycle,
    pub is_identity_provider: bool,
    pub provider: Option<NamedRef>,
    pub archived: bool,
    pub owners: Vec<PersonRef>,
    /// (key, name) in the application's order.
    pub populations: Vec<(String, String)>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The viewer may edit the application and its declaration (never while archived).
    pub can_edit: bool,
    /// The viewer may archive or restore the application.
    pub can_archive: bool,
    /// Applications federated through this one (when it is an identity provider).
    pub dependants: Vec<NamedRef>,
}

//! Applications as the browser sees them.

use crate::components::{Neighbours, Position};
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::session::model::{Right, Role};
pub use crate::vocab::{Criticality, Integration, Lifecycle};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
pub const TAG_MAX: usize = 48;
pub const TAGS_MAX: usize = 20;
pub const PAGE_SIZE: u64 = 50;
/// Most people the owner search answers with.
pub const OWNER_SEARCH_LIMIT: u64 = 10;
/// Most user names one "Add owners" field takes.
pub const ADD_OWNERS_MAX: usize = 50;

/// Registering applications and editing them and their declarations (owners only their own,
/// which the registry checks against each application's owners).
pub struct Editors;

impl Right for Editors {
    const ROLES: &'static [Role] = &[Role::Owner, Role::Security, Role::Admin];
}

/// The application form, as a plain HTML form posts it. Checkbox groups post
/// `owners[<owner_key>]=on` (the current owners, ticked) and `populations[<key>]=on`; more
/// owners come by user name in `add_owners`.
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
    /// User names of people to add as owners, separated by commas or spaces.
    pub add_owners: String,
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

/// Something shown by name and linked by its typed id (an application, a business unit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef<Id> {
    pub id: Id,
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
    /// The names of the populations it serves, in name order.
    pub populations: Vec<String>,
    /// The identity provider it federates through, if any.
    pub provider: Option<NamedRef<ApplicationId>>,
    /// The latest submitted version, if any.
    pub version: Option<i32>,
    pub has_draft: bool,
    /// The day its facts or its declaration last changed (YYYY-MM-DD).
    pub last_changed: String,
}

/// The list's filters, as the query string carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationFilter {
    /// Searched in names and descriptions, ignoring case; `%` and `_` are literal.
    pub q: String,
    pub business_unit: Option<BusinessUnitId>,
    pub criticality: Option<Criticality>,
    pub integration: Option<Integration>,
    pub lifecycle: Option<Lifecycle>,
    /// Applications federated through this identity provider.
    pub provider: Option<ApplicationId>,
    /// A population key (the catalogue's, so an open set).
    pub population: String,
    pub tag: String,
    pub owner: OwnerFilter,
    pub status: StatusFilter,
    pub sort: ListSort,
    /// Where the page starts, by the sort's key (keyset paging).
    pub position: Position,
}

impl ApplicationFilter {
    /// Reads the list's query string (a value that does not parse is no filter).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        Self {
            q: get("q").unwrap_or_default(),
            business_unit: text("business_unit").parse().ok(),
            criticality: Criticality::parse(&text("criticality")),
            integration: Integration::parse(&text("integration")),
            lifecycle: Lifecycle::parse(&text("lifecycle")),
            provider: text("provider").parse().ok(),
            population: text("population"),
            tag: text("tag"),
            owner: OwnerFilter::parse(&text("owner")).unwrap_or_default(),
            status: StatusFilter::parse(&text("status")).unwrap_or_default(),
            sort: ListSort::parse(&text("sort")).unwrap_or_default(),
            position: Position::from_query(&get),
        }
    }

    /// The query string's pairs of the search and filters (not the position), defaults and
    /// empty ones left out.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("q", self.q.clone()),
            (
                "business_unit",
                self.business_unit
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
            ),
            (
                "criticality",
                self.criticality
                    .map(|c| c.as_str().into())
                    .unwrap_or_default(),
            ),
            (
                "integration",
                self.integration
                    .map(|i| i.as_str().into())
                    .unwrap_or_default(),
            ),
            (
                "lifecycle",
                self.lifecycle
                    .map(|l| l.as_str().into())
                    .unwrap_or_default(),
            ),
            (
                "provider",
                self.provider.map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("population", self.population.clone()),
            ("tag", self.tag.clone()),
        ];
        if self.owner != OwnerFilter::default() {
            pairs.push(("owner", self.owner.as_str().into()));
        }
        if self.status != StatusFilter::default() {
            pairs.push(("status", self.status.as_str().into()));
        }
        if self.sort != ListSort::default() {
            pairs.push(("sort", self.sort.as_str().into()));
        }
        pairs.retain(|(_, v)| !v.is_empty());
        pairs
    }
}

crate::vocabulary!(
    /// Whose applications the list shows.
    #[derive(Default)]
    pub enum OwnerFilter {
        #[default]
        Anyone = ("anyone", "Anyone's"),
        /// The applications the viewer owns.
        Mine = ("mine", "Only applications I own"),
    }
);

crate::vocabulary!(
    /// The order of the applications list (each then by name).
    #[derive(Default)]
    pub enum ListSort {
        #[default]
        Name = ("name", "name"),
        Criticality = ("criticality", "criticality, highest first"),
        Lifecycle = ("lifecycle", "lifecycle stage"),
    }
);

crate::vocabulary!(
    /// Which applications the list shows by archiving.
    #[derive(Default)]
    pub enum StatusFilter {
        #[default]
        Active = ("active", "Active"),
        Archived = ("archived", "Archived"),
        All = ("all", "All"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationList {
    /// At most [`PAGE_SIZE`], by name.
    pub rows: Vec<ApplicationSummary>,
    /// Every application the search and filters match, on every page.
    pub total: u64,
    /// The previous and next pages, if there are such pages.
    pub neighbours: Neighbours,
    pub can_create: bool,
    pub options: ListOptions,
}

/// Choices offered by the list's filters (small catalogues only: never the estate's owners or
/// providers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOptions {
    pub business_units: Vec<NamedRef<BusinessUnitId>>,
    /// The identity provider the list is narrowed to, named (when the address asks for one).
    #[serde(default)]
    pub provider: Option<NamedRef<ApplicationId>>,
    /// (key, name), in catalogue order.
    pub populations: Vec<(String, String)>,
}

/// Choices offered by the application form: small catalogues and the identity providers, never
/// the estate's people (owners are added by user name, or found with the owner search).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOptions {
    pub business_units: Vec<NamedRef<BusinessUnitId>>,
    pub populations: Vec<(String, String)>,
    /// Applications marked as identity providers (not archived).
    pub providers: Vec<NamedRef<ApplicationId>>,
}

/// An owner the form shows ticked (an application's current owner, or the person registering).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerChoice {
    pub person: PersonRef,
    /// Still holds the owner role and is not disabled; if not, the form must untick them.
    pub eligible: bool,
}

/// An application as its edit form starts: the form's values and who its current owners are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableApplication {
    pub form: ApplicationForm,
    /// By display name.
    pub owners: Vec<OwnerChoice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub id: ApplicationId,
    pub name: String,
    pub description: String,
    pub business_unit: Option<NamedRef<BusinessUnitId>>,
    pub criticality: Criticality,
    pub integration: Integration,
    pub lifecycle: Lifecycle,
    pub is_identity_provider: bool,
    pub provider: Option<NamedRef<ApplicationId>>,
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
    /// How many active applications federate through this one (when it is an identity
    /// provider); the page links to them in the list.
    pub dependants: u64,
}

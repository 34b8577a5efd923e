//! Evidence as the browser sees it.

use serde::{Deserialize, Serialize};

/// Where one application stands against one control. Derived from findings, exceptions and the
/// frameworks' mapping, never typed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// No open finding of a rule bearing on the control.
    Met,
    /// Every open finding bearing on it is covered by an approved, unexpired exception.
    Excepted,
    /// At least one open finding bearing on it has no such exception.
    NotMet,
    /// The framework does not apply to the application (its tag rule).
    NotApplicable,
}

impl ControlStatus {
    pub const ALL: &'static [ControlStatus] =
        &[Self::Met, Self::Excepted, Self::NotMet, Self::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Excepted => "excepted",
            Self::NotMet => "not_met",
            Self::NotApplicable => "not_applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Met => "Met",
            Self::Excepted => "Excepted",
            Self::NotMet => "Not met",
            Self::NotApplicable => "Not applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Reading evidence (the audit trail, control status as of a date, exports): auditors,
/// security and administrators.
pub struct EvidenceReaders;

impl crate::session::model::Right for EvidenceReaders {
    const ROLES: &'static [crate::session::model::Role] = &[
        crate::session::model::Role::Auditor,
        crate::session::model::Role::Security,
        crate::session::model::Role::Admin,
    ];
}

/// Applications listed per page of a control's drill-down, events per page of the trail.
pub const PAGE: usize = 50;

/// How many applications stand where, for one control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub met: u64,
    pub excepted: u64,
    pub not_met: u64,
    pub not_applicable: u64,
}

impl Counts {
    pub fn of(&self, s: ControlStatus) -> u64 {
        match s {
            ControlStatus::Met => self.met,
            ControlStatus::Excepted => self.excepted,
            ControlStatus::NotMet => self.not_met,
            ControlStatus::NotApplicable => self.not_applicable,
        }
    }
}

/// A rule bearing on a control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    pub key: String,
    /// "1. Fallback or recovery weaker than the primary".
    pub title: String,
    pub relationship: String,
}

/// One control on the coverage page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRow {
    pub id: String,
    pub label: String,
    pub title: String,
    pub summary: Option<String>,
    /// The control this id stands for.
    pub alias_of: Option<String>,
    pub rules: Vec<RuleRef>,
    /// `None`: no rule bears on it, the portal does not judge it.
    pub counts: Option<Counts>,
}

/// One framework on the coverage page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRow {
    pub key: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub url: String,
    pub applies_to_tag: Option<String>,
    pub controls: Vec<ControlRow>,
}

/// `/frameworks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub applications: u64,
    pub frameworks: Vec<FrameworkRow>,
    pub can_import: bool,
}

/// An open finding behind a status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLine {
    pub key: String,
    pub rule: String,
    pub severity: crate::vocab::Severity,
    pub explanation: String,
    /// The exception holding for it.
    pub exception: Option<crate::ids::ExceptionId>,
}

/// One application in a control's drill-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRow {
    pub id: crate::ids::ApplicationId,
    pub name: String,
    pub criticality: crate::vocab::Criticality,
    pub findings: Vec<FindingLine>,
}

/// `/frameworks/control`: the applications in one status for one control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drill {
    pub framework: String,
    pub framework_name: String,
    pub id: String,
    pub label: String,
    pub title: String,
    pub aliases: Vec<String>,
    pub applies_to_tag: Option<String>,
    pub rules: Vec<RuleRef>,
    pub status: ControlStatus,
    pub counts: Counts,
    pub rows: Vec<DrillRow>,
    /// The page's position (0-based) and whether more follow.
    pub offset: usize,
    pub more: bool,
}

/// One control in an application's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppControl {
    pub label: String,
    pub title: String,
    pub status: ControlStatus,
    pub findings: Vec<FindingLine>,
}

/// One framework in an application's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFramework {
    pub key: String,
    pub name: String,
    pub counts: Counts,
    pub controls: Vec<AppControl>,
}

/// An application's control status per framework (now, or as of a date).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppControls {
    pub application: String,
    /// The application was registered by then (nothing is judged before).
    pub registered: bool,
    pub frameworks: Vec<AppFramework>,
    /// `YYYY-MM-DD` when as of a date.
    pub as_of: Option<String>,
}

/// The audit trail's filters (the page's query; every field optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailFilter {
    /// A username, or `system`, `host-operator`, `anonymous`.
    #[serde(default)]
    pub actor: String,
    /// A dotted action name (`exception.approved`).
    #[serde(default)]
    pub action: String,
    /// An application's id: its own events and those of its exceptions.
    #[serde(default)]
    pub application: String,
    /// `YYYY-MM-DD`, inclusive, UTC.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Events before this sequence number (the next page).
    #[serde(default)]
    pub before: Option<i64>,
}

impl TrailFilter {
    /// The filter's non-empty fields as query pairs (without the page).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        crate::components::filled_pairs(&[
            ("actor", &self.actor),
            ("action", &self.action),
            ("application", &self.application),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

/// One event in the trail's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub seq: i64,
    pub occurred_at: String,
    /// In words: a username, "the portal", "the host's operator", "API token …".
    pub actor: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    /// A page of the portal about the subject, when there is one.
    pub subject_href: Option<String>,
}

/// Where the chain stands, as last checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    pub checked_at: Option<String>,
    pub intact: Option<bool>,
    pub events: i64,
    pub detail: String,
    /// The latest signed checkpoint: sequence, hash, when.
    pub checkpoint: Option<(i64, String, String)>,
    /// The portal's checkpoint key (Ed25519 public half, hex).
    pub public_key: Option<String>,
    /// The chain's head now (sequence and hash).
    pub head: (i64, String),
}

/// A page of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    pub events: Vec<EventRow>,
    /// The filter understood (an unknown user or a bad date refused next to its field).
    pub problems: Vec<(String, String)>,
    /// The sequence the next page starts before.
    pub next_before: Option<i64>,
    pub actions: Vec<String>,
    pub chain: ChainView,
}

/// One event, whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub row: EventRow,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// Its hash recomputed over the bytes stored equals the hash stored.
    pub hash_ok: bool,
}

/// The catalogue's JSON download (`/api/frameworks/export`).
pub const CATALOGUE_EXPORT_PATH: &str = "/api/frameworks/export";

/// The evidence downloads (`?kind=bundle|oscal-ar|oscal-poam`).
pub const EVIDENCE_EXPORT_PATH: &str = "/api/evidence/export";

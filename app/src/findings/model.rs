//! Findings as the browser sees them.

use crate::vocab::JourneyRole;
pub use crate::vocab::Severity;
use serde::{Deserialize, Serialize};

/// What a finding is about: as many parts as apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub population: Option<String>,
    pub role: Option<JourneyRole>,
    pub method: Option<String>,
}

/// One deviation of one application from the standard policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable key, e.g. `weakest_link`.
    pub rule: String,
    pub severity: Severity,
    pub scope: Scope,
    /// Stable across versions and recomputations: the rule and the scope
    /// (`weakest_link/office_employees/fallback/sms_otp`).
    pub key: String,
    /// In plain words, naming the application's own methods and populations.
    pub explanation: String,
    /// What would fix it.
    pub fix: String,
    /// Framework control ids it bears on.
    pub controls: Vec<String>,
}

/// How strong one population's journey is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationAssurance {
    pub population: String,
    /// The assurance level (1 to 3) of the weakest sign-in path; 0 when there is none.
    pub aal: u8,
    /// Every sign-in path is phishing-resistant.
    pub phishing_resistant: bool,
}

/// Everything the findings function says about one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Most severe first, then by key.
    pub findings: Vec<Finding>,
    pub populations: Vec<PopulationAssurance>,
    /// The weakest population's assurance (0 when nothing is declared).
    pub aal: u8,
    /// Phishing-resistant end to end: every population's every sign-in path.
    pub phishing_resistant: bool,
}

/// What submitting an application's draft would do to its findings, judged as the submission
/// would judge it: findings it would open, findings it would resolve, and how many stay open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftImpact {
    pub opened: Vec<ImpactLine>,
    pub resolved: Vec<ImpactLine>,
    pub still_open: usize,
}

/// One finding of a [`DraftImpact`], in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactLine {
    pub severity: Severity,
    /// The rule's number and title.
    pub rule: String,
    pub explanation: String,
}

use crate::components::Neighbours;
use crate::ids::ApplicationId;

/// Whether a finding still stands: open, accepted by an approved exception until it expires,
/// or resolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    #[default]
    Open,
    Excepted,
    Resolved,
}

impl FindingState {
    pub const ALL: &'static [FindingState] = &[Self::Open, Self::Excepted, Self::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Excepted => "excepted",
            Self::Resolved => "resolved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Excepted => "Excepted",
            Self::Resolved => "Resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// The filters of the findings list, as the address carries them (empty: any).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindingFilter {
    pub rule: String,
    pub severity: String,
    /// `open` (the default when empty: not excepted), `excepted` or `resolved`.
    pub state: String,
    /// A business unit's name.
    pub unit: String,
    pub criticality: String,
    pub population: String,
    pub method: String,
    /// `mine`: only the applications the viewer owns.
    pub owner: String,
}

impl FindingFilter {
    /// The address's query pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("rule", self.rule.clone()),
            ("severity", self.severity.clone()),
            ("state", self.state.clone()),
            ("unit", self.unit.clone()),
            ("criticality", self.criticality.clone()),
            ("population", self.population.clone()),
            ("method", self.method.clone()),
            ("owner", self.owner.clone()),
        ]
    }
}

/// One finding as lists and the application page show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRow {
    pub application_id: ApplicationId,
    pub application: String,
    pub finding: Finding,
    /// The rule's number (1 to 20) and title.
    pub rule_number: u8,
    pub rule_title: String,
    /// Where: "Office employees · Fallback · SMS one-time code".
    pub scope: String,
    pub state: FindingState,
    /// Formatted UTC times.
    pub opened_at: String,
    pub resolved_at: Option<String>,
    /// The exception that holds for it, or the request waiting for a decision.
    pub exception: Option<ExceptionNote>,
}

/// An exception as a finding shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionNote {
    pub id: crate::ids::ExceptionId,
    /// Requested (waiting for a decision) or approved (holding).
    pub state: crate::vocab::ExceptionState,
    /// Its last day, `2027-03-31`.
    pub until: String,
}

/// A choice in a filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

/// A page of the findings list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsPage {
    pub rows: Vec<FindingRow>,
    pub neighbours: Neighbours,
    /// How many findings match the filters.
    pub total: u64,
    pub filter: FindingFilter,
    pub rules: Vec<Choice>,
    pub units: Vec<Choice>,
    pub populations: Vec<Choice>,
    pub methods: Vec<Choice>,
    /// The policy version findings are judged against.
    pub policy_version: i32,
}

/// An application's findings section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFindings {
    pub application_id: ApplicationId,
    /// Not judged yet (or archived).
    pub assessed: bool,
    pub aal: u8,
    pub phishing_resistant: bool,
    pub populations: Vec<PopulationAssuranceView>,
    /// Open findings, most severe first.
    pub open: Vec<FindingRow>,
    /// Recently resolved, newest first.
    pub resolved: Vec<FindingRow>,
    pub policy_version: i32,
    pub evaluated_at: Option<String>,
}

/// A population's assurance with its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationAssuranceView {
    pub name: String,
    pub aal: u8,
    pub phishing_resistant: bool,
}

/// Page size of the findings list.
pub const FINDINGS_PAGE: u64 = 50;

/// Exporting findings: security, administrators and auditors.
pub struct FindingExporters;

impl crate::session::model::Right for FindingExporters {
    const ROLES: &'static [crate::session::model::Role] = &[
        crate::session::model::Role::Security,
        crate::session::model::Role::Admin,
        crate::session::model::Role::Auditor,
    ];
}

/// The download of the filtered findings (`?format=csv|json` and the list's filters).
pub const FINDINGS_EXPORT_PATH: &str = "/api/findings/export";

//! The overview's dashboards as the browser sees them: one section per role the viewer holds.

use crate::ids::{ApplicationId, ExceptionId};
use crate::matrix::model::{BySeverity, Fragmentation};
use serde::{Deserialize, Serialize};

/// An application named on a dashboard, with why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLine {
    pub id: ApplicationId,
    pub name: String,
    pub open: BySeverity,
    /// What it needs, in words.
    pub note: String,
}

/// An exception ending soon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringLine {
    pub id: ExceptionId,
    pub application: String,
    /// Its last day.
    pub until: String,
    pub rule: String,
}

/// What an owner sees: their applications and what needs them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerDashboard {
    pub applications: u32,
    pub ready: u32,
    pub open: BySeverity,
    /// Their applications with the most severe open findings first (at most ten).
    pub worst: Vec<AppLine>,
    /// Drafts not yet submitted.
    pub drafts: Vec<AppLine>,
    /// Declarations overdue for review.
    pub reviews_due: Vec<AppLine>,
    pub expiring: Vec<ExpiringLine>,
}

/// One point of the estate's trend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// `2026-11-30`.
    pub day: String,
    /// Findings open that day (excepted ones included).
    pub open: u32,
}

/// What security sees: the queue, the worst deviations and the estate's trend.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityDashboard {
    /// Exception requests waiting for a decision.
    pub queue: u32,
    /// The oldest request's day, when any waits.
    pub oldest_request: Option<String>,
    /// Applications with the most severe open findings (at most ten).
    pub worst: Vec<AppLine>,
    /// Rules with the most open findings: (title, count), at most eight.
    pub rules: Vec<(String, u32)>,
    /// Open findings at the end of each of the last twelve weeks, oldest first.
    pub trend: Vec<TrendPoint>,
}

/// The audit chain's verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    pub intact: bool,
    pub events: i64,
    /// The first broken link, in words.
    pub problem: Option<String>,
    /// When it was verified (UTC).
    pub checked_at: String,
}

/// What auditors see: coverage and the audit chain's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditorDashboard {
    pub applications: u32,
    /// Applications with a submitted declaration for every population they serve.
    pub declared: u32,
    /// Applications without a single open finding (excepted ones aside).
    pub meeting_policy: u32,
    /// Applications whose every failing rule is excepted.
    pub excepted_only: u32,
    pub chain: ChainView,
}

/// The overview of a signed-in person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The estate (applications not archived) in figures.
    pub estate: Fragmentation,
    pub owner: Option<OwnerDashboard>,
    pub security: Option<SecurityDashboard>,
    pub auditor: Option<AuditorDashboard>,
    pub policy_version: i32,
    /// The estate's adoption over the last twelve months with figures, if any arrived.
    pub adoption: Option<crate::adoption::model::AdoptionHeadline>,
}

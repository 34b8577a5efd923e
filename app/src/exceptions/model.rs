//! Exceptions as the browser sees them.

use crate::components::Neighbours;
use crate::ids::{ApplicationId, ExceptionId};
pub use crate::vocab::{ExceptionState, Severity};
use serde::{Deserialize, Serialize};

/// Asking for an exception: owners (for their applications) and security.
pub struct ExceptionRequesters;

impl crate::session::model::Right for ExceptionRequesters {
    const ROLES: &'static [crate::session::model::Role] = &[
        crate::session::model::Role::Owner,
        crate::session::model::Role::Security,
    ];
}

/// Approving, rejecting and revoking exceptions: security only (never their own, never for an
/// application they own).
pub struct ExceptionDeciders;

impl crate::session::model::Right for ExceptionDeciders {
    const ROLES: &'static [crate::session::model::Role] = &[crate::session::model::Role::Security];
}

/// Reading every exception and exporting them: security, administrators and auditors (owners
/// read those of their own applications and their own requests).
pub struct ExceptionOverseers;

impl crate::session::model::Right for ExceptionOverseers {
    const ROLES: &'static [crate::session::model::Role] = &[
        crate::session::model::Role::Security,
        crate::session::model::Role::Admin,
        crate::session::model::Role::Auditor,
    ];
}

/// The download of exceptions (`?format=csv|json` and the list's filters).
pub const EXCEPTIONS_EXPORT_PATH: &str = "/api/exceptions/export";

/// Page size of the exceptions list.
pub const EXCEPTIONS_PAGE: u64 = 50;

/// Days ahead that count as "expiring soon", and back that count as "recently expired".
pub const SOON_DAYS: i64 = 30;

/// The lists of `/exceptions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionView {
    /// Requests waiting for a decision, oldest first.
    #[default]
    Queue,
    /// Approved, expiring within 30 days, soonest first.
    Expiring,
    /// Expired within the last 30 days.
    Expired,
    /// The viewer's requests and those for the applications they own.
    Mine,
    /// Every exception, in the order they were requested.
    All,
}

impl ExceptionView {
    pub const ALL: &'static [ExceptionView] = &[
        Self::Queue,
        Self::Expiring,
        Self::Expired,
        Self::Mine,
        Self::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queue => "queue",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::Mine => "mine",
            Self::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queue => "Waiting for a decision",
            Self::Expiring => "Expiring within 30 days",
            Self::Expired => "Expired in the last 30 days",
            Self::Mine => "Mine",
            Self::All => "All",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// The filters of the exceptions list, as the address carries them (empty: any).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExceptionFilter {
    /// One of [`ExceptionView`]'s keys; empty: the queue for security, "mine" for others.
    pub view: String,
    /// In the "all" view: an [`ExceptionState`] key.
    pub state: String,
    pub severity: String,
}

impl ExceptionFilter {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("view", self.view.clone()),
            ("state", self.state.clone()),
            ("severity", self.severity.clone()),
        ]
    }
}

/// One exception in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionSummary {
    pub id: ExceptionId,
    pub application_id: ApplicationId,
    pub application: String,
    pub finding_key: String,
    /// "2. Restricted method in use".
    pub rule: String,
    /// Where: "Office employees · Fallback · SMS one-time code".
    pub scope: String,
    pub severity: Severity,
    /// As of now: an approved exception past its expiry is expired.
    pub state: ExceptionState,
    /// The last day it holds, `2027-03-31`.
    pub until: String,
    /// Days from today to the last day (negative once past).
    pub days_left: i64,
    pub requested_by: String,
    pub requested_at: String,
    /// 0 for a first request; 1, 2, … for renewals.
    pub renewal_number: i32,
    /// The finding it accepts is gone (the declaration was fixed): nothing to accept any more.
    pub no_longer_needed: bool,
}

/// A page of the exceptions list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionsPage {
    pub rows: Vec<ExceptionSummary>,
    pub neighbours: Neighbours,
    pub total: u64,
    pub filter: ExceptionFilter,
    /// The view shown (the filter's, or the viewer's default).
    pub view: ExceptionView,
    /// How many wait for a decision, expire within 30 days, expired within 30 days.
    pub waiting: u64,
    pub expiring: u64,
    pub expired: u64,
    /// The viewer may see every exception (security, admin, auditor) and export them.
    pub overseer: bool,
}

/// One step of an exception's life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    /// "Requested", "Approved", "Reminder: 7 days left", …
    pub what: String,
    /// Who (a display name, or "the portal").
    pub who: String,
    pub reason: Option<String>,
}

/// What the viewer may do with an exception, with the reason when they may not decide.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permitted {
    pub decide: bool,
    /// Why a security user may not decide this one ("you requested it", "you own the application").
    pub not_decider_because: Option<String>,
    pub withdraw: bool,
    pub revoke: bool,
    pub renew: bool,
    /// Why renewing is not possible (the cap is reached), when it is relevant.
    pub renew_refused_because: Option<String>,
}

/// An exception's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionDetail {
    pub summary: ExceptionSummary,
    pub justification: String,
    pub compensating_controls: String,
    /// The finding as it stands (its explanation), when it still exists.
    pub finding_explanation: Option<String>,
    /// The finding's state now: open, excepted (by this or another), resolved.
    pub finding_state: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// Every exception on the same finding, oldest first (this one among them).
    pub chain: Vec<ExceptionSummary>,
    pub history: Vec<HistoryEntry>,
    pub permitted: Permitted,
    /// The policy's renewal cap and the longest duration for this severity.
    pub renewal_cap: u32,
    pub max_days: u32,
}

/// A request for an exception as the form posts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExceptionRequestInput {
    pub application: String,
    /// The finding's key.
    pub finding: String,
    pub justification: String,
    pub compensating_controls: String,
    /// The last day the exception should hold, `YYYY-MM-DD`.
    pub until: String,
}

/// What the request form needs: the finding and the limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    pub application_id: ApplicationId,
    pub application: String,
    pub finding_key: String,
    pub rule: String,
    pub scope: String,
    pub severity: Severity,
    pub explanation: String,
    /// The latest last day the policy allows, and the form's suggestion.
    pub latest_until: String,
    pub max_days: u32,
    /// This request renews an earlier exception (number `renewal_number` of at most `cap`).
    pub renews: Option<ExceptionId>,
    pub renewal_number: i32,
    pub renewal_cap: u32,
}

/// A decision as the form posts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    Approve,
    Reject,
}

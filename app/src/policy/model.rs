//! The standard policy as one document (stored as JSON, one row per version).

use crate::journey::{Path, PopulationJourney};
pub use crate::vocab::{Criticality, JourneyRole, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One version of the standard policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The standard journey per population key (the declaration editor starts from it). A
    /// population without its own entry uses `default_journey`.
    pub standard: Vec<PopulationJourney>,
    /// The standard journey of any population not listed in `standard` (its `population` is
    /// empty).
    pub default_journey: PopulationJourney,
    /// Requirements by criticality; every criticality has one entry.
    pub by_criticality: BTreeMap<Criticality, CriticalityRules>,
    /// Methods accepted in a role beyond those of the standard journey (anything else in that
    /// role is a deviation, rule 12).
    pub allowed: BTreeMap<JourneyRole, Vec<String>>,
    /// Methods never accepted in any role without an exception (e.g. knowledge questions).
    pub never: Vec<String>,
    /// A rule's severity where the policy raises or lowers its default, by rule key.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    pub exceptions: ExceptionLimits,
}

/// What the policy requires of an application of one criticality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalityRules {
    /// Minimum authenticator assurance level (1 to 3) of the journey's weakest path.
    pub min_aal: u8,
    pub phishing_resistant_primary: bool,
    pub phishing_resistant_step_up: bool,
    pub max_session_minutes: u32,
    pub max_idle_minutes: u32,
    /// Sensitive actions must ask for authentication again.
    pub reauth_sensitive: bool,
    pub break_glass_required: bool,
    /// A break-glass drill older than this is overdue.
    pub max_drill_age_days: u32,
    /// A declaration not re-submitted for longer than this is overdue for review.
    pub review_interval_days: u32,
}

/// Limits on exceptions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionLimits {
    /// Longest exception security may approve, in days, by the finding's severity.
    pub max_days: BTreeMap<Severity, u32>,
    /// How many times one exception may be renewed.
    pub renewal_cap: u32,
    /// Days before expiry when reminders go out (and on the day it lapses).
    pub reminder_days: Vec<u32>,
}

impl Policy {
    /// The standard journey of a population.
    pub fn standard_for(&self, population: &str) -> PopulationJourney {
        self.standard
            .iter()
            .find(|j| j.population == population)
            .cloned()
            .unwrap_or_else(|| PopulationJourney {
                population: population.to_string(),
                ..self.default_journey.clone()
            })
    }

    pub fn for_criticality(&self, c: Criticality) -> &CriticalityRules {
        self.by_criticality
            .get(&c)
            .or_else(|| self.by_criticality.values().next_back())
            .expect("a validated policy has rules for every criticality")
    }

    /// The standard journey of a population, borrowed (the default one's `population` is empty).
    fn standard_ref(&self, population: &str) -> &PopulationJourney {
        self.standard
            .iter()
            .find(|j| j.population == population)
            .unwrap_or(&self.default_journey)
    }

    /// The paths of the standard journey and the methods allowed beyond it, for a role.
    pub fn accepts(&self, population: &str, role: JourneyRole, path: &Path) -> bool {
        let standard = self.standard_ref(population);
        if standard.paths(role).contains(path) {
            return true;
        }
        let allowed = self.allowed.get(&role);
        path.factors().iter().all(|m| {
            standard.paths(role).iter().any(|p| p.contains(m))
                || allowed.is_some_and(|a| a.contains(m))
        })
    }
}

/// Editing the standard policy: security only.
pub struct PolicyEditors;

impl crate::session::model::Right for PolicyEditors {
    const ROLES: &'static [crate::session::model::Role] = &[crate::session::model::Role::Security];
}

/// One version of the policy in the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionSummary {
    pub version: i32,
    /// "the portal" for the shipped version.
    pub author: String,
    pub reason: String,
    /// Formatted UTC time.
    pub created_at: String,
    pub sha256: String,
}

/// A version of the policy with its history, for the policy page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyShown {
    pub summary: PolicyVersionSummary,
    pub policy: Policy,
    /// Newest first.
    pub history: Vec<PolicyVersionSummary>,
    /// Set when the page asked for a date (YYYY-MM-DD).
    pub as_of: Option<String>,
    /// The viewer may edit the policy.
    pub can_edit: bool,
    pub names: crate::journey::Names,
    /// Method keys, strongest first (the editor's order).
    pub method_order: Vec<String>,
}

/// A rule whose severity the policy may set (the findings feature's rules, handed to the
/// editor by the page that composes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleChoice {
    pub key: String,
    /// "1. Weakest link"
    pub title: String,
    pub default: Severity,
}

/// The policy editor's form, as a plain HTML form posts it (and as the preview's address
/// carries it): `crit[critical][min_aal]=3`, `allowed[fallback][totp_app]=on`,
/// `never[helpdesk_kba]=on`, `exceptions[max_days][high]=90`, `severity[weakest_link]=high`.
/// The standard journeys: `default_journey[primary]=platform_passkey; password+totp_app` and
/// `standard[contractors][own]=on`, `standard[contractors][fallback]=…` (see [`JourneyFields`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    /// The standard journey of any population without its own.
    pub default_journey: JourneyFields,
    /// Populations' own standard journeys, by population key (used when `own` is on).
    pub standard: BTreeMap<String, JourneyFields>,
    pub crit: BTreeMap<String, CriticalityForm>,
    pub allowed: BTreeMap<String, BTreeMap<String, String>>,
    pub never: BTreeMap<String, String>,
    pub exceptions: ExceptionsForm,
    /// A rule's severity by rule key; empty: the rule's default.
    pub severity: BTreeMap<String, String>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CriticalityForm {
    pub min_aal: String,
    pub phishing_resistant_primary: Option<String>,
    pub phishing_resistant_step_up: Option<String>,
    pub max_session_minutes: String,
    pub max_idle_minutes: String,
    pub reauth_sensitive: Option<String>,
    pub break_glass_required: Option<String>,
    pub max_drill_age_days: String,
    pub review_interval_days: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExceptionsForm {
    pub max_days: BTreeMap<String, String>,
    pub renewal_cap: String,
    /// "30, 7, 1"
    pub reminder_days: String,
}

/// One standard journey as the editor's fields, by part: each role's paths as text
/// (`platform_passkey; password+totp_app`, see `journey::paths_to_text`), `offboarding`,
/// `max_session_minutes`, `idle_timeout_minutes` (both empty: no session rules of its own),
/// `reauth_sensitive`, `managed_required`, `byod_allowed`, `shared_workstation`,
/// `platform_<platform>` (supported) with `version_<platform>` (minimum version), and `own` for a
/// population that has its own standard journey.
pub type JourneyFields = BTreeMap<String, String>;

/// Part names of [`JourneyFields`] beside the roles.
pub mod part {
    pub const OWN: &str = "own";
    pub const OFFBOARDING: &str = "offboarding";
    pub const MAX_SESSION: &str = "max_session_minutes";
    pub const IDLE: &str = "idle_timeout_minutes";
    pub const REAUTH: &str = "reauth_sensitive";
    pub const MANAGED: &str = "managed_required";
    pub const BYOD: &str = "byod_allowed";
    pub const SHARED: &str = "shared_workstation";

    pub fn platform(p: crate::journey::Platform) -> String {
        format!("platform_{}", p.as_str())
    }

    pub fn version(p: crate::journey::Platform) -> String {
        format!("version_{}", p.as_str())
    }
}

/// A standard journey as the editor's fields.
pub fn journey_fields(j: &PopulationJourney) -> JourneyFields {
    let mut f = JourneyFields::new();
    let on = "on".to_string();
    for role in JourneyRole::ALL {
        f.insert(
            role.as_str().to_string(),
            crate::journey::paths_to_text(j.paths(*role)).replace(';', "; "),
        );
    }
    if let Some(o) = j.offboarding {
        f.insert(part::OFFBOARDING.into(), o.as_str().into());
    }
    if let Some(s) = &j.session {
        f.insert(part::MAX_SESSION.into(), s.max_session_minutes.to_string());
        f.insert(part::IDLE.into(), s.idle_timeout_minutes.to_string());
        if s.reauth_sensitive {
            f.insert(part::REAUTH.into(), on.clone());
        }
    }
    if let Some(d) = &j.devices {
        for (flag, name) in [
            (d.managed_required, part::MANAGED),
            (d.byod_allowed, part::BYOD),
            (d.shared_workstation, part::SHARED),
        ] {
            if flag {
                f.insert(name.into(), on.clone());
            }
        }
        for p in &d.platforms {
            f.insert(part::platform(p.platform), on.clone());
            f.insert(part::version(p.platform), p.min_version.clone());
        }
    }
    f
}

impl PolicyForm {
    /// The form filled with a policy's values.
    pub fn of(p: &Policy) -> Self {
        let on = |b: bool| b.then(|| "on".to_string());
        Self {
            default_journey: journey_fields(&p.default_journey),
            standard: p
                .standard
                .iter()
                .map(|j| {
                    let mut f = journey_fields(j);
                    f.insert(part::OWN.into(), "on".into());
                    (j.population.clone(), f)
                })
                .collect(),
            crit: p
                .by_criticality
                .iter()
                .map(|(c, r)| {
                    (
                        c.as_str().to_string(),
                        CriticalityForm {
                            min_aal: r.min_aal.to_string(),
                            phishing_resistant_primary: on(r.phishing_resistant_primary),
                            phishing_resistant_step_up: on(r.phishing_resistant_step_up),
                            max_session_minutes: r.max_session_minutes.to_string(),
                            max_idle_minutes: r.max_idle_minutes.to_string(),
                            reauth_sensitive: on(r.reauth_sensitive),
                            break_glass_required: on(r.break_glass_required),
                            max_drill_age_days: r.max_drill_age_days.to_string(),
                            review_interval_days: r.review_interval_days.to_string(),
                        },
                    )
                })
                .collect(),
            allowed: p
                .allowed
                .iter()
                .map(|(role, ms)| {
                    (
                        role.as_str().to_string(),
                        ms.iter().map(|m| (m.clone(), "on".to_string())).collect(),
                    )
                })
                .collect(),
            never: p.never.iter().map(|m| (m.clone(), "on".into())).collect(),
            exceptions: ExceptionsForm {
                max_days: p
                    .exceptions
                    .max_days
                    .iter()
                    .map(|(s, d)| (s.as_str().to_string(), d.to_string()))
                    .collect(),
                renewal_cap: p.exceptions.renewal_cap.to_string(),
                reminder_days: p
                    .exceptions
                    .reminder_days
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            severity: p
                .severity
                .iter()
                .map(|(k, s)| (k.clone(), s.as_str().to_string()))
                .collect(),
            reason: String::new(),
        }
    }

    /// Reads the form from an address's query pairs (the preview is a plain GET).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let parts: Vec<&str> = k
                .trim_end_matches(']')
                .split(['[', ']'])
                .filter(|p| !p.is_empty())
                .collect();
            let v = v.to_string();
            match parts.as_slice() {
                ["crit", c, part] => {
                    let cf = f.crit.entry(c.to_string()).or_default();
                    match *part {
                        "min_aal" => cf.min_aal = v,
                        "phishing_resistant_primary" => cf.phishing_resistant_primary = Some(v),
                        "phishing_resistant_step_up" => cf.phishing_resistant_step_up = Some(v),
                        "max_session_minutes" => cf.max_session_minutes = v,
                        "max_idle_minutes" => cf.max_idle_minutes = v,
                        "reauth_sensitive" => cf.reauth_sensitive = Some(v),
                        "break_glass_required" => cf.break_glass_required = Some(v),
                        "max_drill_age_days" => cf.max_drill_age_days = v,
                        "review_interval_days" => cf.review_interval_days = v,
                        _ => {}
                    }
                }
                ["allowed", role, method] => {
                    f.allowed
                        .entry(role.to_string())
                        .or_default()
                        .insert(method.to_string(), v);
                }
                ["never", method] => {
                    f.never.insert(method.to_string(), v);
                }
                ["exceptions", "max_days", s] => {
                    f.exceptions.max_days.insert(s.to_string(), v);
                }
                ["exceptions", "renewal_cap"] => f.exceptions.renewal_cap = v,
                ["exceptions", "reminder_days"] => f.exceptions.reminder_days = v,
                ["severity", rule] => {
                    f.severity.insert(rule.to_string(), v);
                }
                ["reason"] => f.reason = v,
                ["default_journey", part] => {
                    f.default_journey.insert(part.to_string(), v);
                }
                ["standard", population, part] => {
                    f.standard
                        .entry(population.to_string())
                        .or_default()
                        .insert(part.to_string(), v);
                }
                _ => {}
            }
        }
        f
    }

    /// The form as query pairs (the inverse of `from_pairs`).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (c, cf) in &self.crit {
            let mut push = |part: &str, v: &str| {
                out.push((format!("crit[{c}][{part}]"), v.to_string()));
            };
            push("min_aal", &cf.min_aal);
            for (part, v) in [
                ("phishing_resistant_primary", &cf.phishing_resistant_primary),
                ("phishing_resistant_step_up", &cf.phishing_resistant_step_up),
                ("reauth_sensitive", &cf.reauth_sensitive),
                ("break_glass_required", &cf.break_glass_required),
            ] {
                if let Some(v) = v {
                    push(part, v);
                }
            }
            push("max_session_minutes", &cf.max_session_minutes);
            push("max_idle_minutes", &cf.max_idle_minutes);
            push("max_drill_age_days", &cf.max_drill_age_days);
            push("review_interval_days", &cf.review_interval_days);
        }
        for (role, ms) in &self.allowed {
            for (m, v) in ms {
                out.push((format!("allowed[{role}][{m}]"), v.clone()));
            }
        }
        for (m, v) in &self.never {
            out.push((format!("never[{m}]"), v.clone()));
        }
        for (s, v) in &self.exceptions.max_days {
            out.push((format!("exceptions[max_days][{s}]"), v.clone()));
        }
        out.push((
            "exceptions[renewal_cap]".into(),
            self.exceptions.renewal_cap.clone(),
        ));
        out.push((
            "exceptions[reminder_days]".into(),
            self.exceptions.reminder_days.clone(),
        ));
        for (r, v) in &self.severity {
            out.push((format!("severity[{r}]"), v.clone()));
        }
        for (part, v) in &self.default_journey {
            out.push((format!("default_journey[{part}]"), v.clone()));
        }
        for (population, fields) in &self.standard {
            for (part, v) in fields {
                out.push((format!("standard[{population}][{part}]"), v.clone()));
            }
        }
        out.push(("reason".into(), self.reason.clone()));
        out
    }
}

/// What a proposed policy would do to the findings, before it is saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyPreview {
    /// Applications judged (archived ones are not).
    pub applications: u64,
    /// Applications whose findings would change.
    pub applications_changed: u64,
    /// Applications with no open finding today that would have one, and the reverse.
    pub applications_newly_failing: u64,
    pub applications_newly_clean: u64,
    /// Findings that would open and close.
    pub findings_added: u64,
    pub findings_removed: u64,
    /// Open findings today and after.
    pub open_before: u64,
    pub open_after: u64,
    /// Added and removed, by rule (rule title, added, removed), largest first.
    pub by_rule: Vec<(String, u64, u64)>,
}

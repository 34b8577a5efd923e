//! A journey declaration: for each population an application serves, how people enrol, sign in,
//! fall back, recover, step up, replace a device and leave; session rules and device
//! requirements; and the application's break-glass arrangement (the document's types are the
//! shared `journey` vocabulary). Stored as JSON, one document per draft or submitted version.

use crate::ids::{ApplicationId, DeclarationVersionId, UserId};
pub use crate::journey::*;
use crate::registry::model::NamedRef;
pub use crate::vocab::Source;
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// The editor form, as a plain HTML form posts it (`p[office_employees][primary][0][0]=...`).

/// At most this many methods used together in one path.
pub const MAX_FACTORS: usize = 3;

/// The paths of one role as the form posts them: `p[pop][primary][path][factor]=method`.
pub type PathsForm = Vec<Vec<String>>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopulationForm {
    pub enrolment: PathsForm,
    pub primary: PathsForm,
    pub fallback: PathsForm,
    pub recovery: PathsForm,
    pub step_up: PathsForm,
    pub device_replacement: PathsForm,
    pub offboarding: String,
    /// Session limits in hours and minutes (either may be empty; minutes alone may exceed 59,
    /// as scripts that post whole minutes do).
    pub max_session_hours: String,
    pub max_session_minutes: String,
    pub idle_timeout_hours: String,
    pub idle_timeout_minutes: String,
    pub reauth_sensitive: Option<String>,
    /// Minimum OS version by platform key; empty means not supported.
    pub platforms: BTreeMap<String, String>,
    pub managed_required: Option<String>,
    pub byod_allowed: Option<String>,
    pub shared_workstation: Option<String>,
}

impl PopulationForm {
    pub fn slots(&self, role: JourneyRole) -> &PathsForm {
        match role {
            JourneyRole::Enrolment => &self.enrolment,
            JourneyRole::Primary => &self.primary,
            JourneyRole::Fallback => &self.fallback,
            JourneyRole::Recovery => &self.recovery,
            JourneyRole::StepUp => &self.step_up,
            JourneyRole::DeviceReplacement => &self.device_replacement,
        }
    }

    pub fn slots_mut(&mut self, role: JourneyRole) -> &mut PathsForm {
        match role {
            JourneyRole::Enrolment => &mut self.enrolment,
            JourneyRole::Primary => &mut self.primary,
            JourneyRole::Fallback => &mut self.fallback,
            JourneyRole::Recovery => &mut self.recovery,
            JourneyRole::StepUp => &mut self.step_up,
            JourneyRole::DeviceReplacement => &mut self.device_replacement,
        }
    }
}

vocabulary!(
    /// What a path's buttons in the editor do to a role's ordered list.
    pub enum ListMove {
        Up = ("up", "Move up"),
        Down = ("down", "Move down"),
        Remove = ("remove", "Remove"),
        /// Adds an empty path after the last one (the button of the whole role).
        Add = ("add", "Add a path"),
    }
);

/// A change to one role's ordered list of paths, asked by a button of the editor (a plain form
/// post, so it works without JavaScript): `edit=population/role/position/move`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEdit {
    pub population: String,
    pub role: JourneyRole,
    pub position: usize,
    pub action: ListMove,
}

impl ListEdit {
    /// The value of the button that asks for it.
    pub fn value(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.population,
            self.role.as_str(),
            self.position,
            self.action.as_str()
        )
    }

    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.rsplitn(4, '/');
        let action = ListMove::parse(parts.next()?)?;
        let position = parts.next()?.parse().ok()?;
        let role = JourneyRole::parse(parts.next()?)?;
        let population = parts.next()?.to_string();
        (!population.is_empty()).then_some(Self {
            population,
            role,
            position,
            action,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreakGlassForm {
    pub accounts: String,
    pub method: String,
    pub location: String,
    pub last_drill: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclarationForm {
    /// By population key.
    pub p: BTreeMap<String, PopulationForm>,
    pub bg: BreakGlassForm,
}

vocabulary!(
    /// What the editor's buttons ask for.
    pub enum Intent {
        /// Keep the draft.
        Save = ("save", "Save draft"),
        /// Keep the draft and review its differences before submitting it.
        Review = ("review", "Review and submit"),
        /// Turn the draft into the next immutable version.
        Submit = ("submit", "Submit version"),
    }
);

impl Default for Intent {
    /// A post that names no intent (a list's button) keeps what it sends as a draft would.
    fn default() -> Self {
        Self::Save
    }
}

// ---------------------------------------------------------------------------------------------
// What pages show.

/// The application page's declaration sections: one version (the latest, a chosen one or the
/// one in force at a date), optionally the differences between two versions, the history, and
/// what the viewer may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationShown {
    pub application_id: ApplicationId,
    pub version: Option<VersionDetail>,
    /// Set when the page asked for a date (YYYY-MM-DD).
    pub as_of: Option<String>,
    pub diff: Option<(i32, i32, Vec<Change>)>,
    pub names: Names,
    /// Every version, newest first.
    pub history: Vec<VersionSummary>,
    /// When the draft was saved, if there is one.
    pub draft_saved_at: Option<String>,
    /// The viewer may edit the declaration (never while the application is archived).
    pub can_edit: bool,
    pub federated: bool,
    pub provider: Option<NamedRef<ApplicationId>>,
    /// A federated application without a version shown: the journey it inherits from its
    /// provider, per population it serves (none when the provider declared nothing either).
    pub inherited: Option<Declaration>,
}

/// A method as the editor offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub key: String,
    pub name: String,
    pub max_aal: i32,
    /// What to know before choosing it, in words ("phishable", "restricted", "needs a personal
    /// phone"…), from the catalogue.
    #[serde(default)]
    pub caveats: Vec<String>,
}

impl MethodOption {
    /// How the editor offers it: its name, assurance and caveats.
    pub fn label(&self) -> String {
        let mut parts = vec![format!("AAL{}", self.max_aal)];
        parts.extend(self.caveats.iter().cloned());
        format!("{} ({})", self.name, parts.join(" · "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationOption {
    pub key: String,
    pub name: String,
}

/// Everything the declaration editor needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationEditor {
    pub application_id: ApplicationId,
    pub application_name: String,
    pub federated: bool,
    pub provider_name: Option<String>,
    /// The provider's declaration (federated applications): what each role inherits.
    pub provider_declaration: Option<Declaration>,
    /// The populations the application serves, in its order.
    pub populations: Vec<PopulationOption>,
    /// Active methods, strongest first.
    pub methods: Vec<MethodOption>,
    /// The application's criticality, as the warnings name it ("high").
    pub criticality: String,
    /// Per role, the methods weak for this application's criticality under the standard policy,
    /// each with why (the editor warns as they are picked).
    #[serde(default)]
    pub weak: BTreeMap<JourneyRole, BTreeMap<String, String>>,
    /// The draft, else the latest version, else the standard journey's defaults.
    pub declaration: Declaration,
    pub origin: DraftOrigin,
    /// When the draft was last saved and by whom.
    pub draft_saved: Option<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftOrigin {
    Draft,
    LatestVersion(i32),
    Defaults,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub id: DeclarationVersionId,
    pub version: i32,
    pub author: String,
    pub author_id: Option<UserId>,
    pub source: Source,
    /// Formatted UTC time.
    pub submitted_at: String,
    pub sha256: String,
    /// Why its author submitted it, if they said.
    pub reason: Option<String>,
}

/// A version with its content and, for a federated application, the journey in effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDetail {
    pub summary: VersionSummary,
    pub declaration: Declaration,
    /// The provider's journey merged in (federated applications), else the declaration itself.
    pub effective: Declaration,
    /// The provider's declaration merged in, if any (what each entry in effect comes from).
    pub provider: Option<Declaration>,
}

/// The last step before a version is submitted: the draft against the version in force, what
/// still keeps it from being submitted, and the draft's stamp (a submission names the draft it
/// reviewed, so a draft changed meanwhile is reviewed again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationReview {
    pub application_id: ApplicationId,
    pub application_name: String,
    /// The version in force, if any; the draft becomes the next one.
    pub in_force: Option<i32>,
    pub next_version: i32,
    /// When the draft was saved and by whom (none: there is no draft to review).
    pub draft_saved: Option<(String, String)>,
    pub draft_stamp: String,
    /// From the version in force (or nothing) to the draft.
    pub changes: Vec<Change>,
    /// What keeps the draft from being submitted; empty when it may be.
    pub problems: Vec<crate::error::Problem>,
}

/// Where one submitted version is downloaded as JSON (`?id=…&version=…`).
pub const VERSION_DOWNLOAD_PATH: &str = "/api/declarations/version.json";

/// The longest reason a version may carry.
pub const REASON_MAX: usize = 500;

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Where: "Office employees · Primary", "Break-glass".
    pub what: String,
    pub before: String,
    pub after: String,
    /// The items the later version adds ("Security key"), for lists of paths.
    #[serde(default)]
    pub added: Vec<String>,
    /// The items it no longer has.
    #[serde(default)]
    pub removed: Vec<String>,
    /// Whether the change makes the journey stronger or weaker, where that can be told.
    #[serde(default)]
    pub effect: Option<Effect>,
}

vocabulary!(
    /// What a change does to the journey's strength.
    pub enum Effect {
        Strengthens = ("strengthens", "Strengthens"),
        Weakens = ("weakens", "Weakens"),
        Mixed = ("mixed", "Strengthens and weakens"),
    }
);

impl Effect {
    /// From whether something became stronger and whether something became weaker.
    pub fn of(stronger: bool, weaker: bool) -> Option<Self> {
        match (stronger, weaker) {
            (true, true) => Some(Self::Mixed),
            (true, false) => Some(Self::Strengthens),
            (false, true) => Some(Self::Weakens),
            (false, false) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_method_is_offered_with_its_assurance_and_caveats() {
        let sms = super::MethodOption {
            key: "sms_otp".into(),
            name: "SMS one-time code".into(),
            max_aal: 1,
            caveats: vec!["phishable".into(), "restricted".into()],
        };
        assert_eq!(
            sms.label(),
            "SMS one-time code (AAL1 · phishable · restricted)"
        );
        let key = super::MethodOption {
            caveats: Vec::new(),
            max_aal: 3,
            name: "FIDO2 security key".into(),
            ..sms
        };
        assert_eq!(key.label(), "FIDO2 security key (AAL3)");
    }
}

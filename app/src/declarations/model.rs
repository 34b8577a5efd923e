//! A journey declaration: for each population an application serves, how people enrol, sign in,
//! fall back, recover, step up, replace a device and leave; session rules and device
//! requirements; and the application's break-glass arrangement. Stored as JSON, one document per
//! draft or submitted version.

use crate::ids::{ApplicationId, DeclarationVersionId, UserId};
use crate::registry::model::NamedRef;
pub use crate::vocab::{JourneyRole, Source};
use crate::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl JourneyRole {
    pub fn letter(self) -> char {
        match self {
            Self::Enrolment => 'E',
            Self::Primary => 'P',
            Self::Fallback => 'F',
            Self::Recovery => 'R',
            Self::StepUp => 'S',
            Self::DeviceReplacement => 'D',
        }
    }

    /// How many methods the form offers for the role (ordered slots).
    pub fn slots(self) -> usize {
        match self {
            Self::StepUp => 2,
            Self::Enrolment | Self::DeviceReplacement => 3,
            Self::Primary | Self::Fallback | Self::Recovery => 4,
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Self::Enrolment => "How a person gets their first credential.",
            Self::Primary => "How people sign in every day, preferred first.",
            Self::Fallback => "What they use when the primary method is unavailable.",
            Self::Recovery => "How they regain access after losing every credential.",
            Self::StepUp => "What sensitive actions ask for again.",
            Self::DeviceReplacement => "How a person moves to a new or replaced device.",
        }
    }
}

vocabulary!(
    /// How credentials are revoked when a person leaves.
    pub enum Offboarding {
        Automatic = (
            "automatic",
            "Automatic deprovisioning from the identity provider",
        ),
        Manual = ("manual", "By hand"),
    }
);

vocabulary!(
    /// Platforms a journey can declare support for, each with a minimum OS version.
    pub enum Platform {
        Windows = ("windows", "Windows"),
        Macos = ("macos", "macOS"),
        Ios = ("ios", "iOS / iPadOS"),
        Android = ("android", "Android"),
        Linux = ("linux", "Linux"),
        Chromeos = ("chromeos", "ChromeOS"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRules {
    pub max_session_minutes: u32,
    pub idle_timeout_minutes: u32,
    /// Sensitive actions ask the person to authenticate again.
    pub reauth_sensitive: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequirements {
    /// Supported platforms with their minimum OS version, in `Platform` order.
    pub platforms: Vec<PlatformSupport>,
    pub managed_required: bool,
    pub byod_allowed: bool,
    pub shared_workstation: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformSupport {
    pub platform: Platform,
    pub min_version: String,
}

/// The journey of one population. Method lists hold catalogue keys, preferred first. For a
/// federated application the lists hold only what it keeps beside its provider's journey, and
/// `None` settings are inherited from the provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationJourney {
    pub population: String,
    #[serde(default)]
    pub enrolment: Vec<String>,
    #[serde(default)]
    pub primary: Vec<String>,
    #[serde(default)]
    pub fallback: Vec<String>,
    #[serde(default)]
    pub recovery: Vec<String>,
    #[serde(default)]
    pub step_up: Vec<String>,
    #[serde(default)]
    pub device_replacement: Vec<String>,
    #[serde(default)]
    pub offboarding: Option<Offboarding>,
    #[serde(default)]
    pub session: Option<SessionRules>,
    #[serde(default)]
    pub devices: Option<DeviceRequirements>,
}

impl PopulationJourney {
    pub fn methods(&self, role: JourneyRole) -> &[String] {
        match role {
            JourneyRole::Enrolment => &self.enrolment,
            JourneyRole::Primary => &self.primary,
            JourneyRole::Fallback => &self.fallback,
            JourneyRole::Recovery => &self.recovery,
            JourneyRole::StepUp => &self.step_up,
            JourneyRole::DeviceReplacement => &self.device_replacement,
        }
    }

    pub fn methods_mut(&mut self, role: JourneyRole) -> &mut Vec<String> {
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

/// Emergency access to the application when the normal journey fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlass {
    pub accounts: u32,
    /// Catalogue key of the method that protects the break-glass accounts.
    pub method: String,
    /// Where the credential is kept (a safe, a vault, ...).
    pub location: String,
    /// `YYYY-MM-DD` of the last drill, if any.
    pub last_drill: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// One journey per population, in the order the application lists its populations.
    pub populations: Vec<PopulationJourney>,
    #[serde(default)]
    pub break_glass: Option<BreakGlass>,
}

impl Declaration {
    pub fn journey(&self, population: &str) -> Option<&PopulationJourney> {
        self.populations.iter().find(|p| p.population == population)
    }
}

// ---------------------------------------------------------------------------------------------
// The editor form, as a plain HTML form posts it (`p[office_employees][primary][0]=...`).

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PopulationForm {
    pub enrolment: Vec<String>,
    pub primary: Vec<String>,
    pub fallback: Vec<String>,
    pub recovery: Vec<String>,
    pub step_up: Vec<String>,
    pub device_replacement: Vec<String>,
    pub offboarding: String,
    pub max_session_minutes: String,
    pub idle_timeout_minutes: String,
    pub reauth_sensitive: Option<String>,
    /// Minimum OS version by platform key; empty means not supported.
    pub platforms: BTreeMap<String, String>,
    pub managed_required: Option<String>,
    pub byod_allowed: Option<String>,
    pub shared_workstation: Option<String>,
}

impl PopulationForm {
    pub fn slots(&self, role: JourneyRole) -> &[String] {
        match role {
            JourneyRole::Enrolment => &self.enrolment,
            JourneyRole::Primary => &self.primary,
            JourneyRole::Fallback => &self.fallback,
            JourneyRole::Recovery => &self.recovery,
            JourneyRole::StepUp => &self.step_up,
            JourneyRole::DeviceReplacement => &self.device_replacement,
        }
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
        /// Turn the draft into the next immutable version.
        Submit = ("submit", "Submit version"),
    }
);

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
}

/// A method as the editor offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOption {
    pub key: String,
    pub name: String,
    pub max_aal: i32,
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
    /// The populations the application serves, in its order.
    pub populations: Vec<PopulationOption>,
    /// Active methods, strongest first.
    pub methods: Vec<MethodOption>,
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
}

/// A version with its content and, for a federated application, the journey in effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDetail {
    pub summary: VersionSummary,
    pub declaration: Declaration,
    /// The provider's journey merged in (federated applications), else the declaration itself.
    pub effective: Declaration,
}

/// One difference between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Where: "Office employees · Primary", "Break-glass".
    pub what: String,
    pub before: String,
    pub after: String,
}

/// Catalogue names for rendering a declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub methods: BTreeMap<String, String>,
    pub populations: BTreeMap<String, String>,
}

impl Names {
    pub fn method(&self, key: &str) -> String {
        self.methods
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    pub fn population(&self, key: &str) -> String {
        self.populations
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

//! The vocabulary of journeys, shared by every feature that reads one: a population's journey
//! (roles holding paths of catalogue methods, session rules, device requirements, offboarding)
//! and a whole declaration. Pure data: the declarations feature stores and edits them, the
//! standard policy holds the standard journey in the same shape, findings judge them.

pub use crate::vocab::JourneyRole;
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

    /// How many paths a role may hold (real services offer six fallbacks and more).
    pub fn slots(self) -> usize {
        match self {
            Self::StepUp | Self::Enrolment | Self::DeviceReplacement => 4,
            Self::Primary | Self::Recovery => 6,
            Self::Fallback => 8,
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

impl Platform {
    /// A minimum version as people write it for this platform (digits and dots).
    pub fn version_example(self) -> &'static str {
        match self {
            Self::Windows => "10.0.22631",
            Self::Macos => "14",
            Self::Ios => "17.4",
            Self::Android => "13",
            Self::Linux => "6.1",
            Self::Chromeos => "120",
        }
    }

    /// What the version means on this platform, and the version passkeys need there.
    pub fn version_hint(self) -> &'static str {
        match self {
            Self::Windows => {
                "Build number: 10.0.19045 is Windows 10 22H2, 10.0.22631 Windows 11 23H2."
            }
            Self::Macos => "Synced passkeys need macOS 13 or later.",
            Self::Ios => "Passkeys need iOS 16 or later.",
            Self::Android => "Passkeys need Android 9 or later.",
            Self::Linux => "Kernel version; passkeys come from the browser or a security key.",
            Self::Chromeos => "The ChromeOS version number, as on chrome://version.",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRules {
    pub max_session_minutes: u32,
    pub idle_timeout_minutes: u32,
    /// Sensitive actions ask the person to authenticate again.
    pub reauth_sensitive: bool,
}

/// Session limits are whole minutes: 1 minute to 30 days.
pub const MAX_SESSION_MINUTES: u32 = 43_200;

impl SessionRules {
    /// The first thing wrong with these rules, if any: the part it concerns
    /// (`max_session_minutes` or `idle_timeout_minutes`) and what to do about it.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        for (part, v) in [
            ("max_session_minutes", self.max_session_minutes),
            ("idle_timeout_minutes", self.idle_timeout_minutes),
        ] {
            if !(1..=MAX_SESSION_MINUTES).contains(&v) {
                return Some((
                    part,
                    format!("Enter whole minutes from 1 to {MAX_SESSION_MINUTES}."),
                ));
            }
        }
        (self.idle_timeout_minutes > self.max_session_minutes).then(|| {
            (
                "idle_timeout_minutes",
                "The idle timeout cannot be longer than the maximum session.".to_string(),
            )
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequirements {
    /// Supported platforms with their minimum OS version, in `Platform` order.
    pub platforms: Vec<PlatformSupport>,
    pub managed_required: bool,
    pub byod_allowed: bool,
    pub shared_workstation: bool,
}

/// The longest minimum OS version one may write ("17.4.1").
pub const VERSION_MAX: usize = 16;

impl DeviceRequirements {
    /// The first thing wrong with these requirements, if any: the platform it concerns (none:
    /// the BYOD setting) and what to do about it.
    pub fn problem(&self) -> Option<(Option<Platform>, &'static str)> {
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.platforms {
            if !seen.insert(p.platform) {
                return Some((Some(p.platform), "This platform is listed twice."));
            }
            let v = p.min_version.trim();
            if v.is_empty()
                || v.len() > VERSION_MAX
                || !v.chars().all(|c| c.is_ascii_digit() || c == '.')
                || !v.starts_with(|c: char| c.is_ascii_digit())
            {
                return Some((
                    Some(p.platform),
                    "Write a minimum version such as 10 or 17.4 (digits and dots).",
                ));
            }
        }
        (self.managed_required && self.byod_allowed).then_some((
            None,
            "A managed device cannot be required while personal devices are allowed.",
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformSupport {
    pub platform: Platform,
    pub min_version: String,
}

/// One way through a role: one or more catalogue methods used together, first factor first
/// ("a passkey", "a password with an authenticator code", "a smart card"). Stored and exported
/// as a bare key when it has one factor (so documents written before paths existed read as
/// one-method paths) and as a list of keys otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub Vec<String>);

impl Path {
    pub fn single(method: impl Into<String>) -> Self {
        Self(vec![method.into()])
    }

    pub fn of(methods: &[&str]) -> Self {
        Self(methods.iter().map(|m| m.to_string()).collect())
    }

    pub fn factors(&self) -> &[String] {
        &self.0
    }

    pub fn contains(&self, method: &str) -> bool {
        self.0.iter().any(|m| m == method)
    }

    /// More than one factor.
    pub fn is_combined(&self) -> bool {
        self.0.len() > 1
    }

    /// The path as the CSV writes it: factors joined by `+`.
    pub fn to_cell(&self) -> String {
        self.0.join("+")
    }
}

/// A one-method path.
impl From<&str> for Path {
    fn from(method: &str) -> Self {
        Self::single(method)
    }
}

impl Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::One(m) => Self(vec![m]),
            Stored::Many(ms) => Self(ms),
        })
    }
}

/// Paths of one role, preferred first.
pub type Paths = Vec<Path>;

/// Separates the paths of one role written as text (a CSV cell, an editor field).
pub const PATH_SEPARATOR: char = ';';

/// Joins the factors of one path written as text: `password+totp_app`.
pub const FACTOR_SEPARATOR: char = '+';

/// A role's paths as text: paths separated by `;`, the factors of a path joined by `+`.
pub fn paths_to_text(paths: &[Path]) -> String {
    paths
        .iter()
        .map(Path::to_cell)
        .collect::<Vec<_>>()
        .join(&PATH_SEPARATOR.to_string())
}

/// Reads a role's paths from text (the inverse of `paths_to_text`); blanks around keys and
/// empty items are ignored, and text without `+` is one-method paths.
pub fn paths_from_text(text: &str) -> Vec<Path> {
    text.split(PATH_SEPARATOR)
        .map(|item| {
            Path(
                item.split(FACTOR_SEPARATOR)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        })
        .filter(|p| !p.factors().is_empty())
        .collect()
}

/// Every method named in some paths, each once, in order of first appearance.
pub fn methods_in(paths: &[Path]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for m in paths.iter().flat_map(|p| p.factors()) {
        if !out.contains(&m.as_str()) {
            out.push(m);
        }
    }
    out
}

/// The journey of one population. Each role holds paths, preferred first. For a federated
/// application the lists hold only what it keeps beside its provider's journey, and `None`
/// settings are inherited from the provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationJourney {
    pub population: String,
    #[serde(default)]
    pub enrolment: Paths,
    #[serde(default)]
    pub primary: Paths,
    #[serde(default)]
    pub fallback: Paths,
    #[serde(default)]
    pub recovery: Paths,
    #[serde(default)]
    pub step_up: Paths,
    #[serde(default)]
    pub device_replacement: Paths,
    #[serde(default)]
    pub offboarding: Option<Offboarding>,
    #[serde(default)]
    pub session: Option<SessionRules>,
    #[serde(default)]
    pub devices: Option<DeviceRequirements>,
}

impl PopulationJourney {
    pub fn paths(&self, role: JourneyRole) -> &[Path] {
        match role {
            JourneyRole::Enrolment => &self.enrolment,
            JourneyRole::Primary => &self.primary,
            JourneyRole::Fallback => &self.fallback,
            JourneyRole::Recovery => &self.recovery,
            JourneyRole::StepUp => &self.step_up,
            JourneyRole::DeviceReplacement => &self.device_replacement,
        }
    }

    pub fn paths_mut(&mut self, role: JourneyRole) -> &mut Paths {
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

/// Catalogue names for rendering a journey (retired entries included: old versions name them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub methods: BTreeMap<String, String>,
    pub populations: BTreeMap<String, String>,
}

impl Names {
    /// A method's name, borrowed (its key when the catalogue does not know it).
    pub fn method_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.methods.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn method(&self, key: &str) -> String {
        self.method_name(key).to_string()
    }

    pub fn population(&self, key: &str) -> String {
        self.populations
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Plain-language renderings, shared by every page that shows a journey.

/// One path in words: "Password + Authenticator app (TOTP)".
pub fn describe_path(path: &Path, names: &Names) -> String {
    path.factors()
        .iter()
        .map(|m| names.method(m))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A role's paths in words, preferred first.
pub fn describe_paths(paths: &[Path], names: &Names) -> String {
    if paths.is_empty() {
        return "none".into();
    }
    paths
        .iter()
        .map(|p| describe_path(p, names))
        .collect::<Vec<_>>()
        .join(" → ")
}

pub fn describe_session(s: Option<&SessionRules>) -> String {
    match s {
        None => "not declared".into(),
        Some(s) => format!(
            "at most {}, idle {}, {}",
            duration(s.max_session_minutes),
            duration(s.idle_timeout_minutes),
            if s.reauth_sensitive {
                "re-authentication for sensitive actions"
            } else {
                "no re-authentication for sensitive actions"
            }
        ),
    }
}

/// Device requirements in words.
pub fn describe_devices(d: Option<&DeviceRequirements>) -> String {
    let Some(d) = d else {
        return "not declared".into();
    };
    let mut parts = Vec::new();
    if d.platforms.is_empty() {
        parts.push("no platform listed".to_string());
    } else {
        parts.push(
            d.platforms
                .iter()
                .map(|p| format!("{} {}+", p.platform.label(), p.min_version))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    parts.push(if d.managed_required {
        "managed device required".into()
    } else {
        "unmanaged devices allowed".into()
    });
    if d.byod_allowed {
        parts.push("BYOD allowed".into());
    }
    if d.shared_workstation {
        parts.push("shared-workstation mode".into());
    }
    parts.join("; ")
}

pub fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

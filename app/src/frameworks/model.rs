//! The control catalogue as the browser sees it, and its import/export document (the format of
//! `migrations/src/frameworks_v1.json`).

use serde::{Deserialize, Serialize};

/// The format name every catalogue document carries.
pub const FORMAT: &str = "portal-frameworks/1";

/// How a finding rule relates to a control: the OSCAL control-mapping words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Relationship {
    #[serde(rename = "equivalent-to")]
    EquivalentTo,
    #[serde(rename = "equal-to")]
    EqualTo,
    #[serde(rename = "subset-of")]
    SubsetOf,
    #[serde(rename = "superset-of")]
    SupersetOf,
    #[serde(rename = "intersects-with")]
    IntersectsWith,
    #[serde(rename = "no-relationship")]
    NoRelationship,
}

impl Relationship {
    pub const ALL: &'static [Relationship] = &[
        Self::EquivalentTo,
        Self::EqualTo,
        Self::SubsetOf,
        Self::SupersetOf,
        Self::IntersectsWith,
        Self::NoRelationship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EquivalentTo => "equivalent-to",
            Self::EqualTo => "equal-to",
            Self::SubsetOf => "subset-of",
            Self::SupersetOf => "superset-of",
            Self::IntersectsWith => "intersects-with",
            Self::NoRelationship => "no-relationship",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Whether a finding of the rule counts against the control (everything but
    /// `no-relationship`, which records that someone looked and found none).
    pub fn bears(self) -> bool {
        self != Self::NoRelationship
    }
}

/// A catalogue document: frameworks with their controls, and the rules' mapping to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueDocument {
    pub format: String,
    pub frameworks: Vec<FrameworkDoc>,
    #[serde(default)]
    pub mappings: Vec<MappingDoc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkDoc {
    /// Stable key (`csf`, `pci-dss`, `acme-standard`): lower-case letters, digits and dashes.
    pub key: String,
    pub name: String,
    pub version: String,
    /// Prefix of its controls' labels ("CSF" gives "CSF PR.AA-03"); empty when the ids speak
    /// for themselves ("63B-AAL2").
    #[serde(default)]
    pub short: String,
    pub licence: String,
    #[serde(default)]
    pub url: String,
    /// The framework applies only to applications carrying this tag (PCI DSS: `pci`); for the
    /// others its controls are not applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to_tag: Option<String>,
    pub controls: Vec<ControlDoc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDoc {
    pub id: String,
    /// A short title (a fact), or our own words where the licence asks for it.
    pub title: String,
    /// Our own one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Another id of the same framework this one stands for (judged as that control).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingDoc {
    pub rule: String,
    pub framework: String,
    pub control: String,
    pub relationship: Relationship,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// Frameworks added (keys).
    pub added: Vec<String>,
    /// Frameworks replaced (keys).
    pub replaced: Vec<String>,
    pub controls: usize,
    pub mappings: usize,
}

impl CatalogueDocument {
    /// The framework with this key.
    pub fn framework(&self, key: &str) -> Option<&FrameworkDoc> {
        self.frameworks.iter().find(|f| f.key == key)
    }
}

impl FrameworkDoc {
    /// A control's label as findings and pages show it ("CSF PR.AA-03", "63B-AAL2").
    pub fn label(&self, control: &str) -> String {
        label(&self.short, control)
    }

    /// The control an id stands for (itself, or what it is an alias of).
    pub fn canonical<'a>(&'a self, control: &'a str) -> &'a str {
        self.controls
            .iter()
            .find(|c| c.id == control)
            .and_then(|c| c.alias_of.as_deref())
            .unwrap_or(control)
    }
}

/// A control's label: the framework's short name and the id.
pub fn label(short: &str, control: &str) -> String {
    if short.is_empty() {
        control.to_string()
    } else {
        format!("{short} {control}")
    }
}

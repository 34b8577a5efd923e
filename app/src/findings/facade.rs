//! What the composition root and the features above use of findings: the derived view that keeps
//! them current, refreshing them after a bulk change, describing one in words (its rule and
//! scope), and the rules the policy may re-grade.

pub use super::rules::{Catalogue, path_assurance, population_assurance};

#[cfg(feature = "ssr")]
pub use super::ssr::read::{describe, excepted_now};
#[cfg(feature = "ssr")]
pub use super::ssr::{Findings, Refreshed, daily, refresh};

/// A rule's number and title ("1. Fallback or recovery weaker than the primary"), or its key
/// when no rule has it.
pub fn rule_title(key: &str) -> String {
    super::rules::Rule::parse(key).map_or_else(
        || key.to_string(),
        |r| format!("{}. {}", r.info().number, r.info().title),
    )
}

/// The rules whose severity the standard policy may set, for its editor.
pub fn rule_choices() -> Vec<crate::policy::model::RuleChoice> {
    super::rules::RULES
        .iter()
        .map(|r| crate::policy::model::RuleChoice {
            key: r.key.to_string(),
            title: format!("{}. {}", r.number, r.title),
            default: r.severity,
        })
        .collect()
}

/// Every rule's stable key (what the frameworks' mapping names).
pub fn rule_keys() -> Vec<&'static str> {
    super::rules::RULES.iter().map(|r| r.key).collect()
}

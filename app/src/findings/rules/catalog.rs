//! The rules the findings engine knows: a stable key, a number, a title and a default severity.
//! The framework controls each bears on are the control catalogue's mapping (`frameworks`),
//! which administrators edit; findings carry their labels.

use crate::vocab::Severity;

/// One rule of the findings engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    WeakestLink,
    RestrictedMethod,
    NoRecovery,
    RecoverySameDevice,
    PasswordBesidePasswordless,
    PrimaryNotPhishingResistant,
    AssuranceBelowMinimum,
    SyncedPasskeyAtAal3,
    NoUsablePrimary,
    DevicesUndeclared,
    SessionOutsidePolicy,
    MethodOutsideStandard,
    KnowledgeQuestionsRecovery,
    EmailFallbackRecovery,
    BreakGlass,
    ReviewOverdue,
    EnrolmentWeakOrMissing,
    DeviceReplacementHelpdeskOnly,
    OffboardingManual,
    FederatedLocalBypass,
}

/// What pages show of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub rule: Rule,
    /// The number the product description gives it (1 to 20).
    pub number: u8,
    /// Stable: findings, exceptions and policy severity overrides refer to it.
    pub key: &'static str,
    pub title: &'static str,
    /// Before any override by the policy.
    pub severity: Severity,
}

/// Every rule, in the product's order.
pub const RULES: [RuleInfo; 20] = [
    RuleInfo {
        rule: Rule::WeakestLink,
        number: 1,
        key: "weakest_link",
        title: "Fallback or recovery weaker than the primary",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::RestrictedMethod,
        number: 2,
        key: "restricted_method",
        title: "Restricted method (SMS, voice)",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::NoRecovery,
        number: 3,
        key: "no_recovery",
        title: "No recovery path",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::RecoverySameDevice,
        number: 4,
        key: "recovery_same_device",
        title: "Recovery depends on the same single device as the primary",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::PasswordBesidePasswordless,
        number: 5,
        key: "password_beside_passwordless",
        title: "Password still enabled beside a passwordless primary",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::PrimaryNotPhishingResistant,
        number: 6,
        key: "primary_not_phishing_resistant",
        title: "Primary or step-up not phishing-resistant where required",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::AssuranceBelowMinimum,
        number: 7,
        key: "assurance_below_minimum",
        title: "Effective assurance below the minimum for the criticality",
        severity: Severity::Critical,
    },
    RuleInfo {
        rule: Rule::SyncedPasskeyAtAal3,
        number: 8,
        key: "synced_passkey_at_aal3",
        title: "Synced passkey where AAL3 is required",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::NoUsablePrimary,
        number: 9,
        key: "no_usable_primary",
        title: "Population without a usable primary",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::DevicesUndeclared,
        number: 10,
        key: "devices_undeclared",
        title: "Device requirements not declared",
        severity: Severity::Low,
    },
    RuleInfo {
        rule: Rule::SessionOutsidePolicy,
        number: 11,
        key: "session_outside_policy",
        title: "Session, idle timeout or re-authentication outside the policy",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::MethodOutsideStandard,
        number: 12,
        key: "method_outside_standard",
        title: "Method outside the standard for its role",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::KnowledgeQuestionsRecovery,
        number: 13,
        key: "knowledge_questions_recovery",
        title: "Recovery by help-desk reset with knowledge questions",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::EmailFallbackRecovery,
        number: 14,
        key: "email_fallback_recovery",
        title: "Email as a fallback or recovery channel",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::BreakGlass,
        number: 15,
        key: "break_glass",
        title: "Break-glass arrangement missing or not drilled",
        severity: Severity::High,
    },
    RuleInfo {
        rule: Rule::ReviewOverdue,
        number: 16,
        key: "review_overdue",
        title: "Declaration not reviewed in time",
        severity: Severity::Low,
    },
    RuleInfo {
        rule: Rule::EnrolmentWeakOrMissing,
        number: 17,
        key: "enrolment_weak_or_missing",
        title: "Enrolment missing or weaker than the primary it bootstraps",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::DeviceReplacementHelpdeskOnly,
        number: 18,
        key: "device_replacement_helpdesk_only",
        title: "Device replacement only through the help desk",
        severity: Severity::Low,
    },
    RuleInfo {
        rule: Rule::OffboardingManual,
        number: 19,
        key: "offboarding_manual",
        title: "Offboarding without automatic revocation",
        severity: Severity::Medium,
    },
    RuleInfo {
        rule: Rule::FederatedLocalBypass,
        number: 20,
        key: "federated_local_bypass",
        title: "Federated application keeps a local path",
        severity: Severity::High,
    },
];

impl Rule {
    pub fn info(self) -> &'static RuleInfo {
        RULES
            .iter()
            .find(|r| r.rule == self)
            .expect("every rule has its row in RULES")
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    /// The rule with this stable key.
    pub fn parse(key: &str) -> Option<Self> {
        RULES.iter().find(|r| r.key == key).map(|r| r.rule)
    }
}

/// One level more severe (critical stays critical).
pub fn raised(s: Severity) -> Severity {
    match s {
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_has_twenty_rules_numbered_in_order_with_unique_keys() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(usize::from(r.number), i + 1, "{}", r.key);
            assert_eq!(r.rule.info(), r);
            assert_eq!(Rule::parse(r.key), Some(r.rule));
            assert!(
                r.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()),
                "{}",
                r.key
            );
        }
        let keys: BTreeSet<_> = RULES.iter().map(|r| r.key).collect();
        assert_eq!(keys.len(), RULES.len());
        assert_eq!(Rule::parse("nothing"), None);
    }

    #[test]
    fn the_shipped_mapping_names_only_these_rules_and_every_one_bears_on_a_control() {
        use crate::frameworks::facade::{check, labels_by_rule, shipped};
        let keys: Vec<&str> = RULES.iter().map(|r| r.key).collect();
        let doc = shipped();
        assert_eq!(check(&doc, &keys), Vec::<String>::new());
        let labels = labels_by_rule(&doc);
        let prefixes = ["CSF PR.AA-", "63B-", "ISO A.", "PCI 8.", "CIS 6.", "NHI"];
        for r in &RULES {
            let mine = labels.get(r.key).map(Vec::as_slice).unwrap_or_default();
            assert!(!mine.is_empty(), "{} bears on some control", r.key);
            for c in mine {
                assert!(prefixes.iter().any(|p| c.starts_with(p)), "{}: {c}", r.key);
            }
        }
    }

    #[test]
    fn raising_a_severity_goes_one_level_up() {
        assert_eq!(raised(Severity::Low), Severity::Medium);
        assert_eq!(raised(Severity::Medium), Severity::High);
        assert_eq!(raised(Severity::High), Severity::Critical);
        assert_eq!(raised(Severity::Critical), Severity::Critical);
    }
}

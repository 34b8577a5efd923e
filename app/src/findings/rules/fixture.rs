//! The test world of the findings rules: a catalogue like the shipped one (built here, so the
//! rules are seen to read attributes, never keys), the shipped policy, a fixed today, and `Case`,
//! one application to judge.

use super::{Catalogue, Facts, Rule, evaluate};
use crate::catalogue::model::{FactorKind, MethodView};
use crate::declarations::model::Names;
use crate::findings::model::{Evaluation, Finding};
use crate::journey::{Declaration, PopulationJourney};
use crate::policy::facade::shipped;
use crate::policy::model::Policy;
use crate::vocab::Criticality;
use time::Date;
use time::macros::date;

/// The policy as shipped.
pub fn policy() -> Policy {
    shipped()
}

pub fn today() -> Date {
    date!(2026 - 12 - 01)
}

/// A method with every flag off, AAL1, active.
pub fn method(key: &str, name: &str, category: &str, factor: FactorKind) -> MethodView {
    MethodView {
        key: key.into(),
        name: name.into(),
        category: category.into(),
        factor,
        phishing_resistant: false,
        max_aal: 1,
        syncable: false,
        restricted: false,
        needs_personal_phone: false,
        needs_managed_device: false,
        shared_workstation_ok: false,
        strength_rank: 50,
        description: String::new(),
        active: true,
    }
}

/// (key, name, category, factor, phishing-resistant, AAL, syncable, restricted, needs a personal
/// phone, usable on a shared workstation)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    FactorKind,
    bool,
    i32,
    bool,
    bool,
    bool,
    bool,
);

/// The methods of the shipped catalogue with the attributes the rules read.
pub fn methods() -> Vec<MethodView> {
    use FactorKind::*;
    #[rustfmt::skip]
    let rows: [Row; 18] = [
        ("smart_card", "Smart card / PIV", "pki", MultiFactor, true, 3, false, false, false, true),
        ("security_key", "FIDO2 security key", "fido", MultiFactor, true, 3, false, false, false, true),
        ("platform_passkey", "Device-bound platform passkey", "fido", MultiFactor, true, 3, false, false, false, false),
        ("synced_passkey", "Synced passkey", "fido", MultiFactor, true, 2, true, false, false, false),
        ("federated_idp", "Federated sign-in", "federation", Federation, false, 2, false, false, false, true),
        ("push_number_matching", "Push with number matching", "app", Possession, false, 2, false, false, true, false),
        ("totp_app", "Authenticator app (TOTP)", "otp", Possession, false, 2, false, false, true, false),
        ("hardware_otp", "Hardware OTP token", "otp", Possession, false, 2, false, false, false, true),
        ("push_plain", "Plain push approval", "app", Possession, false, 2, false, false, true, false),
        ("temporary_access_pass", "Temporary access pass", "bootstrap", Procedure, false, 1, false, false, false, true),
        ("helpdesk_proofing", "Help-desk reset with identity proofing", "helpdesk", Procedure, false, 1, false, false, false, true),
        ("recovery_codes", "Recovery codes", "recovery", Possession, false, 1, false, false, false, true),
        ("sms_otp", "SMS one-time code", "otp", Possession, false, 2, false, true, true, false),
        ("voice_call", "Voice call code", "otp", Possession, false, 2, false, true, true, false),
        ("email_link", "Email link or code", "email", Possession, false, 1, false, false, false, true),
        ("manager_attestation", "Manager or peer attestation", "helpdesk", Procedure, false, 1, false, false, false, true),
        ("password", "Password", "knowledge", Knowledge, false, 1, false, false, false, true),
        ("helpdesk_kba", "Help-desk reset with knowledge questions", "helpdesk", Procedure, false, 1, false, false, false, true),
    ];
    rows.iter()
        .enumerate()
        .map(
            |(rank, &(key, name, category, factor, pr, aal, sync, restricted, phone, shared))| {
                MethodView {
                    phishing_resistant: pr,
                    max_aal: aal,
                    syncable: sync,
                    restricted,
                    needs_personal_phone: phone,
                    shared_workstation_ok: shared,
                    needs_managed_device: key == "smart_card",
                    strength_rank: rank as i32 + 1,
                    ..method(key, name, category, factor)
                }
            },
        )
        .collect()
}

pub fn catalogue() -> Catalogue {
    Catalogue::new(&methods())
}

/// The shipped methods and one more.
pub fn catalogue_with(extra: MethodView) -> Catalogue {
    let mut all = methods();
    all.push(extra);
    Catalogue::new(&all)
}

pub const POPULATIONS: [(&str, &str); 7] = [
    ("office_employees", "Office employees"),
    ("frontline_shift", "Frontline and shift workers"),
    ("contractors", "Contractors"),
    ("partners", "Partners"),
    ("privileged_admins", "Privileged administrators"),
    ("shared_workstation", "Shared-workstation users"),
    ("byod_remote", "BYOD and remote users"),
];

pub fn names() -> Names {
    Names {
        methods: methods().into_iter().map(|m| (m.key, m.name)).collect(),
        populations: POPULATIONS
            .iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect(),
    }
}

/// The standard journey of office employees.
pub fn office() -> PopulationJourney {
    policy().standard_for("office_employees")
}

/// One application to judge: medium criticality, not federated, its declaration serving exactly
/// the populations it declares, the shipped policy and catalogue.
#[derive(Clone)]
pub struct Case {
    pub criticality: Criticality,
    pub served: Vec<String>,
    pub own: Option<Declaration>,
    pub provider: Option<Declaration>,
    pub provider_name: Option<String>,
    pub federated: bool,
    pub last_submitted: Option<Date>,
    pub policy: Policy,
    pub catalogue: Catalogue,
    pub names: Names,
}

impl Case {
    pub fn new(own: Declaration) -> Self {
        Self {
            criticality: Criticality::Medium,
            served: own
                .populations
                .iter()
                .map(|j| j.population.clone())
                .collect(),
            own: Some(own),
            provider: None,
            provider_name: None,
            federated: false,
            last_submitted: None,
            policy: policy(),
            catalogue: catalogue(),
            names: names(),
        }
    }

    /// One population on its standard journey, changed by `change`.
    pub fn population(key: &str, change: impl FnOnce(&mut PopulationJourney)) -> Self {
        let mut journey = policy().standard_for(key);
        change(&mut journey);
        Self::new(Declaration {
            populations: vec![journey],
            break_glass: None,
        })
    }

    pub fn office(change: impl FnOnce(&mut PopulationJourney)) -> Self {
        Self::population("office_employees", change)
    }

    pub fn at(self, criticality: Criticality) -> Self {
        Self {
            criticality,
            ..self
        }
    }

    pub fn run(&self) -> Evaluation {
        let facts = Facts {
            criticality: self.criticality,
            served: &self.served,
            federated: self.federated,
            provider_name: self.provider_name.as_deref(),
            last_submitted: self.last_submitted,
        };
        evaluate(
            &facts,
            self.own.as_ref(),
            self.provider.as_ref(),
            &self.policy,
            &self.catalogue,
            &self.names,
            today(),
        )
    }

    pub fn keys(&self) -> Vec<String> {
        self.run().findings.into_iter().map(|f| f.key).collect()
    }

    /// The findings of one rule.
    pub fn of(&self, rule: Rule) -> Vec<Finding> {
        self.run()
            .findings
            .into_iter()
            .filter(|f| f.rule == rule.key())
            .collect()
    }

    /// The one finding of a rule (fails otherwise).
    #[track_caller]
    pub fn only(&self, rule: Rule) -> Finding {
        let mut found = self.of(rule);
        assert_eq!(found.len(), 1, "one {} finding: {found:#?}", rule.key());
        found.remove(0)
    }

    /// No finding of a rule (fails otherwise).
    #[track_caller]
    pub fn none(&self, rule: Rule) {
        let found = self.of(rule);
        assert!(found.is_empty(), "no {} finding: {found:#?}", rule.key());
    }
}

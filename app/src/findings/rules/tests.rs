//! The findings function as a whole: the standard journey passes, federated inheritance, policy
//! overrides, stable keys, plain-language explanations, ordering and the edge cases.

use super::fixture::{Case, POPULATIONS, office, policy, today};
use super::{Rule, key};
use crate::findings::model::Scope;
use crate::journey::{
    BreakGlass, Declaration, JourneyRole, Offboarding, Path, PopulationJourney, SessionRules,
};
use crate::vocab::{Criticality, Severity};
use std::collections::BTreeSet;

/// Every population on the policy's standard journey, with a drilled break-glass arrangement
/// unless told otherwise.
fn standard(populations: &[&str], break_glass: bool) -> Case {
    let p = policy();
    let mut case = Case::new(Declaration {
        populations: populations.iter().map(|k| p.standard_for(k)).collect(),
        break_glass: break_glass.then(|| BreakGlass {
            accounts: 2,
            method: "security_key".into(),
            location: "Safe in the SOC".into(),
            last_drill: Some("2026-10-01".into()),
        }),
    });
    case.last_submitted = Some(today());
    case
}

#[test]
fn the_standard_journey_of_every_population_has_no_finding_below_critical() {
    for (pop, _) in POPULATIONS {
        for c in [Criticality::Low, Criticality::Medium, Criticality::High] {
            let case = standard(&[pop], false).at(c);
            assert_eq!(case.keys(), Vec::<String>::new(), "{pop} at {c}");
        }
    }
}

#[test]
fn at_critical_the_standard_journey_falls_short_only_on_synced_passkeys() {
    let synced = ["contractors", "partners", "byod_remote"];
    for (pop, _) in POPULATIONS {
        let case = standard(&[pop], true).at(Criticality::Critical);
        let expected: Vec<String> = if synced.contains(&pop) {
            vec![format!(
                "synced_passkey_at_aal3/{pop}/primary/synced_passkey"
            )]
        } else {
            vec![]
        };
        assert_eq!(case.keys(), expected, "{pop}");
        // Without its break-glass arrangement, a critical application also has rule 15.
        let bare = standard(&[pop], false).at(Criticality::Critical);
        let mut with_break_glass = expected.clone();
        with_break_glass.insert(0, "break_glass".to_string());
        let mut keys = bare.keys();
        keys.sort();
        with_break_glass.sort();
        assert_eq!(keys, with_break_glass, "{pop}");
    }
}

#[test]
fn the_standard_journey_is_aal3_phishing_resistant_except_synced_populations() {
    let all: Vec<&str> = POPULATIONS.iter().map(|(k, _)| *k).collect();
    let e = standard(&all, true).run();
    for p in &e.populations {
        let synced = ["contractors", "partners", "byod_remote"].contains(&p.population.as_str());
        assert_eq!(p.aal, if synced { 2 } else { 3 }, "{}", p.population);
        assert!(p.phishing_resistant, "{}", p.population);
    }
    assert_eq!((e.aal, e.phishing_resistant), (2, true));
}

fn provider() -> Declaration {
    Declaration {
        populations: vec![office()],
        break_glass: None,
    }
}

/// A federated application: it inherits the provider's journey and declares nothing of its own.
fn federated(change: impl FnOnce(&mut PopulationJourney)) -> Case {
    let mut own = PopulationJourney {
        population: "office_employees".into(),
        ..Default::default()
    };
    change(&mut own);
    let mut case = Case::new(Declaration {
        populations: vec![own],
        break_glass: None,
    });
    case.federated = true;
    case.provider = Some(provider());
    case.provider_name = Some("Central IdP".into());
    case
}

#[test]
fn a_federated_application_inherits_its_providers_journey() {
    let case = federated(|_| {});
    let e = case.run();
    assert_eq!(e.findings, vec![], "the provider's standard journey passes");
    assert_eq!((e.aal, e.phishing_resistant), (3, true));
    let alone = Case {
        federated: false,
        ..case.clone()
    };
    assert!(
        alone
            .keys()
            .contains(&"no_usable_primary/office_employees/primary".to_string()),
        "without its provider, the same declaration has no primary"
    );
}

#[test]
fn a_federated_applications_own_password_is_a_bypass_and_weakens_it() {
    let case = federated(|j| j.primary = vec![Path::single("password")]);
    let f = case.only(Rule::FederatedLocalBypass);
    assert_eq!(
        f.key,
        "federated_local_bypass/office_employees/primary/password"
    );
    assert!(f.explanation.contains("Central IdP"), "{}", f.explanation);
    assert!(f.explanation.contains("Password"));
    assert!(f.explanation.contains("Office employees"));
    let e = case.run();
    assert_eq!((e.aal, e.phishing_resistant), (1, false));
    case.only(Rule::PasswordBesidePasswordless);
    case.only(Rule::AssuranceBelowMinimum);
}

#[test]
fn federated_sign_in_itself_is_not_a_bypass_nor_a_weakness() {
    let case = federated(|j| j.primary = vec![Path::single("federated_idp")]);
    case.none(Rule::FederatedLocalBypass);
    assert_eq!(case.run().aal, 3);
    let mut no_provider = federated(|j| j.primary = vec![Path::single("password")]);
    no_provider.federated = false;
    no_provider.none(Rule::FederatedLocalBypass);
}

#[test]
fn a_federated_application_with_its_own_session_rules_is_judged_on_them() {
    let case = federated(|j| {
        j.session = Some(SessionRules {
            max_session_minutes: 43_200,
            idle_timeout_minutes: 600,
            reauth_sensitive: false,
        })
    });
    case.only(Rule::SessionOutsidePolicy);
    case.none(Rule::FederatedLocalBypass);
}

#[test]
fn the_policy_can_override_a_rules_severity() {
    let case = Case::office(|j| j.devices = None);
    assert_eq!(case.only(Rule::DevicesUndeclared).severity, Severity::Low);
    let mut stricter = case.clone();
    stricter
        .policy
        .severity
        .insert("devices_undeclared".into(), Severity::High);
    assert_eq!(
        stricter.only(Rule::DevicesUndeclared).severity,
        Severity::High
    );
    let mut lenient = Case::office(|j| j.recovery.push(Path::single("sms_otp")));
    lenient
        .policy
        .severity
        .insert("restricted_method".into(), Severity::Low);
    assert_eq!(
        lenient.only(Rule::RestrictedMethod).severity,
        Severity::Medium,
        "as recovery, one level above the policy's severity"
    );
}

#[test]
fn keys_stay_the_same_across_versions_that_differ_elsewhere() {
    let v1 = Case::office(|j| j.fallback.push(Path::of(&["password", "sms_otp"])));
    let mut v2 = Case::office(|j| {
        j.fallback.insert(0, Path::single("totp_app"));
        j.fallback.push(Path::of(&["password", "sms_otp"]));
        j.session = None;
        j.offboarding = Some(Offboarding::Manual);
    });
    v2.own
        .as_mut()
        .unwrap()
        .populations
        .push(policy().standard_for("contractors"));
    v2.served.push("contractors".into());
    let k1: BTreeSet<String> = v1.keys().into_iter().collect();
    let k2: BTreeSet<String> = v2.keys().into_iter().collect();
    for k in [
        "restricted_method/office_employees/fallback/password+sms_otp",
        "method_outside_standard/office_employees/fallback/password+sms_otp",
        "password_beside_passwordless/office_employees/fallback/password+sms_otp",
        "weakest_link/office_employees/fallback/password+sms_otp",
    ] {
        assert!(k1.contains(k) && k2.contains(k), "{k}: {k1:?} / {k2:?}");
    }
    assert!(k1.is_subset(&k2), "v2 only adds: {k1:?} / {k2:?}");
    assert_eq!(v1.keys(), v1.keys(), "recomputing gives the same keys");
}

#[test]
fn a_key_is_the_rule_and_the_scope_joined_by_slashes() {
    let scope = Scope {
        population: Some("office_employees".into()),
        role: Some(JourneyRole::Fallback),
        method: Some(Path::of(&["password", "sms_otp"]).to_cell()),
    };
    assert_eq!(
        key(Rule::WeakestLink, &scope),
        "weakest_link/office_employees/fallback/password+sms_otp"
    );
    assert_eq!(key(Rule::BreakGlass, &Scope::default()), "break_glass");
}

#[test]
fn explanations_use_the_display_names_of_populations_and_methods() {
    let case = Case::population("byod_remote", |j| {
        j.fallback = vec![Path::single("sms_otp")];
        j.recovery = vec![Path::single("email_link")];
    });
    let e = case.run();
    assert!(!e.findings.is_empty());
    for f in &e.findings {
        assert!(
            f.explanation.contains("BYOD and remote users"),
            "{}: {}",
            f.key,
            f.explanation
        );
        assert!(!f.explanation.contains("byod_remote"), "{}", f.explanation);
        assert!(!f.fix.is_empty());
        assert!(!f.explanation.contains("sms_otp") && !f.explanation.contains("email_link"));
    }
    let sms = case.only(Rule::RestrictedMethod);
    assert!(sms.explanation.contains("SMS one-time code"));
}

#[test]
fn findings_come_most_severe_first_then_by_key_without_duplicates() {
    let case = Case::office(|j| {
        j.primary.push(Path::single("password"));
        j.fallback.push(Path::single("sms_otp"));
        j.recovery = vec![Path::single("helpdesk_kba"), Path::single("email_link")];
        j.devices = None;
    })
    .at(Criticality::Critical);
    let f = case.run().findings;
    assert!(f.len() > 8, "{f:#?}");
    for w in f.windows(2) {
        assert!(
            (w[0].severity, &w[0].key) < (w[1].severity, &w[1].key),
            "{} before {}",
            w[0].key,
            w[1].key
        );
    }
    assert_eq!(f[0].severity, Severity::Critical);
}

#[test]
fn nothing_submitted_is_one_finding_per_population() {
    let mut case = standard(&["office_employees", "contractors"], false);
    case.own = None;
    case.last_submitted = None;
    let e = case.run();
    assert_eq!(
        e.findings
            .iter()
            .map(|f| f.key.as_str())
            .collect::<Vec<_>>(),
        vec![
            "no_usable_primary/contractors/primary",
            "no_usable_primary/office_employees/primary",
        ]
    );
    assert!(e.findings[1].explanation.contains("Office employees"));
    assert!(e.findings[1].explanation.contains("not declared"));
    assert_eq!((e.aal, e.phishing_resistant), (0, false));
    assert_eq!(e.populations.len(), 2);
}

#[test]
fn a_served_population_without_a_journey_is_exactly_one_finding() {
    let mut case = standard(&["office_employees"], false);
    case.served.push("partners".into());
    let e = case.run();
    let partners: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.scope.population.as_deref() == Some("partners"))
        .collect();
    assert_eq!(partners.len(), 1, "{partners:#?}");
    assert_eq!(partners[0].key, "no_usable_primary/partners/primary");
    assert_eq!(e.findings.len(), 1);
    assert_eq!(e.aal, 0, "an undeclared population is worth nothing yet");
}

#[test]
fn a_declared_population_no_longer_served_is_not_judged() {
    let mut case = Case::population("partners", |j| j.primary = vec![Path::single("password")]);
    case.served = vec![];
    let e = case.run();
    assert_eq!((e.findings.len(), e.populations.len(), e.aal), (0, 0, 0));
}

#[test]
fn a_journey_with_empty_roles_names_each_missing_part_once() {
    let case = Case::new(Declaration {
        populations: vec![PopulationJourney {
            population: "office_employees".into(),
            ..Default::default()
        }],
        break_glass: None,
    });
    let rules: Vec<String> = case.run().findings.into_iter().map(|f| f.rule).collect();
    let expected: BTreeSet<&str> = [
        Rule::NoUsablePrimary,
        Rule::NoRecovery,
        Rule::EnrolmentWeakOrMissing,
        Rule::DeviceReplacementHelpdeskOnly,
        Rule::OffboardingManual,
        Rule::DevicesUndeclared,
        Rule::SessionOutsidePolicy,
    ]
    .iter()
    .map(|r| r.key())
    .collect();
    assert_eq!(rules.len(), expected.len(), "{rules:?}");
    assert_eq!(
        rules.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(case.run().aal, 0);
}

#[test]
fn a_provider_without_the_population_leaves_it_to_the_application() {
    let mut case = federated(|_| {});
    case.provider = Some(Declaration::default());
    let f = case.only(Rule::NoUsablePrimary);
    assert!(
        f.explanation.contains("neither Central IdP"),
        "{}",
        f.explanation
    );
}

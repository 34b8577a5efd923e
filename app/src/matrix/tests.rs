//! The matrix's pure functions on a small named estate:
//! - **Okta**, an identity provider: staff and contractors sign in with a platform passkey, fall
//!   back to an SMS code, recover at the help desk and replace devices with a temporary access
//!   pass.
//! - **CRM**, federated through Okta: inherits that, and adds a security key as step-up for staff.
//! - **Payroll**, critical, local: staff sign in with a platform passkey, fall back to a password
//!   with an authenticator code; no break-glass.
//! - **Vault**, low, local: staff on the shipped standard journey.
//! - **Wiki**: serves staff, nothing declared.

use super::model::{CellState, MatrixFilter, RoleMarks, role_bit};
use super::rules::*;
use crate::catalogue::model::{FactorKind, MethodView};
use crate::findings::facade::Catalogue;
use crate::ids::ApplicationId;
use crate::journey::{BreakGlass, Declaration, JourneyRole, Names, Path, PopulationJourney};
use crate::matrix::model::Choice;
use crate::policy::facade::shipped;
use crate::vocab::{Criticality, Integration, Severity};
use time::macros::date;
use uuid::Uuid;

const STAFF: &str = "office_employees";
const CONTRACTORS: &str = "contractors";

fn method(
    key: &str,
    category: &str,
    factor: FactorKind,
    aal: i32,
    pr: bool,
    restricted: bool,
    rank: i32,
) -> MethodView {
    MethodView {
        key: key.into(),
        name: format!("{key} name"),
        category: category.into(),
        factor,
        phishing_resistant: pr,
        max_aal: aal,
        syncable: false,
        restricted,
        needs_personal_phone: false,
        needs_managed_device: false,
        shared_workstation_ok: false,
        strength_rank: rank,
        description: String::new(),
        active: true,
    }
}

fn methods() -> Vec<MethodView> {
    use FactorKind::*;
    let mut retired = method("voice_call", "otp", Possession, 1, false, true, 90);
    retired.active = false;
    vec![
        method("security_key", "fido", MultiFactor, 3, true, false, 1),
        method("platform_passkey", "fido", MultiFactor, 3, true, false, 2),
        method("smart_card", "pki", MultiFactor, 3, true, false, 3),
        method("totp_app", "otp", Possession, 2, false, false, 20),
        method("sms_otp", "otp", Possession, 2, false, true, 40),
        method("password", "knowledge", Knowledge, 1, false, false, 80),
        method(
            "temporary_access_pass",
            "bootstrap",
            Procedure,
            2,
            false,
            false,
            30,
        ),
        method(
            "helpdesk_proofing",
            "helpdesk",
            Procedure,
            2,
            false,
            false,
            35,
        ),
        retired,
    ]
}

fn id(n: u128) -> ApplicationId {
    ApplicationId(Uuid::from_u128(n))
}

fn paths(keys: &[&[&str]]) -> Vec<Path> {
    keys.iter().map(|p| Path::of(p)).collect()
}

fn okta_journey(population: &str) -> PopulationJourney {
    PopulationJourney {
        population: population.into(),
        enrolment: paths(&[&["temporary_access_pass"]]),
        primary: paths(&[&["platform_passkey"]]),
        fallback: paths(&[&["sms_otp"]]),
        recovery: paths(&[&["helpdesk_proofing"]]),
        device_replacement: paths(&[&["temporary_access_pass"]]),
        ..Default::default()
    }
}

fn finding(
    rule: &str,
    severity: Severity,
    population: &str,
    role: JourneyRole,
    path: &str,
    excepted: bool,
) -> FindingFact {
    FindingFact {
        rule: rule.into(),
        severity,
        population: Some(population.into()),
        role: Some(role),
        methods: FindingFact::methods_of(Some(path)),
        excepted,
    }
}

fn app(n: u128, name: &str, criticality: Criticality, served: &[&str]) -> EstateApp {
    EstateApp {
        id: id(n),
        name: name.into(),
        name_key: name.to_lowercase(),
        unit: Some("Finance".into()),
        criticality,
        integration: Integration::Local,
        provider: None,
        owners: vec!["alice".into()],
        served: served.iter().map(|s| s.to_string()).collect(),
        own: None,
        inherited: None,
        findings: Vec::new(),
        expiring: 0,
    }
}

fn apps() -> Vec<EstateApp> {
    let policy = shipped();
    let okta_declaration = Declaration {
        populations: vec![okta_journey(STAFF), okta_journey(CONTRACTORS)],
        break_glass: None,
    };
    let mut okta = app(1, "Okta", Criticality::High, &[STAFF, CONTRACTORS]);
    okta.own = Some(std::sync::Arc::new(okta_declaration.clone()));
    okta.findings = vec![
        finding(
            "restricted_method",
            Severity::Medium,
            STAFF,
            JourneyRole::Fallback,
            "sms_otp",
            false,
        ),
        finding(
            "restricted_method",
            Severity::Medium,
            CONTRACTORS,
            JourneyRole::Fallback,
            "sms_otp",
            true,
        ),
    ];
    okta.expiring = 1;

    let mut crm = app(2, "CRM", Criticality::Medium, &[STAFF, CONTRACTORS]);
    crm.integration = Integration::Federated;
    crm.provider = Some("Okta".into());
    crm.owners = vec!["bob".into()];
    crm.own = Some(std::sync::Arc::new(Declaration {
        populations: vec![
            PopulationJourney {
                population: STAFF.into(),
                step_up: paths(&[&["security_key"]]),
                ..Default::default()
            },
            PopulationJourney {
                population: CONTRACTORS.into(),
                ..Default::default()
            },
        ],
        break_glass: None,
    }));
    crm.inherited = Some(std::sync::Arc::new(okta_declaration));
    crm.findings = vec![finding(
        "restricted_method",
        Severity::Medium,
        CONTRACTORS,
        JourneyRole::Fallback,
        "sms_otp",
        true,
    )];

    let mut payroll = app(3, "Payroll", Criticality::Critical, &[STAFF]);
    payroll.own = Some(std::sync::Arc::new(Declaration {
        populations: vec![PopulationJourney {
            population: STAFF.into(),
            primary: paths(&[&["platform_passkey"]]),
            fallback: paths(&[&["password", "totp_app"]]),
            recovery: paths(&[&["helpdesk_proofing"]]),
            device_replacement: paths(&[&["temporary_access_pass"]]),
            ..Default::default()
        }],
        break_glass: None,
    }));
    payroll.findings = vec![
        finding(
            "weakest_link",
            Severity::High,
            STAFF,
            JourneyRole::Fallback,
            "password+totp_app",
            false,
        ),
        finding(
            "password_beside_passwordless",
            Severity::Medium,
            STAFF,
            JourneyRole::Fallback,
            "password+totp_app",
            true,
        ),
    ];

    let mut vault = app(4, "Vault", Criticality::Low, &[STAFF]);
    vault.own = Some(std::sync::Arc::new(Declaration {
        populations: vec![policy.standard_for(STAFF)],
        break_glass: None,
    }));
    vault.owners = vec!["carol".into()];

    let wiki = app(5, "Wiki", Criticality::Low, &[STAFF]);
    vec![payroll, crm, wiki, okta, vault]
}

fn names() -> Names {
    Names {
        methods: methods()
            .into_iter()
            .map(|m| (m.key.clone(), m.name.clone()))
            .collect(),
        populations: [(STAFF, "Office employees"), (CONTRACTORS, "Contractors")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn named_estate() -> Estate {
    estate(
        apps(),
        &methods(),
        &shipped(),
        1,
        names(),
        vec![
            Choice {
                key: CONTRACTORS.into(),
                label: "Contractors".into(),
            },
            Choice {
                key: STAFF.into(),
                label: "Office employees".into(),
            },
        ],
        vec!["Finance".into()],
        date!(2026 - 12 - 01),
    )
}

fn entry<'e>(e: &'e Estate, name: &str) -> &'e Entry {
    e.entries.iter().find(|x| x.name == name).expect(name)
}

fn cell(
    e: &Estate,
    row: &Entry,
    population: Option<&str>,
    method: &str,
) -> Option<super::model::Cell> {
    let col = e
        .columns
        .iter()
        .position(|c| c.key == method)
        .expect(method) as u16;
    shown(row, population, None)
        .cells
        .into_iter()
        .find(|c| c.column == col)
}

#[test]
fn columns_are_grouped_by_category_strongest_first_and_hide_retired_unused_methods() {
    let e = named_estate();
    let keys: Vec<&str> = e.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "security_key",
            "platform_passkey",
            "smart_card",
            "totp_app",
            "sms_otp",
            "temporary_access_pass",
            "helpdesk_proofing",
            "password",
        ],
        "fido first (the strongest), the otp group together; the retired voice call is in no journey"
    );
}

#[test]
fn cells_show_roles_combined_paths_and_inheritance() {
    let e = named_estate();
    let payroll = entry(&e, "Payroll");
    let password = cell(&e, payroll, None, "password").expect("password cell");
    assert_eq!(password.marks.text(), "F+", "only inside password + code");
    assert_eq!(password.marks.words(), "Fallback (with another factor)");
    assert_eq!(
        password.state,
        CellState::Open,
        "an open rule-1 finding names it"
    );

    let crm = entry(&e, "CRM");
    let passkey = cell(&e, crm, Some(STAFF), "platform_passkey").unwrap();
    assert_eq!(passkey.marks.text(), "(P)", "inherited from Okta");
    let key = cell(&e, crm, Some(STAFF), "security_key").unwrap();
    assert_eq!(key.marks.text(), "S", "its own step-up");
    assert!(
        cell(&e, crm, Some(CONTRACTORS), "security_key").is_none(),
        "contractors have no step-up"
    );
    assert_eq!(
        cell(&e, crm, Some(CONTRACTORS), "sms_otp").unwrap().state,
        CellState::Excepted
    );
    assert_eq!(
        cell(&e, crm, Some(STAFF), "sms_otp").unwrap().state,
        CellState::Standard,
        "no finding on CRM's staff fallback"
    );
    assert_eq!(
        cell(&e, crm, None, "sms_otp").unwrap().state,
        CellState::Excepted,
        "all populations: the worst of both"
    );
    let okta = entry(&e, "Okta");
    assert_eq!(
        cell(&e, okta, None, "sms_otp").unwrap().state,
        CellState::Open,
        "one open and one excepted: open"
    );
    assert_eq!(
        cell(&e, okta, None, "temporary_access_pass")
            .unwrap()
            .marks
            .text(),
        "E D"
    );
}

#[test]
fn role_marks_union_keeps_only_what_holds_everywhere() {
    let p = role_bit(JourneyRole::Primary);
    let f = role_bit(JourneyRole::Fallback);
    let inherited = RoleMarks {
        roles: p,
        combined_only: 0,
        inherited_only: p,
    };
    let own_combined = RoleMarks {
        roles: p | f,
        combined_only: f,
        inherited_only: 0,
    };
    let u = inherited.union(&own_combined);
    assert_eq!(u.roles, p | f);
    assert_eq!(
        u.inherited_only, 0,
        "own in one journey: not inherited-only"
    );
    assert_eq!(u.combined_only, f, "combined wherever it is a fallback");
    assert_eq!(u.text(), "P F+");
}

#[test]
fn readiness_names_what_blocks_each_application() {
    let e = named_estate();
    let vault = entry(&e, "Vault");
    assert!(
        vault.readiness.ready(),
        "the standard journey is ready: {:?}",
        vault.readiness.blockers
    );
    let payroll = &entry(&e, "Payroll").readiness.blockers;
    assert!(
        payroll
            .iter()
            .any(|b| b.contains("the fallback still needs a password")),
        "{payroll:?}"
    );
    assert!(
        payroll.iter().any(|b| b.starts_with("No break-glass")),
        "critical applications need break-glass: {payroll:?}"
    );
    assert!(
        payroll
            .iter()
            .any(|b| b.contains("1 open high or critical finding")),
        "{payroll:?}"
    );
    let wiki = &entry(&e, "Wiki").readiness.blockers;
    assert_eq!(
        wiki,
        &vec!["Office employees: no journey is declared.".to_string()]
    );
    assert_eq!(
        entry(&e, "CRM").readiness.blockers,
        vec![
            "Office employees: the fallback sms_otp name is AAL1, below the policy's AAL2 for medium applications.".to_string(),
            "Contractors: the fallback sms_otp name is AAL1, below the policy's AAL2 for medium applications.".to_string(),
        ],
        "an SMS code alone is one factor (AAL1), inherited or not"
    );
}

#[test]
fn readiness_checks_the_break_glass_drill_against_today() {
    let policy = shipped();
    let catalogue = Catalogue::new(&methods());
    let names = names();
    let standard = policy.standard_for(STAFF);
    let with_drill = |drill: Option<&str>| Declaration {
        populations: vec![standard.clone()],
        break_glass: Some(BreakGlass {
            accounts: 2,
            method: "security_key".into(),
            location: "safe".into(),
            last_drill: drill.map(str::to_string),
        }),
    };
    let served = vec![STAFF.to_string()];
    let judge = |d: &Declaration| {
        readiness(
            &served,
            d,
            Criticality::Critical,
            &[],
            &policy,
            &catalogue,
            &names,
            date!(2026 - 12 - 01),
        )
    };
    assert!(judge(&with_drill(Some("2026-06-01"))).ready());
    let old = judge(&with_drill(Some("2025-06-01")));
    assert_eq!(
        old.blockers,
        vec![
            "The last break-glass drill (2025-06-01) is older than the policy's 365 days."
                .to_string()
        ]
    );
    assert_eq!(
        judge(&with_drill(None)).blockers,
        vec!["The break-glass arrangement has never been drilled.".to_string()]
    );
    let excepted_high = FindingFact {
        rule: "primary_not_phishing_resistant".into(),
        severity: Severity::High,
        population: Some(STAFF.into()),
        role: None,
        methods: vec![],
        excepted: true,
    };
    assert!(
        readiness(
            &served,
            &with_drill(Some("2026-06-01")),
            Criticality::Critical,
            &[excepted_high],
            &policy,
            &catalogue,
            &names,
            date!(2026 - 12 - 01),
        )
        .ready(),
        "an excepted finding does not block"
    );
}

#[test]
fn fragmentation_figures_of_the_named_estate() {
    let e = named_estate();
    let all: Vec<&Entry> = e.entries.iter().map(|e| e.as_ref()).collect();
    let f = fragmentation(&all, None);
    assert_eq!(f.applications, 5);
    // Okta staff = Okta contractors = CRM contractors; CRM staff adds a step-up; Payroll; Vault.
    assert_eq!(
        f.journeys, 6,
        "six declared population journeys (Wiki has none)"
    );
    assert_eq!(f.distinct_journeys, 4);
    assert_eq!(f.on_standard, 1, "Vault");
    assert_eq!(f.standard_share(), 20);
    assert_eq!(f.weaker_fallback, 1, "Payroll (rule 1)");
    assert_eq!(
        f.restricted_applications, 2,
        "Okta and CRM fall back to SMS"
    );
    assert_eq!(f.restricted_populations, 4);
    assert_eq!(f.open, [0, 1, 1, 0], "Payroll's high, Okta's staff medium");
    assert_eq!(f.expiring_exceptions, 1);
    assert_eq!(f.ready, 1, "Vault");

    let staff_only = fragmentation(&all, Some(STAFF));
    assert_eq!(staff_only.journeys, 4);
    assert_eq!(staff_only.restricted_populations, 2);
}

#[test]
fn column_counts_count_applications_per_role() {
    let e = named_estate();
    let all: Vec<&Entry> = e.entries.iter().map(|e| e.as_ref()).collect();
    let counts = column_counts(&all, None, e.columns.len());
    let at = |key: &str, role: JourneyRole| {
        let c = e.columns.iter().position(|c| c.key == key).unwrap();
        let r = JourneyRole::ALL.iter().position(|x| *x == role).unwrap();
        counts[c][r]
    };
    assert_eq!(
        at("platform_passkey", JourneyRole::Primary),
        4,
        "all but Wiki"
    );
    assert_eq!(at("sms_otp", JourneyRole::Fallback), 2);
    assert_eq!(at("password", JourneyRole::Fallback), 1);
    assert_eq!(at("security_key", JourneyRole::StepUp), 2, "CRM and Vault");
    assert_eq!(at("password", JourneyRole::Primary), 0);
}

#[test]
fn filters_narrow_the_rows_and_the_page_agrees_with_the_figures() {
    let e = named_estate();
    let page_of = |f: MatrixFilter| page(&e, &f, Some("alice"));
    let names_of =
        |f: MatrixFilter| -> Vec<String> { page_of(f).rows.into_iter().map(|r| r.name).collect() };
    assert_eq!(
        names_of(MatrixFilter::default()),
        ["CRM", "Okta", "Payroll", "Vault", "Wiki"],
        "by name"
    );
    assert_eq!(
        names_of(MatrixFilter {
            method: "sms_otp".into(),
            role: "fallback".into(),
            ..Default::default()
        }),
        ["CRM", "Okta"]
    );
    assert_eq!(
        names_of(MatrixFilter {
            method: "sms_otp".into(),
            role: "primary".into(),
            ..Default::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        names_of(MatrixFilter {
            state: "excepted".into(),
            ..Default::default()
        }),
        ["CRM"]
    );
    assert_eq!(
        names_of(MatrixFilter {
            state: "open".into(),
            population: CONTRACTORS.into(),
            ..Default::default()
        }),
        Vec::<String>::new(),
        "contractors' findings are all excepted"
    );
    assert_eq!(
        names_of(MatrixFilter {
            readiness: "ready".into(),
            ..Default::default()
        }),
        ["Vault"]
    );
    assert_eq!(
        names_of(MatrixFilter {
            owner: "mine".into(),
            criticality: "critical".into(),
            ..Default::default()
        }),
        ["Payroll"]
    );
    assert_eq!(
        names_of(MatrixFilter {
            sort: "findings".into(),
            ..Default::default()
        })[0],
        "Payroll",
        "the high finding first"
    );
    let p = page_of(MatrixFilter {
        method: "no_such_method".into(),
        ..Default::default()
    });
    assert_eq!(
        p.unknown.len(),
        1,
        "an unknown method is named, not ignored"
    );
    let all = page_of(MatrixFilter::default());
    let rows: Vec<&Entry> = e.entries.iter().map(|e| e.as_ref()).collect();
    assert_eq!(all.figures, fragmentation(&rows, None));
    assert_eq!(all.total, 5);
    let role = JourneyRole::ALL
        .iter()
        .position(|r| *r == JourneyRole::Fallback)
        .unwrap();
    let sms = all.columns.iter().find(|c| c.key == "sms_otp").unwrap();
    assert_eq!(sms.by_role[role], 2);
}

#[test]
fn journeys_are_grouped_largest_first_with_the_80_per_cent_count() {
    let e = named_estate();
    let j = journeys(&e, &MatrixFilter::default(), None);
    assert_eq!(j.total_groups, 4);
    assert_eq!(j.journeys, 6);
    let first = &j.groups[0];
    assert_eq!(first.size, 3, "Okta's two and CRM's contractors");
    assert_eq!(first.applications, 2);
    assert_eq!(first.open, [0, 0, 1, 0], "Okta staff's open SMS finding");
    assert_eq!(first.excepted, 2);
    assert!(!first.standard);
    assert_eq!(
        first.roles[1],
        (JourneyRole::Primary, "platform_passkey name".to_string())
    );
    // 3 of 6, then 1 more each: 3 + 1 + 1 = 5 of 6 (83 %) takes three groups.
    assert_eq!(j.groups_for_80, 3);
    assert!(
        j.groups.iter().any(|g| g.standard),
        "Vault's is the standard"
    );
    let staff = journeys(
        &e,
        &MatrixFilter {
            population: STAFF.into(),
            ..Default::default()
        },
        None,
    );
    assert_eq!(staff.journeys, 4);
    assert_eq!(
        staff.total_groups, 4,
        "Okta staff, CRM staff, Payroll, Vault"
    );
}

#[test]
fn the_csv_names_every_method_and_guards_typed_text() {
    let mut apps = apps();
    apps[0].name = "=HYPERLINK(\"x\")".into();
    let e = estate(
        apps,
        &methods(),
        &shipped(),
        1,
        names(),
        vec![],
        vec![],
        date!(2026 - 12 - 01),
    );
    let filter = MatrixFilter::default();
    let (criteria, _) = Criteria::of(&filter, &e, None);
    let rows = matching_indices(&e, &criteria, "");
    let body = String::from_utf8(super::export::piece(&e, &rows, None, None).unwrap()).unwrap();
    let header = super::export::header(&e);
    assert_eq!(header.len(), 15 + e.columns.len());
    assert!(body.contains("'=HYPERLINK"), "a formula is guarded: {body}");
    assert!(
        body.contains("Fallback (with another factor); open deviation"),
        "{body}"
    );
    assert_eq!(body.lines().count(), 5);
}

#[test]
fn the_kept_estate_serves_what_the_pure_functions_compute_per_filter_and_viewer() {
    use crate::matrix::current::Current;
    use crate::matrix::model::MatrixPage;
    let current = Current::new(named_estate(), "head@day".into(), 1, date!(2026 - 12 - 01));
    let e = named_estate();
    let mut written = 0;
    let mine = MatrixFilter {
        owner: "mine".into(),
        ..Default::default()
    };
    let mut kept = |filter: &MatrixFilter, viewer: &str| {
        current.matrix_page(filter, Some(viewer), |p| {
            written += 1;
            format!("{} rows", p.rows.len())
        })
    };
    let alice = kept(&mine, "alice");
    let again = kept(&mine, "alice");
    let bob = kept(&mine, "bob");
    assert_eq!(written, 2, "written once per filter and viewer");
    assert!(std::sync::Arc::ptr_eq(&alice, &again), "the same page kept");
    // What is kept is what the pure function computes, with the body the writer wrote.
    for (page, viewer) in [(&alice, "alice"), (&bob, "bob")] {
        let pure = crate::matrix::rules::page(&e, &mine, Some(viewer));
        assert_eq!(page.body, format!("{} rows", pure.rows.len()));
        assert_eq!(
            MatrixPage {
                body: String::new(),
                ..(**page).clone()
            },
            pure
        );
    }
    assert_ne!(alice.rows, bob.rows, "each viewer's own applications");
    let sorted = MatrixFilter {
        sort: "findings".into(),
        ..Default::default()
    };
    assert_eq!(
        current.matrix_page(&sorted, None, |_| String::new()).rows,
        crate::matrix::rules::page(&e, &sorted, None).rows
    );
    assert_eq!(
        *current.journeys_page(&MatrixFilter::default(), None),
        crate::matrix::rules::journeys(&e, &MatrixFilter::default(), None)
    );
    let rows: Vec<&Entry> = e.entries.iter().map(|e| e.as_ref()).collect();
    assert_eq!(*current.figures(), fragmentation(&rows, None));
}

/// The named estate after some changes: Payroll's fallback is an authenticator code alone and
/// its findings are resolved; Okta falls back to a smart card (CRM inherits it); Wiki is
/// archived; Atlas is registered on the standard journey.
fn changed_apps() -> (Vec<EstateApp>, std::collections::HashSet<ApplicationId>) {
    let mut out = Vec::new();
    for mut a in apps() {
        match a.name.as_str() {
            "Payroll" => {
                let d = a.own.as_mut().map(std::sync::Arc::make_mut).unwrap();
                d.populations[0].fallback = paths(&[&["totp_app"]]);
                a.findings.clear();
            }
            "Okta" | "CRM" => {
                let okta = Declaration {
                    populations: [STAFF, CONTRACTORS]
                        .iter()
                        .map(|p| PopulationJourney {
                            fallback: paths(&[&["smart_card"]]),
                            ..okta_journey(p)
                        })
                        .collect(),
                    break_glass: None,
                };
                if a.name == "Okta" {
                    a.own = Some(std::sync::Arc::new(okta));
                    a.findings.clear();
                } else {
                    a.inherited = Some(std::sync::Arc::new(okta));
                }
            }
            "Wiki" => continue,
            _ => {}
        }
        out.push(a);
    }
    let mut atlas = app(6, "Atlas", Criticality::Medium, &[STAFF]);
    atlas.own = Some(std::sync::Arc::new(Declaration {
        populations: vec![shipped().standard_for(STAFF)],
        break_glass: None,
    }));
    out.push(atlas);
    let changed = [1, 2, 3, 5, 6].into_iter().map(id).collect();
    (out, changed)
}

#[test]
fn an_estate_patched_shows_what_the_same_estate_loaded_anew_shows() {
    let kept = named_estate();
    let (now, changed) = changed_apps();
    let only: Vec<EstateApp> = now
        .iter()
        .filter(|a| changed.contains(&a.id))
        .cloned()
        .collect();
    let patched = patch(
        &kept,
        &changed,
        only,
        &methods(),
        &shipped(),
        1,
        date!(2026 - 12 - 01),
    )
    .expect("the same columns and policy: patched");
    let fresh = estate(
        now,
        &methods(),
        &shipped(),
        1,
        names(),
        kept.populations.clone(),
        kept.units.clone(),
        date!(2026 - 12 - 01),
    );
    let names_of = |e: &Estate| e.entries.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names_of(&patched),
        ["Atlas", "CRM", "Okta", "Payroll", "Vault"],
        "Wiki gone, Atlas in its place by name"
    );
    assert_eq!(names_of(&patched), names_of(&fresh));
    for filter in [
        MatrixFilter::default(),
        MatrixFilter {
            population: STAFF.into(),
            ..Default::default()
        },
        MatrixFilter {
            sort: "findings".into(),
            ..Default::default()
        },
        MatrixFilter {
            owner: "mine".into(),
            ..Default::default()
        },
    ] {
        assert_eq!(
            page(&patched, &filter, Some("alice")),
            page(&fresh, &filter, Some("alice")),
            "{filter:?}"
        );
        assert_eq!(
            journeys(&patched, &filter, None),
            journeys(&fresh, &filter, None),
            "{filter:?}"
        );
    }
    // And it is not the estate kept: the change shows.
    assert_ne!(
        page(&patched, &MatrixFilter::default(), None),
        page(&kept, &MatrixFilter::default(), None)
    );
    let untouched = |e: &Estate| {
        e.entries
            .iter()
            .find(|x| x.name == "Vault")
            .cloned()
            .unwrap()
    };
    assert!(
        std::sync::Arc::ptr_eq(&untouched(&kept), &untouched(&patched)),
        "an application that did not change is shared, not computed again"
    );
}

#[test]
fn a_patch_that_would_change_the_columns_or_the_policy_asks_for_a_whole_load() {
    let kept = named_estate();
    let changed: std::collections::HashSet<ApplicationId> = [id(4)].into_iter().collect();
    let day = date!(2026 - 12 - 01);
    let vault = || apps().into_iter().find(|a| a.name == "Vault").unwrap();
    assert!(
        patch(
            &kept,
            &changed,
            vec![vault()],
            &methods(),
            &shipped(),
            1,
            day
        )
        .is_some()
    );
    assert!(
        patch(
            &kept,
            &changed,
            vec![vault()],
            &methods(),
            &shipped(),
            2,
            day
        )
        .is_none(),
        "another policy version"
    );
    // A retired method in use gets a column of its own when loaded whole.
    let mut voice = vault();
    voice
        .own
        .as_mut()
        .map(std::sync::Arc::make_mut)
        .unwrap()
        .populations[0]
        .recovery = paths(&[&["voice_call"]]);
    assert!(patch(&kept, &changed, vec![voice], &methods(), &shipped(), 1, day).is_none());
    // The last application using a method leaves: an active method keeps its column...
    let without: std::collections::HashSet<ApplicationId> = [id(1), id(2)].into_iter().collect();
    assert!(patch(&kept, &without, Vec::new(), &methods(), &shipped(), 1, day).is_some());
    // ...a retired one loses it.
    let mut with_voice = apps();
    with_voice[4]
        .own
        .as_mut()
        .map(std::sync::Arc::make_mut)
        .unwrap()
        .populations[0]
        .recovery = paths(&[&["voice_call"]]);
    let kept = estate(
        with_voice,
        &methods(),
        &shipped(),
        1,
        names(),
        kept.populations.clone(),
        kept.units.clone(),
        day,
    );
    assert!(kept.columns.iter().any(|c| c.key == "voice_call"));
    assert!(
        patch(
            &kept,
            &changed,
            vec![vault()],
            &methods(),
            &shipped(),
            1,
            day
        )
        .is_none()
    );
}

//! Findings kept current and read by everyone: a submitted declaration is judged in the same
//! transaction, its fix resolves the finding, paths that combine factors are judged per path,
//! a policy change judges every application again exactly as its preview said, and auditors
//! read and export but change nothing.

use crate::client::{Person, after, error_of, events};
use crate::on_each_backend;
use crate::registry::{AppForm, Decl, editor, org, submitted, update};
use crate::support::{TestDb, World};
use app::declarations::model::{DraftOrigin, Path};
use app::findings::model::{ApplicationFindings, FindingsPage};
use app::policy::model::{PolicyForm, PolicyPreview, PolicyShown};
use app::ssr::entities::finding;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

async fn findings_of(p: &Person<'_>, app: &str) -> ApplicationFindings {
    p.client
        .call("/api/findings/application", &[("id", app)])
        .await
}

fn open_keys(f: &ApplicationFindings) -> BTreeSet<String> {
    f.open.iter().map(|r| r.finding.key.clone()).collect()
}

/// Both populations of Payroll (high criticality) on a full standard-like journey, with the
/// contractors' fallback replaced.
fn payroll_with_fallback(fallback: &[&str]) -> Decl {
    Decl::default()
        .full("office_employees")
        .full("contractors")
        .without("p[contractors][fallback]")
        .methods("contractors", "fallback", fallback)
}

async fn a_submitted_declaration_is_judged_and_its_fix_resolves_the_finding(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let restricted = "restricted_method/contractors/fallback/password+sms_otp";

    // A password with an SMS code as the contractors' fallback: one path of two factors.
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["password+sms_otp"]),
    )
    .await;
    let f = findings_of(&o.dave, &o.payroll).await;
    assert!(f.assessed);
    assert!(open_keys(&f).contains(restricted), "{:#?}", open_keys(&f));
    let row = f.open.iter().find(|r| r.finding.key == restricted).unwrap();
    assert!(
        row.finding.explanation.contains("Contractors")
            && row.finding.explanation.contains("SMS one-time code"),
        "the explanation names the application's own population and methods: {}",
        row.finding.explanation
    );
    assert_eq!(
        f.aal, 2,
        "password + SMS is worth AAL2, the journey's weakest path"
    );
    assert!(!f.phishing_resistant);
    assert!(
        f.populations
            .iter()
            .any(|p| p.name == "Contractors" && p.aal == 2 && !p.phishing_resistant)
    );

    // Password + TOTP is AAL2 (not AAL1 as "password" and "TOTP" listed apart would be).
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["password+totp_app"]),
    )
    .await;
    let f = findings_of(&o.dave, &o.payroll).await;
    assert_eq!(f.aal, 2);
    assert!(!open_keys(&f).contains(restricted), "the SMS path is gone");
    let resolved: Vec<&str> = f.resolved.iter().map(|r| r.finding.key.as_str()).collect();
    assert!(
        resolved.contains(&restricted),
        "recorded as resolved: {resolved:?}"
    );
    assert!(f.resolved[0].resolved_at.is_some());

    // The list finds it by rule and state, as any reader.
    let page: FindingsPage = o
        .alice
        .client
        .call(
            "/api/findings",
            &[
                ("filter[rule]", "restricted_method"),
                ("filter[state]", "resolved"),
            ],
        )
        .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].application, "Payroll");
    assert_eq!(
        page.rows[0].scope,
        "Contractors · Fallback · Password + SMS one-time code"
    );

    // With only the security key as fallback, the journey is worth AAL3 everywhere.
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["security_key"]),
    )
    .await;
    let f = findings_of(&o.dave, &o.payroll).await;
    assert_eq!((f.aal, f.phishing_resistant), (3, true), "{:#?}", f.open);
}
on_each_backend!(
    a_submitted_declaration_is_judged_and_its_fix_resolves_the_finding_on_each_backend,
    a_submitted_declaration_is_judged_and_its_fix_resolves_the_finding
);

/// The editor's form as the preview's server function reads it (`form[...]`).
fn as_form_argument(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| match k.split_once('[') {
            Some((head, rest)) => (format!("form[{head}][{rest}"), v.clone()),
            None => (format!("form[{k}]"), v.clone()),
        })
        .collect()
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn open_findings(w: &World) -> BTreeSet<(String, String)> {
    finding::Entity::find()
        .filter(finding::Column::ResolvedAt.is_null())
        .all(w.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.application_id.to_string(), f.key))
        .collect()
}

async fn a_policy_change_rejudges_every_application_as_its_preview_said(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["push_number_matching"]),
    )
    .await;
    submitted(&o.bob, &o.crm, &Decl::default().full("office_employees")).await;

    // Security makes SMS never allowed and asks AAL3 of medium applications (CRM is medium).
    let shown: PolicyShown = o.carol.client.call("/api/policy/show", &[]).await;
    assert_eq!(shown.summary.version, 1, "the shipped policy");
    let mut form = PolicyForm::of(&shown.policy);
    form.crit.get_mut("medium").unwrap().min_aal = "3".into();
    form.crit.get_mut("high").unwrap().min_aal = "3".into();
    form.never
        .insert("push_number_matching".into(), "on".into());
    form.reason = "Push approvals are phished in the wild.".into();
    let pairs = form.to_pairs();

    // Auditors and owners may neither preview nor save.
    for p in [&o.dave, &o.alice] {
        let r = p
            .client
            .post(
                "/api/findings/preview_policy",
                &refs(&as_form_argument(&pairs)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = p.client.post("/api/policy/save", &refs(&pairs)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }

    let before = open_findings(&w).await;
    let preview: PolicyPreview = o
        .carol
        .client
        .call(
            "/api/findings/preview_policy",
            &refs(&as_form_argument(&pairs)),
        )
        .await;
    assert!(preview.findings_added > 0, "{preview:?}");
    assert_eq!(open_findings(&w).await, before, "a preview changes nothing");

    let r = o.carol.client.post("/api/policy/save", &refs(&pairs)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version: i32 = serde_json::from_str(&r.body).unwrap();
    assert_eq!(version, 2);
    let now = open_findings(&w).await;
    let added = now.difference(&before).count() as u64;
    let removed = before.difference(&now).count() as u64;
    assert_eq!(
        (preview.findings_added, preview.findings_removed),
        (added, removed),
        "the preview gave the numbers of the change it previewed"
    );
    assert_eq!(preview.open_after, now.len() as u64);
    assert!(
        now.iter()
            .any(|(_, k)| k == "method_outside_standard/contractors/fallback/push_number_matching"),
        "{now:#?}"
    );

    // Audited with the whole document; the history keeps both versions; everyone reads them.
    let changed = events(&w, "policy.changed").await;
    assert_eq!(changed.len(), 1);
    let a = after(&changed[0]);
    assert_eq!(a["version"], 2);
    assert_eq!(a["policy"]["by_criticality"]["medium"]["min_aal"], 3);
    let shown: PolicyShown = o.dave.client.call("/api/policy/show", &[]).await;
    assert_eq!(shown.summary.version, 2);
    assert_eq!(shown.history.len(), 2);
    assert_eq!(
        shown.summary.reason,
        "Push approvals are phished in the wild."
    );
    assert!(!shown.can_edit, "auditors read, never edit");
    let first: PolicyShown = o
        .dave
        .client
        .call("/api/policy/show", &[("version", "1")])
        .await;
    assert_eq!(
        first.policy.by_criticality[&app::vocab::Criticality::Medium].min_aal,
        2
    );

    // Saving the same policy again is refused next to the reason; nothing is written.
    let r = o.carol.client.post("/api/policy/save", &refs(&pairs)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(events(&w, "policy.changed").await.len(), 1);
}
on_each_backend!(
    a_policy_change_rejudges_every_application_as_its_preview_said_on_each_backend,
    a_policy_change_rejudges_every_application_as_its_preview_said
);

async fn security_edits_the_standard_journeys_and_new_declarations_start_from_them(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    // CRM declares exactly the shipped standard journey of office employees.
    submitted(&o.bob, &o.crm, &Decl::default().full("office_employees")).await;
    let passkey = "method_outside_standard/office_employees/primary/platform_passkey";
    assert!(!open_findings(&w).await.iter().any(|(_, k)| k == passkey));

    // Security makes security keys the only primary of office employees, with a combined
    // fallback, and stops allowing platform passkeys beyond the standard.
    let shown: PolicyShown = o.carol.client.call("/api/policy/show", &[]).await;
    let mut form = PolicyForm::of(&shown.policy);
    let office = form.standard.get_mut("office_employees").unwrap();
    office.insert("primary".into(), "security_key".into());
    office.insert("fallback".into(), "smart_card; password + totp_app".into());
    form.allowed
        .get_mut("primary")
        .unwrap()
        .remove("platform_passkey");
    form.reason = "Security keys for every office employee.".into();

    // A typo in a path is refused beside its field, and nothing is saved.
    let mut typo = form.clone();
    typo.standard
        .get_mut("office_employees")
        .unwrap()
        .insert("fallback".into(), "smart_card; password+totp_ap".into());
    let r = o
        .carol
        .client
        .post("/api/policy/save", &refs(&typo.to_pairs()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        error_of(&r).field(),
        Some("standard[office_employees][fallback]")
    );
    assert!(events(&w, "policy.changed").await.is_empty());

    let pairs = form.to_pairs();
    let preview: PolicyPreview = o
        .carol
        .client
        .call(
            "/api/findings/preview_policy",
            &refs(&as_form_argument(&pairs)),
        )
        .await;
    let r = o.carol.client.post("/api/policy/save", &refs(&pairs)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let now = open_findings(&w).await;
    assert!(
        now.iter().any(|(_, k)| k == passkey),
        "CRM's platform passkey is now outside the standard: {now:#?}"
    );
    assert!(preview.findings_added >= 1);
    assert_eq!(preview.open_after, now.len() as u64);

    // The version keeps the journeys; a new declaration starts from them.
    let shown: PolicyShown = o.dave.client.call("/api/policy/show", &[]).await;
    let standard = shown.policy.standard_for("office_employees");
    assert_eq!(standard.primary, vec![Path::single("security_key")]);
    assert_eq!(
        standard.fallback,
        vec![
            Path::single("smart_card"),
            Path::of(&["password", "totp_app"])
        ]
    );
    let e = editor(&o.alice, &o.payroll).await;
    assert_eq!(e.origin, DraftOrigin::Defaults);
    let office = e.declaration.journey("office_employees").unwrap();
    assert_eq!(office.primary, standard.primary);
    assert_eq!(office.fallback, standard.fallback);
}
on_each_backend!(
    security_edits_the_standard_journeys_and_new_declarations_start_from_them_on_each_backend,
    security_edits_the_standard_journeys_and_new_declarations_start_from_them
);

async fn findings_page(p: &Person<'_>, query: &str) -> String {
    let r = p.client.page(&format!("/findings?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The list filters by the application's criticality as it is now: findings carry a copy of it,
/// rewritten when the application changes.
async fn the_list_filters_by_the_criticality_the_application_has_now(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["password+sms_otp"]),
    )
    .await;
    let shows_payroll = |page: String| page.contains("Payroll");
    let page = |query: &'static str| findings_page(&o.dave, query);
    assert!(shows_payroll(page("criticality=high").await));
    assert!(!shows_payroll(page("criticality=low").await));

    let lowered = AppForm::new("Payroll", &[&o.alice])
        .describe("Pays people every month.")
        .criticality("low")
        .populations(&["office_employees", "contractors"]);
    let r = update(&o.alice, &o.payroll, &lowered).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!shows_payroll(page("criticality=high").await));
    assert!(shows_payroll(page("criticality=low").await));
    let rows = finding::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .filter(|f| f.application_id.to_string() == o.payroll)
            .all(|f| f.criticality == app::vocab::Criticality::Low)
    );
}
on_each_backend!(
    the_list_filters_by_the_criticality_the_application_has_now_on_each_backend,
    the_list_filters_by_the_criticality_the_application_has_now
);

async fn auditors_export_findings_owners_do_not(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    submitted(&o.alice, &o.payroll, &payroll_with_fallback(&["sms_otp"])).await;
    let r = o
        .dave
        .client
        .page("/api/findings/export?format=csv&rule=restricted_method")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert!(lines[0].starts_with("application,rule,rule_number"));
    assert_eq!(lines.len(), 2, "{}", r.body);
    assert!(lines[1].starts_with("Payroll,restricted_method,2,"));
    let r = o.dave.client.page("/api/findings/export?format=json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(!v["findings"].as_array().unwrap().is_empty());
    let r = o.alice.client.page("/api/findings/export?format=csv").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_each_backend!(
    auditors_export_findings_owners_do_not_on_each_backend,
    auditors_export_findings_owners_do_not
);

/// The daily pass judges the date-driven rules once per day, whichever instance gets there
/// first: a second call the same day does nothing; the next day, a review falling due opens.
async fn the_daily_pass_runs_once_a_day_and_finds_reviews_falling_due(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    submitted(
        &o.alice,
        &o.payroll,
        &payroll_with_fallback(&["security_key"]),
    )
    .await;
    let first = app::findings::facade::daily(&w.state).await.unwrap();
    assert!(first.is_some(), "the first pass of the day runs");
    assert!(
        app::findings::facade::daily(&w.state)
            .await
            .unwrap()
            .is_none(),
        "once a day"
    );
    assert!(!open_keys(&findings_of(&o.dave, &o.payroll).await).contains("review_overdue"));
    // Payroll is high: reviewed at least every 365 days by the shipped policy.
    w.clock.advance(time::Duration::days(366));
    let done = app::findings::facade::daily(&w.state)
        .await
        .unwrap()
        .expect("a new day");
    assert!(done.opened >= 1, "{done:?}");
    // (A year later every session has ended: read the table.)
    let open = open_findings(&w).await;
    assert!(
        open.contains(&(o.payroll.clone(), "review_overdue".to_string())),
        "{open:#?}"
    );
    assert_eq!(events(&w, "findings.recomputed").await.len(), 2);
}
on_each_backend!(
    the_daily_pass_runs_once_a_day_and_finds_reviews_falling_due_on_each_backend,
    the_daily_pass_runs_once_a_day_and_finds_reviews_falling_due
);

/// The findings list's pages, with rows at any estate size (the generated estate has findings
/// of every kind).
const FINDINGS_PAGES: &[&str] = &[
    "",
    "severity=high",
    "rule=restricted_method",
    "criticality=critical",
    "population=office_employees",
    "method=sms_otp",
    "unit=Finance",
];

async fn findings_statements(w: &World, p: &Person<'_>) -> Vec<(u64, u64)> {
    let middle: String = {
        let mut keys: Vec<String> = finding::Entity::find()
            .filter(finding::Column::ResolvedAt.is_null())
            .all(w.state.db.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.sort_key)
            .collect();
        keys.sort();
        keys[keys.len() / 2].clone()
    };
    let deep = format!("after={}", app::components::encode_component(&middle));
    let mut counts = Vec::new();
    for query in FINDINGS_PAGES.iter().copied().chain([deep.as_str()]) {
        let path = format!("/findings?{query}");
        let mut twice = [0; 2];
        for n in &mut twice {
            let before = w.state.db.statements();
            let r = p.client.page(&path).await;
            *n = w.state.db.statements() - before;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(
                r.body.contains("<table class=\"findings\""),
                "{path}: rows shown"
            );
        }
        counts.push((twice[0], twice[1]));
    }
    counts
}

async fn a_page_of_findings_costs_the_same_statements_at_50_and_2000(db: &TestDb) {
    let small_db = if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    };
    let small = crate::registry::estate(&small_db, 50).await;
    let large = crate::registry::estate(db, 2000).await;
    let a = crate::client::first_admin(&small, "margaret").await;
    let b = crate::client::first_admin(&large, "margaret").await;
    let at_50 = findings_statements(&small, &a).await;
    let at_2000 = findings_statements(&large, &b).await;
    eprintln!("findings statements (counted, remembered) at 50 and 2,000: {at_50:?} {at_2000:?}");
    assert_eq!(
        at_50, at_2000,
        "the same statements whatever the estate's size"
    );
    for (first, again) in &at_2000 {
        // 14: the page, its count, names, the policy, the catalogue, the page's exceptions (one
        // statement), the header's unread notifications and, the first time, the session keeping
        // the list's new address (for the breadcrumb back to it).
        assert!(
            again <= first && *first <= 14,
            "a page costs few statements: {at_2000:?}"
        );
    }
    assert!(
        at_2000[0].1 < at_2000[0].0,
        "a count is remembered until the next change: {at_2000:?}"
    );
    small_db.cleanup().await;
}
on_each_backend!(
    a_page_of_findings_costs_the_same_statements_at_50_and_2000_on_each_backend,
    a_page_of_findings_costs_the_same_statements_at_50_and_2000
);

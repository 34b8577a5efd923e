//! The consistency matrix, the journeys view, readiness and the matrix's CSV, through the real
//! router on a generated estate: the pages show what the pure functions compute, a page costs the
//! same statements whatever the estate's size, and typed text stays text.

use crate::client::{Person, first_admin};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::components::count;
use app::matrix::model::MatrixFilter;
use app::matrix::rules::{journeys, page};
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

async fn pure_page(w: &World, filter: &MatrixFilter) -> app::matrix::model::MatrixPage {
    let estate = app::matrix::facade::load(w.state.db.conn(), w.state.now())
        .await
        .expect("estate");
    page(&estate, filter, Some("margaret"))
}

fn rows_in(body: &str) -> usize {
    let start = body.find("<tbody>").expect("a table body");
    let end = body[start..].find("</tbody>").expect("its end") + start;
    body[start..end].matches("<tr>").count()
}

async fn the_matrix_shows_the_figures_of_the_pure_functions(db: &TestDb) {
    let w = crate::registry::estate(db, 260).await;
    let admin = first_admin(&w, "margaret").await;
    for query in [
        "",
        "criticality=critical",
        "population=contractors&state=open",
        "method=sms_otp&role=fallback",
        "readiness=blocked&sort=findings",
        "page=2",
    ] {
        let filter: MatrixFilter = serde_urlencoded::from_str(query).expect("a query");
        let expected = pure_page(&w, &filter).await;
        let r = admin.client.page(&format!("/matrix?{query}")).await;
        assert_eq!(r.status, StatusCode::OK, "{query}");
        let f = &expected.figures;
        for (figure, value) in [
            ("applications", count(u64::from(f.applications))),
            ("distinct journeys", count(u64::from(f.distinct_journeys))),
            ("ready to remove passwords", count(u64::from(f.ready))),
            (
                "with a fallback or recovery weaker than the primary",
                count(u64::from(f.weaker_fallback)),
            ),
            (
                "exceptions expiring within 30 days",
                count(u64::from(f.expiring_exceptions)),
            ),
        ] {
            let shown = format!("<span class=\"figure-value\">{value}</span>");
            let at = r.body.find(&shown);
            let label = r.body.find(figure);
            assert!(
                at.is_some() && label.is_some(),
                "{query}: {figure} = {value} shown"
            );
        }
        assert!(
            r.body.contains(&format!(
                "<span class=\"figure-value\">{} %</span>",
                f.standard_share()
            )),
            "{query}: the standard share"
        );
        assert_eq!(
            rows_in(&r.body),
            expected.rows.len(),
            "{query}: the page's rows"
        );
        if let Some(first) = expected.rows.first() {
            assert!(
                r.body
                    .contains(&format!("href=\"/applications/{}\"", first.id)),
                "{query}: the first row is the pure function's"
            );
        }
        assert!(
            r.body.contains(&format!(
                "{} applications × {} methods",
                count(u64::from(expected.total)),
                expected.columns.len()
            )) || expected.total == 0,
            "{query}: the count"
        );
    }
    let j = {
        let estate = app::matrix::facade::load(w.state.db.conn(), w.state.now())
            .await
            .unwrap();
        journeys(&estate, &MatrixFilter::default(), None)
    };
    let r = admin.client.page("/journeys").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains(&format!(
            "{} distinct journeys across {} population journeys",
            count(u64::from(j.total_groups)),
            count(u64::from(j.journeys))
        )),
        "the journeys view's summary"
    );
    assert!(
        r.body.contains(&format!(
            "The {} largest cover 80 %",
            count(u64::from(j.groups_for_80))
        )),
        "how many groups cover 80 %"
    );
}
on_each_backend!(
    the_matrix_shows_the_figures_of_the_pure_functions_on_each_backend,
    the_matrix_shows_the_figures_of_the_pure_functions
);

const MATRIX_PAGES: &[&str] = &[
    "",
    "criticality=critical",
    "population=office_employees",
    "method=sms_otp&role=fallback",
    "state=open&sort=assurance",
    "readiness=blocked",
    "unit=Finance&owner=mine",
    "page=2",
];

async fn matrix_statements(w: &World, p: &Person<'_>) -> Vec<u64> {
    let mut counts = Vec::new();
    // The first request after a change loads the estate (a fixed number of statements too).
    for query in [""].iter().chain(MATRIX_PAGES) {
        let path = format!("/matrix?{query}");
        let before = w.state.db.statements();
        let r = p.client.page(&path).await;
        counts.push(w.state.db.statements() - before);
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    for path in ["/journeys", "/api/matrix/export?criticality=high"] {
        let before = w.state.db.statements();
        let r = p.client.page(path).await;
        counts.push(w.state.db.statements() - before);
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    counts
}

async fn a_matrix_page_costs_the_same_statements_at_50_and_2000(db: &TestDb) {
    let small_db = if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    };
    let small = crate::registry::estate(&small_db, 50).await;
    let large = crate::registry::estate(db, 2000).await;
    let a = first_admin(&small, "margaret").await;
    let b = first_admin(&large, "margaret").await;
    let at_50 = matrix_statements(&small, &a).await;
    let at_2000 = matrix_statements(&large, &b).await;
    eprintln!("matrix statements at 50 and 2,000 applications: {at_50:?} {at_2000:?}");
    assert_eq!(
        at_50, at_2000,
        "the same statements whatever the estate's size"
    );
    // Once loaded, a page is the session's statements, the header's and the audit head's.
    for n in &at_2000[1..] {
        assert!(
            *n <= 6,
            "a page of the matrix costs few statements: {at_2000:?}"
        );
    }
    assert!(
        at_2000[0] > at_2000[1],
        "the first request loads the estate: {at_2000:?}"
    );
    small_db.cleanup().await;
}
on_each_backend!(
    a_matrix_page_costs_the_same_statements_at_50_and_2000_on_each_backend,
    a_matrix_page_costs_the_same_statements_at_50_and_2000
);

async fn the_matrix_csv_is_the_filtered_matrix(db: &TestDb) {
    let w = crate::registry::estate(db, 120).await;
    let admin = first_admin(&w, "margaret").await;
    let filter = MatrixFilter {
        criticality: "high".into(),
        ..Default::default()
    };
    let expected = pure_page(&w, &filter).await;
    let r = admin
        .client
        .page("/api/matrix/export?criticality=high")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(r.body.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.len(),
        15 + expected.columns.len(),
        "a column per method"
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len() as u32, expected.total);
    assert!(records.iter().all(|r| &r[2] == "high"));
    let anonymous = w.get("/api/matrix/export").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
on_each_backend!(
    the_matrix_csv_is_the_filtered_matrix_on_each_backend,
    the_matrix_csv_is_the_filtered_matrix
);

async fn names_in_the_matrix_are_text_and_readiness_is_on_the_application_page(db: &TestDb) {
    let w = crate::registry::estate(db, 30).await;
    let admin = first_admin(&w, "margaret").await;
    let estate = app::matrix::facade::load(w.state.db.conn(), w.state.now())
        .await
        .unwrap();
    let blocked = estate
        .entries
        .iter()
        .find(|e| !e.readiness.ready())
        .expect("a generated estate has applications that cannot drop passwords yet");
    let hostile = "<img src=x onerror=alert(1)> & \"Payroll\"";
    let mut row: app::ssr::entities::application::ActiveModel =
        app::ssr::entities::application::Entity::find_by_id(blocked.id)
            .one(w.state.db.conn())
            .await
            .unwrap()
            .unwrap()
            .into();
    row.name = Set(hostile.into());
    row.update(w.state.db.conn()).await.unwrap();
    // A fixture's write bypasses the audit trail, so the kept estate is forgotten by hand.
    w.state.snapshots.forget();
    let r = admin.client.page("/matrix").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<img src=x"), "a name is never markup");
    assert!(
        r.body
            .contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Payroll&quot;")
    );

    let page = admin
        .client
        .page(&format!("/applications/{}", blocked.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Password removal"));
    assert!(page.body.contains("Not ready"));
    // Text as Leptos writes it in an element.
    let first = blocked.readiness.blockers[0]
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(
        page.body.contains(&first),
        "the blocker in plain words: {first}"
    );
}
on_each_backend!(
    names_in_the_matrix_are_text_and_readiness_is_on_the_application_page_on_each_backend,
    names_in_the_matrix_are_text_and_readiness_is_on_the_application_page
);

/// What every page of the estate shows, as the pure functions compute it, for comparing two
/// estates.
fn shown(estate: &app::matrix::facade::Estate) -> Vec<String> {
    let mut out = Vec::new();
    for query in MATRIX_PAGES {
        let filter: MatrixFilter = serde_urlencoded::from_str(query).expect("a query");
        out.push(format!("{:?}", page(estate, &filter, Some("margaret"))));
        out.push(format!("{:?}", journeys(estate, &filter, Some("margaret"))));
    }
    out
}

async fn a_change_to_some_applications_is_computed_into_the_estate_kept(db: &TestDb) {
    use app::matrix::facade::current_estate;
    use std::sync::Arc;
    let w = crate::registry::estate(db, 150).await;
    let admin = first_admin(&w, "margaret").await;
    let first = current_estate(&w.state).await.expect("estate");
    // An identity provider with applications federated to it, archived through the portal.
    let provider = first
        .estate
        .entries
        .iter()
        .find(|p| {
            first
                .estate
                .entries
                .iter()
                .any(|e| e.provider.as_deref() == Some(p.name.as_str()))
        })
        .expect("a generated estate federates applications to a provider")
        .clone();
    let dependants: Vec<_> = first
        .estate
        .entries
        .iter()
        .filter(|e| e.provider.as_deref() == Some(provider.name.as_str()))
        .map(|e| e.id)
        .collect();
    let r = admin
        .client
        .post(
            "/api/applications/archive",
            &[("id", &provider.id.to_string()), ("archived", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = current_estate(&w.state).await.expect("estate");
    assert!(second.seq > first.seq);
    assert!(second.estate.entries.iter().all(|e| e.id != provider.id));
    for id in &dependants {
        let e = second.estate.entries.iter().find(|e| e.id == *id).unwrap();
        assert_ne!(
            e.provider.as_deref(),
            Some(provider.name.as_str()),
            "a dependant no longer names the archived provider"
        );
    }
    // What a whole load shows.
    let loaded = app::matrix::facade::load(w.state.db.conn(), w.state.now())
        .await
        .expect("estate");
    assert_eq!(shown(&second.estate), shown(&loaded));
    assert_ne!(
        shown(&second.estate),
        shown(&first.estate),
        "the change shows"
    );
    // Computed again only where it changed.
    let untouched = first
        .estate
        .entries
        .iter()
        .find(|e| e.id != provider.id && !dependants.contains(&e.id))
        .unwrap();
    let kept = second
        .estate
        .entries
        .iter()
        .find(|e| e.id == untouched.id)
        .unwrap();
    assert!(
        Arc::ptr_eq(untouched, kept),
        "an application that did not change is the one kept"
    );
    // An event that touches nothing the estate holds keeps it as it is.
    crate::client::invite(&admin.client, "olga", &["owner"]).await;
    let third = current_estate(&w.state).await.expect("estate");
    assert!(third.seq > second.seq, "the invitation is recorded");
    assert!(Arc::ptr_eq(&third.estate, &second.estate));
}
on_each_backend!(
    a_change_to_some_applications_is_computed_into_the_estate_kept_on_each_backend,
    a_change_to_some_applications_is_computed_into_the_estate_kept
);

//! Adoption figures end to end: a file is stored all or nothing and sending it again replaces
//! its periods (never double-counts); bad files change nothing and name the row; identity-provider
//! exports add up through the mapping table and report what they could not map; an export
//! imports back unchanged; the pages read a fixed number of statements whatever the estate's
//! size; and the roles hold.

use crate::client::{COOKIE, Client, events, first_admin, invited};
use crate::on_each_backend;
use crate::support::{ORIGIN, Reply, TestDb, World};
use app::adoption::facade::{
    File, Origin, export_batch, export_encode, generate_figures, ingest_file,
};
use app::adoption::model::{
    AdoptionReport, AdoptionSource, EstateAdoption, FileFormat, NameKind, Provider, ReportOutcome,
};
use app::adoption::rules::providers::default_mappings;
use app::audit::facade::Actor;
use app::ssr::entities::{adoption_method, adoption_name_map, adoption_period, application};
use app::transfer::ssr::generate_estate;
use axum::body::Body;
use http::{Request, StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

const HEADER: &str = "application,period,population,method,sign_ins_succeeded,sign_ins_failed,\
fallback_uses,recoveries,enrolments,users,tickets_enrolment,tickets_biometric_registration,\
tickets_authenticator_migration,tickets_lost_device_recovery,\
tickets_reauthentication_after_reset,tickets_other";

/// A multipart upload of a file of figures from a signed-in browser.
async fn upload(client: &Client<'_>, name: &str, bytes: &[u8], format: &str) -> Reply {
    const BOUNDARY: &str = "adoption-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(
        format!(
            "\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n{format}\r\n--{BOUNDARY}--\r\n"
        )
        .as_bytes(),
    );
    let mut req = Request::post("/api/adoption/import")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_LENGTH, body.len().to_string())
        .header(header::ACCEPT, "text/html")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if let Some(c) = client.cookie() {
        req = req.header(header::COOKIE, format!("{COOKIE}={c}"));
    }
    client
        .world()
        .send(req.body(Body::from(body)).unwrap())
        .await
}

async fn report(client: &Client<'_>) -> AdoptionReport {
    let r: Option<AdoptionReport> = client.call("/api/adoption/report", &[]).await;
    r.expect("a report waits after an upload")
}

/// Names of `n` applications of the estate, in name order.
async fn names(w: &World, n: u64) -> Vec<String> {
    application::Entity::find()
        .select_only()
        .column(application::Column::Name)
        .filter(application::Column::Archived.eq(false))
        .order_by_asc(application::Column::NameKey)
        .limit(n)
        .into_tuple()
        .all(w.state.db.conn())
        .await
        .unwrap()
}

async fn stored(w: &World) -> (u64, u64, i64) {
    let db = w.state.db.conn();
    let periods = adoption_period::Entity::find().count(db).await.unwrap();
    let methods = adoption_method::Entity::find().all(db).await.unwrap();
    let sum: i64 = methods.iter().map(|m| m.sign_ins_succeeded).sum();
    (periods, methods.len() as u64, sum)
}

fn done(r: &AdoptionReport) -> &app::adoption::model::IngestSummary {
    match &r.outcome {
        ReportOutcome::Done(s) => s,
        ReportOutcome::Refused { problems, .. } => panic!(
            "refused: {}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn refused(r: &AdoptionReport) -> Vec<String> {
    match &r.outcome {
        ReportOutcome::Refused { problems, .. } => problems.iter().map(|p| p.to_string()).collect(),
        ReportOutcome::Done(_) => panic!("stored a file that should be refused"),
    }
}

fn csv_of(a: &str, b: &str) -> String {
    format!(
        "{HEADER}\n\
         {a},2026-10,,platform_passkey,900,10,0,2,5,,,,,,,\n\
         {a},2026-10,,sms_otp,100,4,100,0,0,,,,,,,\n\
         {a},2026-10,,,,,,,,400,1,0,0,9,1,0\n\
         {a},2026-11,,platform_passkey,950,5,0,1,3,,,,,,,\n\
         {a},2026-11,,,,,,,,410,0,0,0,2,0,0\n\
         \"{b}\",2026-11,,password,300,30,0,0,0,,,,,,,\n\
         \"{b}\",2026-11,,,,,,,,120,0,0,0,0,0,12\n"
    )
}

async fn a_file_is_stored_and_sending_it_again_replaces_it(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    generate_estate(&w.state, 12, 3).await.expect("generate");
    let apps = names(&w, 2).await;
    let file = csv_of(&apps[0], &apps[1]);

    let r = upload(&admin.client, "figures.csv", file.as_bytes(), "auto").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first = report(&admin.client).await;
    let s = done(&first);
    assert_eq!((s.applications, s.periods, s.replaced), (2, 3, 0));
    assert_eq!(stored(&w).await, (3, 4, 900 + 100 + 950 + 300));

    // The same file again: the same periods replaced, nothing counted twice.
    upload(&admin.client, "figures.csv", file.as_bytes(), "csv").await;
    let again = report(&admin.client).await;
    assert_eq!(done(&again).replaced, 3);
    assert_eq!(stored(&w).await, (3, 4, 900 + 100 + 950 + 300));

    // A new month for one application adds; a corrected month replaces only itself.
    let more = format!(
        "{HEADER}\n{},2026-11,,platform_passkey,10,0,0,0,0,,,,,,,\n",
        apps[0]
    );
    upload(&admin.client, "more.csv", more.as_bytes(), "csv").await;
    assert_eq!(done(&report(&admin.client).await).replaced, 1);
    assert_eq!(stored(&w).await, (3, 4, 900 + 100 + 10 + 300));

    // The figures as the page computes them.
    let page: EstateAdoption = admin
        .client
        .call(
            "/api/adoption",
            &[("filter[from]", "2026-10"), ("filter[to]", "2026-11")],
        )
        .await;
    assert_eq!(page.reporting, 2);
    assert_eq!(page.figures.sign_ins, 900 + 100 + 10 + 300);
    assert_eq!(page.figures.fallback_uses, 100);
    // Tickets: 11 in October for the first, 12 "other" for the second.
    assert_eq!(page.figures.tickets, 11 + 12);
    let trend: Vec<&str> = page.trend.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(trend, ["2026-10", "2026-11"]);

    // Every ingestion is audited with where it came from.
    let audited = events(&w, "adoption.ingested").await;
    assert_eq!(audited.len(), 3);
    assert!(
        audited
            .iter()
            .all(|e| e.actor == format!("user:{}", admin.user.id))
    );
}
on_each_backend!(
    adoption_a_file_is_stored_and_sending_it_again_replaces_it,
    a_file_is_stored_and_sending_it_again_replaces_it
);

async fn bad_files_change_nothing_and_name_the_row(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    generate_estate(&w.state, 6, 4).await.expect("generate");
    let apps = names(&w, 2).await;
    let a = &apps[0];
    upload(
        &admin.client,
        "good.csv",
        csv_of(a, &apps[1]).as_bytes(),
        "csv",
    )
    .await;
    done(&report(&admin.client).await);
    let before = stored(&w).await;
    let trail = events(&w, "adoption.ingested").await.len();

    let cases: Vec<(String, &str)> = vec![
        (
            format!("{HEADER}\nNo Such Application,2026-11,,password,1,0,0,0,0,,,,,,,\n"),
            "row 2, application",
        ),
        (
            format!("{HEADER}\n{a},2026-11,,password,-3,0,0,0,0,,,,,,,\n"),
            "row 2, sign_ins_succeeded",
        ),
        (
            format!("{HEADER}\n{a},2026-13,,password,3,0,0,0,0,,,,,,,\n"),
            "row 2, period",
        ),
        (
            format!("{HEADER},colour\n{a},2026-11,,password,3,0,0,0,0,,,,,,,,blue\n"),
            "colour",
        ),
        (
            format!("{HEADER}\n{a},2026-11,,no_such_method,3,0,0,0,0,,,,,,,\n"),
            "row 2, method",
        ),
        // A day of a month already stored as a month.
        (
            format!("{HEADER}\n{a},2026-10-05,,password,3,0,0,0,0,,,,,,,\n"),
            "both for the month 2026-10 and for days",
        ),
    ];
    for (file, expected) in cases {
        upload(&admin.client, "bad.csv", file.as_bytes(), "csv").await;
        let problems = refused(&report(&admin.client).await);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected:?} not in {problems:?}"
        );
        assert_eq!(stored(&w).await, before, "a refused file changed nothing");
    }

    // 10,000 rows with one bad count: nothing stored, the row named.
    let many: Vec<String> = names(&w, 6).await;
    let methods = [
        "password",
        "sms_otp",
        "platform_passkey",
        "security_key",
        "totp_app",
    ];
    let mut file = String::from(HEADER);
    file.push('\n');
    let mut rows = 0usize;
    'rows: for month in 1..=12 {
        for day in 1..=28 {
            for app in &many {
                for method in methods {
                    if rows == 9_999 {
                        break 'rows;
                    }
                    // Row numbers as a spreadsheet shows them: the header is row 1.
                    let count = if rows + 2 == 7_777 {
                        "x7".to_string()
                    } else {
                        (rows % 50).to_string()
                    };
                    file.push_str(&format!(
                        "\"{app}\",2025-{month:02}-{day:02},,{method},{count},0,0,0,0,,,,,,,\n"
                    ));
                    rows += 1;
                }
            }
        }
    }
    upload(&admin.client, "big.csv", file.as_bytes(), "csv").await;
    let r = report(&admin.client).await;
    let problems = refused(&r);
    assert!(
        problems.iter().any(|p| p.starts_with("row 7777")),
        "{problems:?}"
    );
    assert_eq!(stored(&w).await, before);
    assert_eq!(events(&w, "adoption.ingested").await.len(), trail);
}
on_each_backend!(
    adoption_bad_files_change_nothing_and_name_the_row,
    bad_files_change_nothing_and_name_the_row
);

async fn provider_exports_add_up_through_the_mapping_table(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    generate_estate(&w.state, 8, 6).await.expect("generate");

    // The migration ships the providers' documented method names.
    let shipped = adoption_name_map::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(shipped as usize, default_mappings().len());

    let entra =
        include_bytes!("../../../app/src/adoption/rules/providers/fixtures/entra_signins.json");
    upload(&admin.client, "signins.json", entra, "entra").await;
    let r = report(&admin.client).await;
    // No application of the export is registered: nothing counted, every name reported.
    refused(&r);
    assert!(
        r.unmapped
            .iter()
            .any(|u| u.kind == NameKind::Application && u.external == "Payroll (SAML)")
    );
    assert!(
        r.events
            .as_ref()
            .is_some_and(|e| e.read > 0 && e.counted == 0)
    );

    // Map the export's payroll application onto a portal application, as an admin would.
    let target = names(&w, 1).await.remove(0);
    let saved = admin
        .client
        .post(
            "/api/adoption/mappings/save",
            &[
                ("provider", "entra"),
                ("kind", "application"),
                ("external", "Payroll (SAML)"),
                ("portal", &target),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(events(&w, "adoption.mapping_changed").await.len(), 1);

    upload(&admin.client, "signins.json", entra, "entra").await;
    let r = report(&admin.client).await;
    let s = done(&r);
    assert_eq!(s.applications, 1);
    let e = r.events.clone().expect("event counts");
    assert!(e.counted > 0 && e.counted < e.read, "{e:?}");
    // What was counted is what was stored.
    let methods = adoption_method::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    let stored_events: i64 = methods
        .iter()
        .map(|m| m.sign_ins_succeeded + m.sign_ins_failed)
        .sum();
    assert_eq!(stored_events as u64, e.counted);
    // Other applications of the export are still reported, not dropped.
    assert!(r.unmapped.iter().any(|u| u.external == "Legacy CRM"));
    let batch = events(&w, "adoption.ingested").await;
    assert_eq!(batch.len(), 1);
    assert_eq!(
        crate::client::after(&batch[0])["source"],
        AdoptionSource::Entra.as_str()
    );
}
on_each_backend!(
    adoption_provider_exports_add_up_through_the_mapping_table,
    provider_exports_add_up_through_the_mapping_table
);

async fn generated_figures_export_and_import_back_unchanged(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    generate_estate(&w.state, 40, 8).await.expect("generate");
    let g = generate_figures(&w.state, 8)
        .await
        .expect("runs")
        .expect("stored");
    assert!(g.applications > 20, "{g:?}");
    assert_eq!(g.periods, g.applications * 12);
    let before = stored(&w).await;

    // The whole export as the command line writes it.
    let mut csv = app::adoption::facade::encode_csv_header();
    let (mut after, mut first) = (String::new(), true);
    loop {
        let (figures, last) = export_batch(w.state.db.conn(), &after).await.unwrap();
        let Some(last) = last else { break };
        csv.push_str(&export_encode(&figures, false, &mut first).unwrap());
        after = last;
    }
    let r = ingest_file(
        &w.state,
        File {
            name: "adoption.csv".into(),
            bytes: csv.clone().into_bytes(),
            format: Some(FileFormat::Csv),
            by_day: false,
        },
        Origin {
            source: AdoptionSource::Command,
            file_name: None,
            sha256: None,
            actor: Actor::HostOperator,
        },
    )
    .await
    .unwrap();
    let s = done(&r);
    assert_eq!(
        s.replaced, g.periods as u64,
        "every period replaced by itself"
    );
    assert_eq!(stored(&w).await, before);

    // The estate page shows what the generator shaped: fallbacks, concentrated tickets, drift.
    let page: EstateAdoption = admin.client.call("/api/adoption", &[]).await;
    assert_eq!(page.trend.len(), 12);
    assert!(!page.worst_fallback.is_empty());
    assert!(
        page.concentrated > 0,
        "some applications concentrate tickets"
    );
    assert!(page.drifting_total > 0, "some applications drift");
    let provider_free = page.figures.passwordless_share.unwrap_or(0.0);
    assert!(provider_free > 0.0 && provider_free < 1.0);
}
on_each_backend!(
    adoption_generated_figures_export_and_import_back_unchanged,
    generated_figures_export_and_import_back_unchanged
);

/// Statements the adoption pages cost at two estate sizes.
async fn statements_of(w: &World, client: &Client<'_>, path: &str, fields: &[(&str, &str)]) -> u64 {
    let _: serde_json::Value = client.call(path, fields).await;
    let before = w.state.db.statements();
    let _: serde_json::Value = client.call(path, fields).await;
    w.state.db.statements() - before
}

/// A second database on the same backend as `db`.
async fn another(db: &TestDb) -> TestDb {
    if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    }
}

async fn the_pages_cost_the_same_statements_at_any_size(db: &TestDb) {
    let mut seen = Vec::new();
    for apps in [20usize, 200] {
        let fresh = another(db).await;
        {
            let w = World::new(&fresh).await;
            let admin = first_admin(&w, "ada").await;
            generate_estate(&w.state, apps, 9).await.expect("generate");
            generate_figures(&w.state, 9).await.unwrap().unwrap();
            let one: String = names(&w, 1).await.remove(0);
            let id: app::ids::ApplicationId = application::Entity::find()
                .select_only()
                .column(application::Column::Id)
                .filter(application::Column::Name.eq(one))
                .into_tuple()
                .one(w.state.db.conn())
                .await
                .unwrap()
                .unwrap();
            let estate = statements_of(&w, &admin.client, "/api/adoption", &[]).await;
            let filtered = statements_of(
                &w,
                &admin.client,
                "/api/adoption",
                &[
                    ("filter[criticality]", "critical"),
                    ("filter[population]", "office_employees"),
                ],
            )
            .await;
            let app_page = statements_of(
                &w,
                &admin.client,
                "/api/adoption/application",
                &[("id", &id.to_string())],
            )
            .await;
            seen.push((estate, filtered, app_page));
        }
        fresh.cleanup().await;
    }
    assert_eq!(seen[0], seen[1], "statements at 20 and 200 applications");
    assert!(seen[1].0 <= 12, "{seen:?}");
}

on_each_backend!(
    adoption_the_pages_cost_the_same_statements_at_any_size,
    the_pages_cost_the_same_statements_at_any_size
);

async fn only_security_and_admins_send_figures(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    let owner = invited(&admin, "olga", &["owner"]).await;
    let auditor = invited(&admin, "audrey", &["auditor"]).await;
    let security = invited(&admin, "sam", &["security"]).await;
    generate_estate(&w.state, 6, 2).await.expect("generate");
    let apps = names(&w, 2).await;
    let file = csv_of(&apps[0], &apps[1]);
    for p in [&owner, &auditor] {
        let r = upload(&p.client, "f.csv", file.as_bytes(), "csv").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = p
            .client
            .post(
                "/api/adoption/mappings/save",
                &[
                    ("provider", "okta"),
                    ("kind", "method"),
                    ("external", "x"),
                    ("portal", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // Everyone signed in reads the figures.
        let _: EstateAdoption = p.client.call("/api/adoption", &[]).await;
    }
    assert_eq!(stored(&w).await.0, 0);
    upload(&security.client, "f.csv", file.as_bytes(), "csv").await;
    done(&report(&security.client).await);
    // The auditor downloads the figures; the owner does not.
    let r = auditor.client.page("/api/adoption/export?format=csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.starts_with("application,period,"),
        "{}",
        &r.body[..80.min(r.body.len())]
    );
    assert!(r.body.contains(&apps[0]));
    let r = owner.client.page("/api/adoption/export?format=csv").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A signed-out visitor is sent to sign in.
    let r = Client::new(&w).page("/adoption").await;
    assert!(matches!(r.status, StatusCode::SEE_OTHER | StatusCode::OK));
    assert!(!r.body.contains(&apps[0]));
    let _ = Provider::Okta;
}
on_each_backend!(
    adoption_only_security_and_admins_send_figures,
    only_security_and_admins_send_figures
);

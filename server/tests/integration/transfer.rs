//! Import, export and the estate generator: an exported estate imports into an empty portal and
//! exports again byte for byte; a bad file changes nothing and names every bad row; a dry run
//! writes nothing; the generator is deterministic; spreadsheet formulas are neutralised; and the
//! HTTP endpoints follow the roles.

use crate::client::{COOKIE, Client, Person, after, events, first_admin, invited};
use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World, insert_user};
use crate::transfer_scale::download;
use app::registry::facade::name_key;
use app::ssr::entities::{
    app_user, application, application_owner, application_population, application_tag, audit_event,
    business_unit, declaration_method, declaration_version, user_role,
};
use app::transfer::http::IMPORT_BODY_LIMIT;
use app::transfer::model::{ApplicationRecord, Format};
use app::transfer::model::{ImportOutcome, ImportReport, ImportSummary};
use app::transfer::ssr::{
    EXPORT_BATCH, ImportResult, ImportedBy, PlannedImport, export, file_sha256, generate_estate,
    import, load_records, plan_import, read_file, write_import,
};
use axum::body::Body;
use http::{Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};

/// A second database on the same backend as `db`.
async fn another(db: &TestDb) -> TestDb {
    if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    }
}

async fn export_of(w: &World, format: Format) -> Vec<u8> {
    export(&w.state.db, format).await.expect("export")
}

async fn import_as_host(w: &World, bytes: &[u8], format: Format, dry_run: bool) -> ImportResult {
    let file = read_file(bytes.to_vec(), format).await.expect("read");
    import(&w.state, file, dry_run, ImportedBy::HostOperator)
        .await
        .expect("import runs")
}

fn imported(result: ImportResult) -> ImportSummary {
    result.unwrap_or_else(|problems| {
        panic!(
            "refused: {}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Rows of every table an import writes, and of the audit trail.
async fn counts(w: &World) -> Vec<(&'static str, u64)> {
    let db = w.state.db.conn();
    vec![
        (
            "application",
            application::Entity::find().count(db).await.unwrap(),
        ),
        (
            "application_owner",
            application_owner::Entity::find().count(db).await.unwrap(),
        ),
        (
            "application_population",
            application_population::Entity::find()
                .count(db)
                .await
                .unwrap(),
        ),
        (
            "application_tag",
            application_tag::Entity::find().count(db).await.unwrap(),
        ),
        (
            "declaration_version",
            declaration_version::Entity::find().count(db).await.unwrap(),
        ),
        (
            "declaration_method",
            declaration_method::Entity::find().count(db).await.unwrap(),
        ),
        (
            "business_unit",
            business_unit::Entity::find().count(db).await.unwrap(),
        ),
        (
            "app_user",
            app_user::Entity::find().count(db).await.unwrap(),
        ),
        (
            "user_role",
            user_role::Entity::find().count(db).await.unwrap(),
        ),
        (
            "audit_event",
            audit_event::Entity::find().count(db).await.unwrap(),
        ),
    ]
}

/// The application's id by name, and whether it is archived, with its provider's name.
async fn stored(w: &World, name: &str) -> (uuid::Uuid, bool, Option<String>) {
    let apps = application::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    let app = apps
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} is stored"));
    let provider = app
        .provider_id
        .and_then(|p| apps.iter().find(|a| a.id == p))
        .map(|p| p.name.clone());
    (app.id.0, app.archived, provider)
}

/// Archives an application as an administrator, through the registry's server function.
async fn archive_as(w: &World, admin: &Person<'_>, name: &str) {
    let (id, _, _) = stored(w, name).await;
    let r = admin
        .client
        .post(
            "/api/applications/archive",
            &[("id", &id.to_string()), ("archived", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "archive {name}: {}", r.body);
}

async fn export_import_export_is_byte_identical(db: &TestDb) {
    let source = World::new(db).await;
    let generated = generate_estate(&source.state, 200, 7)
        .await
        .expect("generate");
    assert_eq!(generated.applications, 200);

    // Archived applications travel too: a generated one, and a federated one whose identity
    // provider is archived as well (both added through an import, then archived).
    let records = load_records(&source.state.db).await.unwrap();
    let plain = records
        .iter()
        .find(|r| !r.identity_provider && r.declaration.is_some())
        .expect("a declared application that is not an identity provider")
        .name
        .clone();
    let legacy = |name: &str, identity_provider: bool| ApplicationRecord {
        name: name.into(),
        description: "Kept for the record.".into(),
        business_unit: None,
        criticality: "low".into(),
        integration: if identity_provider {
            "local"
        } else {
            "federated"
        }
        .into(),
        lifecycle: "sunsetting".into(),
        archived: false,
        identity_provider,
        provider: (!identity_provider).then(|| "Legacy IdP".to_string()),
        owners: records[0].owners.clone(),
        tags: vec![],
        populations: records[0].populations.clone(),
        declaration: None,
    };
    let extra = app::transfer::rules::encode_json(&[
        legacy("Legacy IdP", true),
        legacy("Legacy Portal", false),
    ])
    .unwrap();
    imported(import_as_host(&source, &extra, Format::Json, false).await);
    let admin = first_admin(&source, "archivist").await;
    for name in [plain.as_str(), "Legacy Portal", "Legacy IdP"] {
        archive_as(&source, &admin, name).await;
    }

    for format in [Format::Csv, Format::Json] {
        let first = export_of(&source, format).await;
        let target_db = another(db).await;
        let target = World::new(&target_db).await;
        let s = imported(import_as_host(&target, &first, format, false).await);
        assert_eq!(s.applications, 202, "{format:?}");
        assert_eq!(s.declarations, generated.declarations, "{format:?}");
        assert_eq!(s.owners.len(), generated.owners.len(), "{format:?}");
        assert!(
            stored(&target, &plain).await.1,
            "{format:?}: {plain} is archived"
        );
        assert_eq!(
            stored(&target, "Legacy Portal").await,
            (
                stored(&target, "Legacy Portal").await.0,
                true,
                Some("Legacy IdP".into())
            ),
            "{format:?}"
        );
        assert!(stored(&target, "Legacy IdP").await.1, "{format:?}");
        let active = records.iter().find(|r| r.name != plain).unwrap();
        assert!(!stored(&target, &active.name).await.1, "{format:?}");
        let second = export_of(&target, format).await;
        assert!(
            first == second,
            "{format:?}: the re-export differs ({} vs {} bytes)",
            first.len(),
            second.len()
        );
        target_db.cleanup().await;
    }
    let csv = String::from_utf8(export_of(&source, Format::Csv).await).unwrap();
    assert!(csv.starts_with(
        "application,description,business_unit,criticality,integration,lifecycle,archived,"
    ));
    assert!(csv.contains("Corporate Identity Provider"));
    assert!(csv.contains("\r\nLegacy Portal,Kept for the record.,,low,federated,sunsetting,true,false,Legacy IdP,"), "{csv}");
    let json = String::from_utf8(export_of(&source, Format::Json).await).unwrap();
    assert_eq!(json.matches("\"archived\": true").count(), 3);
}
on_each_backend!(
    export_import_export_is_byte_identical_on_each_backend,
    export_import_export_is_byte_identical
);

/// A CSV line: application cells, then one population row (population, role, methods), then
/// the population and break-glass cells left empty.
fn line(
    app: &str,
    critical: &str,
    integration: &str,
    provider: &str,
    owners: &str,
    methods: &str,
) -> String {
    format!(
        "{app},Test,Newly Created Unit,{critical},{integration},production,,false,{provider},{owners},,office_employees,office_employees,primary,{methods},,,,,,,,,,,,"
    )
}

async fn a_bad_import_changes_nothing_and_names_every_row(db: &TestDb) {
    let w = World::new(db).await;
    generate_estate(&w.state, 30, 1).await.expect("generate");
    insert_user(&w.state, "carol", &["auditor"]).await;
    let records = load_records(&w.state.db).await.unwrap();
    let plain = records
        .iter()
        .find(|r| !r.identity_provider)
        .expect("a generated application that is not an identity provider");
    let header = app::transfer::rules::COLUMNS.join(",");
    let csv = [
        header,
        // Row 2: fine on its own (a new business unit and a new owner).
        line("Good One", "high", "local", "", "newowner", "security_key"),
        // Row 3: an unknown method key.
        line(
            "Bad Method",
            "high",
            "local",
            "",
            "newowner",
            "carrier_pigeon",
        ),
        // Row 4: the name of an existing application, in other case.
        line(
            &records[0].name.to_uppercase(),
            "high",
            "local",
            "",
            "owner0001",
            "security_key",
        ),
        // Row 5: an owner whose account lacks the owner role.
        line("Carol's App", "high", "local", "", "carol", "security_key"),
        // Row 6: a provider that is not an identity provider.
        line(
            "Federated Wrongly",
            "high",
            "federated",
            &plain.name,
            "owner0001",
            "",
        ),
        // Row 7: a criticality outside the vocabulary.
        line("Huge App", "huge", "local", "", "owner0001", "security_key"),
    ]
    .join("\r\n");
    let before = counts(&w).await;
    let problems = import_as_host(&w, csv.as_bytes(), Format::Csv, false)
        .await
        .expect_err("refused");
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![3, 4, 5, 6, 7], "{problems:#?}");
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(text[0].contains("carrier_pigeon"), "{}", text[0]);
    assert!(
        text[1].contains("already exists in the portal"),
        "{}",
        text[1]
    );
    assert!(
        text[2].contains("“carol” has an account without the owner role"),
        "{}",
        text[2]
    );
    assert!(
        text[3].starts_with("row 6 (Federated Wrongly): provider:"),
        "{}",
        text[3]
    );
    assert!(text[4].contains("criticality"), "{}", text[4]);
    assert_eq!(counts(&w).await, before, "nothing was written");

    // The same file as JSON: reported by position in `applications`.
    let (decoded, decode_problems) = app::transfer::rules::decode_csv(csv.as_bytes());
    assert!(decode_problems.is_empty(), "{decode_problems:?}");
    let records: Vec<_> = decoded.into_iter().map(|s| s.record).collect();
    let json = app::transfer::rules::encode_json(&records).unwrap();
    let problems = import_as_host(&w, &json, Format::Json, false)
        .await
        .expect_err("refused");
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![2, 3, 4, 5, 6], "{problems:#?}");
    assert_eq!(counts(&w).await, before, "nothing was written");
}
on_each_backend!(
    a_bad_import_changes_nothing_and_names_every_row_on_each_backend,
    a_bad_import_changes_nothing_and_names_every_row
);

async fn a_dry_run_writes_nothing_and_an_import_is_audited_once(db: &TestDb) {
    let source = World::new(db).await;
    generate_estate(&source.state, 50, 3)
        .await
        .expect("generate");
    let file = export_of(&source, Format::Json).await;

    let target_db = another(db).await;
    let w = World::new(&target_db).await;
    let before = counts(&w).await;
    let dry = imported(import_as_host(&w, &file, Format::Json, true).await);
    assert_eq!(dry.applications, 50);
    assert_eq!(dry.owners.len(), 2, "{:?}", dry.owners);
    assert!(!dry.business_units.is_empty());
    assert_eq!(counts(&w).await, before, "a dry run writes nothing");

    let done = imported(import_as_host(&w, &file, Format::Json, false).await);
    assert_eq!(done, dry, "the dry run reported what the import did");
    let after_counts = counts(&w).await;
    assert_eq!(after_counts[0], ("application", 50));
    let versions = declaration_version::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert!(versions.iter().all(|v| v.version == 1
        && v.source == app::vocab::Source::Import
        && v.author_id.is_none()));
    let imports = events(&w, "applications.imported").await;
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].actor, "host-operator");
    let a = after(&imports[0]);
    assert_eq!(a["sha256"], file_sha256(&file));
    assert_eq!(a["applications"], 50);
    assert_eq!(a["dry_run"], false);
    // Importing the same file again is refused on every name.
    let problems = import_as_host(&w, &file, Format::Json, false)
        .await
        .expect_err("names are taken");
    assert_eq!(problems.len(), 50);
    target_db.cleanup().await;
}
on_each_backend!(
    a_dry_run_writes_nothing_and_an_import_is_audited_once_on_each_backend,
    a_dry_run_writes_nothing_and_an_import_is_audited_once
);

async fn application_ids(w: &World) -> Vec<uuid::Uuid> {
    let mut ids: Vec<uuid::Uuid> = application::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id.0)
        .collect();
    ids.sort();
    ids
}

async fn the_generator_is_deterministic(db: &TestDb) {
    let first = World::new(db).await;
    generate_estate(&first.state, 120, 11)
        .await
        .expect("generate");
    let other_db = another(db).await;
    let same = World::new(&other_db).await;
    generate_estate(&same.state, 120, 11)
        .await
        .expect("generate");
    assert!(
        export_of(&first, Format::Json).await == export_of(&same, Format::Json).await,
        "the same seed gives the same estate"
    );
    assert_eq!(
        application_ids(&first).await,
        application_ids(&same).await,
        "ids too"
    );
    let third_db = another(db).await;
    let different = World::new(&third_db).await;
    generate_estate(&different.state, 120, 12)
        .await
        .expect("generate");
    assert!(export_of(&first, Format::Json).await != export_of(&different, Format::Json).await);

    let err = generate_estate(&first.state, 10, 11).await.unwrap_err();
    assert!(
        err.to_string().contains("already has 120 application"),
        "{err}"
    );
    let generated = events(&first, "estate.generated").await;
    assert_eq!(generated.len(), 1);
    assert_eq!(after(&generated[0])["seed"], 11);
    assert_eq!(after(&generated[0])["applications"], 120);
    other_db.cleanup().await;
    third_db.cleanup().await;
}
on_each_backend!(
    the_generator_is_deterministic_on_each_backend,
    the_generator_is_deterministic
);

async fn formula_cells_are_neutralised_and_restored(db: &TestDb) {
    let w = World::new(db).await;
    insert_user(&w.state, "olga", &["owner"]).await;
    let json = r#"{"format":"passwordless-portal/applications","version":1,"applications":[{
        "name": "=HYPERLINK(\"http://evil.example\",\"x\")",
        "description": "+SUM(A1:A9)",
        "business_unit": "@Finance",
        "criticality": "critical",
        "integration": "local",
        "lifecycle": "production",
        "owners": ["olga"],
        "populations": ["office_employees"],
        "declaration": {
            "populations": [{"population": "office_employees", "primary": ["security_key"]}],
            "break_glass": {"accounts": 1, "method": "security_key", "location": "-Vault 3", "last_drill": null}
        }
    }]}"#;
    imported(import_as_host(&w, json.as_bytes(), Format::Json, false).await);
    let csv = export_of(&w, Format::Csv).await;
    let text = String::from_utf8(csv.clone()).unwrap();
    let row = text.lines().nth(1).expect("a data row");
    for cell in ["\"'=HYPERLINK(", "'+SUM(A1:A9)", "'@Finance", "'-Vault 3"] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    let json_before = export_of(&w, Format::Json).await;

    let other_db = another(db).await;
    let target = World::new(&other_db).await;
    insert_user(&target.state, "olga", &["owner"]).await;
    imported(import_as_host(&target, &csv, Format::Csv, false).await);
    assert!(
        export_of(&target, Format::Json).await == json_before,
        "the values came back without their guard"
    );
    other_db.cleanup().await;
}
on_each_backend!(
    formula_cells_are_neutralised_and_restored_on_each_backend,
    formula_cells_are_neutralised_and_restored
);

/// A multipart upload from a signed-in browser.
async fn upload(
    client: &Client<'_>,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> crate::support::Reply {
    const BOUNDARY: &str = "portal-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
    if dry_run {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\non\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut req = Request::post("/api/applications/import")
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

async fn report(client: &Client<'_>) -> Option<ImportReport> {
    client.call("/api/applications/import-report", &[]).await
}

async fn the_http_endpoints_follow_the_roles(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    let owner = invited(&admin, "olga", &["owner"]).await;
    let auditor = invited(&admin, "audrey", &["auditor"]).await;
    generate_estate(&w.state, 20, 5).await.expect("generate");

    let r = owner
        .client
        .page("/api/applications/export?format=csv")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = Client::new(&w).page("/api/applications/export").await;
    assert!(
        matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER),
        "{}",
        r.status
    );
    let r = auditor
        .client
        .page("/api/applications/export?format=json")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(
        r.header("content-disposition"),
        "attachment; filename=\"applications.json\""
    );
    assert_eq!(
        r.body.as_bytes(),
        export_of(&w, Format::Json).await.as_slice()
    );
    let csv = auditor
        .client
        .page("/api/applications/export?format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));

    // Importing: refused to an owner and to an auditor, before anything is read.
    let other_db = another(db).await;
    let source = World::new(&other_db).await;
    generate_estate(&source.state, 15, 9)
        .await
        .expect("generate");
    let file = export_of(&source, Format::Csv).await;
    let before = counts(&w).await;
    for who in [&owner, &auditor] {
        let r = upload(&who.client, "estate.csv", &file, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    // The generated names are taken here: the administrator's import is refused, row by row.
    let r = upload(&admin.client, "estate.csv", &file, false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/applications/import");
    let refused = report(&admin.client).await.expect("a report");
    match &refused.outcome {
        ImportOutcome::Refused { problems, total } => {
            assert!(*total > 0 && problems.len() == *total, "{problems:?}");
            assert!(problems.iter().all(|p| p.row >= 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused.sha256, file_sha256(&file));
    assert!(report(&admin.client).await.is_none(), "shown once");
    assert_eq!(counts(&w).await, before);

    // Into an empty portal: a dry run, then the import.
    let empty_db = another(db).await;
    let empty = World::new(&empty_db).await;
    let admin = first_admin(&empty, "ada").await;
    let r = upload(&admin.client, "estate.csv", &file, true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let dry = report(&admin.client).await.expect("a report");
    assert!(dry.dry_run);
    assert!(
        matches!(&dry.outcome, ImportOutcome::Done(s) if s.applications == 15),
        "{dry:?}"
    );
    assert_eq!(counts(&empty).await[0], ("application", 0));
    upload(&admin.client, "estate.csv", &file, false).await;
    let done = report(&admin.client).await.expect("a report");
    assert!(
        matches!(&done.outcome, ImportOutcome::Done(s) if s.applications == 15),
        "{done:?}"
    );
    let imports = events(&empty, "applications.imported").await;
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].actor, format!("user:{}", admin.id()));
    assert!(export_of(&empty, Format::Csv).await == file);

    // The import takes files beyond the general body limit, up to its own.
    let general = empty.state.config.body_limit;
    let r = upload(&admin.client, "big.csv", &vec![b'a'; general + 1], true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(matches!(
        report(&admin.client).await.expect("a report").outcome,
        ImportOutcome::Refused { .. }
    ));
    let r = upload(
        &admin.client,
        "huge.csv",
        &vec![b'a'; IMPORT_BODY_LIMIT + 1],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    other_db.cleanup().await;
    empty_db.cleanup().await;
}
on_each_backend!(
    the_http_endpoints_follow_the_roles_on_each_backend,
    the_http_endpoints_follow_the_roles
);

async fn a_streamed_export_is_the_file_all_at_once(db: &TestDb) {
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    // Exactly two full batches: the end of the file comes with an empty third.
    let apps = 2 * EXPORT_BATCH as usize;
    generate_estate(&w.state, apps, 21).await.expect("generate");
    let records = load_records(&w.state.db).await.unwrap();
    assert_eq!(records.len(), apps);
    assert!(
        records
            .windows(2)
            .all(|p| name_key(&p[0].name) < name_key(&p[1].name)),
        "in name-key order across batches"
    );
    for format in [Format::Csv, Format::Json] {
        let streamed = download(&w, &admin, format, true).await;
        let whole = match format {
            Format::Csv => app::transfer::rules::encode_csv(&records),
            Format::Json => app::transfer::rules::encode_json(&records),
        }
        .unwrap();
        assert!(
            streamed.file == whole,
            "{format:?}: the streamed file differs from the file encoded at once ({} vs {} \
             bytes)",
            streamed.file.len(),
            whole.len()
        );
        assert!(streamed.pieces.len() >= 2, "{:?}", streamed.pieces);

        // And it imports into an empty portal, which exports it again byte for byte.
        let target_db = another(db).await;
        let target = World::new(&target_db).await;
        let s = imported(import_as_host(&target, &streamed.file, format, false).await);
        assert_eq!(s.applications, apps, "{format:?}");
        assert!(
            export_of(&target, format).await == streamed.file,
            "{format:?}: the re-export differs"
        );
        target_db.cleanup().await;
    }
}
on_each_backend!(
    a_streamed_export_is_the_file_all_at_once_on_each_backend,
    a_streamed_export_is_the_file_all_at_once
);

/// A file of applications in a new business unit, each owned by the named owner.
fn file_of(apps: &[(&str, &str)]) -> Vec<u8> {
    let records: Vec<ApplicationRecord> = apps
        .iter()
        .map(|(name, owner)| ApplicationRecord {
            name: (*name).into(),
            description: "Planned while others worked.".into(),
            business_unit: Some("Brand New Unit".into()),
            criticality: "high".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            archived: false,
            identity_provider: false,
            provider: None,
            owners: vec![(*owner).into()],
            tags: vec![],
            populations: vec!["office_employees".into()],
            declaration: None,
        })
        .collect();
    app::transfer::rules::encode_json(&records).unwrap()
}

/// The file, read and planned against the portal as it is now.
async fn planned(w: &World, apps: &[(&str, &str)]) -> PlannedImport {
    let file = read_file(file_of(apps), Format::Json).await.unwrap();
    plan_import(&w.state, file)
        .await
        .unwrap()
        .unwrap_or_else(|p| panic!("{p:?}"))
}

async fn an_import_is_checked_again_under_the_write_lock(db: &TestDb) {
    let w = World::new(db).await;
    insert_user(&w.state, "olga", &["owner"]).await;

    // Planned against a portal that then changes: a name is taken, and the owner account the
    // plan would create appears without the owner role. Checked again under the lock, the
    // import is refused on both rows and writes nothing.
    let plan = planned(&w, &[("Alpha", "olga"), ("Beta", "newbie")]).await;
    assert_eq!(plan.summary().owners, vec!["newbie".to_string()]);
    imported(import_as_host(&w, &file_of(&[("ALPHA", "olga")]), Format::Json, false).await);
    insert_user(&w.state, "newbie", &["auditor"]).await;
    let before = counts(&w).await;
    let problems = write_import(&w.state, plan, ImportedBy::HostOperator)
        .await
        .expect("runs")
        .expect_err("refused");
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![1, 2], "{problems:#?}");
    assert!(
        problems[0].message.contains("already exists"),
        "{problems:?}"
    );
    assert!(
        problems[1].message.contains("without the owner role"),
        "{problems:?}"
    );
    assert_eq!(counts(&w).await, before, "nothing was written");

    // A change the plan did not rely on does not stop it: it is planned again and written
    // (the business unit the first import created is used, not created twice).
    let plan = planned(&w, &[("Gamma", "olga")]).await;
    assert_eq!(plan.summary().business_units, Vec::<String>::new());
    imported(import_as_host(&w, &file_of(&[("Delta", "olga")]), Format::Json, false).await);
    let s = imported(
        write_import(&w.state, plan, ImportedBy::HostOperator)
            .await
            .expect("runs"),
    );
    assert_eq!(s.applications, 1);
    stored(&w, "Gamma").await;

    // Nothing changed: written as planned.
    let plan = planned(&w, &[("Epsilon", "olga")]).await;
    imported(
        write_import(&w.state, plan, ImportedBy::HostOperator)
            .await
            .expect("runs"),
    );
    stored(&w, "Epsilon").await;
    assert_eq!(events(&w, "applications.imported").await.len(), 4);
}
on_each_backend!(
    an_import_is_checked_again_under_the_write_lock_on_each_backend,
    an_import_is_checked_again_under_the_write_lock
);

//! Reliability under load: writers while a bulk import writes, the database's write lock held
//! longer than a request may wait for it, concurrent imports, backup and restore.

use crate::client::{Person, first_admin};
use crate::on_each_backend;
use crate::support::{Reply, TestDb, World, config_with};
use app::error::AppError;
use app::ssr::entities::business_unit;
use app::transfer::model::{ApplicationRecord, Format};
use app::transfer::ssr::{ImportResult, ImportedBy, import, read_file};
use http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::time::{Duration, Instant};

/// A file of `apps` applications spread over `units` new business units and `owners` new owner
/// accounts, named with `prefix`.
pub fn import_file(prefix: &str, apps: usize, units: usize, owners: usize) -> Vec<u8> {
    let records: Vec<ApplicationRecord> = (0..apps)
        .map(|i| ApplicationRecord {
            name: format!("{prefix} application {i:05}"),
            description: "Imported while others worked.".into(),
            business_unit: Some(format!("{prefix} unit {}", i % units)),
            criticality: "high".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            archived: false,
            identity_provider: false,
            provider: None,
            owners: vec![format!("{}.owner{}", prefix.to_lowercase(), i % owners)],
            tags: vec!["imported".into()],
            populations: vec!["office_employees".into()],
            declaration: None,
        })
        .collect();
    app::transfer::rules::encode_json(&records).unwrap()
}

pub async fn import_json(w: &World, bytes: Vec<u8>) -> ImportResult {
    let file = read_file(bytes, Format::Json).await.expect("read");
    import(&w.state, file, false, ImportedBy::HostOperator)
        .await
        .expect("import runs")
}

/// What one writer saw: the latency of each write (first attempt to success) and how many
/// times it was told to come back later.
#[derive(Default)]
pub struct Writes {
    pub latencies: Vec<Duration>,
    pub busy: usize,
}

/// Adds the business unit `name` as `admin`, trying again after each 503 (which must carry
/// `Retry-After`) until it is written; any other failure fails the test.
pub async fn add_unit(admin: &Person<'_>, name: &str, writes: &mut Writes) {
    let started = Instant::now();
    loop {
        let r: Reply = admin
            .client
            .post("/api/catalogue/business-units/add", &[("name", name)])
            .await;
        match r.status {
            StatusCode::OK => break,
            StatusCode::SERVICE_UNAVAILABLE => {
                let retry: u64 = r.header("retry-after").parse().unwrap_or_else(|_| {
                    panic!("a 503 says when to try again (Retry-After): {}", r.body)
                });
                assert!(retry >= 1, "Retry-After {retry}");
                writes.busy += 1;
                // The test keeps the pause short; a client would wait `retry` seconds.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("writing {name}: {other} {}", r.body),
        }
    }
    writes.latencies.push(started.elapsed());
}

async fn unit_count(w: &World) -> u64 {
    business_unit::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap()
}

/// 16 writers, each adding `each` business units named `tag-writer-n`, at once.
pub async fn sixteen_writers(admin: &Person<'_>, tag: &str, each: usize) -> Writes {
    let writers = (0..16).map(|n| async move {
        let mut writes = Writes::default();
        for k in 0..each {
            add_unit(admin, &format!("{tag} {n:02}-{k:03}"), &mut writes).await;
        }
        writes
    });
    let mut all = Writes::default();
    for w in futures::future::join_all(writers).await {
        all.latencies.extend(w.latencies);
        all.busy += w.busy;
    }
    all
}

async fn writers_during_a_long_write_wait_or_come_back_and_lose_nothing(db: &TestDb) {
    // A request may run 2 s, so a writer waits 1 s for the write lock.
    let w = World::with_config(config_with(db, &[("PORTAL_REQUEST_TIMEOUT_SECONDS", "2")])).await;
    let admin = first_admin(&w, "ada").await;
    let before = unit_count(&w).await;

    // A write transaction held three times as long as a writer may wait (a long import's write
    // phase): on SQLite every other writer waits, and those that cannot get the lock in time
    // are answered 503 with Retry-After, never 500; trying again once it is released, every
    // write lands.
    let held = w.state.db.begin_write().await.expect("the write lock");
    let release = async {
        tokio::time::sleep(3 * w.state.config.write_wait()).await;
        held.rollback().await.expect("released");
    };
    let (_, writes) = tokio::join!(release, sixteen_writers(&admin, "Held", 1));
    assert_eq!(writes.latencies.len(), 16);
    if db.label == "sqlite" {
        assert!(
            writes.busy > 0,
            "some writer could not get the lock in time and was told to come back"
        );
    }
    assert_eq!(unit_count(&w).await, before + 16, "no write was lost");

    // A large import writing while 16 writers write: no 500, every write lands, and so does the
    // import.
    let file = import_file("Bulk", 3000, 40, 60);
    let importing = async { import_json(&w, file).await };
    let (imported, writes) = tokio::join!(importing, sixteen_writers(&admin, "During", 5));
    let summary = imported.unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(summary.applications, 3000);
    assert_eq!(writes.latencies.len(), 16 * 5);
    assert_eq!(
        unit_count(&w).await,
        before + 16 + 16 * 5 + 40,
        "every writer's units and the import's are there"
    );
}
on_each_backend!(
    writers_during_a_long_write_wait_or_come_back_and_lose_nothing_on_each_backend,
    writers_during_a_long_write_wait_or_come_back_and_lose_nothing
);

/// The command-line import has a size limit too: a file over it is refused before it is read.
#[tokio::test]
async fn the_command_line_import_refuses_a_file_over_its_limit() {
    use server::cli::{CliError, IMPORT_FILE_LIMIT, read_import_file};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("estate.json");
    let file = import_file("Sized", 20, 2, 2);
    std::fs::write(&path, &file).unwrap();
    let size = file.len() as u64;
    assert_eq!(read_import_file(&path, size).await.unwrap(), file);
    match read_import_file(&path, size - 1).await {
        Err(e @ CliError::TooLarge { .. }) => {
            assert!(e.to_string().contains("--max-bytes"), "{e}");
        }
        other => panic!("refused: {:?}", other.map(|b| b.len())),
    }
    assert!(IMPORT_FILE_LIMIT >= app::transfer::http::IMPORT_BODY_LIMIT as u64);
}

/// A writer that cannot get SQLite's write lock within its wait is answered 503 "busy" with a
/// pause to take, not 500 "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_that_cannot_get_the_lock_is_busy_not_broken() {
    let db = TestDb::sqlite();
    let w = World::new(&db).await;
    let other = app::ssr::db::Db::connect_waiting(&db.url, Duration::from_millis(200))
        .await
        .expect("a second pool");
    let held = w.state.db.begin_write().await.expect("the write lock");
    let err = other.begin_write().await.expect_err("the lock is taken");
    let err = AppError::from(err);
    assert!(
        matches!(err, AppError::Busy { retry_after_secs } if retry_after_secs > 0),
        "{err:?}"
    );
    assert_eq!(err.status_code(), 503);
    held.rollback().await.unwrap();
    other.begin_write().await.expect("free again");
}

/// Holds what every import writes last (the audit trail's head: a row lock on PostgreSQL, the
/// write lock on SQLite) for a moment, so that two imports started meanwhile overlap: on
/// PostgreSQL both get as far as their inserts before either commits.
async fn overlapping<A, B>(w: &World, a: A, b: B) -> (A::Output, B::Output)
where
    A: std::future::Future,
    B: std::future::Future,
{
    use sea_orm::ConnectionTrait as _;
    let gate = w.state.db.begin_write().await.expect("a transaction");
    if db_is_postgres(w) {
        gate.execute_unprepared("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
            .await
            .expect("lock the head");
    }
    let release = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        gate.rollback().await.expect("released");
    };
    let (_, a, b) = tokio::join!(release, a, b);
    (a, b)
}

fn db_is_postgres(w: &World) -> bool {
    w.state.db.backend() == sea_orm::DbBackend::Postgres
}

/// A file of the named applications, each in the unit `unit` and owned by `owner`.
fn file_naming(apps: &[&str], unit: &str, owner: &str) -> Vec<u8> {
    let records: Vec<ApplicationRecord> = apps
        .iter()
        .map(|name| ApplicationRecord {
            name: (*name).into(),
            description: String::new(),
            business_unit: Some(unit.into()),
            criticality: "medium".into(),
            integration: "local".into(),
            lifecycle: "production".into(),
            archived: false,
            identity_provider: false,
            provider: None,
            owners: vec![owner.into()],
            tags: vec![],
            populations: vec!["office_employees".into()],
            declaration: None,
        })
        .collect();
    app::transfer::rules::encode_json(&records).unwrap()
}

async fn import_caught(w: &World, bytes: Vec<u8>) -> Result<ImportResult, AppError> {
    let file = read_file(bytes, Format::Json).await.expect("read");
    import(&w.state, file, false, ImportedBy::HostOperator).await
}

async fn two_imports_at_once_share_what_they_both_create(db: &TestDb) {
    use app::ssr::entities::{app_user, application};
    use sea_orm::{ColumnTrait, QueryFilter};
    let w = World::new(db).await;

    // Different applications, the same missing business unit and owner account: both imports
    // succeed, and the unit and the account exist once.
    let a = file_naming(&["Alpha One", "Alpha Two"], "Shared Unit", "shared.owner");
    let b = file_naming(&["Beta One"], "Shared Unit", "shared.owner");
    let (ra, rb) = overlapping(&w, import_caught(&w, a), import_caught(&w, b)).await;
    let ra = ra
        .expect("the first import runs")
        .expect("the first import");
    let rb = rb
        .expect("the second import runs")
        .expect("the second import");
    assert_eq!(ra.applications + rb.applications, 3);
    let units: Vec<_> = business_unit::Entity::find()
        .filter(business_unit::Column::Name.eq("Shared Unit"))
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(units.len(), 1);
    let owners = app_user::Entity::find()
        .filter(app_user::Column::Username.eq("shared.owner"))
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(owners.len(), 1);
    // Exactly one of them reports creating them.
    assert_eq!(ra.business_units.len() + rb.business_units.len(), 1);
    assert_eq!(ra.owners.len() + rb.owners.len(), 1);
    let apps = application::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(apps.len(), 3);
    assert!(
        apps.iter().all(|a| a.business_unit_id == Some(units[0].id)),
        "every application is in the one unit"
    );
    let created = crate::client::events(&w, "user.created").await;
    assert_eq!(created.len(), 1, "one account, one creation event");

    // The same application in both files is a genuine conflict: one import is written, the
    // other is refused as a whole and says why.
    let c = file_naming(&["Gamma", "Gamma Only C"], "Second Unit", "second.owner");
    let d = file_naming(&["Gamma", "Gamma Only D"], "Second Unit", "second.owner");
    let (rc, rd) = overlapping(&w, import_caught(&w, c), import_caught(&w, d)).await;
    let refused = |r: &Result<ImportResult, AppError>| match r {
        Ok(Ok(_)) => None,
        Ok(Err(problems)) => Some(format!("{problems:?}")),
        Err(e) => Some(e.to_string()),
    };
    let outcomes = [refused(&rc), refused(&rd)];
    let why: Vec<&String> = outcomes.iter().flatten().collect();
    assert_eq!(why.len(), 1, "exactly one is refused: {outcomes:?}");
    assert!(
        why[0].contains("already exists") || why[0].contains("created by someone else"),
        "{}",
        why[0]
    );
    let names: Vec<String> = application::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with("Gamma Only")).count(),
        1,
        "nothing of the refused import was written: {names:?}"
    );
}
on_each_backend!(
    two_imports_at_once_share_what_they_both_create_on_each_backend,
    two_imports_at_once_share_what_they_both_create
);

async fn accounts_an_import_creates_are_audited_one_by_one(db: &TestDb) {
    let w = World::new(db).await;
    crate::support::insert_user(&w.state, "olga", &["owner"]).await;
    let mut file = import_file("Audit", 6, 2, 3);
    // One more application owned by an account that exists: not created, not recorded.
    let mut records: Vec<ApplicationRecord> = app::transfer::rules::decode_json(&file)
        .0
        .into_iter()
        .map(|s| s.record)
        .collect();
    records[0].owners.push("olga".into());
    file = app::transfer::rules::encode_json(&records).unwrap();
    let summary = import_json(&w, file).await.expect("imported");
    assert_eq!(summary.owners.len(), 3);
    let created = crate::client::events(&w, "user.created").await;
    let mut named: Vec<String> = created
        .iter()
        .map(|e| {
            let a = crate::client::after(e);
            assert_eq!(e.actor, "host-operator");
            assert_eq!(a["via"], "import");
            assert_eq!(a["roles"], serde_json::json!(["owner"]));
            a["username"].as_str().unwrap().to_string()
        })
        .collect();
    named.sort();
    assert_eq!(named, summary.owners);
    // In the same transaction as the import: the chain holds and each event precedes the
    // import's own.
    let imported = crate::client::events(&w, "applications.imported").await;
    assert!(created.iter().all(|c| c.seq < imported[0].seq));
    let users = app::ssr::entities::app_user::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    for c in &created {
        assert!(users.iter().any(|u| u.id.to_string() == c.subject_id));
    }
}
on_each_backend!(
    accounts_an_import_creates_are_audited_one_by_one_on_each_backend,
    accounts_an_import_creates_are_audited_one_by_one
);

async fn a_backup_taken_during_writes_restores_and_verifies(db: &TestDb) {
    use app::audit::facade::{ChainStatus, verify_chain};
    use server::backup::{BackupError, backup, restore};
    let w = World::new(db).await;
    let admin = first_admin(&w, "ada").await;
    import_json(&w, import_file("Kept", 300, 6, 12))
        .await
        .expect("imported");
    let before = unit_count(&w).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("portal.backup");

    // Taken while 16 writers write.
    let taking = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        backup(&w.state.db, &db.url, &out).await
    };
    let (taken, writes) = tokio::join!(taking, sixteen_writers(&admin, "Meanwhile", 6));
    let taken = taken.expect("backed up");
    assert!(taken.bytes > 0);
    assert_eq!(writes.latencies.len(), 16 * 6);
    let after = unit_count(&w).await;
    assert!(matches!(
        backup(&w.state.db, &db.url, &out).await,
        Err(BackupError::Exists(_))
    ));

    // Restored into an empty database: the audit trail verifies, and the copy is one moment of
    // the source (everything from before the writers, some or all of their writes).
    let target = if db.label == "postgres" {
        TestDb::postgres().await.expect("postgres is configured")
    } else {
        TestDb::sqlite()
    };
    let restored = restore(&target.url, &out, false).await.expect("restored");
    assert!(restored.events > 0);
    // A database with data is not overwritten unless told.
    match restore(&target.url, &out, false).await {
        Err(BackupError::NotEmpty { users, .. }) => assert!(users > 0),
        other => panic!("a second restore is refused: {other:?}"),
    }
    let again = restore(&target.url, &out, true).await.expect("forced");
    assert_eq!(again.head_hash, restored.head_hash);

    let copy = World::new(&target).await;
    match verify_chain(copy.state.db.conn()).await.unwrap() {
        ChainStatus::Intact { events, head_hash } => {
            assert_eq!((events, head_hash), (restored.events, restored.head_hash));
        }
        broken => panic!("{broken:?}"),
    }
    let units = unit_count(&copy).await;
    assert!(
        (before..=after).contains(&units),
        "{before} <= {units} <= {after}"
    );
    // One moment, not a blend: every unit a writer added that the copy holds has its audit
    // event in the copy, and no event is there without its unit.
    let added = crate::client::events(&copy, "catalogue.changed")
        .await
        .into_iter()
        .filter(|e| e.subject_type == "business_unit" && e.before.is_none())
        .count() as u64;
    assert_eq!(added, units - before);
    target.cleanup().await;
}
on_each_backend!(
    a_backup_taken_during_writes_restores_and_verifies_on_each_backend,
    a_backup_taken_during_writes_restores_and_verifies
);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(label: &str, writes: &Writes) {
    let mut l = writes.latencies.clone();
    l.sort();
    eprintln!(
        "{label}: {} writes, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} answered 503 (retried)",
        l.len(),
        percentile(&l, 0.50).as_secs_f64() * 1000.0,
        percentile(&l, 0.99).as_secs_f64() * 1000.0,
        l.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        writes.busy
    );
}

/// Figures, not a check: the write latency of 16 concurrent writers on SQLite, alone and while a
/// large import (an exported generated estate, `PORTAL_BENCH_IMPORT_APPS` applications, 20,000
/// by default) is planned and written. Run with
/// `cargo test -p server --test integration write_latency -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement; run by hand"]
async fn write_latency_of_16_writers_with_and_without_a_large_import() {
    use app::transfer::ssr::{export, generate_estate, plan_import, write_import};
    use std::sync::atomic::{AtomicBool, Ordering};
    // Warnings and errors (a writer answered busy, an internal error's cause) on the output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    let apps: usize = std::env::var("PORTAL_BENCH_IMPORT_APPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let source_db = TestDb::sqlite();
    let source = World::new(&source_db).await;
    generate_estate(&source.state, apps, 7)
        .await
        .expect("generate");
    let file = export(&source.state.db, Format::Json)
        .await
        .expect("export");
    drop(source);
    eprintln!("import file: {apps} applications, {} bytes", file.len());

    let db = TestDb::sqlite();
    let w = World::new(&db).await;
    let admin = first_admin(&w, "ada").await;
    // Warm up.
    sixteen_writers(&admin, "Warm", 2).await;
    let alone = sixteen_writers(&admin, "Alone", 20).await;
    report("16 writers, no import", &alone);

    let done = AtomicBool::new(false);
    let importing = async {
        let started = Instant::now();
        let read = read_file(file, Format::Json).await.expect("read");
        let planned = plan_import(&w.state, read)
            .await
            .expect("plans")
            .expect("a good file");
        let planned_in = started.elapsed();
        let writing = Instant::now();
        write_import(&w.state, planned, ImportedBy::HostOperator)
            .await
            .expect("writes")
            .expect("imported");
        let written_in = writing.elapsed();
        done.store(true, Ordering::SeqCst);
        (planned_in, written_in)
    };
    let writers = (0..16).map(|n| {
        let done = &done;
        let admin = &admin;
        async move {
            let mut writes = Writes::default();
            let mut k = 0;
            while !done.load(Ordering::SeqCst) || k < 5 {
                add_unit(admin, &format!("During {n:02}-{k:05}"), &mut writes).await;
                k += 1;
            }
            writes
        }
    });
    let ((planned_in, written_in), during) =
        tokio::join!(importing, futures::future::join_all(writers));
    let mut all = Writes::default();
    for w in during {
        all.latencies.extend(w.latencies);
        all.busy += w.busy;
    }
    eprintln!(
        "import of {apps} applications: read and planned in {:.2} s (outside the write lock), \
         written in {:.2} s (under it)",
        planned_in.as_secs_f64(),
        written_in.as_secs_f64()
    );
    report("16 writers, during the import", &all);
}

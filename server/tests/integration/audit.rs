//! The audit trail: same-transaction writes, append-only triggers, tamper detection, and one
//! gapless chain under concurrent writers (in one process, across pools and across processes).

use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::audit::model::{Actor, AuditAction, ChainStatus};
use app::audit::ssr::{NewAuditEvent, record, verify_chain};
use app::ssr::db::Db;
use app::ssr::entities::audit_event;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;

fn event(n: usize) -> NewAuditEvent {
    NewAuditEvent {
        actor: Actor::System,
        action: AuditAction::BootstrapIssued,
        subject_type: "test",
        subject_id: format!("subject-{n}"),
        before: None,
        after: Some(json!({ "n": n, "text": "ünïcode & <b>" })),
    }
}

async fn append(db: &Db, now: time::OffsetDateTime, n: usize) -> i64 {
    let txn = db.begin_write().await.expect("begin");
    let seq = record(&txn, now, event(n)).await.expect("record");
    txn.commit().await.expect("commit");
    seq
}

async fn count(db: &Db) -> u64 {
    audit_event::Entity::find().count(db.conn()).await.unwrap()
}

/// What an attacker with database access would do first.
async fn drop_append_only_triggers(db: &Db) {
    let sql: &[&str] = match db.backend() {
        DbBackend::Postgres => &[
            "DROP TRIGGER audit_event_no_update ON audit_event",
            "DROP TRIGGER audit_event_no_truncate ON audit_event",
        ],
        _ => &[
            "DROP TRIGGER audit_event_no_update",
            "DROP TRIGGER audit_event_no_delete",
        ],
    };
    for s in sql {
        db.conn().execute_unprepared(s).await.unwrap();
    }
}

async fn events_commit_and_roll_back_with_their_change(db: &TestDb) {
    let w = World::new(db).await;
    let d = &w.state.db;
    let now = w.state.now();

    let txn = d.begin_write().await.unwrap();
    record(&txn, now, event(1)).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(count(d).await, 0, "a rolled-back change leaves no event");

    assert_eq!(append(d, now, 1).await, 1);
    assert_eq!(append(d, now, 2).await, 2);
    match verify_chain(d.conn()).await.unwrap() {
        ChainStatus::Intact { events, .. } => assert_eq!(events, 2),
        other => panic!("{other:?}"),
    }
    let stored = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Seq)
        .all(d.conn())
        .await
        .unwrap();
    assert_eq!(stored[1].prev_hash, stored[0].hash);
    assert_eq!(
        stored[0].occurred_at,
        app::ssr::clock::format_timestamp(now)
    );
    assert!(stored[0].after.as_deref().unwrap().contains("ünïcode"));
}
on_each_backend!(
    events_commit_and_roll_back_with_their_change_on_each_backend,
    events_commit_and_roll_back_with_their_change
);

async fn a_failed_event_write_aborts_the_change(db: &TestDb) {
    let w = World::new(db).await;
    let d = &w.state.db;
    // Break the chain head so that recording fails, inside a transaction that also made a change.
    let txn = d.begin_write().await.unwrap();
    txn.execute_unprepared("INSERT INTO app_user (id, username, display_name, status, created_at, updated_at) \
        VALUES ('00000000-0000-0000-0000-000000000001', 'x', 'x', 'active', '2026-11-22T09:00:00Z', '2026-11-22T09:00:00Z')")
        .await
        .ok();
    txn.execute_unprepared("DELETE FROM audit_head")
        .await
        .unwrap();
    assert!(record(&txn, w.state.now(), event(1)).await.is_err());
    txn.rollback().await.unwrap();
    assert_eq!(count(d).await, 0);
    let users: u64 = app::ssr::entities::app_user::Entity::find()
        .count(d.conn())
        .await
        .unwrap();
    assert_eq!(users, 0, "the change went with the failed event");
}
on_each_backend!(
    a_failed_event_write_aborts_the_change_on_each_backend,
    a_failed_event_write_aborts_the_change
);

async fn audit_rows_cannot_be_updated_or_deleted(db: &TestDb) {
    let w = World::new(db).await;
    let d = &w.state.db;
    append(d, w.state.now(), 1).await;
    let update = d
        .conn()
        .execute_unprepared("UPDATE audit_event SET actor = 'user:mallory'")
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = d.conn().execute_unprepared("DELETE FROM audit_event").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    if d.backend() == DbBackend::Postgres {
        let truncate = d.conn().execute_unprepared("TRUNCATE audit_event").await;
        assert!(truncate.unwrap_err().to_string().contains("append-only"));
    }
    assert_eq!(count(d).await, 1);
}
on_each_backend!(
    audit_rows_cannot_be_updated_or_deleted_on_each_backend,
    audit_rows_cannot_be_updated_or_deleted
);

fn broken_at(status: ChainStatus) -> (i64, String) {
    match status {
        ChainStatus::Broken { seq, problem } => (seq, problem),
        ChainStatus::Intact { .. } => panic!("tampering went unnoticed"),
    }
}

async fn verification_names_the_first_broken_event(db: &TestDb) {
    let w = World::new(db).await;
    let d = &w.state.db;
    for n in 1..=6 {
        append(d, w.state.now(), n).await;
    }
    drop_append_only_triggers(d).await;

    // An edit behind the portal's back.
    d.conn()
        .execute_unprepared("UPDATE audit_event SET after = '{\"n\":99}' WHERE seq = 3")
        .await
        .unwrap();
    let (seq, problem) = broken_at(verify_chain(d.conn()).await.unwrap());
    assert_eq!(seq, 3, "{problem}");
    assert!(problem.contains("altered"));

    // The CLI says the same and exits non-zero.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &db.url, "audit", "verify"])
        .env("PORTAL_LOG", "warn")
        .output()
        .expect("run server audit verify");
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at event 3"), "{stdout}");
}
on_each_backend!(
    verification_names_the_first_broken_event_on_each_backend,
    verification_names_the_first_broken_event
);

async fn verification_catches_deletion_and_truncation(db: &TestDb) {
    let w = World::new(db).await;
    let d = &w.state.db;
    for n in 1..=6 {
        append(d, w.state.now(), n).await;
    }
    drop_append_only_triggers(d).await;
    d.conn()
        .execute_unprepared("DELETE FROM audit_event WHERE seq >= 5")
        .await
        .unwrap();
    let (seq, problem) = broken_at(verify_chain(d.conn()).await.unwrap());
    assert_eq!(seq, 5, "{problem}");
    assert!(problem.contains("truncated"));

    d.conn()
        .execute_unprepared("DELETE FROM audit_event WHERE seq = 2")
        .await
        .unwrap();
    let (seq, problem) = broken_at(verify_chain(d.conn()).await.unwrap());
    assert_eq!(seq, 2, "{problem}");
    assert!(problem.contains("missing"));
}
on_each_backend!(
    verification_catches_deletion_and_truncation_on_each_backend,
    verification_catches_deletion_and_truncation
);

async fn verify_passes_on_a_fresh_database(db: &TestDb) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &db.url, "audit", "verify"])
        .env("PORTAL_LOG", "warn")
        .output()
        .expect("run server audit verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("audit trail intact: 0 events"), "{stdout}");
}
on_each_backend!(
    verify_passes_on_a_fresh_database_on_each_backend,
    verify_passes_on_a_fresh_database
);

/// Two portal instances (separate pools) with many writers each still make one gapless chain.
async fn concurrent_writers_make_one_gapless_chain(db: &TestDb) {
    let w = World::new(db).await;
    let other_instance = Db::connect(&db.url).await.unwrap();
    let now = w.state.now();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let d = if t % 2 == 0 {
            w.state.db.clone()
        } else {
            other_instance.clone()
        };
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                append(&d, now, t * 100 + i).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer task");
    }
    match verify_chain(w.state.db.conn()).await.unwrap() {
        ChainStatus::Intact { events, .. } => assert_eq!(events, 160),
        other => panic!("{other:?}"),
    }
}
on_each_backend!(
    concurrent_writers_make_one_gapless_chain_on_each_backend,
    concurrent_writers_make_one_gapless_chain
);

/// Two portal processes writing to one database at once: the ordering lock is in the database.
async fn two_processes_make_one_gapless_chain(db: &TestDb) {
    let w = World::new(db).await;
    let url = db.url.clone();
    let spawn = |url: String| {
        std::thread::spawn(move || {
            for _ in 0..6 {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
                    .args(["--database-url", &url, "bootstrap-admin"])
                    .env("PORTAL_LOG", "warn")
                    .output()
                    .expect("run server bootstrap-admin");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let (a, b) = (spawn(url.clone()), spawn(url));
    a.join().unwrap();
    b.join().unwrap();
    match verify_chain(w.state.db.conn()).await.unwrap() {
        // 12 links issued; every one but the first revoked the one before it.
        ChainStatus::Intact { events, .. } => assert_eq!(events, 12 + 11),
        other => panic!("{other:?}"),
    }
}
on_each_backend!(
    two_processes_make_one_gapless_chain_on_each_backend,
    two_processes_make_one_gapless_chain
);

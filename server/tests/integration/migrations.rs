//! Migrations run up, down and up again on every backend, leaving the schema they promise.

use crate::on_each_backend;
use crate::support::TestDb;
use app::ssr::db::Db;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

const TABLES: &[&str] = &[
    "app_user",
    "user_role",
    "passkey",
    "enrolment_token",
    "web_session",
    "audit_event",
    "audit_head",
];

async fn tables(db: &Db) -> Vec<String> {
    let sql = match db.backend() {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    db.conn()
        .query_all_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

async fn migrations_go_up_down_and_up(db: &TestDb) {
    let d = Db::connect(&db.url).await.unwrap();
    d.migrate().await.unwrap();
    let up = tables(&d).await;
    for t in TABLES {
        assert!(up.iter().any(|x| x == t), "{t} missing after up: {up:?}");
    }
    assert_eq!(d.pending_migrations().await.unwrap(), 0);

    Migrator::down(d.conn(), None).await.unwrap();
    let down = tables(&d).await;
    for t in TABLES {
        assert!(!down.iter().any(|x| x == t), "{t} still there after down");
    }

    d.migrate().await.unwrap();
    assert_eq!(tables(&d).await.len(), up.len());
    // Migrating twice is harmless (every portal instance migrates at start-up).
    d.migrate().await.unwrap();
}
on_each_backend!(
    migrations_go_up_down_and_up_on_each_backend,
    migrations_go_up_down_and_up
);

//! Migrations run up, down and up again on every backend, one step at a time: each step's `down`
//! removes exactly the tables its `up` added, and the schema at the top holds exactly the
//! tables the entities map (plus the migrations' own bookkeeping).

use crate::on_each_backend;
use crate::support::TestDb;
use app::ssr::db::Db;
use app::ssr::entities::*;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, EntityName, Statement};
use std::collections::BTreeSet;

/// The table of every entity the portal maps.
fn entity_tables() -> BTreeSet<String> {
    [
        app_user::Entity.table_name(),
        application::Entity.table_name(),
        application_owner::Entity.table_name(),
        application_population::Entity.table_name(),
        application_tag::Entity.table_name(),
        audit_event::Entity.table_name(),
        audit_head::Entity.table_name(),
        auth_method::Entity.table_name(),
        business_unit::Entity.table_name(),
        declaration_draft::Entity.table_name(),
        declaration_method::Entity.table_name(),
        declaration_version::Entity.table_name(),
        enrolment_token::Entity.table_name(),
        passkey::Entity.table_name(),
        population::Entity.table_name(),
        portal_setting::Entity.table_name(),
        user_role::Entity.table_name(),
        web_session::Entity.table_name(),
        webauthn_ceremony::Entity.table_name(),
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// The migrations' own bookkeeping table.
const BOOKKEEPING: &str = "seaql_migrations";

async fn tables(db: &Db) -> BTreeSet<String> {
    let sql = match db.backend() {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
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
    let steps = Migrator::migrations().len();
    assert!(steps >= 4, "{steps} migrations");

    // Up, one migration at a time, remembering the schema after each.
    let mut after: Vec<BTreeSet<String>> = vec![tables(&d).await];
    for step in 0..steps {
        Migrator::up(d.conn(), Some(1)).await.unwrap();
        let now = tables(&d).await;
        let added: BTreeSet<_> = now.difference(&after[step]).collect();
        assert!(
            !added.is_empty() || step > 0,
            "migration {} adds tables",
            step + 1
        );
        assert!(
            after[step].is_subset(&now),
            "migration {} drops no earlier table",
            step + 1
        );
        after.push(now);
    }
    assert_eq!(d.pending_migrations().await.unwrap(), 0);
    let mut expected = entity_tables();
    expected.insert(BOOKKEEPING.into());
    assert_eq!(
        after[steps], expected,
        "the schema holds exactly the entities' tables"
    );

    // Down, one at a time: each step returns to the schema before its up.
    for step in (0..steps).rev() {
        Migrator::down(d.conn(), Some(1)).await.unwrap();
        let now = tables(&d).await;
        let mut before = after[step].clone();
        // The bookkeeping table stays once created.
        before.insert(BOOKKEEPING.into());
        assert_eq!(
            now,
            before,
            "migration {}'s down removes exactly what its up added",
            step + 1
        );
    }

    d.migrate().await.unwrap();
    assert_eq!(tables(&d).await, after[steps], "up again");
    // Migrating twice is harmless (every portal instance migrates at start-up).
    d.migrate().await.unwrap();
    assert_eq!(d.pending_migrations().await.unwrap(), 0);
}
on_each_backend!(
    migrations_go_up_down_and_up_on_each_backend,
    migrations_go_up_down_and_up
);

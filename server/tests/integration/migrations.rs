//! Migrations run up, down and up again on every backend, one step at a time: each step's `down`
//! removes exactly the tables its `up` added, and the schema at the top holds exactly the
//! tables the entities map (plus the migrations' own bookkeeping).

use crate::on_each_backend;
use crate::support::TestDb;
use app::ssr::db::Db;
use app::ssr::entities::*;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, EntityName, EntityTrait, Statement};
use std::collections::BTreeSet;

/// The table of every entity the portal maps.
fn entity_tables() -> BTreeSet<String> {
    [
        adoption_batch::Entity.table_name(),
        adoption_method::Entity.table_name(),
        adoption_name_map::Entity.table_name(),
        adoption_period::Entity.table_name(),
        api_token::Entity.table_name(),
        app_user::Entity.table_name(),
        application::Entity.table_name(),
        application_assessment::Entity.table_name(),
        application_owner::Entity.table_name(),
        application_population::Entity.table_name(),
        application_tag::Entity.table_name(),
        audit_checkpoint::Entity.table_name(),
        chain_check::Entity.table_name(),
        control::Entity.table_name(),
        framework::Entity.table_name(),
        rule_control::Entity.table_name(),
        audit_event::Entity.table_name(),
        audit_head::Entity.table_name(),
        auth_method::Entity.table_name(),
        business_unit::Entity.table_name(),
        declaration_draft::Entity.table_name(),
        declaration_method::Entity.table_name(),
        declaration_version::Entity.table_name(),
        enrolment_token::Entity.table_name(),
        exception_reminder::Entity.table_name(),
        finding::Entity.table_name(),
        finding_exception::Entity.table_name(),
        job_lease::Entity.table_name(),
        notification::Entity.table_name(),
        passkey::Entity.table_name(),
        policy_version::Entity.table_name(),
        population::Entity.table_name(),
        portal_setting::Entity.table_name(),
        user_role::Entity.table_name(),
        web_session::Entity.table_name(),
        webauthn_ceremony::Entity.table_name(),
        webhook::Entity.table_name(),
        webhook_attempt::Entity.table_name(),
        webhook_delivery::Entity.table_name(),
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

/// Paths that combine factors: rows written before paths existed (one method per path) get
/// their path from their position, the shipped methods get their kind of factor, and the rows
/// stay evidence (the guard against updates is back once the column is filled).
async fn method_rows_written_before_paths_become_one_method_paths(db: &TestDb) {
    let w = crate::support::World::new(db).await;
    app::transfer::ssr::generate_estate(&w.state, 40, 3)
        .await
        .expect("generate");
    let conn = w.state.db.conn();
    let backend = w.state.db.backend();
    let count = |sql: &'static str| async move {
        conn.query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap()
    };
    let rows = count("SELECT COUNT(*) FROM declaration_method").await;
    assert!(rows > 100, "{rows} rows");
    assert!(
        count("SELECT COUNT(*) FROM declaration_method WHERE path <> position").await > 0,
        "the generated estate combines factors in some paths"
    );

    // Back to the schema before paths (undoing the policy and findings on the way), then
    // forward again.
    let since_paths = Migrator::migrations().len() - 5;
    Migrator::down(conn, Some(since_paths as u32))
        .await
        .unwrap();
    Migrator::up(conn, Some(since_paths as u32)).await.unwrap();
    assert_eq!(
        count("SELECT COUNT(*) FROM declaration_method").await,
        rows,
        "no row lost"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM declaration_method WHERE path <> position").await,
        0,
        "each earlier row is a path of its own"
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM auth_method WHERE \
             (key = 'password' AND factor = 'knowledge') OR \
             (key = 'totp_app' AND factor = 'possession') OR \
             (key = 'security_key' AND factor = 'multi_factor') OR \
             (key = 'helpdesk_proofing' AND factor = 'procedure') OR \
             (key = 'federated_idp' AND factor = 'federation')"
        )
        .await,
        5
    );
    for sql in [
        "UPDATE declaration_method SET path = 0",
        "DELETE FROM declaration_method",
    ] {
        assert!(
            conn.execute_unprepared(sql).await.is_err(),
            "{sql} was allowed after the migration"
        );
    }
}
on_each_backend!(
    method_rows_written_before_paths_become_one_method_paths_on_each_backend,
    method_rows_written_before_paths_become_one_method_paths
);

/// The shipped standard policy is version 1, stored with the SHA-256 of its stored bytes, and
/// reads as the policy the portal's own tests know (`policy::facade::shipped`).
async fn the_shipped_policy_is_version_one_with_its_hash(db: &TestDb) {
    use sha2::{Digest, Sha256};
    let w = crate::support::World::new(db).await;
    let v1 = policy_version::Entity::find_by_id(1)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .expect("version 1 is shipped");
    assert_eq!(
        v1.body_sha256,
        hex::encode(Sha256::digest(v1.body.as_bytes()))
    );
    assert_eq!(v1.author_id, None);
    let (version, policy) = app::policy::facade::current(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!((version, policy), (1, app::policy::facade::shipped()));
    assert!(
        w.state
            .db
            .conn()
            .execute_unprepared("UPDATE policy_version SET reason = 'forged'")
            .await
            .is_err(),
        "policy versions are immutable"
    );
}
on_each_backend!(
    the_shipped_policy_is_version_one_with_its_hash_on_each_backend,
    the_shipped_policy_is_version_one_with_its_hash
);

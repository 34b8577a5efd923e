//! The first-admin enrolment link: hashed at rest, one hour, one valid link at a time, refused
//! once an admin exists unless break-glass, and audited.

use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World, insert_user};
use app::accounts::ssr::links::{hash_secret, issue_bootstrap_link};
use app::error::AppError;
use app::ssr::entities::{audit_event, enrolment_token};
use sea_orm::{EntityTrait, QueryOrder};

async fn bootstrap_links_are_hashed_expiring_and_audited(db: &TestDb) {
    let w = World::new(db).await;
    let first = issue_bootstrap_link(&w.state, false).await.unwrap();
    let secret = first
        .url
        .strip_prefix(&format!("{ORIGIN}/enrol/"))
        .expect("link on the public origin");
    assert!(secret.len() >= 43, "256-bit secret");
    assert_eq!(first.expires_at, w.state.now() + time::Duration::hours(1));

    let rows = enrolment_token::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash, hash_secret(secret));
    assert_ne!(rows[0].token_hash, secret, "never stored in the clear");

    // A second link replaces the first.
    w.clock.advance(time::Duration::minutes(5));
    let second = issue_bootstrap_link(&w.state, false).await.unwrap();
    let first_row = enrolment_token::Entity::find_by_id(first.id)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(
        first_row.expires_at <= w.state.now(),
        "the older link stops working"
    );
    let second_row = enrolment_token::Entity::find_by_id(second.id)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert!(second_row.expires_at > w.state.now());

    let events = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Seq)
        .all(w.state.db.conn())
        .await
        .unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["bootstrap.issued", "enrolment.revoked", "bootstrap.issued"]
    );
    assert!(
        events
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains(secret)),
        "no secret in the trail"
    );
}
on_each_backend!(
    bootstrap_links_are_hashed_expiring_and_audited_on_each_backend,
    bootstrap_links_are_hashed_expiring_and_audited
);

async fn bootstrap_is_refused_once_an_admin_exists_unless_break_glass(db: &TestDb) {
    let w = World::new(db).await;
    insert_user(&w.state, "ada", &["admin"]).await;
    match issue_bootstrap_link(&w.state, false).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("--break-glass")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let link = issue_bootstrap_link(&w.state, true).await.unwrap();
    let last = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Seq)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.action, "bootstrap.break_glass");
    assert_eq!(last.subject_id, link.id.to_string());
    assert_eq!(last.actor, "host-operator");
}
on_each_backend!(
    bootstrap_is_refused_once_an_admin_exists_unless_break_glass_on_each_backend,
    bootstrap_is_refused_once_an_admin_exists_unless_break_glass
);

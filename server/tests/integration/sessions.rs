//! The session store on sea-orm: round trip, expiry enforced on load, sweeping, ending a user's
//! sessions.

use crate::on_each_backend;
use crate::support::{TestDb, World, insert_user};
use app::session::model::AUTH_KEY;
use app::session::ssr::DbSessionStore;
use app::ssr::entities::web_session;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use std::collections::HashMap;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};

fn record(expiry: time::OffsetDateTime, user: Option<uuid::Uuid>) -> Record {
    let mut data = HashMap::new();
    data.insert("note".to_string(), json!("hello"));
    if let Some(u) = user {
        data.insert(AUTH_KEY.to_string(), json!({ "user_id": u.to_string() }));
    }
    Record {
        id: Id::default(),
        data,
        expiry_date: expiry,
    }
}

async fn sessions_round_trip_and_expire(db: &TestDb) {
    let w = World::new(db).await;
    let store = DbSessionStore::new(w.state.db.clone(), w.state.clock.clone());
    let now = w.state.now();

    let mut r = record(now + time::Duration::minutes(30), None);
    store.create(&mut r).await.unwrap();
    let loaded = store.load(&r.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data, r.data);
    assert_eq!(
        loaded.expiry_date.unix_timestamp(),
        r.expiry_date.unix_timestamp()
    );

    r.data.insert("note".into(), json!("changed"));
    store.save(&r).await.unwrap();
    assert_eq!(
        store.load(&r.id).await.unwrap().unwrap().data["note"],
        json!("changed")
    );

    // Past its expiry a session no longer loads, even before the sweep removes it.
    w.clock.advance(time::Duration::minutes(31));
    assert!(store.load(&r.id).await.unwrap().is_none());
    assert_eq!(
        web_session::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        1
    );
    store.delete_expired().await.unwrap();
    assert_eq!(
        web_session::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        0
    );

    let mut gone = record(w.state.now() + time::Duration::minutes(5), None);
    store.create(&mut gone).await.unwrap();
    store.delete(&gone.id).await.unwrap();
    assert!(store.load(&gone.id).await.unwrap().is_none());
}
on_each_backend!(
    sessions_round_trip_and_expire_on_each_backend,
    sessions_round_trip_and_expire
);

async fn all_sessions_of_a_user_can_be_ended(db: &TestDb) {
    let w = World::new(db).await;
    let store = DbSessionStore::new(w.state.db.clone(), w.state.clock.clone());
    let alice = insert_user(&w.state, "alice", &["owner"]).await;
    let bob = insert_user(&w.state, "bob", &["auditor"]).await;
    let later = w.state.now() + time::Duration::hours(1);
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for user in [alice, alice, bob] {
        let mut r = record(later, Some(user));
        store.create(&mut r).await.unwrap();
        ids.push(r.id);
        records.push(r);
    }
    let ended = DbSessionStore::delete_for_user(w.state.db.conn(), app::ids::UserId(alice))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    assert!(store.load(&ids[0]).await.unwrap().is_none());
    assert!(store.load(&ids[1]).await.unwrap().is_none());
    assert!(
        store.load(&ids[2]).await.unwrap().is_some(),
        "bob keeps his session"
    );

    // A request of an ended session that was still running saves it when it finishes: the
    // session stays ended (saving only updates a session that exists).
    store.save(&records[0]).await.unwrap();
    assert!(
        store.load(&ids[0]).await.unwrap().is_none(),
        "an ended session never comes back"
    );
    let mut bobs = records[2].clone();
    bobs.data.insert("seen".into(), json!(true));
    store.save(&bobs).await.unwrap();
    assert_eq!(
        store.load(&ids[2]).await.unwrap().unwrap().data.get("seen"),
        Some(&json!(true)),
        "a live session is still saved"
    );
}
on_each_backend!(
    all_sessions_of_a_user_can_be_ended_on_each_backend,
    all_sessions_of_a_user_can_be_ended
);

/// The idle limit counts from the last request: someone browsing every twenty minutes stays
/// signed in past the 30-minute idle limit (the absolute limit still holds), while the session
/// row is written at most once a minute; thirty-one quiet minutes end it.
async fn browsing_keeps_a_session_alive_and_silence_ends_it(db: &TestDb) {
    let w = World::new(db).await;
    let admin = crate::client::first_admin(&w, "ada").await;
    let expiry = || async {
        web_session::Entity::find()
            .all(w.state.db.conn())
            .await
            .unwrap()
            .iter()
            .map(|s| s.expires_at)
            .max()
            .unwrap()
    };
    for step in 1..=4 {
        w.clock.advance(time::Duration::minutes(20));
        assert!(
            admin.client.me().await.is_some(),
            "still signed in after {} minutes of browsing",
            20 * step
        );
        assert_eq!(
            expiry().await,
            (w.state.now() + time::Duration::minutes(30)).unix_timestamp(),
            "the idle limit counts from this request"
        );
    }
    // Within the minute the row is not written again.
    let before = expiry().await;
    w.clock.advance(time::Duration::seconds(20));
    assert!(admin.client.me().await.is_some());
    assert_eq!(expiry().await, before);

    w.clock.advance(time::Duration::minutes(31));
    assert!(
        admin.client.me().await.is_none(),
        "thirty-one quiet minutes end the session"
    );
}
on_each_backend!(
    browsing_keeps_a_session_alive_and_silence_ends_it_on_each_backend,
    browsing_keeps_a_session_alive_and_silence_ends_it
);

/// "Sign out everywhere" while another browser of the same person has a dozen page loads in
/// flight: afterwards that browser's session is dead, whatever those requests wrote back when
/// they finished, even a session row restored under its old id or moved to a new one (as a
/// request that cycles its session id does when it finishes).
async fn a_session_ended_everywhere_never_comes_back(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = crate::client::first_admin(&w, "ada").await;
    let laptop = crate::client::Client::new(&w);
    let r = crate::client::sign_in(&laptop, "ada", &mut ada.key).await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    let laptop_cookie = laptop.cookie().expect("the laptop is signed in");
    let rows_before = web_session::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();

    let loads = (0..12).map(|i| {
        let path = ["/", "/users", "/account", "/applications"][i % 4];
        laptop.page(path)
    });
    let (pages, ended) = tokio::join!(
        futures::future::join_all(loads),
        ada.client.post("/api/account/signout-everywhere", &[])
    );
    assert_eq!(ended.status, http::StatusCode::OK, "{}", ended.body);
    assert!(pages.iter().all(|p| p.status.as_u16() < 500));

    laptop.set_cookie(Some(laptop_cookie.clone()));
    assert_eq!(laptop.me().await, None, "the laptop's session ended");

    // A request of the laptop that was still running writes its session back when it finishes,
    // under its old id or a new one: still dead.
    for row in rows_before {
        web_session::Entity::insert(web_session::ActiveModel::from(row))
            .exec_without_returning(w.state.db.conn())
            .await
            .unwrap();
    }
    laptop.set_cookie(Some(laptop_cookie));
    assert_eq!(laptop.me().await, None, "a written-back session stays dead");
    let r = laptop.post("/api/account/overview", &[]).await;
    assert_eq!(r.status, http::StatusCode::UNAUTHORIZED, "{}", r.body);

    // Signing in again works, and that new session is alive.
    let r = crate::client::sign_in(&laptop, "ada", &mut ada.key).await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    assert!(laptop.me().await.is_some());
}
on_each_backend!(
    a_session_ended_everywhere_never_comes_back_on_each_backend,
    a_session_ended_everywhere_never_comes_back
);

/// At rest, the session table holds neither the ids browsers present nor the secrets of links
/// and webhooks waiting to be shown: a copy of the database (a backup, a replica, a support
/// query) signs nobody in and redeems no invitation.
async fn session_ids_and_pending_secrets_are_not_kept_at_rest(db: &TestDb) {
    let w = World::new(db).await;
    let ada = crate::client::first_admin(&w, "ada").await;
    let cookie = ada.client.cookie().unwrap();
    let r = ada
        .client
        .post(
            "/api/admin/users/invite",
            &[
                ("username", "bob"),
                ("display_name", "Bob"),
                ("role_owner", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);
    let r = ada
        .client
        .post(
            "/api/admin/webhooks/create",
            &[
                ("url", "https://hooks.example.com/portal"),
                ("description", "SIEM"),
            ],
        )
        .await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.body);

    let rows = web_session::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert!(!rows.is_empty());
    let dump: String = rows
        .iter()
        .map(|r| format!("{} {}\n", r.id, r.data))
        .collect();
    assert!(
        !dump.contains(&cookie),
        "a session id as the browser sends it"
    );

    // What the page shows once ...
    let link: Option<app::accounts::model::IssuedLinkView> =
        ada.client.call("/api/admin/users/issued", &[]).await;
    let link = link.expect("the link is shown once");
    let secret = crate::client::token_of(&link.url);
    let hooks: app::notifications::model::WebhookList =
        ada.client.call("/api/admin/webhooks", &[]).await;
    let created = hooks
        .created
        .expect("the new webhook's secret is shown once");
    // ... was never in the session table in a form anyone could read.
    assert!(!dump.contains(&secret), "the invitation's secret: {dump}");
    let hook_secret = serde_json::to_value(&created).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(hook_secret.len() >= 16);
    assert!(!dump.contains(&hook_secret), "the webhook's secret: {dump}");

    // Shown once: asking again gives nothing.
    let again: Option<app::accounts::model::IssuedLinkView> =
        ada.client.call("/api/admin/users/issued", &[]).await;
    assert!(again.is_none());
}
on_each_backend!(
    session_ids_and_pending_secrets_are_not_kept_at_rest_on_each_backend,
    session_ids_and_pending_secrets_are_not_kept_at_rest
);

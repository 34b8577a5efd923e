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

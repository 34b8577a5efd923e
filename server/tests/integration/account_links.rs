//! One-time links and the accounts they belong to: disabling a person ends their unused links
//! (audited), enrolment never brings a disabled account back, and a newer link replacing older
//! ones says so in the trail.

use crate::client::{
    Client, after, authenticator, enrol, enrol_credential, enrol_finish, enrol_start, error_of,
    events, first_admin, invite, invited, issued_link, passkeys_of, reverify, user_row,
};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::error::AppError;
use app::session::model::UserStatus;
use app::ssr::entities::enrolment_token;
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Issues a recovery link for `user` (the administrator re-verified recently).
async fn recovery(admin: &Client<'_>, user: &str) -> String {
    let r = admin
        .post(
            "/api/admin/users/recovery",
            &[
                ("user", user),
                ("reason", "Lost phone; identity confirmed on a video call"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "recovery: {}", r.body);
    issued_link(admin).await
}

async fn set_enabled(admin: &Client<'_>, user: &str, enabled: bool) {
    let enabled = if enabled { "true" } else { "false" };
    let r = admin
        .post(
            "/api/admin/users/status",
            &[("user", user), ("enabled", enabled)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn a_disabled_users_links_are_refused_and_stay_dead(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    // Bob is invited (never enrolled); carol is active and gets a recovery link.
    let bob_token = invite(&ada.client, "bob", &["owner"]).await;
    let bob_id = user_row(&ada.client, "bob").await.id.to_string();
    let carol = invited(&ada, "carol", &["owner"]).await;
    let carol_id = carol.id_string();
    reverify(&ada.client, &mut ada.key).await;
    let carol_token = recovery(&ada.client, &carol_id).await;

    set_enabled(&ada.client, &bob_id, false).await;
    set_enabled(&ada.client, &carol_id, false).await;

    // Both links are dead: not shown, not started.
    let stranger = Client::new(&w);
    for token in [&bob_token, &carol_token] {
        let r = stranger.post("/api/enrol/info", &[("token", token)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = enrol_start(&stranger, token, None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(error_of(&r), AppError::NotFound);
    }
    // Each link's end is in the trail, by the administrator, naming the reason.
    let revoked = events(&w, "enrolment.revoked").await;
    assert_eq!(revoked.len(), 2, "one event per link");
    for (e, user) in revoked.iter().zip([&bob_id, &carol_id]) {
        assert_eq!(e.actor, format!("user:{}", ada.id_string()));
        let a = after(e);
        assert_eq!(a["reason"], "user disabled");
        assert_eq!(a["user_id"], user.as_str());
    }

    // Enabling again is the administrator's explicit, audited act, and brings no link back.
    set_enabled(&ada.client, &bob_id, true).await;
    set_enabled(&ada.client, &carol_id, true).await;
    for token in [&bob_token, &carol_token] {
        let r = stranger.post("/api/enrol/info", &[("token", token)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    assert_eq!(
        user_row(&ada.client, "bob").await.status,
        UserStatus::Invited
    );
    assert_eq!(events(&w, "user.enabled").await.len(), 2);
}
on_each_backend!(
    a_disabled_users_links_are_refused_and_stay_dead_on_each_backend,
    a_disabled_users_links_are_refused_and_stay_dead
);

/// A link still valid for a disabled account (one started before the account was disabled, or
/// left from before links were ended on disabling) never re-activates it.
async fn enrolment_never_reactivates_a_disabled_account(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let bob_token = invite(&ada.client, "bob", &["owner"]).await;
    let bob_id = user_row(&ada.client, "bob").await.id;

    // Bob starts enrolling; meanwhile he is disabled, and his link is made valid again behind
    // the portal's back (as a link from before this rule would be).
    let bob = Client::new(&w);
    let mut key = authenticator();
    let cred = enrol_credential(&bob, &bob_token, None, None, &mut key).await;
    set_enabled(&ada.client, &bob_id.to_string(), false).await;
    enrolment_token::Entity::update_many()
        .col_expr(
            enrolment_token::Column::ExpiresAt,
            Expr::value(w.state.now() + time::Duration::days(1)),
        )
        .filter(enrolment_token::Column::UserId.eq(bob_id))
        .exec(w.state.db.conn())
        .await
        .unwrap();

    // Not offered, and finishing the ceremony already started is refused with nothing written.
    let r = bob.post("/api/enrol/info", &[("token", &bob_token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = enrol_finish(&bob, &cred).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(error_of(&r).to_string().contains("disabled"), "{}", r.body);
    assert_eq!(bob.me().await, None);
    let row = user_row(&ada.client, "bob").await;
    assert_eq!((row.status, row.passkeys), (UserStatus::Disabled, 0));
    assert!(passkeys_of(&w, bob_id.0).await.is_empty());
    assert_eq!(
        events(&w, "enrolment.redeemed").await.len(),
        1,
        "ada's only"
    );
    let unused = enrolment_token::Entity::find()
        .filter(enrolment_token::Column::UserId.eq(bob_id))
        .one(w.state.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        unused.used_at, None,
        "the refused redemption is rolled back"
    );

    // Enabled by the administrator, the same ceremony can finish.
    set_enabled(&ada.client, &bob_id.to_string(), true).await;
    let user = enrol(&bob, &bob_token, None, None, &mut key).await;
    assert_eq!(user.id, bob_id);
    assert_eq!(
        user_row(&ada.client, "bob").await.status,
        UserStatus::Active
    );
    assert_eq!(events(&w, "user.enabled").await.len(), 1);
}
on_each_backend!(
    enrolment_never_reactivates_a_disabled_account_on_each_backend,
    enrolment_never_reactivates_a_disabled_account
);

/// A newer recovery link ends the older one, and the trail says so (issue 13, item 12).
async fn replacing_a_link_is_audited(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let carol = invited(&ada, "carol", &["owner"]).await;
    let carol_id = carol.id_string();
    reverify(&ada.client, &mut ada.key).await;
    let first = recovery(&ada.client, &carol_id).await;
    let second = recovery(&ada.client, &carol_id).await;

    let stranger = Client::new(&w);
    let r = stranger.post("/api/enrol/info", &[("token", &first)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = stranger
        .post("/api/enrol/info", &[("token", &second)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let issued = events(&w, "recovery.issued").await;
    let revoked = events(&w, "enrolment.revoked").await;
    assert_eq!(revoked.len(), 1, "the first link's end is audited");
    assert_eq!(
        revoked[0].subject_id,
        after(&issued[0])["recovery_id"].as_str().unwrap()
    );
    assert_eq!(revoked[0].actor, format!("user:{}", ada.id_string()));
    assert_eq!(
        after(&revoked[0])["reason"],
        "replaced by a newer recovery link"
    );
    assert!(
        revoked[0].seq < issued[1].seq,
        "recorded with the new link, before its issue event"
    );
}
on_each_backend!(
    replacing_a_link_is_audited_on_each_backend,
    replacing_a_link_is_audited
);

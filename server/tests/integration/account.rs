//! A user's own passkeys and sessions, and what administrators' changes do to them.

use crate::client::{
    Client, error_of, events, first_admin, invited, origin, passkeys_of, sign_in, signin_start,
};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::accounts::model::AccountOverview;
use app::error::AppError;
use app::session::model::CurrentUser;
use app::session::model::Role;
use http::StatusCode;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;

async fn disabling_or_changing_roles_ends_the_users_sessions(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let mut carol = invited(&ada, "carol", &["owner"]).await;
    assert_eq!(carol.user.roles, vec![Role::Owner]);
    let phone = Client::new(&w);
    let r = sign_in(&phone, "carol", &mut carol.key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for b in [&carol.client, &phone] {
        assert_eq!(
            b.post("/api/account/overview", &[]).await.status,
            StatusCode::OK
        );
    }

    let carol_id = carol.id_string();
    let r = ada
        .client
        .post(
            "/api/admin/users/status",
            &[("user", &carol_id), ("enabled", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for b in [&carol.client, &phone] {
        let r = b.post("/api/account/overview", &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(b.me().await, None);
    }
    // While disabled her passkey is not even offered.
    let rcr = signin_start(&carol.client, "carol").await;
    assert!(carol.key.do_authentication(origin(), rcr).is_err());

    // Enabled again, she signs in with the passkey she has.
    let r = ada
        .client
        .post(
            "/api/admin/users/status",
            &[("user", &carol_id), ("enabled", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = sign_in(&carol.client, "carol", &mut carol.key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // A role change ends her sessions too; the new roles apply from the next sign-in.
    let r = ada
        .client
        .post(
            "/api/admin/users/roles",
            &[("user", &carol_id), ("role_auditor", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = carol.client.post("/api/account/overview", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = sign_in(&carol.client, "carol", &mut carol.key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let now: CurrentUser = serde_json::from_str(&r.body).unwrap();
    assert_eq!(now.roles, vec![Role::Auditor]);

    let reasons: Vec<String> = events(&w, "session.ended")
        .await
        .iter()
        .filter(|e| e.subject_id == carol_id)
        .map(|e| {
            crate::client::after(e)["reason"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(reasons, ["user disabled", "roles changed"]);
    // The administrator was not affected by any of it.
    assert_eq!(
        ada.client.post("/api/admin/users", &[]).await.status,
        StatusCode::OK
    );
}
on_each_backend!(
    disabling_or_changing_roles_ends_the_users_sessions_on_each_backend,
    disabling_or_changing_roles_ends_the_users_sessions
);

async fn passkeys_belong_to_their_owner_and_the_last_one_stays(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let bob = invited(&ada, "bob", &["owner"]).await;
    let bobs = passkeys_of(&w, bob.id()).await[0].clone();
    let bobs_id = bobs.id.to_string();

    // Ada guesses the id of bob's passkey: as if it did not exist.
    let r = ada
        .client
        .post(
            "/api/account/passkeys/rename",
            &[("id", &bobs_id), ("name", "Mine now")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(error_of(&r), AppError::NotFound);
    let r = ada
        .client
        .post("/api/account/passkeys/remove", &[("id", &bobs_id)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(passkeys_of(&w, bob.id()).await, vec![bobs.clone()]);

    // Nobody removes their last passkey.
    for p in [&ada, &bob] {
        let only = passkeys_of(&w, p.id()).await[0].id.to_string();
        let r = p
            .client
            .post("/api/account/passkeys/remove", &[("id", &only)])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(passkeys_of(&w, p.id()).await.len(), 1);
    }

    // With a second passkey the first can go; then the second is the last one.
    let first = passkeys_of(&w, ada.id()).await[0].clone();
    let mut backup = crate::client::add_passkey(&ada.client, "Backup key").await;
    let overview: AccountOverview = ada.client.call("/api/account/overview", &[]).await;
    let second = overview
        .passkeys
        .iter()
        .find(|p| p.name == "Backup key")
        .expect("the new passkey is listed")
        .id
        .to_string();
    let r = ada
        .client
        .post(
            "/api/account/passkeys/rename",
            &[("id", &second), ("name", "Yubikey in the safe")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = ada
        .client
        .post(
            "/api/account/passkeys/remove",
            &[("id", &first.id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let left = passkeys_of(&w, ada.id()).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "Yubikey in the safe");
    let r = ada
        .client
        .post("/api/account/passkeys/remove", &[("id", &second)])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // The removed passkey no longer signs in; the remaining one does.
    let c = Client::new(&w);
    let rcr = signin_start(&c, "ada").await;
    assert!(ada.key.do_authentication(origin(), rcr).is_err());
    let r = sign_in(&c, "ada", &mut backup).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events(&w, "passkey.removed").await.len(), 1);
    assert_eq!(events(&w, "passkey.renamed").await.len(), 1);
}
on_each_backend!(
    passkeys_belong_to_their_owner_and_the_last_one_stays_on_each_backend,
    passkeys_belong_to_their_owner_and_the_last_one_stays
);

/// Whatever people type is shown as text: markup in a display name never becomes markup.
async fn typed_text_renders_as_text(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let evil = "<img src=x onerror=alert(1)>";
    let r = ada
        .client
        .post(
            "/api/admin/users/invite",
            &[
                ("username", "mallory"),
                ("display_name", evil),
                ("role_owner", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = ada.client.page("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("mallory"));
    assert!(
        !page.body.contains(evil),
        "the markup came through unescaped"
    );
    assert!(
        page.body.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "shown as text"
    );
}
on_each_backend!(
    typed_text_renders_as_text_on_each_backend,
    typed_text_renders_as_text
);

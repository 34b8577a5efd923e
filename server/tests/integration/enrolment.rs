//! One-time links through the real endpoints: the first administrator's bootstrap link, a
//! credential that already belongs to an account, and recovery issued by another administrator.

use crate::client::{
    Client, after, all_passkeys, authenticator, bootstrap_token, enrol, enrol_credential,
    enrol_finish, enrol_start, error_of, events, first_admin, invite, invited, issued_link, json,
    options, origin, passkeys_of, reverify, sign_in, signin_start, user_list, user_row,
};
use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World};
use app::accounts::model::{EnrolmentInfo, EnrolmentPurpose};
use app::error::AppError;
use app::session::model::UserStatus;
use base64::Engine as _;
use http::StatusCode;
use serde_cbor_2::Value as Cbor;
use std::collections::BTreeMap;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RegisterPublicKeyCredential};

/// Re-presents an existing credential (its id and public key) for a new registration ceremony:
/// "none" attestation carries no signature, so anyone who has seen a credential's public data can
/// do this. The portal must still refuse to put one credential id on two accounts.
fn represent(
    original: &RegisterPublicKeyCredential,
    ccr: &CreationChallengeResponse,
) -> RegisterPublicKeyCredential {
    let Cbor::Map(ao) = serde_cbor_2::from_slice(&original.response.attestation_object).unwrap()
    else {
        panic!("attestation object is a map");
    };
    let auth_data = ao[&Cbor::Text("authData".into())].clone();
    let mut none = BTreeMap::new();
    none.insert(Cbor::Text("fmt".into()), Cbor::Text("none".into()));
    none.insert(Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new()));
    none.insert(Cbor::Text("authData".into()), auth_data);
    let client_data = serde_json::json!({
        "type": "webauthn.create",
        "challenge": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&ccr.public_key.challenge),
        "origin": ORIGIN,
        "crossOrigin": false,
    });
    let mut cred = original.clone();
    cred.response.attestation_object = serde_cbor_2::to_vec(&Cbor::Map(none)).unwrap();
    cred.response.client_data_json = serde_json::to_vec(&client_data).unwrap();
    cred
}

async fn a_credential_cannot_be_registered_to_a_second_account(db: &TestDb) {
    let w = World::new(db).await;
    let token = bootstrap_token(&w).await;
    let ada = Client::new(&w);
    let mut ada_key = authenticator();
    let ada_cred = enrol_credential(&ada, &token, Some("ada"), Some("Ada"), &mut ada_key).await;
    let r = enrol_finish(&ada, &ada_cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Bob's invitation, redeemed with ada's credential: refused, and nothing of it stays.
    let bob_token = invite(&ada, "bob", &["owner"]).await;
    let bob = Client::new(&w);
    let ccr: CreationChallengeResponse = options(&enrol_start(&bob, &bob_token, None, None).await);
    let r = enrol_finish(&bob, &represent(&ada_cred, &ccr)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(matches!(error_of(&r), AppError::Conflict(_)));
    assert_eq!(bob.me().await, None);
    assert_eq!(all_passkeys(&w).await.len(), 1, "no second row");
    let row = user_row(&ada, "bob").await;
    assert_eq!((row.status, row.passkeys), (UserStatus::Invited, 0));
    let info = bob.post("/api/enrol/info", &[("token", &bob_token)]).await;
    assert_eq!(
        info.status,
        StatusCode::OK,
        "the invitation is still unused"
    );

    // The same re-presentation with a credential nobody has registered is accepted: the refusal
    // above is about the duplicate, not about the way the credential was presented.
    let mut bob_key = authenticator();
    let bob_cred = bob_key.do_registration(origin(), ccr).unwrap();
    let ccr: CreationChallengeResponse = options(&enrol_start(&bob, &bob_token, None, None).await);
    let r = enrol_finish(&bob, &represent(&bob_cred, &ccr)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bob_id = bob.me().await.expect("bob is signed in").id.0;

    // Adding ada's credential to bob's own account is refused the same way.
    let ccr: CreationChallengeResponse =
        options(&bob.post("/api/account/passkeys/start", &[]).await);
    let r = bob
        .post(
            "/api/account/passkeys/finish",
            &[
                ("credential", &json(&represent(&ada_cred, &ccr))),
                ("name", "Not mine"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(passkeys_of(&w, bob_id).await.len(), 1);
    assert_eq!(all_passkeys(&w).await.len(), 2);
    assert_eq!(
        events(&w, "passkey.added").await.len(),
        2,
        "only the two real registrations are audited"
    );
}
on_each_backend!(
    a_credential_cannot_be_registered_to_a_second_account_on_each_backend,
    a_credential_cannot_be_registered_to_a_second_account
);

async fn bootstrap_links_work_once_and_for_one_hour(db: &TestDb) {
    let w = World::new(db).await;
    let token = bootstrap_token(&w).await;

    // Two browsers start with the same link; only the first to finish gets an account.
    let first = Client::new(&w);
    let second = Client::new(&w);
    let mut k1 = authenticator();
    let mut k2 = authenticator();
    let c1 = enrol_credential(&first, &token, Some("ada"), Some("Ada"), &mut k1).await;
    let c2 = enrol_credential(&second, &token, Some("eve"), Some("Eve"), &mut k2).await;
    let r = enrol_finish(&first, &c1).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = enrol_finish(&second, &c2).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(second.me().await, None);
    let users = user_list(&first, &[]).await;
    assert_eq!(users.total, 1, "no account for eve");
    assert_eq!(users.rows.len(), 1, "no account for eve");
    assert_eq!(all_passkeys(&w).await.len(), 1);

    // Used: the link is gone for everyone.
    let later = Client::new(&w);
    let r = later.post("/api/enrol/info", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = enrol_start(&later, &token, Some("mallory"), Some("M")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(error_of(&r), AppError::NotFound);

    // A fresh link (break-glass, as an admin exists now) lasts one hour.
    let link = app::accounts::facade::issue_bootstrap_link(&w.state, true)
        .await
        .unwrap();
    let token = crate::client::token_of(&link.url);
    w.clock.advance(time::Duration::minutes(59));
    let r = later.post("/api/enrol/info", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let info: EnrolmentInfo = serde_json::from_str(&r.body).unwrap();
    assert_eq!(info.purpose, EnrolmentPurpose::Bootstrap);
    w.clock.advance(time::Duration::minutes(2));
    let r = later.post("/api/enrol/info", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = enrol_start(&later, &token, Some("mallory"), Some("M")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
on_each_backend!(
    bootstrap_links_work_once_and_for_one_hour_on_each_backend,
    bootstrap_links_work_once_and_for_one_hour
);

async fn recovery_needs_another_freshly_verified_admin_and_ends_old_access(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let mut bob = invited(&ada, "bob", &["owner"]).await;
    let bob_old_passkey = passkeys_of(&w, bob.id()).await[0].clone();
    let ada_id = ada.id_string();
    let bob_id = bob.id_string();
    let reason = "Lost phone; identity confirmed on a video call";
    let issue = |user: &str, reason: &str| {
        let user = user.to_string();
        let reason = reason.to_string();
        let client = &ada.client;
        async move {
            client
                .post(
                    "/api/admin/users/recovery",
                    &[("user", &user), ("reason", &reason), ("revoke_old", "on")],
                )
                .await
        }
    };

    // Never for oneself.
    let r = issue(&ada_id, reason).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Not on the strength of a sign-in more than five minutes old.
    w.clock.advance(time::Duration::minutes(6));
    let r = issue(&bob_id, reason).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_of(&r).field(), Some("reverify"));

    // After re-verifying with her passkey, it works (with a real reason).
    reverify(&ada.client, &mut ada.key).await;
    let r = issue(&bob_id, "lost").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_of(&r).field(), Some("reason"));
    let r = issue(&bob_id, reason).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = issued_link(&ada.client).await;

    // The re-verification goes stale too.
    w.clock
        .advance(time::Duration::minutes(5) + time::Duration::seconds(1));
    let r = issue(&bob_id, reason).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_of(&r).field(), Some("reverify"));

    // Bob, on a new device, redeems the link with a new passkey.
    let device = Client::new(&w);
    let info: EnrolmentInfo = device.call("/api/enrol/info", &[("token", &token)]).await;
    assert_eq!(info.purpose, EnrolmentPurpose::Recovery);
    assert_eq!(info.username.as_deref(), Some("bob"));
    let mut new_key = authenticator();
    let user = enrol(&device, &token, None, None, &mut new_key).await;
    assert_eq!(user.id, bob.user.id);

    // His old session is over, his old passkey is gone, the new one works.
    let r = bob.client.post("/api/account/overview", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let now = passkeys_of(&w, bob.id()).await;
    assert_eq!(now.len(), 1);
    assert_ne!(now[0].credential_id, bob_old_passkey.credential_id);
    let rcr = signin_start(&bob.client, "bob").await;
    assert!(
        bob.key.do_authentication(origin(), rcr).is_err(),
        "the old passkey is not offered any more"
    );
    let r = sign_in(&Client::new(&w), "bob", &mut new_key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        device.post("/api/account/overview", &[]).await.status,
        StatusCode::OK,
        "the recovering browser stays signed in"
    );

    // The link works once.
    let r = enrol_start(&Client::new(&w), &token, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Both ends are in the trail, naming issuer, target and reason.
    let issued = events(&w, "recovery.issued").await;
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].actor, format!("user:{ada_id}"));
    assert_eq!(issued[0].subject_id, bob_id);
    let a = after(&issued[0]);
    assert_eq!(a["issuer"], ada_id.as_str());
    assert_eq!(a["target"], bob_id.as_str());
    assert_eq!(a["reason"], reason);
    assert_eq!(a["revoke_old_passkeys"], true);
    let redeemed = events(&w, "recovery.redeemed").await;
    assert_eq!(redeemed.len(), 1);
    assert_eq!(redeemed[0].actor, format!("user:{bob_id}"));
    let a = after(&redeemed[0]);
    assert_eq!(a["user_id"], bob_id.as_str());
    assert_eq!(a["issued_by"], ada_id.as_str());
    assert_eq!(a["reason"], reason);
    assert_eq!(a["old_passkeys_revoked"], true);
    let removed = events(&w, "passkey.removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].subject_id, bob_old_passkey.id.to_string());
}
on_each_backend!(
    recovery_needs_another_freshly_verified_admin_and_ends_old_access_on_each_backend,
    recovery_needs_another_freshly_verified_admin_and_ends_old_access
);

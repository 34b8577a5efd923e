//! Passkey sign-in through the real endpoints with a soft passkey: enrolment of the first
//! administrator, sign-in by user name, ceremonies that work once, in one session and for five
//! minutes, origins, counters, user verification, malformed input, user-name probing and rate
//! limits.

use crate::client::{
    Client, authenticator, bootstrap_token, enrol, enrol_credential, enrol_finish, error_of,
    events, first_admin, invite, json, options, origin, passkeys_of, sign_in, signin_finish,
    signin_start,
};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::accounts::model::AccountOverview;
use app::error::AppError;
use app::session::model::CurrentUser;
use app::session::model::Role;
use app::session::ssr::store::session_key;
use app::ssr::entities::{audit_event, web_session};
use http::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;
use std::net::IpAddr;
use webauthn_authenticator_rs::prelude::{RequestChallengeResponse, Url};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::{AuthenticatorBackend, WebauthnAuthenticator as _};

async fn audit_count(w: &World) -> u64 {
    audit_event::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap()
}

async fn sign_out(c: &Client<'_>) {
    let r = c.post("/api/session/signout", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(c.cookie(), None, "the cookie is cleared");
}

/// The start options as JSON, to tamper with what the browser is asked for.
fn raw_options(reply: &crate::support::Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let inner: String = serde_json::from_str(&reply.body).unwrap();
    serde_json::from_str(&inner).unwrap()
}

async fn first_admin_enrols_then_signs_in_with_a_rising_counter(db: &TestDb) {
    let w = World::new(db).await;
    let token = bootstrap_token(&w).await;
    let c = Client::new(&w);
    assert_eq!(c.me().await, None);
    assert_eq!(
        c.post("/api/account/overview", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let mut key = authenticator();
    let ada = enrol(&c, &token, Some(" Ada "), Some("Ada Lovelace"), &mut key).await;
    assert_eq!(ada.username, "ada", "user names are normalised");
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.roles, vec![Role::Admin]);
    assert_eq!(c.me().await.as_ref(), Some(&ada), "enrolment signs in");
    let overview: AccountOverview = c.call("/api/account/overview", &[]).await;
    assert_eq!(overview.user, ada);
    assert_eq!(overview.passkeys.len(), 1);
    assert_eq!(overview.sessions.len(), 1);
    assert!(overview.sessions[0].current);

    let stored = passkeys_of(&w, ada.id.0).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].sign_count, 0);
    assert_eq!(stored[0].last_used_at, None);

    sign_out(&c).await;
    assert_eq!(c.me().await, None);
    assert_eq!(
        c.post("/api/account/overview", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let mut last = stored[0].sign_count;
    for round in 1..=3 {
        w.clock.advance(time::Duration::minutes(1));
        let r = sign_in(&c, "ada", &mut key).await;
        assert_eq!(r.status, StatusCode::OK, "sign-in {round}: {}", r.body);
        let signed_in: CurrentUser = serde_json::from_str(&r.body).unwrap();
        assert_eq!(signed_in, ada);
        assert_eq!(c.me().await.as_ref(), Some(&ada));
        assert_eq!(
            c.post("/api/account/overview", &[]).await.status,
            StatusCode::OK
        );

        let pk = &passkeys_of(&w, ada.id.0).await[0];
        assert!(
            pk.sign_count > last,
            "round {round}: counter {} after {last}",
            pk.sign_count
        );
        last = pk.sign_count;
        assert_eq!(pk.last_used_at, Some(w.state.now()), "round {round}");
        assert!(pk.flagged_at.is_none());
        sign_out(&c).await;
    }
    let succeeded = events(&w, "signin.succeeded").await;
    assert_eq!(succeeded.len(), 3);
    assert!(
        succeeded
            .iter()
            .all(|e| e.actor == format!("user:{}", ada.id))
    );
}
on_each_backend!(
    first_admin_enrols_then_signs_in_with_a_rising_counter_on_each_backend,
    first_admin_enrols_then_signs_in_with_a_rising_counter
);

async fn a_finish_counts_once_even_when_replayed_or_raced(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    sign_out(&ada.client).await;

    // Replayed: the same finish twice, from the same browser.
    let rcr = signin_start(&ada.client, "ada").await;
    let before_finish = ada.client.cookie();
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    let first = signin_finish(&ada.client, &cred).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = signin_finish(&ada.client, &cred).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(matches!(error_of(&again), AppError::Conflict(_)));
    // ... and with the cookie the browser had before the first finish (a captured request).
    let replayer = Client::new(&w);
    replayer.set_cookie(before_finish);
    let replayed = signin_finish(&replayer, &cred).await;
    assert_eq!(replayed.status, StatusCode::CONFLICT, "{}", replayed.body);
    assert_eq!(replayer.me().await, None);
    let count_after_one = passkeys_of(&w, ada.id()).await[0].sign_count;

    // Raced: two finishes of one ceremony in parallel; exactly one wins.
    for round in 0..4 {
        let c = Client::new(&w);
        let rcr = signin_start(&c, "ada").await;
        let cred = ada.key.do_authentication(origin(), rcr).unwrap();
        let (a, b) = tokio::join!(signin_finish(&c, &cred), signin_finish(&c, &cred));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            a.body,
            b.body
        );
    }
    assert_eq!(
        passkeys_of(&w, ada.id()).await[0].sign_count,
        count_after_one + 4,
        "one counted use per ceremony"
    );
    assert_eq!(events(&w, "signin.succeeded").await.len(), 1 + 4);
}
on_each_backend!(
    a_finish_counts_once_even_when_replayed_or_raced_on_each_backend,
    a_finish_counts_once_even_when_replayed_or_raced
);

async fn a_finish_needs_a_live_ceremony_of_its_own_session(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    sign_out(&ada.client).await;

    // No ceremony at all.
    let stranger = Client::new(&w);
    for path in [
        "/api/signin/finish",
        "/api/enrol/finish",
        "/api/session/reverify/finish",
    ] {
        let r = stranger.post(path, &[("credential", "{}")]).await;
        let expected = if path.contains("reverify") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::CONFLICT
        };
        assert_eq!(r.status, expected, "{path}: {}", r.body);
    }

    // A genuine assertion, finished from another browser: that browser has no ceremony.
    let rcr = signin_start(&ada.client, "ada").await;
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    let r = signin_finish(&stranger, &cred).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(stranger.me().await, None);
    // The ceremony still belongs to the browser that started it.
    let r = signin_finish(&ada.client, &cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    sign_out(&ada.client).await;

    // A ceremony of another kind does not count.
    let rcr = signin_start(&ada.client, "ada").await;
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    let r = ada
        .client
        .post("/api/enrol/finish", &[("credential", &json(&cred))])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(ada.client.me().await, None);

    // Five minutes to finish.
    let rcr = signin_start(&ada.client, "ada").await;
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    w.clock.advance(time::Duration::minutes(6));
    let r = signin_finish(&ada.client, &cred).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(ada.client.me().await, None);

    // Just inside the window still works.
    let rcr = signin_start(&ada.client, "ada").await;
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    w.clock
        .advance(time::Duration::minutes(5) - time::Duration::seconds(1));
    let r = signin_finish(&ada.client, &cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
on_each_backend!(
    a_finish_needs_a_live_ceremony_of_its_own_session_on_each_backend,
    a_finish_needs_a_live_ceremony_of_its_own_session
);

async fn assertions_and_attestations_for_another_origin_are_refused(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    sign_out(&ada.client).await;
    let before = passkeys_of(&w, ada.id()).await[0].clone();
    let failed_before = events(&w, "signin.failed").await.len();

    let evil = Url::parse("http://evil.example:3000").unwrap();
    // A conforming client refuses to use the passkey for another site at all.
    let rcr = signin_start(&ada.client, "ada").await;
    assert!(ada.key.do_authentication(evil.clone(), rcr).is_err());

    // A phishing proxy relays the options and drives the authenticator itself; the client data
    // then names its origin. So does a sibling port on localhost (which passes client checks).
    for wrong in [evil.clone(), Url::parse("http://localhost:3001").unwrap()] {
        let rcr = signin_start(&ada.client, "ada").await;
        let cred =
            AuthenticatorBackend::perform_auth(&mut ada.key, wrong.clone(), rcr.public_key, 60_000)
                .expect("the authenticator signs whatever it is asked");
        let r = signin_finish(&ada.client, &cred).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{wrong}: {}", r.body);
        assert_eq!(
            error_of(&r).field(),
            Some("passkey"),
            "the one sign-in refusal"
        );
        assert_eq!(ada.client.me().await, None, "{wrong}");
    }
    let after = passkeys_of(&w, ada.id()).await[0].clone();
    assert_eq!(after.sign_count, before.sign_count, "nothing was counted");
    assert_eq!(after.last_used_at, before.last_used_at);
    assert!(after.flagged_at.is_none());
    assert_eq!(
        events(&w, "signin.failed").await.len(),
        failed_before + 2,
        "each refusal is audited"
    );

    // Registration: a new passkey made for another origin is refused, and the link stays unused.
    ada.client.set_cookie(None);
    let r = sign_in(&ada.client, "ada", &mut ada.key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = invite(&ada.client, "bob", &["owner"]).await;
    let bob = Client::new(&w);
    let start = crate::client::enrol_start(&bob, &token, None, None).await;
    let ccr: webauthn_authenticator_rs::prelude::CreationChallengeResponse = options(&start);
    let mut bob_key = authenticator();
    assert!(
        bob_key.do_registration(evil.clone(), ccr.clone()).is_err(),
        "a conforming client refuses"
    );
    let forged = AuthenticatorBackend::perform_register(&mut bob_key, evil, ccr.public_key, 60_000)
        .expect("the authenticator registers whatever it is asked");
    let r = enrol_finish(&bob, &forged).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(bob.me().await, None);
    let bob_row = crate::client::user_row(&ada.client, "bob").await;
    assert_eq!(bob_row.passkeys, 0);
    assert_eq!(
        bob_row.status,
        app::session::model::UserStatus::Invited,
        "still invited"
    );
    let info = bob.post("/api/enrol/info", &[("token", &token)]).await;
    assert_eq!(info.status, StatusCode::OK, "the link was not used up");
}
on_each_backend!(
    assertions_and_attestations_for_another_origin_are_refused_on_each_backend,
    assertions_and_attestations_for_another_origin_are_refused
);

async fn signing_in_gives_a_new_session_id_and_signed_out_cookies_are_dead(db: &TestDb) {
    let w = World::new(db).await;
    let token = bootstrap_token(&w).await;
    let c = Client::new(&w);
    let mut key = authenticator();

    // Enrolment: the anonymous session that held the ceremony is not the signed-in one.
    let cred = enrol_credential(&c, &token, Some("ada"), Some("Ada"), &mut key).await;
    let anonymous = c.cookie().expect("the ceremony has a session");
    let r = enrol_finish(&c, &cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let signed_in = c.cookie().expect("a session cookie");
    assert_ne!(anonymous, signed_in, "a fresh session id at sign-in");
    let old = Client::new(&w);
    old.set_cookie(Some(anonymous.clone()));
    assert_eq!(old.me().await, None, "the pre-sign-in id holds nothing");

    sign_out(&c).await;

    // Sign-in by passkey: same again.
    let rcr = signin_start(&c, "ada").await;
    let anonymous = c.cookie().expect("the ceremony has a session");
    let cred = key.do_authentication(origin(), rcr).unwrap();
    let r = signin_finish(&c, &cred).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let signed_in = c.cookie().unwrap();
    assert_ne!(anonymous, signed_in);
    old.set_cookie(Some(anonymous));
    assert_eq!(old.me().await, None);

    // Signing out ends the session on the server: the old cookie is worthless.
    assert!(c.me().await.is_some());
    sign_out(&c).await;
    let row = web_session::Entity::find_by_id(session_key(&signed_in.parse().unwrap()))
        .one(w.state.db.conn())
        .await
        .unwrap();
    assert!(row.is_none(), "the session row is gone");
    c.set_cookie(Some(signed_in));
    let r = c.post("/api/account/overview", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(error_of(&r), AppError::Unauthenticated);
    assert_eq!(c.me().await, None);

    // Signing out everywhere ends the other browsers' sessions too.
    let laptop = Client::new(&w);
    let phone = Client::new(&w);
    for b in [&laptop, &phone] {
        let r = sign_in(b, "ada", &mut key).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let phone_cookie = phone.cookie();
    let r = laptop.post("/api/account/signout-everywhere", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(laptop.me().await, None);
    phone.set_cookie(phone_cookie);
    assert_eq!(
        phone.post("/api/account/overview", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}
on_each_backend!(
    signing_in_gives_a_new_session_id_and_signed_out_cookies_are_dead_on_each_backend,
    signing_in_gives_a_new_session_id_and_signed_out_cookies_are_dead
);

async fn a_counter_going_backwards_blocks_the_passkey(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    sign_out(&ada.client).await;
    let r = sign_in(&ada.client, "ada", &mut ada.key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    sign_out(&ada.client).await;
    let pk = passkeys_of(&w, ada.id()).await[0].clone();
    assert!(pk.sign_count >= 1);

    // The portal has seen a higher counter than this authenticator will present next: a clone.
    w.state
        .db
        .conn()
        .execute_unprepared("UPDATE passkey SET sign_count = 1000")
        .await
        .unwrap();
    let r = sign_in(&ada.client, "ada", &mut ada.key).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(ada.client.me().await, None);
    let flagged = passkeys_of(&w, ada.id()).await[0].clone();
    assert!(flagged.flagged_at.is_some(), "the passkey is flagged");
    assert!(flagged.flag_reason.as_deref().unwrap().contains("counter"));
    assert_eq!(
        flagged.last_used_at, pk.last_used_at,
        "not recorded as a use"
    );
    let ev = events(&w, "passkey.flagged").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].subject_id, pk.id.to_string());

    // It is no longer offered ...
    let offered = raw_options(
        &ada.client
            .post("/api/signin/start", &[("username", "ada")])
            .await,
    );
    let ids: Vec<&str> = offered["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&pk.credential_id.as_str()), "{ids:?}");
    // ... and forcing it anyway (the authenticator signs with it regardless) is refused.
    let mut forced = offered;
    forced["publicKey"]["allowCredentials"] =
        serde_json::json!([{ "type": "public-key", "id": pk.credential_id }]);
    let rcr: RequestChallengeResponse = serde_json::from_value(forced).unwrap();
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    let r = signin_finish(&ada.client, &cred).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(ada.client.me().await, None);
    assert_eq!(
        passkeys_of(&w, ada.id()).await[0].sign_count,
        1000,
        "nothing moved"
    );
}
on_each_backend!(
    a_counter_going_backwards_blocks_the_passkey_on_each_backend,
    a_counter_going_backwards_blocks_the_passkey
);

/// Two sign-ins with one credential in flight at once, both having read the stored counter
/// before either wrote it back: the later-finishing one presents a counter the portal has
/// already moved past and must be refused (and the passkey flagged), never written over the
/// higher one. The race is laid out step by step on the same stale read that both requests
/// would have made.
async fn concurrent_uses_of_one_credential_cannot_both_count(db: &TestDb) {
    use app::audit::facade::{Actor, AuditAction, NewAuditEvent};
    use app::session::ssr::passkeys::{Verified, verify_assertion};
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let stale = passkeys_of(&w, ada.id()).await[0].clone();
    let pk: webauthn_rs::prelude::Passkey = serde_json::from_str(&stale.credential).unwrap();
    let mut assert_once = || {
        let (rcr, auth) = w
            .state
            .webauthn
            .start_passkey_authentication(std::slice::from_ref(&pk))
            .unwrap();
        let cred = ada.key.do_authentication(origin(), rcr).unwrap();
        w.state.webauthn.finish_passkey_authentication(&cred, &auth)
    };
    let first = assert_once();
    let second = assert_once();
    let event = |action: AuditAction| {
        move |p: &app::ssr::entities::passkey::Model| NewAuditEvent {
            actor: Actor::System,
            action,
            subject_type: "passkey",
            subject_id: p.id.to_string(),
            before: None,
            after: None,
        }
    };
    // The request holding the higher counter writes first ...
    let won = verify_assertion(
        &w.state,
        stale.clone(),
        second,
        event(AuditAction::SignInSucceeded),
    )
    .await
    .unwrap();
    assert!(matches!(won, Verified::Ok { .. }));
    let high = passkeys_of(&w, ada.id()).await[0].sign_count;
    assert!(high > stale.sign_count);
    // ... then the other, on the same stale read: refused, and the counter stays.
    let lost = verify_assertion(
        &w.state,
        stale.clone(),
        first,
        event(AuditAction::SignInSucceeded),
    )
    .await
    .unwrap();
    assert!(
        matches!(lost, Verified::Cloned),
        "an older counter after a newer one is a clone"
    );
    let after = passkeys_of(&w, ada.id()).await[0].clone();
    assert_eq!(after.sign_count, high, "the counter never goes back");
    assert!(after.flagged_at.is_some(), "the passkey is blocked");
    assert_eq!(events(&w, "passkey.flagged").await.len(), 1);
    assert_eq!(
        events(&w, "signin.succeeded").await.len(),
        1,
        "the success and its event are one step"
    );
}
on_each_backend!(
    concurrent_uses_of_one_credential_cannot_both_count_on_each_backend,
    concurrent_uses_of_one_credential_cannot_both_count
);

async fn user_verification_is_required_and_bad_credentials_are_refused_cleanly(db: &TestDb) {
    let w = World::new(db).await;

    // An authenticator that cannot verify the user cannot register: the server requires it.
    let token = bootstrap_token(&w).await;
    let c = Client::new(&w);
    let start = crate::client::enrol_start(&c, &token, Some("ada"), Some("Ada")).await;
    let opts = raw_options(&start);
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    let ccr = options(&start);
    assert!(
        SoftPasskey::new(false)
            .do_registration(origin(), ccr)
            .is_err()
    );

    let mut key = authenticator();
    let ada = enrol(&c, &token, Some("ada"), Some("Ada"), &mut key).await;
    sign_out(&c).await;

    // Sign-in options require user verification; a passkey that cannot do it stops there.
    let start = c.post("/api/signin/start", &[("username", "ada")]).await;
    let mut opts = raw_options(&start);
    assert_eq!(opts["publicKey"]["userVerification"], "required");
    let rcr: RequestChallengeResponse = serde_json::from_value(opts.clone()).unwrap();
    let mut no_uv = SoftPasskey::new(false);
    assert!(no_uv.do_authentication(origin(), rcr).is_err());

    // An assertion without the UV flag (the page asked for less than the server requires).
    opts["publicKey"]["userVerification"] = "discouraged".into();
    let rcr: RequestChallengeResponse = serde_json::from_value(opts).unwrap();
    let cred = key.do_authentication(origin(), rcr).unwrap();
    let flags = cred.response.authenticator_data[32];
    assert_eq!(flags & 0x04, 0, "the UV flag is clear");
    let r = signin_finish(&c, &cred).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    assert_eq!(c.me().await, None);

    // A registration without the UV flag is refused too.
    let r = sign_in(&c, "ada", &mut key).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bob_token = invite(&c, "bob", &["owner"]).await;
    let bob = Client::new(&w);
    let start = crate::client::enrol_start(&bob, &bob_token, None, None).await;
    let mut opts = raw_options(&start);
    opts["publicKey"]["authenticatorSelection"]["userVerification"] = "discouraged".into();
    let ccr = serde_json::from_value(opts).unwrap();
    let cred = authenticator().do_registration(origin(), ccr).unwrap();
    let r = enrol_finish(&bob, &cred).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(bob.me().await, None);
    sign_out(&c).await;

    // Malformed and oversized credentials: 400 naming the field, nothing written.
    let passkeys_before = passkeys_of(&w, ada.id.0).await;
    let events_before = audit_count(&w).await;
    let big = format!(
        "{{\"id\":\"{}\"}}",
        "A".repeat(app::session::ssr::passkeys::MAX_CREDENTIAL_JSON)
    );
    for bad in ["{not json", "{\"id\": 3}", "null", "", big.as_str()] {
        for (start, finish) in [
            ("/api/signin/start", "/api/signin/finish"),
            ("/api/enrol/start", "/api/enrol/finish"),
        ] {
            let fields: &[(&str, &str)] = if start.contains("signin") {
                &[("username", "ada")]
            } else {
                &[("token", &bob_token)]
            };
            let who = if start.contains("signin") { &c } else { &bob };
            let s = who.post(start, fields).await;
            assert_eq!(s.status, StatusCode::OK, "{}", s.body);
            let r = who.post(finish, &[("credential", bad)]).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{finish} {bad:.20}: {}",
                r.body
            );
            assert_eq!(error_of(&r).field(), Some("credential"), "{}", r.body);
            assert_eq!(who.me().await, None);
        }
    }
    assert_eq!(passkeys_of(&w, ada.id.0).await, passkeys_before);
    assert_eq!(
        audit_count(&w).await,
        events_before,
        "nothing audited, nothing changed"
    );
    let info = bob.post("/api/enrol/info", &[("token", &bob_token)]).await;
    assert_eq!(
        info.status,
        StatusCode::OK,
        "the invitation is still unused"
    );
}
on_each_backend!(
    user_verification_is_required_and_bad_credentials_are_refused_cleanly_on_each_backend,
    user_verification_is_required_and_bad_credentials_are_refused_cleanly
);

/// The JSON structure with the values taken out: object keys, array lengths and value kinds.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => "string".into(),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Null => Value::Null,
    }
}

async fn unknown_and_known_user_names_are_answered_alike(db: &TestDb) {
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let c = Client::new(&w);
    let start = |name: &'static str| {
        let c = &c;
        async move {
            let r = c.post("/api/signin/start", &[("username", name)]).await;
            assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
            raw_options(&r)
        }
    };
    let known = start("ada").await;
    let unknown = start("nobody").await;
    assert_eq!(shape(&known), shape(&unknown), "{known}\n{unknown}");
    assert_eq!(
        known["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let real = passkeys_of(&w, ada.id()).await[0].credential_id.clone();
    assert_eq!(known["publicKey"]["allowCredentials"][0]["id"], *real);
    let decoy = unknown["publicKey"]["allowCredentials"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(decoy.len(), real.len(), "a stand-in id of the same length");
    assert_eq!(
        unknown["publicKey"]["userVerification"],
        known["publicKey"]["userVerification"]
    );
    assert_eq!(unknown["publicKey"]["rpId"], known["publicKey"]["rpId"]);

    // Stable for the same unknown name (asking twice does not reveal it), distinct per name.
    let again = start("nobody").await;
    assert_eq!(again["publicKey"]["allowCredentials"][0]["id"], *decoy);
    assert_ne!(
        again["publicKey"]["challenge"], unknown["publicKey"]["challenge"],
        "fresh challenges"
    );
    let other = start("someone-else").await;
    assert_ne!(other["publicKey"]["allowCredentials"][0]["id"], *decoy);
    // An invited user without a passkey yet looks the same as an unknown name.
    invite(&ada.client, "bob", &["owner"]).await;
    let bob = start("bob").await;
    assert_eq!(shape(&bob), shape(&known));

    // Whatever comes back for an unknown name is refused, with the one sign-in message: here a
    // genuine assertion of ada's passkey against the ceremony started for "nobody".
    let mut forced = start("nobody").await;
    forced["publicKey"]["allowCredentials"] =
        serde_json::json!([{ "type": "public-key", "id": real }]);
    let rcr: RequestChallengeResponse = serde_json::from_value(forced).unwrap();
    let cred = ada.key.do_authentication(origin(), rcr).unwrap();
    let r = signin_finish(&c, &cred).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_of(&r).field(), Some("passkey"));
    assert_eq!(c.me().await, None);
}
on_each_backend!(
    unknown_and_known_user_names_are_answered_alike_on_each_backend,
    unknown_and_known_user_names_are_answered_alike
);

/// An account may hold several passkeys: the answer for an unknown name imitates a real
/// account's (picked by the name), so the number of credentials offered and their id lengths
/// tell no stranger from a user.
async fn stand_in_answers_imitate_real_accounts(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let bob = crate::client::invited(&ada, "bob", &["owner"]).await;
    crate::client::add_passkey(&bob.client, "Backup key").await;

    let start = |name: String, i: u8| {
        let w = &w;
        async move {
            let c = Client::at(w, IpAddr::from([198, 51, 100, i]));
            let r = c.post("/api/signin/start", &[("username", &name)]).await;
            raw_options(&r)
        }
    };
    let lengths = |v: &Value| -> Vec<usize> {
        v["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().len())
            .collect()
    };
    let ada_answer = start("ada".into(), 1).await;
    let bob_answer = start("bob".into(), 2).await;
    assert_eq!(lengths(&bob_answer).len(), 2, "bob has two passkeys");
    assert_eq!(lengths(&ada_answer).len(), 1);

    let mut seen = [0, 0];
    for i in 0..40u8 {
        let answer = start(format!("stranger{i}"), 10 + i).await;
        let l = lengths(&answer);
        if l == lengths(&ada_answer) && shape(&answer) == shape(&ada_answer) {
            seen[0] += 1;
        } else if l == lengths(&bob_answer) && shape(&answer) == shape(&bob_answer) {
            seen[1] += 1;
        } else {
            panic!("stranger{i} got an answer no account gets: {answer}");
        }
        let again = start(format!("stranger{i}"), 60 + i).await;
        assert_eq!(
            again["publicKey"]["allowCredentials"], answer["publicKey"]["allowCredentials"],
            "the same name gets the same stand-ins"
        );
    }
    assert!(
        seen[0] > 0 && seen[1] > 0,
        "strangers look like either account: {seen:?}"
    );
}
on_each_backend!(
    stand_in_answers_imitate_real_accounts_on_each_backend,
    stand_in_answers_imitate_real_accounts
);

async fn ceremonies_are_rate_limited_per_address(db: &TestDb) {
    let w = World::new(db).await;
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    let c = Client::at(&w, ip);
    let limit = app::ssr::state::CEREMONY_ATTEMPTS_PER_MINUTE;
    for i in 0..limit {
        let r = c.post("/api/signin/start", &[("username", "nobody")]).await;
        assert_eq!(r.status, StatusCode::OK, "attempt {i}: {}", r.body);
    }
    let r = c.post("/api/signin/start", &[("username", "nobody")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let retry: u64 = r
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(matches!(error_of(&r), AppError::RateLimited { .. }));
    // Every ceremony endpoint shares the budget.
    let r = c.post("/api/enrol/info", &[("token", "x")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Other addresses are unaffected; a fresh browser from the same address is not.
    let other = Client::at(&w, "203.0.113.8".parse().unwrap());
    let r = other
        .post("/api/signin/start", &[("username", "nobody")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let same_address = Client::at(&w, ip);
    let r = same_address
        .post("/api/signin/start", &[("username", "nobody")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Endpoints outside the ceremonies are not limited.
    assert_eq!(c.me().await, None);
}
on_each_backend!(
    ceremonies_are_rate_limited_per_address_on_each_backend,
    ceremonies_are_rate_limited_per_address
);

/// Discoverable sign-in (no user name). The soft passkey keeps no resident credentials, so it is
/// pointed at the credential the way a browser would find it; the user handle, which the
/// authenticator returns unsigned, is then set to what each case needs.
async fn discoverable_sign_in_needs_the_owners_user_handle(db: &TestDb) {
    use app::ssr::entities::passkey;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let w = World::new(db).await;
    let mut ada = first_admin(&w, "ada").await;
    let bob = crate::client::invited(&ada, "bob", &["owner"]).await;
    sign_out(&ada.client).await;
    let stored = passkeys_of(&w, ada.id()).await[0].clone();
    let ada_id = ada.id();
    let ada_user = ada.user.id;
    let key = &mut ada.key;

    let mut attempt = async |handle: Option<uuid::Uuid>| {
        let c = Client::new(&w);
        let mut opts = raw_options(&c.post("/api/signin/start", &[]).await);
        assert_eq!(
            opts["publicKey"]["allowCredentials"],
            serde_json::json!([]),
            "the browser chooses the credential"
        );
        opts["publicKey"]["allowCredentials"] =
            serde_json::json!([{ "type": "public-key", "id": stored.credential_id }]);
        let rcr: RequestChallengeResponse = serde_json::from_value(opts).unwrap();
        let mut cred = key.do_authentication(origin(), rcr).unwrap();
        cred.response.user_handle = handle.map(|u| u.as_bytes().to_vec());
        let r = signin_finish(&c, &cred).await;
        (r, c.me().await)
    };

    let failed_before = events(&w, "signin.failed").await.len();
    for handle in [None, Some(bob.id()), Some(uuid::Uuid::new_v4())] {
        let (r, me) = attempt(handle).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{handle:?}: {}", r.body);
        assert_eq!(error_of(&r).field(), Some("passkey"));
        assert_eq!(me, None, "{handle:?}");
    }
    let failed = events(&w, "signin.failed").await;
    assert_eq!(failed.len(), failed_before + 3, "every refusal is audited");
    assert_eq!(
        passkeys_of(&w, ada_id).await[0].sign_count,
        stored.sign_count,
        "no refused attempt counted as a use"
    );

    // The owner's handle with the owner's credential signs in.
    let (r, me) = attempt(Some(ada_id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(me.map(|u| u.id), Some(ada_user));
    assert!(passkeys_of(&w, ada_id).await[0].sign_count > stored.sign_count);

    // A blocked passkey is refused on this path too.
    passkey::Entity::update_many()
        .col_expr(passkey::Column::FlaggedAt, Expr::value(w.state.now()))
        .filter(passkey::Column::Id.eq(stored.id))
        .exec(w.state.db.conn())
        .await
        .unwrap();
    let (r, me) = attempt(Some(ada_id)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(me, None);
}
on_each_backend!(
    discoverable_sign_in_needs_the_owners_user_handle_on_each_backend,
    discoverable_sign_in_needs_the_owners_user_handle
);

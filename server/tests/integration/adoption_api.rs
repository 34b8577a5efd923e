//! API tokens and the adoption API: administrators issue tokens (the secret shown once, stored
//! only as its SHA-256) and revoke them; scripts send adoption figures to `POST
//! /api/v1/adoption` with a token, idempotently; unknown, expired, revoked and wrongly scoped
//! tokens are refused, a token's 61st use in a minute waits, a token is no session anywhere
//! else and a session is no token there; every step is in the audit trail.

use crate::client::{COOKIE, Client, after, error_of, events, first_admin};
use crate::on_each_backend;
use crate::registry::org;
use crate::support::{ORIGIN, Reply, TestDb, World};
use app::error::AppError;
use app::ids::{ApiTokenId, UserId};
use app::integrations::model::{IssuedToken, TokenState, TokenSummary};
use app::integrations::rules::{SECRET_BYTES, secret_from, secret_hash};
use app::ssr::entities::{adoption_method, adoption_period, api_token, audit_event};
use axum::body::Body;
use http::{Request, StatusCode, header};
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const API: &str = "/api/v1/adoption";

/// Figures for Payroll and CRM in one period.
fn document(period: &str) -> String {
    json!({
        "figures": [
            {
                "application": "Payroll",
                "period": period,
                "methods": [
                    { "method": "platform_passkey", "sign_ins_succeeded": 900, "sign_ins_failed": 12 },
                    { "method": "password", "sign_ins_succeeded": 100, "fallback_uses": 30 }
                ],
                "users": 250,
                "tickets": { "enrolment": 4 }
            },
            {
                "application": "crm",
                "period": period,
                "population": "office_employees",
                "methods": [{ "method": "sms_otp", "sign_ins_succeeded": 40 }],
                "users": 40
            }
        ]
    })
    .to_string()
}

/// A script's request: JSON, a bearer token if given, no `Origin`, no cookie.
async fn send(w: &World, token: Option<&str>, body: &str) -> Reply {
    let mut b = Request::post(API).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    w.send(b.body(Body::from(body.to_string())).unwrap()).await
}

fn json_of(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// A refusal of the API: its status, a JSON `{"error"}`.
fn assert_refused(r: &Reply, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        json_of(r)["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        r.body
    );
}

/// Issues a token as `admin` through the page's server function; returns it with its secret,
/// taken once from the session as the page does.
async fn issue(admin: &Client<'_>, name: &str, days: &str) -> IssuedToken {
    let r = admin
        .post("/api/admin/tokens/issue", &[("name", name), ("days", days)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "issue: {}", r.body);
    let issued: Option<IssuedToken> = admin.call("/api/admin/tokens/issued", &[]).await;
    let issued = issued.expect("the new secret is shown");
    let again: Option<IssuedToken> = admin.call("/api/admin/tokens/issued", &[]).await;
    assert!(again.is_none(), "the secret is shown once");
    issued
}

async fn tokens(admin: &Client<'_>) -> (Vec<TokenSummary>, String) {
    let r = admin.post("/api/admin/tokens", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (serde_json::from_str(&r.body).unwrap(), r.body)
}

async fn stored_counts(w: &World) -> (u64, u64) {
    let db = w.state.db.conn();
    (
        adoption_period::Entity::find().count(db).await.unwrap(),
        adoption_method::Entity::find().count(db).await.unwrap(),
    )
}

async fn token_row(w: &World, id: ApiTokenId) -> api_token::Model {
    api_token::Entity::find_by_id(id)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .expect("the token's row")
}

async fn a_token_sends_figures_idempotently_and_its_secret_is_shown_once(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let admin = &o.admin.client;
    let token = issue(admin, "Entra export job", "30").await;
    let secret = token.secret.clone();
    assert!(secret.starts_with("ppt_") && secret.len() == 44, "{secret}");

    // Listed without its secret; the database holds only its SHA-256 and its first characters.
    let (list, raw) = tokens(admin).await;
    assert!(
        !raw.contains(&secret) && !raw.contains(&secret[4..]),
        "{raw}"
    );
    assert_eq!(list.len(), 1);
    let t = &list[0];
    assert_eq!(
        (t.name.as_str(), t.scope.as_str(), t.state),
        ("Entra export job", "adoption:ingest", TokenState::Active)
    );
    assert!(secret.starts_with(&t.prefix) && t.prefix.len() == 12);
    assert_eq!((t.uses, t.last_used_at.clone()), (0, None));
    let row = token_row(&w, token.id).await;
    assert_eq!(row.secret_hash, secret_hash(&secret));
    assert!(
        !format!("{row:?}").contains(&secret[4..]),
        "the secret is nowhere in the table"
    );
    let issued = events(&w, "api_token.issued").await;
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].actor, format!("user:{}", o.admin.id()));
    assert!(
        !issued[0]
            .after
            .as_deref()
            .unwrap_or("")
            .contains(&secret[4..])
    );

    // Figures for one period: stored, two applications.
    let r = send(&w, Some(&secret), &document("2026-10")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(
        (v["applications"].as_u64(), v["periods"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(v["replaced"].as_u64(), Some(0));
    assert!(v["batch"].as_str().is_some_and(|b| !b.is_empty()));
    let once = stored_counts(&w).await;
    assert_eq!(once, (2, 3));

    // The same document again: it replaces what it stored, nothing more.
    let r = send(&w, Some(&secret), &document("2026-10")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["replaced"].as_u64(), Some(2));
    assert_eq!(stored_counts(&w).await, once, "idempotent");

    // Another period adds.
    let r = send(&w, Some(&secret), &document("2026-11")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["replaced"].as_u64(), Some(0));
    assert_eq!(stored_counts(&w).await, (4, 6));

    // Each ingestion is audited with the token as actor.
    let ingested = events(&w, "adoption.ingested").await;
    assert_eq!(ingested.len(), 3);
    for e in &ingested {
        assert_eq!(e.actor, format!("token:{}", token.id));
        assert_eq!(after(e)["source"], "api");
    }
    // Its uses are counted.
    let (list, _) = tokens(admin).await;
    assert_eq!(list[0].uses, 3);
    assert!(list[0].last_used_at.is_some());

    // A document with wrong entries: 422 with every problem, nothing stored, audited.
    let wrong = json!({ "figures": [
        { "application": "Nowhere", "period": "2026-12" },
        { "application": "Payroll", "period": "2026-12",
          "methods": [{ "method": "carrier_pigeon", "sign_ins_succeeded": 1 }] },
    ]})
    .to_string();
    let r = send(&w, Some(&secret), &wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["total"].as_u64(), Some(2), "{v}");
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0]["row"], 1);
    assert_eq!(problems[0]["field"], "application");
    assert!(
        problems[1]["message"]
            .as_str()
            .unwrap()
            .contains("carrier_pigeon")
    );
    assert_eq!(stored_counts(&w).await, (4, 6));
    // Entries that cannot be read at all are problems too.
    let r = send(&w, Some(&secret), r#"{"figures": [{"period": "2026-13"}]}"#).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // More than a hundred problems: the first hundred, and the total.
    let many: Vec<Value> = (0..150)
        .map(|i| json!({ "application": format!("Ghost {i}"), "period": "2026-12" }))
        .collect();
    let r = send(&w, Some(&secret), &json!({ "figures": many }).to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["problems"].as_array().unwrap().len(), 100);
    assert_eq!(v["total"].as_u64(), Some(150));
    // Not JSON: 400.
    let r = send(&w, Some(&secret), "{\"figures\": [").await;
    assert_refused(&r, StatusCode::BAD_REQUEST);
    // Another content type is refused before anything is read.
    let r = w
        .send(
            Request::post(API)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::from("figures=1"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);

    let refused = events(&w, "adoption.refused").await;
    assert_eq!(refused.len(), 4);
    assert!(
        refused
            .iter()
            .all(|e| e.actor == format!("token:{}", token.id))
    );
    let counts: Vec<u64> = refused
        .iter()
        .map(|e| after(e)["problems"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2, 1, 150, 1]);
    assert_eq!(events(&w, "adoption.ingested").await.len(), 3);
}
on_each_backend!(
    a_token_sends_figures_idempotently_and_its_secret_is_shown_once_on_each_backend,
    a_token_sends_figures_idempotently_and_its_secret_is_shown_once
);

async fn the_issue_form_works_without_javascript_and_shows_the_secret_once(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let r = ada
        .client
        .post_form(
            "/api/admin/tokens/issue",
            &[
                ("name", "Okta job"),
                ("scope", "adoption:ingest"),
                ("days", "7"),
            ],
            "/admin/tokens",
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.header("location"), "/admin/tokens");
    let page = ada.client.page("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("will not be shown again"),
        "{}",
        page.body
    );
    let row = api_token::Entity::find()
        .one(w.state.db.conn())
        .await
        .unwrap()
        .expect("issued");
    let start = page
        .body
        .find(&row.prefix)
        .expect("the secret is on the page");
    let secret = &page.body[start..start + 44];
    assert_eq!(secret_hash(secret), row.secret_hash);
    assert!(page.body.contains("Okta job"));
    // The next page lists the token, never its secret.
    let page = ada.client.page("/admin/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Okta job") && page.body.contains(&row.prefix));
    assert!(!page.body.contains(secret), "shown once");
    // Linked from the navigation.
    assert!(page.body.contains("href=\"/admin/tokens\""));

    // A refused form comes back as typed, with the problem next to its field.
    let body = serde_urlencoded::to_string([("name", "Too long"), ("days", "91")]).unwrap();
    let html = ada
        .client
        .refused_form("/api/admin/tokens/issue", body, "/admin/tokens")
        .await;
    assert!(html.contains("from 1 to 90"), "{html}");
    assert!(html.contains("value=\"Too long\""), "{html}");
    assert_eq!(
        api_token::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        1
    );
}
on_each_backend!(
    the_issue_form_works_without_javascript_and_shows_the_secret_once_on_each_backend,
    the_issue_form_works_without_javascript_and_shows_the_secret_once
);

async fn unknown_expired_revoked_and_wrongly_scoped_tokens_are_refused(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let admin = &o.admin.client;
    let doc = document("2026-10");

    // No token, another scheme, a malformed one, an unknown one: 401, nothing audited.
    assert_refused(&send(&w, None, &doc).await, StatusCode::UNAUTHORIZED);
    let r = w
        .send(
            Request::post(API)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, "Basic YWRhOnNlY3JldA==")
                .body(Body::from(doc.clone()))
                .unwrap(),
        )
        .await;
    assert_refused(&r, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").starts_with("Bearer"));
    assert_refused(
        &send(&w, Some("ppt_short"), &doc).await,
        StatusCode::UNAUTHORIZED,
    );
    let unknown = secret_from(&[9; SECRET_BYTES]);
    assert_refused(
        &send(&w, Some(&unknown), &doc).await,
        StatusCode::UNAUTHORIZED,
    );
    assert!(events(&w, "api_token.refused").await.is_empty());

    // Revoked: refused from then on; listed as revoked, by whom.
    let short = issue(admin, "Short-lived", "1").await;
    let revoked = issue(admin, "Revoked soon", "").await;
    assert_eq!(
        send(&w, Some(&revoked.secret), &doc).await.status,
        StatusCode::OK
    );
    let r = admin
        .post(
            "/api/admin/tokens/revoke",
            &[("id", &revoked.id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_refused(
        &send(&w, Some(&revoked.secret), &doc).await,
        StatusCode::UNAUTHORIZED,
    );
    let refused = events(&w, "api_token.refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].actor, format!("token:{}", revoked.id));
    assert_eq!(after(&refused[0])["reason"], "revoked");
    let revocations = events(&w, "api_token.revoked").await;
    assert_eq!(revocations.len(), 1);
    assert_eq!(revocations[0].actor, format!("user:{}", o.admin.id()));
    assert_eq!(revocations[0].subject_id, revoked.id.to_string());
    // Revoking again changes nothing.
    let r = admin
        .post(
            "/api/admin/tokens/revoke",
            &[("id", &revoked.id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events(&w, "api_token.revoked").await.len(), 1);
    let (list, _) = tokens(admin).await;
    let listed = list.iter().find(|t| t.id == revoked.id).unwrap();
    assert_eq!(listed.state, TokenState::Revoked);
    assert!(
        listed
            .revoked
            .as_ref()
            .is_some_and(|(by, _)| by == "First Admin")
    );

    // Another scope (a token for some other integration): 403, audited.
    let other = secret_from(&[3; SECRET_BYTES]);
    let now = w.state.now();
    api_token::Entity::insert(api_token::ActiveModel {
        id: Set(ApiTokenId::new()),
        name: Set("Reader".into()),
        scope: Set("adoption:read".into()),
        secret_hash: Set(secret_hash(&other)),
        prefix: Set(other[..12].to_string()),
        created_by: Set(UserId(o.admin.id())),
        created_at: Set(now),
        expires_at: Set(now + time::Duration::days(30)),
        revoked_by: Set(None),
        revoked_at: Set(None),
        last_used_at: Set(None),
        uses: Set(0),
        window_start: Set(0),
        window_count: Set(0),
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .unwrap();
    assert_refused(&send(&w, Some(&other), &doc).await, StatusCode::FORBIDDEN);
    let refused = events(&w, "api_token.refused").await;
    assert_eq!(refused.len(), 2);
    assert_eq!(after(&refused[1])["reason"], "scope");

    // Expired: valid one day, refused from its expiry on (audited, the token as actor).
    w.clock.advance(time::Duration::hours(23));
    let r = send(&w, Some(&short.secret), &doc).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    w.clock.advance(time::Duration::hours(1));
    assert_refused(
        &send(&w, Some(&short.secret), &doc).await,
        StatusCode::UNAUTHORIZED,
    );
    let refused = events(&w, "api_token.refused").await;
    assert_eq!(refused.len(), 3);
    assert_eq!(refused[2].actor, format!("token:{}", short.id));
    assert_eq!(after(&refused[2])["reason"], "expired");
    // (The administrator's session has lapsed by now: the list as the page would show it.)
    let list = app::integrations::ssr::list(w.state.db.conn(), w.state.now())
        .await
        .unwrap();
    let state_of = |id: ApiTokenId| list.iter().find(|t| t.id == id).unwrap().state;
    assert_eq!(state_of(short.id), TokenState::Expired);
    assert_eq!(state_of(revoked.id), TokenState::Revoked);

    // Only the two accepted uses were ingested; the audit trail's chain still verifies.
    assert_eq!(events(&w, "adoption.ingested").await.len(), 2);
    let issued = events(&w, "api_token.issued").await;
    assert_eq!(issued.len(), 2);
    let all = audit_event::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap();
    assert!(all > 0);
    let status = app::audit::facade::verify_chain(w.state.db.conn())
        .await
        .expect("verify");
    assert!(
        matches!(status, app::audit::facade::ChainStatus::Intact { .. }),
        "{status:?}"
    );
}
on_each_backend!(
    unknown_expired_revoked_and_wrongly_scoped_tokens_are_refused_on_each_backend,
    unknown_expired_revoked_and_wrongly_scoped_tokens_are_refused
);

async fn the_sixty_first_use_in_a_minute_waits_for_the_next(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let token = issue(&o.admin.client, "Busy job", "30").await;
    let doc = document("2026-10");
    for n in 1..=60 {
        let r = send(&w, Some(&token.secret), &doc).await;
        assert_eq!(r.status, StatusCode::OK, "use {n}: {}", r.body);
    }
    let r = send(&w, Some(&token.secret), &doc).await;
    assert_refused(&r, StatusCode::TOO_MANY_REQUESTS);
    let second = i64::from(w.state.now().second());
    let wait = 60 - second;
    assert_eq!(r.header("retry-after"), wait.to_string());
    assert_eq!(events(&w, "adoption.ingested").await.len(), 60);
    // The next minute opens a new window.
    w.clock.advance(time::Duration::seconds(wait));
    let r = send(&w, Some(&token.secret), &doc).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let row = token_row(&w, token.id).await;
    assert_eq!((row.uses, row.window_count), (61, 1));
    assert_eq!(row.window_start, w.state.now().unix_timestamp() / 60);
}
on_each_backend!(
    the_sixty_first_use_in_a_minute_waits_for_the_next_on_each_backend,
    the_sixty_first_use_in_a_minute_waits_for_the_next
);

/// A request to `path` with the admin's session cookie and, if given, a bearer token.
async fn with_cookie(
    w: &World,
    method: http::Method,
    path: &str,
    cookie: &str,
    token: Option<&str>,
    content_type: &str,
    body: String,
) -> Reply {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, format!("{COOKIE}={cookie}"))
        .header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    w.send(b.body(Body::from(body)).unwrap()).await
}

async fn a_token_is_no_session_and_a_session_no_token(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let admin = &o.admin.client;
    let token = issue(admin, "Scripts", "30").await;
    let cookie = admin.cookie().expect("signed in");
    let get = http::Method::GET;
    let post = http::Method::POST;
    let form = "application/x-www-form-urlencoded";
    let export = "/api/applications/export";

    // The token alone, on a download and on a server function: not signed in.
    let r = w
        .send(
            Request::get(export)
                .header(header::AUTHORIZATION, format!("Bearer {}", token.secret))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = w
        .send(
            Request::post("/api/admin/tokens")
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, form)
                .header(header::AUTHORIZATION, format!("Bearer {}", token.secret))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(error_of(&r), AppError::Unauthenticated);
    // With a session beside it, a token is still refused there.
    let r = with_cookie(&w, get.clone(), export, &cookie, None, form, String::new()).await;
    assert_eq!(r.status, StatusCode::OK, "the session alone downloads");
    let r = with_cookie(
        &w,
        get,
        export,
        &cookie,
        Some(&token.secret),
        form,
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = with_cookie(
        &w,
        post.clone(),
        "/api/admin/tokens/issue",
        &cookie,
        Some(&token.secret),
        form,
        "name=Sneaky&days=5".into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // The administrator's session, without a token, sends no figures.
    let r = with_cookie(
        &w,
        post,
        API,
        &cookie,
        None,
        "application/json",
        document("2026-10"),
    )
    .await;
    assert_refused(&r, StatusCode::UNAUTHORIZED);
    assert!(events(&w, "adoption.ingested").await.is_empty());
    assert_eq!(token_row(&w, token.id).await.uses, 0, "no use was counted");
    assert!(admin.me().await.is_some(), "the session lives on");
    assert_eq!(
        api_token::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        1
    );
}
on_each_backend!(
    a_token_is_no_session_and_a_session_no_token_on_each_backend,
    a_token_is_no_session_and_a_session_no_token
);

async fn only_administrators_issue_list_and_revoke_tokens(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    let token = issue(&o.admin.client, "Kept", "30").await;
    let id = token.id.to_string();
    for person in [&o.alice, &o.carol, &o.dave] {
        let who = &person.user.username;
        let r = person
            .client
            .post(
                "/api/admin/tokens/issue",
                &[("name", "Mine"), ("days", "5")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} issues: {}", r.body);
        assert_eq!(error_of(&r), AppError::Forbidden);
        let r = person
            .client
            .post("/api/admin/tokens/revoke", &[("id", &id)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} revokes: {}", r.body);
        let r = person.client.post("/api/admin/tokens", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} lists: {}", r.body);
        let r = person.client.post("/api/admin/tokens/issued", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        let page = person.client.page("/admin/tokens").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}'s page");
        assert!(!page.body.contains("Kept"));
    }
    let (list, _) = tokens(&o.admin.client).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, TokenState::Active);
    assert_eq!(events(&w, "api_token.issued").await.len(), 1);
    assert!(events(&w, "api_token.revoked").await.is_empty());
    // The token still works.
    let r = send(&w, Some(&token.secret), &document("2026-10")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
on_each_backend!(
    only_administrators_issue_list_and_revoke_tokens_on_each_backend,
    only_administrators_issue_list_and_revoke_tokens
);

async fn two_instances_share_one_limit(db: &TestDb) {
    let one = World::new(db).await;
    let two = World::new(db).await;
    // Both instances at the same instant (their clocks are frozen where each started).
    two.clock.advance(one.state.now() - two.state.now());
    let ada = first_admin(&one, "ada").await;
    let token = issue(&ada.client, "Shared", "30").await;
    // 80 uses at once, half through each instance: 60 get through (here to be refused as not
    // JSON, 400, which still counts as a use), 20 wait.
    let calls = (0..80).map(|i| {
        let w = if i % 2 == 0 { &one } else { &two };
        send(w, Some(&token.secret), "not JSON")
    });
    let replies = futures::future::join_all(calls).await;
    let count = |s: StatusCode| replies.iter().filter(|r| r.status == s).count();
    assert_eq!(
        (
            count(StatusCode::BAD_REQUEST),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (60, 20),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.body.clone()))
            .collect::<Vec<_>>()
    );
    let row = token_row(&one, token.id).await;
    assert_eq!((row.uses, row.window_count), (60, 60));
}
on_each_backend!(
    two_instances_share_one_limit_on_each_backend,
    two_instances_share_one_limit
);

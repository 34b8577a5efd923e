//! The HTTP shell: pages, health, security headers, cross-origin refusal, limits.

use crate::client::first_admin;
use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World};
use axum::body::Body;
use http::{Request, StatusCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Listing the application's routes renders it with resource loading suppressed for the whole
/// process; a page whose data started loading in that moment waited forever (the request timed
/// out with 503). The routes are listed once per process, so building another portal's router
/// (tests, benchmarks) never stalls a page being rendered.
async fn pages_render_while_another_router_is_built(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let (state, stop) = (w.state.clone(), stop.clone());
        tokio::task::spawn_blocking(move || {
            let mut built = 0u32;
            while !stop.load(Ordering::Relaxed) {
                drop(server::build_router(state.clone()).expect("a router"));
                built += 1;
            }
            built
        })
    };
    for _ in 0..25 {
        let page = tokio::time::timeout(Duration::from_secs(10), ada.client.page("/catalogue"))
            .await
            .expect("the page renders while another router is being built");
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Synced passkey"));
    }
    stop.store(true, Ordering::Relaxed);
    assert!(builder.await.unwrap() > 0, "routers were built meanwhile");
}
on_each_backend!(
    pages_render_while_another_router_is_built_on_each_backend,
    pages_render_while_another_router_is_built
);

fn script_nonce(body: &str) -> Option<&str> {
    let start =
        body.find("<script type=\"module\" nonce=\"")? + "<script type=\"module\" nonce=\"".len();
    let len = body[start..].find('"')?;
    Some(&body[start..start + len])
}

async fn pages_carry_a_fresh_csp_nonce(db: &TestDb) {
    let w = World::new(db).await;
    let a = w.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Passwordless programme governance"));
    let csp = a.header("content-security-policy").to_string();
    let nonce = script_nonce(&a.body).expect("hydration script carries a nonce");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(a.header("x-content-type-options"), "nosniff");
    assert_eq!(a.header("referrer-policy"), "same-origin");
    assert_eq!(a.header("cache-control"), "no-store");

    let b = w.get("/").await;
    assert_ne!(
        script_nonce(&b.body),
        Some(nonce),
        "a nonce is never reused"
    );
}
on_each_backend!(
    pages_carry_a_fresh_csp_nonce_on_each_backend,
    pages_carry_a_fresh_csp_nonce
);

async fn cross_origin_state_changes_are_refused(db: &TestDb) {
    let w = World::new(db).await;
    let post = |origin: Option<&str>, site: Option<&str>| {
        let mut b = Request::post("/api/anything")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.body(Body::from("a=1")).unwrap()
    };
    assert_eq!(
        w.send(post(Some("https://evil.example"), None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.send(post(Some("null"), None)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.send(post(None, Some("cross-site"))).await.status,
        StatusCode::FORBIDDEN
    );
    let own = w.send(post(Some(ORIGIN), Some("same-origin"))).await;
    assert_ne!(
        own.status,
        StatusCode::FORBIDDEN,
        "our own origin passes the guard"
    );
    // The refusal still carries the security headers.
    let refused = w.send(post(Some("https://evil.example"), None)).await;
    assert!(
        refused
            .header("content-security-policy")
            .contains("frame-ancestors")
    );
}
on_each_backend!(
    cross_origin_state_changes_are_refused_on_each_backend,
    cross_origin_state_changes_are_refused
);

/// A state change that names no origin at all (neither `Origin` nor `Sec-Fetch-Site`) is
/// refused, and every endpoint reads only the content type it is meant to: a signed-in
/// browser's cookie does not make a `text/plain` or JSON body (what another site's page or a
/// stray script sends) into a form.
async fn state_changes_need_an_origin_and_their_own_content_type(db: &TestDb) {
    let w = World::new(db).await;
    let ada = crate::client::first_admin(&w, "ada").await;
    let cookie = ada.client.cookie().unwrap();
    let session_cookie = format!("{}={cookie}", crate::client::COOKIE);
    let post = |path: &str, origin: Option<&str>, content_type: Option<&str>, body: &str| {
        let mut b = Request::post(path)
            .header("accept", "application/json")
            .header("cookie", session_cookie.clone());
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        if let Some(t) = content_type {
            b = b.header("content-type", t);
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let form = Some("application/x-www-form-urlencoded");
    let everywhere = "/api/account/signout-everywhere";

    let r = w.send(post(everywhere, None, form, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no origin: {}", r.body);
    for other in [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
    ] {
        let r = w
            .send(post(everywhere, Some(ORIGIN), Some(other), "x=1"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{other}: {}",
            r.body
        );
    }
    let r = w.send(post(everywhere, Some(ORIGIN), None, "x=1")).await;
    assert_eq!(
        r.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a body without a type"
    );
    let r = w
        .send(post(
            app::transfer::http::IMPORT_PATH,
            Some(ORIGIN),
            form,
            "a=1",
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "the import reads files: {}",
        r.body
    );
    assert!(
        ada.client.me().await.is_some(),
        "none of these signed anyone out"
    );

    // The same request as a page of the portal sends it goes through.
    let r = w.send(post(everywhere, Some(ORIGIN), form, "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(ada.client.me().await.is_none());
}
on_each_backend!(
    state_changes_need_an_origin_and_their_own_content_type_on_each_backend,
    state_changes_need_an_origin_and_their_own_content_type
);

async fn health_and_readiness(db: &TestDb) {
    let w = World::new(db).await;
    let h = w.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (StatusCode::OK, "ok"));
    let r = w.get("/readyz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));

    // The database goes away: readiness says so instead of hanging or claiming health.
    w.state.db.clone().close().await.expect("close pool");
    let r = w.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(w.get("/healthz").await.status, StatusCode::OK);
}
on_each_backend!(health_and_readiness_on_each_backend, health_and_readiness);

async fn unknown_pages_are_404_with_the_shell(db: &TestDb) {
    let w = World::new(db).await;
    let r = w.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Page not found"));
    assert!(
        r.body.contains("Passwordless Governance Portal"),
        "the layout is there"
    );
}
on_each_backend!(
    unknown_pages_are_404_with_the_shell_on_each_backend,
    unknown_pages_are_404_with_the_shell
);

async fn sign_in_page_has_its_island(db: &TestDb) {
    let w = World::new(db).await;
    let r = w.get("/signin").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("<leptos-island"),
        "the readiness check is an island"
    );
    assert!(r.body.contains("Check this browser"));
    assert!(
        !r.body.to_lowercase().contains("type=\"password\""),
        "no password field anywhere"
    );
}
on_each_backend!(
    sign_in_page_has_its_island_on_each_backend,
    sign_in_page_has_its_island
);

async fn oversized_bodies_are_refused(db: &TestDb) {
    let w = World::new(db).await;
    let limit = w.state.config.body_limit;
    let req = Request::post("/api/anything")
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", (limit + 1).to_string())
        .body(Body::from(vec![b'a'; limit + 1]))
        .unwrap();
    assert_eq!(w.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}
on_each_backend!(
    oversized_bodies_are_refused_on_each_backend,
    oversized_bodies_are_refused
);

async fn the_pool_counts_every_statement_transactions_included(db: &TestDb) {
    use sea_orm::{ConnectionTrait, Statement};
    let w = World::new(db).await;
    let d = &w.state.db;
    let select = || Statement::from_string(d.backend(), "SELECT 1");
    let before = d.statements();
    d.conn().execute_raw(select()).await.unwrap();
    assert_eq!(d.statements() - before, 1, "one statement on the pool");
    let txn = d.begin_write().await.unwrap();
    let inside = d.statements();
    txn.execute_raw(select()).await.unwrap();
    txn.execute_raw(select()).await.unwrap();
    assert_eq!(
        d.statements() - inside,
        2,
        "statements inside a transaction count"
    );
    txn.commit().await.unwrap();
}
on_each_backend!(
    the_pool_counts_every_statement_transactions_included_on_each_backend,
    the_pool_counts_every_statement_transactions_included
);

/// Commands other than `serve` print their result (and problems), not the migrations' logs;
/// nothing is coloured when standard error is not a terminal. `PORTAL_LOG` still asks for more.
#[test]
fn commands_print_their_result_not_logs() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let run = |log: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(["--database-url", &url, "migrate"])
            .env_remove("PORTAL_LOG")
            .env_remove("RUST_LOG");
        if let Some(log) = log {
            cmd.env("PORTAL_LOG", log);
        }
        let out = cmd.output().expect("run server migrate");
        assert!(out.status.success(), "{out:?}");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (stdout, stderr) = run(None);
    assert!(stdout.contains("the schema is current"), "{stdout}");
    assert!(!stderr.contains(" INFO "), "no logs unless asked: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes off a terminal: {stderr:?}"
    );
    let (_, stderr) = run(Some("info"));
    assert!(stderr.contains(" INFO "), "asked for: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

//! Authorisation as a whole: every server function is in the access table and the table is
//! enforced for strangers and for the read-only auditor; pages send strangers to sign in and
//! refuse the wrong role.

use crate::client::{Client, error_of, first_admin, invited};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::error::AppError;
use app::session::model::Role;
use app::session::ssr::guard::Access;
use http::{StatusCode, header};
use std::collections::BTreeSet;

async fn every_server_function_is_in_the_access_table_and_enforced(db: &TestDb) {
    let w = World::new(db).await;
    let table = app::app::access_table().expect("a consistent access table");
    let (server_functions, handlers) = (table.server_functions(), table.handlers());
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            assert_eq!(method, http::Method::POST, "{path}");
            path.to_string()
        })
        .collect();
    let listed: BTreeSet<String> = server_functions
        .iter()
        .map(|e| e.path.to_string())
        .collect();
    assert!(registered.len() >= 20, "{registered:?}");
    let unlisted: Vec<_> = registered.difference(&listed).collect();
    assert!(unlisted.is_empty(), "not in the access table: {unlisted:?}");
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "listed but not registered: {stale:?}");

    // Strangers: refused before any argument is read (the bodies are empty).
    let stranger = Client::new(&w);
    for e in server_functions
        .iter()
        .chain(handlers)
        .filter(|e| e.access != Access::Public)
    {
        let r = stranger.post_raw(e.path, String::new()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}: {}", e.path, r.body);
        if matches!(e.access, Access::Token(_)) {
            // A token endpoint answers in its API's terms: `{"error": "…"}`.
            let v: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
            assert!(v["error"].is_string(), "{}: {}", e.path, r.body);
        } else {
            assert_eq!(error_of(&r), AppError::Unauthenticated, "{}", e.path);
        }
    }
    let tokens: Vec<_> = handlers
        .iter()
        .filter(|e| matches!(e.access, Access::Token(_)))
        .collect();
    assert!(!tokens.is_empty(), "the adoption API is a token endpoint");
    assert!(
        server_functions
            .iter()
            .all(|e| !matches!(e.access, Access::Token(_))),
        "no server function takes a token"
    );
    // Unknown server-function paths are not found (deny by default).
    let r = stranger
        .post_raw("/api/admin/everything", String::new())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A signed-in auditor: every changing endpoint, and every read not meant for auditors, is
    // forbidden.
    let admin = first_admin(&w, "ada").await;
    let auditor = invited(&admin, "audrey", &["auditor"]).await;
    // Holds every role, so passes every gate (security alone edits the policy).
    let everyone = invited(&admin, "sam", &["owner", "security", "auditor", "admin"]).await;
    let mut checked = 0;
    for e in server_functions.iter().chain(handlers) {
        let refused = match e.access {
            Access::Change(_) => true,
            Access::Read(roles) => !roles.contains(&Role::Auditor),
            Access::Public | Access::SelfService => false,
            // A session is no token: whoever is signed in, without a token it is refused.
            Access::Token(_) => {
                for person in [&auditor, &everyone] {
                    let r = person.client.post_raw(e.path, String::new()).await;
                    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}: {}", e.path, r.body);
                }
                continue;
            }
        };
        if !refused {
            continue;
        }
        let r = auditor.client.post_raw(e.path, String::new()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {}", e.path, r.body);
        assert_eq!(error_of(&r), AppError::Forbidden, "{}", e.path);
        checked += 1;
        // Someone holding the right passes the same gate: an empty body then fails on its
        // arguments (400) or, for a function without arguments, runs (200); never an error of
        // ours.
        let r = everyone.client.post_raw(e.path, String::new()).await;
        let passed = if handlers.iter().any(|h| h.path == e.path) {
            // The file handlers answer a download, or send the browser to the import page
            // where the report (here: nothing to import) waits.
            r.status == StatusCode::OK
                || (r.status == StatusCode::SEE_OTHER
                    && [
                        app::transfer::model::IMPORT_PAGE,
                        app::adoption::model::IMPORT_PAGE,
                    ]
                    .contains(&r.header(header::LOCATION.as_str())))
        } else {
            matches!(r.status, StatusCode::OK | StatusCode::BAD_REQUEST)
        };
        assert!(passed, "{}: {} {}", e.path, r.status, r.body);
    }
    assert!(checked >= 4, "the admin endpoints were exercised");
    assert!(
        auditor.client.me().await.is_some(),
        "refusals do not end the session"
    );
    let r = auditor.client.post("/api/account/overview", &[]).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "self-service stays open to auditors"
    );
}
on_each_backend!(
    every_server_function_is_in_the_access_table_and_enforced_on_each_backend,
    every_server_function_is_in_the_access_table_and_enforced
);

/// The pages only signed-in users see, and the role each needs (empty: any signed-in user).
const GUARDED_PAGES: &[(&str, &[Role])] = &[
    ("/account", &[]),
    ("/catalogue", &[]),
    ("/admin/users", &[Role::Admin]),
    ("/admin/webhooks", &[Role::Admin]),
    ("/admin/webhooks/{id}", &[Role::Admin]),
    ("/admin/tokens", &[Role::Admin]),
    ("/notifications", &[]),
    ("/applications", &[]),
    ("/applications/new", EDITORS),
    ("/applications/import", &[Role::Security, Role::Admin]),
    ("/applications/{id}", &[]),
    ("/applications/{id}/edit", EDITORS),
    ("/applications/{id}/declaration", EDITORS),
    ("/applications/{id}/declaration/review", EDITORS),
    ("/findings", &[]),
    ("/exceptions", &[]),
    ("/exceptions/new", &[Role::Owner, Role::Security]),
    ("/exceptions/{id}", &[]),
    ("/policy", &[]),
    ("/policy/edit", &[Role::Security]),
    ("/matrix", &[]),
    ("/journeys", &[]),
    ("/adoption", &[]),
    ("/adoption/import", &[Role::Security, Role::Admin]),
    ("/adoption/mappings", &[Role::Security, Role::Admin]),
    ("/frameworks", &[]),
    ("/frameworks/control", &[]),
    ("/evidence", EVIDENCE),
    ("/evidence/events/{id}", EVIDENCE),
    ("/evidence/verify", EVIDENCE),
    ("/evidence/application", &[]),
];
const EVIDENCE: &[Role] = &[Role::Auditor, Role::Security, Role::Admin];
const EDITORS: &[Role] = &[Role::Owner, Role::Security, Role::Admin];
const PUBLIC_PAGES: &[&str] = &["/", "/signin"];

async fn pages_send_strangers_to_sign_in_and_refuse_the_wrong_role(db: &TestDb) {
    let w = World::new(db).await;
    let routes: BTreeSet<String> = leptos_axum::generate_route_list(app::app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let mut known: BTreeSet<String> = GUARDED_PAGES.iter().map(|(p, _)| p.to_string()).collect();
    known.extend(PUBLIC_PAGES.iter().map(|p| p.to_string()));
    let unknown: Vec<_> = routes
        .iter()
        .filter(|r| !known.contains(*r) && !r.starts_with("/enrol/"))
        .collect();
    assert!(
        unknown.is_empty(),
        "classify new pages in this test: {unknown:?}"
    );
    assert!(known.is_subset(&routes), "{routes:?}");

    let stranger = Client::new(&w);
    let nobody = uuid::Uuid::new_v4().to_string();
    for (pattern, _) in GUARDED_PAGES {
        let page = &pattern.replace("{id}", &nobody);
        let r = stranger.page(page).await;
        assert!(r.status.is_redirection(), "{page}: {}", r.status);
        let to = r.header(header::LOCATION.as_str());
        assert!(
            to == "/signin" || to.starts_with("/signin?"),
            "{page} goes to {to}"
        );
    }
    for page in PUBLIC_PAGES {
        let r = stranger.page(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
    }
    // An enrolment page is public too; an unknown link is simply not found (the page says so).
    let r = stranger.page("/enrol/not-a-real-link").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.body.contains("This link is not valid"), "{}", r.body);

    let admin = first_admin(&w, "ada").await;
    let auditor = invited(&admin, "audrey", &["auditor"]).await;
    let security = invited(&admin, "sid", &["security"]).await;
    crate::client::invite(&admin.client, "zoe.invitee", &["owner"]).await;
    let owner = invited(&admin, "olga", &["owner"]).await;
    let owner_field = format!("form[owners][u{}]", owner.id().simple());
    let app_id: String = admin
        .client
        .call(
            "/api/applications/create",
            &[
                ("form[name]", "Payroll"),
                ("form[criticality]", "high"),
                ("form[integration]", "local"),
                ("form[lifecycle]", "production"),
                (&owner_field, "on"),
                ("form[populations][office_employees]", "on"),
            ],
        )
        .await;
    let exception_id = crate::exceptions::fixture(&w, &app_id, owner.user.id).await;
    let r = admin
        .client
        .post(
            "/api/admin/webhooks/create",
            &[("url", "https://hooks.example.com/in"), ("description", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let hooks: app::notifications::model::WebhookList =
        admin.client.call("/api/admin/webhooks", &[]).await;
    let hook_id = hooks.webhooks[0].id.to_string();
    for (pattern, roles) in GUARDED_PAGES {
        let first_event = "1".to_string();
        let id = if pattern.starts_with("/exceptions/") {
            &exception_id
        } else if pattern.starts_with("/evidence/events/") {
            &first_event
        } else if pattern.starts_with("/admin/webhooks/") {
            &hook_id
        } else {
            &app_id
        };
        let page = &pattern.replace("{id}", id);
        let r = auditor.client.page(page).await;
        if roles.is_empty() || roles.contains(&Role::Auditor) {
            assert_eq!(r.status, StatusCode::OK, "{page}");
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{page}");
            assert!(
                r.body.contains("You do not have permission"),
                "{page}: the refusal page"
            );
            assert!(!r.body.contains("zoe.invitee"), "{page}: no user list");
        }
        // Someone holding the role sees it: the administrator, or security for its pages.
        let holder = if roles.is_empty() || roles.contains(&Role::Admin) {
            &admin
        } else {
            &security
        };
        let r = holder.client.page(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
    }
    let r = admin.client.page("/admin/users").await;
    assert!(r.body.contains("zoe.invitee"), "the admin sees the users");
}
on_each_backend!(
    pages_send_strangers_to_sign_in_and_refuse_the_wrong_role_on_each_backend,
    pages_send_strangers_to_sign_in_and_refuse_the_wrong_role
);

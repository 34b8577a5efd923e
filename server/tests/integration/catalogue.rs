//! The shipped catalogues: every default method of the product, with coherent attributes, and
//! the populations; the catalogue page for signed-in people.

use crate::client::{Client, after, error_of, events, first_admin, invited};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use app::catalogue::model::MethodView;
use http::StatusCode;

const PRODUCT_DEFAULTS: &[&str] = &[
    "platform_passkey",
    "synced_passkey",
    "security_key",
    "smart_card",
    "push_number_matching",
    "push_plain",
    "totp_app",
    "hardware_otp",
    "sms_otp",
    "voice_call",
    "email_link",
    "password",
    "recovery_codes",
    "temporary_access_pass",
    "helpdesk_proofing",
    "helpdesk_kba",
    "manager_attestation",
    "federated_idp",
];

fn method<'a>(all: &'a [MethodView], key: &str) -> &'a MethodView {
    all.iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("{key} missing"))
}

async fn the_shipped_catalogue_is_complete_and_coherent(db: &TestDb) {
    let w = World::new(db).await;
    let c = app::catalogue::ssr::load(w.state.db.conn()).await.unwrap();
    for key in PRODUCT_DEFAULTS {
        method(&c.methods, key);
    }
    let ranks: Vec<i32> = c.methods.iter().map(|m| m.strength_rank).collect();
    assert_eq!(
        ranks,
        (1..=c.methods.len() as i32).collect::<Vec<_>>(),
        "strongest first, no ties"
    );

    // The attributes the rules depend on.
    for key in ["sms_otp", "voice_call"] {
        assert!(
            method(&c.methods, key).restricted,
            "{key} is a restricted authenticator"
        );
    }
    assert_eq!(c.methods.iter().filter(|m| m.restricted).count(), 2);
    let synced = method(&c.methods, "synced_passkey");
    assert!(synced.syncable && synced.phishing_resistant);
    assert_eq!(synced.max_aal, 2, "synced passkeys never reach AAL3");
    let bound = method(&c.methods, "platform_passkey");
    assert!(!bound.syncable && bound.phishing_resistant && bound.max_aal == 3);
    assert!(!bound.shared_workstation_ok, "bound to a personal device");
    assert!(method(&c.methods, "security_key").shared_workstation_ok);
    for key in [
        "password",
        "helpdesk_kba",
        "email_link",
        "manager_attestation",
    ] {
        let m = method(&c.methods, key);
        assert!(!m.phishing_resistant && m.max_aal == 1, "{key}");
    }
    for key in ["totp_app", "push_number_matching", "sms_otp"] {
        assert!(method(&c.methods, key).needs_personal_phone, "{key}");
    }
    assert!(
        method(&c.methods, "password").strength_rank
            > method(&c.methods, "synced_passkey").strength_rank
    );
    assert_eq!(c.populations.len(), 7);
    assert!(c.populations.iter().any(|p| p.key == "shared_workstation"));
}
on_each_backend!(
    the_shipped_catalogue_is_complete_and_coherent_on_each_backend,
    the_shipped_catalogue_is_complete_and_coherent
);

async fn the_catalogue_page_is_for_signed_in_people(db: &TestDb) {
    let w = World::new(db).await;
    let stranger = Client::new(&w);
    let r = stranger.page("/catalogue").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").starts_with("/signin"));

    let ada = first_admin(&w, "ada").await;
    let page = ada.client.page("/catalogue").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Synced passkey"));
    assert!(page.body.contains("restricted (5.2.10)"));
    assert!(page.body.contains("Shared-workstation users"));
}
on_each_backend!(
    the_catalogue_page_is_for_signed_in_people_on_each_backend,
    the_catalogue_page_is_for_signed_in_people
);

fn method_fields<'a>(
    key: &'a str,
    name: &'a str,
    aal: &'a str,
    rank: &'a str,
    syncable: bool,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("key", key),
        ("form[name]", name),
        (
            "form[description]",
            "Passkey synchronised across a person's devices.",
        ),
        ("form[max_aal]", aal),
        ("form[strength_rank]", rank),
        ("form[factor]", "multi_factor"),
        ("form[phishing_resistant]", "on"),
        ("form[active]", "on"),
    ];
    if syncable {
        f.push(("form[syncable]", "on"));
    }
    f
}

async fn admins_edit_the_catalogue_and_every_edit_is_audited(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let load = || async { app::catalogue::ssr::load(w.state.db.conn()).await.unwrap() };
    let edits = || async { events(&w, "catalogue.changed").await };

    let r = ada
        .client
        .post(
            "/api/catalogue/methods/update",
            &method_fields(
                "synced_passkey",
                "Synced passkey (provider)",
                "2",
                "5",
                true,
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = load().await;
    let m = c
        .methods
        .iter()
        .find(|m| m.key == "synced_passkey")
        .unwrap();
    assert_eq!(
        (m.name.as_str(), m.strength_rank, m.syncable),
        ("Synced passkey (provider)", 5, true)
    );
    assert!(
        !m.restricted && !m.needs_personal_phone,
        "unticked boxes are false"
    );
    let e = edits().await;
    assert_eq!(e.len(), 1);
    assert_eq!(after(&e[0])["name"], "Synced passkey (provider)");
    assert!(
        e[0].before
            .as_deref()
            .unwrap()
            .contains("\"strength_rank\":4")
    );

    // A syncable method at AAL3 is refused with a message on that field; nothing changes.
    let r = ada
        .client
        .post(
            "/api/catalogue/methods/update",
            &method_fields("synced_passkey", "Synced passkey", "3", "4", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&r).field(), Some("max_aal"));
    assert_eq!(
        load()
            .await
            .methods
            .iter()
            .find(|m| m.key == "synced_passkey")
            .unwrap()
            .max_aal,
        2
    );
    assert_eq!(edits().await.len(), 1);
    let r = ada
        .client
        .post(
            "/api/catalogue/methods/update",
            &method_fields("no_such_method", "X", "2", "1", false),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Business units: add, refuse a duplicate, retire.
    let r = ada
        .client
        .post(
            "/api/catalogue/business-units/add",
            &[("name", "Retail Banking")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = ada
        .client
        .post(
            "/api/catalogue/business-units/add",
            &[("name", "Retail Banking")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&r).field(), Some("name"));
    let units = app::catalogue::ssr::list_business_units(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(units.len(), 1);
    let id = units[0].id.to_string();
    let r = ada
        .client
        .post(
            "/api/catalogue/business-units/status",
            &[("id", id.as_str()), ("active", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        load().await.business_units.is_empty(),
        "a retired unit is not offered"
    );
    assert_eq!(edits().await.len(), 3);

    // Owners read the catalogue but cannot change it.
    let olive = invited(&ada, "olive", &["owner"]).await;
    let r = olive
        .client
        .post(
            "/api/catalogue/methods/update",
            &method_fields("sms_otp", "SMS", "2", "1", false),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(olive.client.page("/catalogue").await.status, StatusCode::OK);
}
on_each_backend!(
    admins_edit_the_catalogue_and_every_edit_is_audited_on_each_backend,
    admins_edit_the_catalogue_and_every_edit_is_audited
);

async fn admins_edit_and_retire_populations(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let fields = |name: &'static str, active: bool| {
        let mut f = vec![
            ("key", "byod_remote"),
            ("name", name),
            ("description", "Personal devices, anywhere."),
        ];
        if active {
            f.push(("active", "on"));
        }
        f
    };
    let r = ada
        .client
        .post(
            "/api/catalogue/populations/update",
            &fields("BYOD and remote staff", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = app::catalogue::ssr::load(w.state.db.conn()).await.unwrap();
    assert!(
        c.populations
            .iter()
            .any(|p| p.name == "BYOD and remote staff")
    );

    // A name another population has is refused on that field; nothing changes.
    let r = ada
        .client
        .post(
            "/api/catalogue/populations/update",
            &fields("Contractors", true),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&r).field(), Some("name"));

    // Retired populations are no longer offered.
    let r = ada
        .client
        .post(
            "/api/catalogue/populations/update",
            &fields("BYOD and remote staff", false),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let c = app::catalogue::ssr::load(w.state.db.conn()).await.unwrap();
    assert_eq!(c.populations.len(), 6);
    let e = events(&w, "catalogue.changed").await;
    assert_eq!(e.len(), 2, "one event per change that happened");
    assert_eq!(after(&e[1])["active"], false);
}
on_each_backend!(
    admins_edit_and_retire_populations_on_each_backend,
    admins_edit_and_retire_populations
);

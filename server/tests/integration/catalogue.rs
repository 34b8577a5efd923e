//! The shipped catalogues: every default method of the product, with coherent attributes, and
//! the populations; the catalogue page for signed-in people.

use crate::client::{Client, first_admin};
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

//! One-time links and the accounts they belong to: a newer link replacing older ones says so in
//! the trail.

use crate::client::{Client, after, events, first_admin, invited, issued_link, reverify};
use crate::on_each_backend;
use crate::support::{TestDb, World};
use http::StatusCode;

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

//! Notifications and webhooks: deliveries signed and received by a real HTTP receiver, retried on
//! the schedule of the frozen clock; webhook administration refused to anyone but
//! administrators and refused when it points at the portal; each user sees their own list.

use crate::client::{Client, error_of, events, first_admin, invited};
use crate::on_each_backend;
use crate::support::{ORIGIN, TestDb, World};
use app::error::AppError;
use app::ids::UserId;
use app::notifications::facade::{Delivered, Notice, deliver_due, notify, unread_count};
use app::notifications::model::{DeliveryState, NotificationPage, WebhookDetail, WebhookList};
use app::ssr::entities::{notification, webhook_attempt, webhook_delivery};
use axum::body::Body;
use axum::extract::State;
use hmac::{Hmac, Mac};
use http::{HeaderMap, Request, StatusCode, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// A webhook receiver on 127.0.0.1: it keeps every request and answers with the statuses it was
/// given, in order, then 200.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> (String, Self) {
        let r = Self {
            got: Arc::default(),
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the receiver");
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        (format!("http://{addr}/hook"), r)
    }

    fn received(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let code = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(code).unwrap()
}

fn header_of<'h>(h: &'h HeaderMap, name: &str) -> &'h str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Creates a webhook as `admin` through the server function; returns its secret, read once from
/// the webhooks list like the page does.
async fn create_webhook(admin: &Client<'_>, url: &str) -> (app::ids::WebhookId, String) {
    let r = admin
        .post(
            "/api/admin/webhooks/create",
            &[("url", url), ("description", "Ticketing")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "create: {}", r.body);
    let list: WebhookList = admin.call("/api/admin/webhooks", &[]).await;
    let created = list.created.expect("the new secret is shown");
    assert_eq!(created.secret.len(), 64, "32 bytes in hex");
    // Once only.
    let again: WebhookList = admin.call("/api/admin/webhooks", &[]).await;
    assert!(again.created.is_none());
    (created.id, created.secret)
}

fn notice(users: Vec<UserId>, key: &str) -> Notice {
    Notice {
        users,
        subject_type: "exception",
        subject_id: "e-1".into(),
        text: "The exception for <b>Payroll</b> expires in 7 days.".into(),
        link: "/exceptions/e-1".into(),
        event: "exception.reminder",
        event_key: key.into(),
        payload: serde_json::json!({ "application": "Payroll", "days_left": 7 }),
    }
}

async fn send_notice(w: &World, n: Notice) {
    let txn = w.state.db.begin_write().await.unwrap();
    notify(&txn, w.state.now(), n).await.expect("notify");
    txn.commit().await.unwrap();
}

async fn deliveries(w: &World) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find()
        .order_by_asc(webhook_delivery::Column::CreatedAt)
        .all(w.state.db.conn())
        .await
        .unwrap()
}

async fn a_delivery_arrives_signed_with_the_webhooks_secret(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let (url, receiver) = Receiver::start(&[]).await;
    let (hook, secret) = create_webhook(&ada.client, &url).await;
    assert_eq!(events(&w, "webhook.created").await.len(), 1);
    let created = &events(&w, "webhook.created").await[0];
    assert!(
        !created.after.as_deref().unwrap_or("").contains(&secret),
        "the audit trail never holds the secret"
    );

    send_notice(&w, notice(vec![UserId(ada.id())], "exception:e-1:7d")).await;
    let done = deliver_due(&w.state).await.expect("deliver");
    assert_eq!(
        done,
        Delivered {
            sent: 1,
            failed: 0,
            retrying: 0
        }
    );

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    assert_eq!(header_of(headers, "content-type"), "application/json");
    assert_eq!(header_of(headers, "x-portal-event"), "exception.reminder");
    let timestamp = header_of(headers, "x-portal-timestamp");
    assert_eq!(timestamp, w.state.now().unix_timestamp().to_string());
    let v: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(v["event"], "exception.reminder");
    assert_eq!(v["data"]["application"], "Payroll");
    assert_eq!(
        v["id"].as_str(),
        Some(header_of(headers, "x-portal-delivery"))
    );
    assert!(v["occurred_at"].as_str().unwrap().ends_with('Z'));

    // The receiver checks the signature with the secret it was given.
    let signature = header_of(headers, "x-portal-signature");
    let hex_mac = signature.strip_prefix("sha256=").expect("sha256=…");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(hex_mac).unwrap())
        .expect("the signature verifies with the secret");

    // Delivered, once: the job finds nothing more to send.
    assert_eq!(deliver_due(&w.state).await.unwrap(), Delivered::default());
    assert_eq!(receiver.received().len(), 1);
    let detail: WebhookDetail = ada
        .client
        .call("/api/admin/webhooks/detail", &[("id", &hook.to_string())])
        .await;
    assert_eq!(detail.deliveries.len(), 1);
    assert_eq!(detail.deliveries[0].state, DeliveryState::Delivered);
    assert_eq!(detail.deliveries[0].attempt_log[0].status_code, Some(200));
    // The detail page renders for administrators.
    let page = ada.client.page(&format!("/admin/webhooks/{hook}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("exception.reminder"));
}
on_each_backend!(
    a_delivery_arrives_signed_with_the_webhooks_secret_on_each_backend,
    a_delivery_arrives_signed_with_the_webhooks_secret
);

async fn a_failing_receiver_is_retried_on_the_backoff_schedule(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let (url, receiver) = Receiver::start(&[500, 500]).await;
    // By name this time: resolved (to the receiver, not the portal) before each attempt.
    let url = url.replace("127.0.0.1", "localhost");
    let (hook, _) = create_webhook(&ada.client, &url).await;
    send_notice(&w, notice(vec![], "exception:e-1:expired")).await;
    let retrying = Delivered {
        sent: 0,
        failed: 0,
        retrying: 1,
    };

    assert_eq!(deliver_due(&w.state).await.unwrap(), retrying);
    assert_eq!(receiver.received().len(), 1);
    // The first retry waits 30 seconds.
    w.clock.advance(time::Duration::seconds(29));
    assert_eq!(deliver_due(&w.state).await.unwrap(), Delivered::default());
    assert_eq!(receiver.received().len(), 1, "not before its time");
    w.clock.advance(time::Duration::seconds(2));
    assert_eq!(deliver_due(&w.state).await.unwrap(), retrying);
    assert_eq!(receiver.received().len(), 2);
    // The second waits two minutes.
    w.clock.advance(time::Duration::seconds(100));
    assert_eq!(deliver_due(&w.state).await.unwrap(), Delivered::default());
    assert_eq!(receiver.received().len(), 2);
    w.clock.advance(time::Duration::seconds(30));
    assert_eq!(
        deliver_due(&w.state).await.unwrap(),
        Delivered {
            sent: 1,
            failed: 0,
            retrying: 0
        }
    );
    assert_eq!(receiver.received().len(), 3);

    let d = &deliveries(&w).await[0];
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 3));
    assert!(d.delivered_at.is_some() && d.next_attempt_at.is_none());
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(d.id))
        .order_by_asc(webhook_attempt::Column::AttemptedAt)
        .all(w.state.db.conn())
        .await
        .unwrap();
    let codes: Vec<_> = attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, vec![Some(500), Some(500), Some(200)]);
    // Every attempt is shown on the webhook's page, none is an audit event.
    let detail: WebhookDetail = ada
        .client
        .call("/api/admin/webhooks/detail", &[("id", &hook.to_string())])
        .await;
    assert_eq!(detail.deliveries[0].attempt_log.len(), 3);
    assert_eq!(
        detail.deliveries[0].last_outcome().as_deref(),
        Some("HTTP 200")
    );
    assert!(events(&w, "webhook.changed").await.is_empty());
    // The page's deliveries and attempts cost a fixed number of statements.
    let before = w.state.db.statements();
    app::notifications::ssr::webhook_detail(w.state.db.conn(), hook)
        .await
        .unwrap();
    assert_eq!(w.state.db.statements() - before, 3);

    // A webhook with deliveries on record is kept: switched off, not removed.
    let r = ada
        .client
        .post("/api/admin/webhooks/remove", &[("id", &hook.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = ada
        .client
        .post(
            "/api/admin/webhooks/status",
            &[("id", &hook.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events(&w, "webhook.changed").await.len(), 1);
    // Switched off, it is sent nothing.
    send_notice(&w, notice(vec![], "exception:e-2:expired")).await;
    assert_eq!(deliveries(&w).await.len(), 1);
    assert_eq!(deliver_due(&w.state).await.unwrap(), Delivered::default());
}
on_each_backend!(
    a_failing_receiver_is_retried_on_the_backoff_schedule_on_each_backend,
    a_failing_receiver_is_retried_on_the_backoff_schedule
);

async fn a_webhook_pointing_at_the_portal_is_refused_and_the_form_keeps_it(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    for own in [
        format!("{ORIGIN}/api/admin/users/invite"),
        "http://127.0.0.1:3000/".to_string(),
    ] {
        let r = ada
            .client
            .post(
                "/api/admin/webhooks/create",
                &[("url", own.as_str()), ("description", "mine")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{own}: {}", r.body);
        assert_eq!(error_of(&r).field(), Some("url"), "{own}");
    }
    let list: WebhookList = ada.client.call("/api/admin/webhooks", &[]).await;
    assert!(list.webhooks.is_empty() && list.created.is_none());
    assert!(events(&w, "webhook.created").await.is_empty());

    // Without JavaScript: the form post comes back to the page, the message beside the address
    // and the typed values still in the form.
    let typed = format!("{ORIGIN}/api/anything");
    let body =
        serde_urlencoded::to_string([("url", typed.as_str()), ("description", "Typed by hand")])
            .unwrap();
    let req = Request::post("/api/admin/webhooks/create")
        .header(header::ACCEPT, "text/html")
        .header(header::ORIGIN, ORIGIN)
        .header(header::REFERER, format!("{ORIGIN}/admin/webhooks"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("{}={}", crate::client::COOKIE, ada.client.cookie().unwrap()),
        )
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 9, 9],
            40_000,
        ))))
        .body(Body::from(body))
        .unwrap();
    let r = w.send(req).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let location = r.header("location").to_string();
    assert_eq!(
        location, "/admin/webhooks",
        "nothing of the outcome in the address"
    );
    let page = ada.client.page(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("field-error"),
        "the message is beside the field"
    );
    assert!(page.body.contains("portal itself"));
    assert!(
        page.body.contains(&format!("value=\"{typed}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"Typed by hand\""));
}
on_each_backend!(
    a_webhook_pointing_at_the_portal_is_refused_and_the_form_keeps_it_on_each_backend,
    a_webhook_pointing_at_the_portal_is_refused_and_the_form_keeps_it
);

async fn only_administrators_configure_webhooks_and_people_see_their_own_notifications(
    db: &TestDb,
) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let audrey = invited(&ada, "audrey", &["auditor"]).await;
    let olive = invited(&ada, "olive", &["owner"]).await;
    let fields = [("url", "https://hooks.example.com/in"), ("description", "")];
    for person in [&audrey, &olive] {
        let r = person
            .client
            .post("/api/admin/webhooks/create", &fields)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(error_of(&r), AppError::Forbidden);
        let r = person.client.post("/api/admin/webhooks", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let page = person.client.page("/admin/webhooks").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(
            !page.body.contains("href=\"/admin/webhooks\""),
            "not in the menu"
        );
    }
    assert!(events(&w, "webhook.created").await.is_empty());

    // Olive is told; Audrey is not.
    send_notice(
        &w,
        notice(vec![UserId(olive.id()), UserId(olive.id())], "k1"),
    )
    .await;
    let mine: NotificationPage = olive.client.call("/api/notifications", &[]).await;
    assert_eq!(mine.rows.len(), 1, "each user once");
    assert_eq!(mine.unread, 1);
    assert!(mine.rows[0].unread);
    assert_eq!(mine.rows[0].link, "/exceptions/e-1");
    let theirs: NotificationPage = audrey.client.call("/api/notifications", &[]).await;
    assert!(theirs.rows.is_empty());
    assert_eq!(
        audrey
            .client
            .call::<u64>("/api/notifications/unread", &[])
            .await,
        0
    );

    // The header counts them; the page shows the text as text and links to the subject.
    let page = olive.client.page("/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Notifications (1)"), "{}", page.body);
    assert!(
        page.body.contains("&lt;b&gt;Payroll&lt;/b&gt;"),
        "text, not HTML"
    );
    assert!(page.body.contains("href=\"/exceptions/e-1\""));
    assert!(page.body.contains("Mark all as read"));
    // Streamed pages too carry the count in their HTML (without JavaScript).
    let home = olive.client.page("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let count_at = home.body.find("Notifications (1)").expect("the count");
    let main_at = home.body.find("id=\"main\"").expect("the main content");
    assert!(count_at < main_at, "in the header, in place");

    // Audrey marking "all" read touches only hers (none): no event.
    let marked: u64 = audrey.client.call("/api/notifications/read", &[]).await;
    assert_eq!(marked, 0);
    assert_eq!(
        unread_count(w.state.db.conn(), UserId(olive.id()))
            .await
            .unwrap(),
        1
    );
    assert!(events(&w, "notifications.read").await.is_empty());
    let marked: u64 = olive.client.call("/api/notifications/read", &[]).await;
    assert_eq!(marked, 1);
    assert_eq!(events(&w, "notifications.read").await.len(), 1);
    let page = olive.client.page("/account").await;
    assert!(!page.body.contains("Notifications (1)"));
    assert!(page.body.contains("href=\"/notifications\""));

    // Strangers: pages still render, without the count.
    let stranger = Client::new(&w);
    let home = stranger.page("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("href=\"/notifications\""));
    let r = stranger.page("/notifications").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}
on_each_backend!(
    only_administrators_configure_webhooks_and_people_see_their_own_notifications_on_each_backend,
    only_administrators_configure_webhooks_and_people_see_their_own_notifications
);

async fn the_same_event_key_queues_once_per_webhook(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let (a, _) = create_webhook(&ada.client, "https://a.example.com/hook").await;
    let (b, _) = create_webhook(&ada.client, "https://b.example.com/hook").await;
    let (off, _) = create_webhook(&ada.client, "https://c.example.com/hook").await;
    let r = ada
        .client
        .post(
            "/api/admin/webhooks/status",
            &[("id", &off.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    send_notice(&w, notice(vec![UserId(ada.id())], "exception:e-1:30d")).await;
    send_notice(&w, notice(vec![UserId(ada.id())], "exception:e-1:30d")).await;
    let queued = deliveries(&w).await;
    let mut hooks: Vec<_> = queued.iter().map(|d| d.webhook_id).collect();
    hooks.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(hooks, expected, "once per active webhook");
    assert!(queued.iter().all(|d| d.state == DeliveryState::Pending));

    // Another key is another event.
    send_notice(&w, notice(vec![], "exception:e-1:7d")).await;
    assert_eq!(deliveries(&w).await.len(), 4);

    // A webhook never delivered to can be removed.
    let r = ada
        .client
        .post("/api/admin/webhooks/remove", &[("id", &off.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list: WebhookList = ada.client.call("/api/admin/webhooks", &[]).await;
    assert_eq!(list.webhooks.len(), 2);
    let n = notification::Entity::find()
        .filter(notification::Column::UserId.eq(ada.id()))
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(n.len(), 2, "the in-app list has each notice");
}
on_each_backend!(
    the_same_event_key_queues_once_per_webhook_on_each_backend,
    the_same_event_key_queues_once_per_webhook
);

async fn the_notification_list_is_paged_newest_first(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    let size = app::notifications::model::NOTIFICATIONS_PAGE_SIZE as usize;
    for i in 0..=size {
        w.clock.advance(time::Duration::seconds(1));
        let mut n = notice(vec![UserId(ada.id())], &format!("k{i}"));
        n.text = format!("Notice {i}");
        send_notice(&w, n).await;
    }
    let first: NotificationPage = ada.client.call("/api/notifications", &[]).await;
    assert_eq!(first.rows.len(), size);
    assert_eq!(first.rows[0].text, format!("Notice {size}"), "newest first");
    assert_eq!(first.unread, size as u64 + 1);
    assert!(!first.paged);
    let older = first.older.expect("a further page");
    let second: NotificationPage = ada
        .client
        .call("/api/notifications", &[("before", older.as_str())])
        .await;
    assert_eq!(second.rows.len(), 1);
    assert_eq!(second.rows[0].text, "Notice 0");
    assert!(second.paged && second.older.is_none());
    let page = ada
        .client
        .page(&format!(
            "/notifications?before={}",
            app::components::encode_component(&older)
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Notice 0") && !page.body.contains("Notice 1<"));
    assert!(page.body.contains("Newest notifications"));
}
on_each_backend!(
    the_notification_list_is_paged_newest_first_on_each_backend,
    the_notification_list_is_paged_newest_first
);

async fn an_unreachable_receiver_is_recorded_without_its_address(db: &TestDb) {
    let w = World::new(db).await;
    let ada = first_admin(&w, "ada").await;
    // A port nobody listens on any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}/hook?token=receiver-token");
    let (hook, _) = create_webhook(&ada.client, &url).await;
    send_notice(&w, notice(vec![], "exception:e-9:7d")).await;
    assert_eq!(
        deliver_due(&w.state).await.unwrap(),
        Delivered {
            sent: 0,
            failed: 0,
            retrying: 1
        }
    );
    let detail: WebhookDetail = ada
        .client
        .call("/api/admin/webhooks/detail", &[("id", &hook.to_string())])
        .await;
    let d = &detail.deliveries[0];
    assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 1));
    assert!(d.next_attempt_at.is_some());
    let attempt = &d.attempt_log[0];
    assert_eq!(attempt.status_code, None);
    let error = attempt.error.as_deref().expect("the error is recorded");
    assert!(!error.contains("receiver-token"), "{error}");
}
on_each_backend!(
    an_unreachable_receiver_is_recorded_without_its_address_on_each_backend,
    an_unreachable_receiver_is_recorded_without_its_address
);

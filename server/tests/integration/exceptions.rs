//! Exceptions: an owner asks, a security user who is neither the requester nor an owner decides,
//! the finding is excepted until the expiry re-opens it by itself, every transition is audited,
//! durations and renewals are capped, two decisions at once give one winner, and reminders go
//! out once however many instances run the jobs.

use crate::client::{Person, error_of, events, invited};
use crate::on_each_backend;
use crate::registry::{Decl, org, submitted};
use crate::support::{TestDb, World, config_for};
use app::exceptions::model::{ExceptionDetail, ExceptionState, ExceptionsPage, RequestContext};
use app::findings::model::{ApplicationFindings, FindingState, FindingsPage};
use app::ssr::clock::FixedClock;
use app::ssr::entities::{application_owner, exception_reminder, finding_exception};
use http::StatusCode;
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};
use std::sync::Arc;
use time::Duration;

/// The contractors' fallback on Payroll is a password with an SMS code: a restricted method.
const KEY: &str = "restricted_method/contractors/fallback/password+sms_otp";

async fn findings_of(p: &Person<'_>, app: &str) -> ApplicationFindings {
    p.client
        .call("/api/findings/application", &[("id", app)])
        .await
}

/// Payroll (owned by alice) declared with the restricted fallback.
async fn payroll_with_sms(o: &crate::registry::Org<'_>) {
    let d = Decl::default()
        .full("office_employees")
        .full("contractors")
        .without("p[contractors][fallback]")
        .methods("contractors", "fallback", &["password+sms_otp"]);
    submitted(&o.alice, &o.payroll, &d).await;
}

fn day(w: &World, days: i64) -> String {
    (w.state.now().date() + Duration::days(days)).to_string()
}

async fn ask(p: &Person<'_>, app: &str, key: &str, until: &str) -> crate::support::Reply {
    p.client
        .post(
            "/api/exceptions/request",
            &[
                ("input[application]", app),
                ("input[finding]", key),
                (
                    "input[justification]",
                    "The vendor ships FIDO2 for contractors in the spring release.",
                ),
                (
                    "input[compensating_controls]",
                    "SMS sign-ins alert the SOC.",
                ),
                ("input[until]", until),
            ],
        )
        .await
}

async fn asked(p: &Person<'_>, app: &str, key: &str, until: &str) -> String {
    let r = ask(p, app, key, until).await;
    assert_eq!(r.status, StatusCode::OK, "request: {}", r.body);
    serde_json::from_str::<String>(&r.body).unwrap()
}

async fn decide(p: &Person<'_>, id: &str, decision: &str, reason: &str) -> crate::support::Reply {
    p.client
        .post(
            "/api/exceptions/decide",
            &[("id", id), ("decision", decision), ("reason", reason)],
        )
        .await
}

async fn detail(p: &Person<'_>, id: &str) -> ExceptionDetail {
    p.client.call("/api/exceptions/get", &[("id", id)]).await
}

async fn list(p: &Person<'_>, view: &str) -> ExceptionsPage {
    p.client
        .call("/api/exceptions", &[("filter[view]", view)])
        .await
}

async fn stored(w: &World, id: &str) -> finding_exception::Model {
    let id = app::ids::ExceptionId(id.parse().unwrap());
    finding_exception::Entity::find_by_id(id)
        .one(w.state.db.conn())
        .await
        .unwrap()
        .expect("stored")
}

fn row_state(f: &ApplicationFindings, key: &str) -> Option<FindingState> {
    f.open
        .iter()
        .find(|r| r.finding.key == key)
        .map(|r| r.state)
}

async fn open_list(p: &Person<'_>, state: &str) -> FindingsPage {
    p.client
        .call(
            "/api/findings",
            &[
                ("filter[state]", state),
                ("filter[rule]", "restricted_method"),
            ],
        )
        .await
}

async fn an_approved_exception_excepts_its_finding_until_the_clock_reopens_it(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    // Sessions were established at the real time: start twelve days earlier so that they hold
    // when the clock moves on past the exception's expiry.
    w.clock.advance(Duration::days(-12));
    let f = findings_of(&o.alice, &o.payroll).await;
    assert_eq!(
        row_state(&f, KEY),
        Some(FindingState::Open),
        "{:#?}",
        f.open
    );

    // alice owns Payroll: she asks from the finding, for ten days.
    let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 10)).await;
    let d = detail(&o.carol, &id).await;
    assert_eq!(d.summary.state, ExceptionState::Requested);
    assert!(
        d.permitted.decide,
        "carol is security and neither requester nor owner"
    );
    let f = findings_of(&o.alice, &o.payroll).await;
    let row = f.open.iter().find(|r| r.finding.key == KEY).unwrap();
    assert_eq!(
        row.state,
        FindingState::Open,
        "a request excepts nothing yet"
    );
    assert_eq!(
        row.exception.as_ref().unwrap().state,
        ExceptionState::Requested
    );
    assert_eq!(list(&o.carol, "queue").await.total, 1);

    let r = decide(&o.carol, &id, "approve", "Vendor date confirmed.").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = findings_of(&o.alice, &o.payroll).await;
    assert_eq!(row_state(&f, KEY), Some(FindingState::Excepted));
    assert_eq!(
        f.open
            .iter()
            .find(|r| r.finding.key == KEY)
            .unwrap()
            .exception
            .as_ref()
            .unwrap()
            .until,
        day(&w, 10)
    );
    assert_eq!(
        open_list(&o.dave, "open").await.total,
        0,
        "excepted is not open"
    );
    assert_eq!(open_list(&o.dave, "excepted").await.total, 1);
    assert_eq!(
        list(&o.carol, "expiring").await.total,
        1,
        "ten days left: expiring soon"
    );
    let approved = events(&w, "exception.approved").await;
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].actor, format!("user:{}", o.carol.id_string()));

    // The last day passes: the finding is open again with nobody acting.
    w.clock.advance(Duration::days(11));
    let f = findings_of(&o.alice, &o.payroll).await;
    assert_eq!(row_state(&f, KEY), Some(FindingState::Open));
    assert_eq!(open_list(&o.dave, "open").await.total, 1);
    let d = detail(&o.alice, &id).await;
    assert_eq!(d.summary.state, ExceptionState::Expired);
    assert_eq!(
        stored(&w, &id).await.state,
        ExceptionState::Approved,
        "not recorded yet"
    );
    assert_eq!(list(&o.carol, "expired").await.total, 1);

    // The job records it once, however often it runs.
    let swept = app::exceptions::facade::sweep(&w.state, w.state.now())
        .await
        .unwrap();
    assert_eq!(swept.expired, 1);
    let again = app::exceptions::facade::sweep(&w.state, w.state.now())
        .await
        .unwrap();
    assert_eq!(again.expired, 0);
    assert_eq!(events(&w, "exception.expired").await.len(), 1);
    assert_eq!(stored(&w, &id).await.state, ExceptionState::Expired);
    let lapse = exception_reminder::Entity::find_by_id((stored(&w, &id).await.id, 0))
        .one(w.state.db.conn())
        .await
        .unwrap();
    assert!(lapse.is_some(), "the lapse notice went out with the expiry");
}
on_each_backend!(
    an_approved_exception_excepts_its_finding_until_the_clock_reopens_it_on_each_backend,
    an_approved_exception_excepts_its_finding_until_the_clock_reopens_it
);

async fn nobody_decides_their_own_request_or_for_an_application_they_own(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    // sam is security and also owns Payroll; tess is security and owns nothing.
    let sam = invited(&o.admin, "sam", &["security", "owner"]).await;
    let tess = invited(&o.admin, "tess", &["security"]).await;
    application_owner::Entity::insert(application_owner::ActiveModel {
        application_id: Set(app::ids::ApplicationId(o.payroll.parse().unwrap())),
        user_id: Set(sam.user.id),
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .unwrap();

    // carol (security) asks for Payroll's finding herself.
    let id = asked(&o.carol, &o.payroll, KEY, &day(&w, 20)).await;
    for (who, p, why) in [
        ("the requester", &o.carol, "requested"),
        ("an owner who is security", &sam, "own this application"),
    ] {
        let r = decide(p, &id, "approve", "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        let d = detail(p, &id).await;
        assert!(!d.permitted.decide, "{who}");
        assert!(
            d.permitted
                .not_decider_because
                .as_deref()
                .unwrap_or("")
                .contains(why),
            "{who}: {:?}",
            d.permitted.not_decider_because
        );
    }
    // An owner without the security role is not even offered the endpoint.
    let r = decide(&o.alice, &id, "approve", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(stored(&w, &id).await.state, ExceptionState::Requested);
    assert!(events(&w, "exception.approved").await.is_empty());

    let r = decide(&tess, &id, "approve", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = stored(&w, &id).await;
    assert_eq!(e.state, ExceptionState::Approved);
    assert_eq!(e.decided_by, Some(tess.user.id));
}
on_each_backend!(
    nobody_decides_their_own_request_or_for_an_application_they_own_on_each_backend,
    nobody_decides_their_own_request_or_for_an_application_they_own
);

async fn every_transition_is_checked_and_audited(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let until = day(&w, 30);

    // requested → rejected (a reason is needed), then nothing more.
    let a = asked(&o.alice, &o.payroll, KEY, &until).await;
    let r = decide(&o.carol, &a, "reject", "  ").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(error_of(&r).field(), Some("reason"));
    let r = decide(&o.carol, &a, "reject", "Compensating controls too thin.").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (path, fields) in [
        (
            "/api/exceptions/decide",
            vec![("id", a.as_str()), ("decision", "approve")],
        ),
        ("/api/exceptions/withdraw", vec![("id", a.as_str())]),
        (
            "/api/exceptions/revoke",
            vec![("id", a.as_str()), ("reason", "x")],
        ),
    ] {
        let r = o.carol.client.post(path, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{path} on a rejected one: {}",
            r.body
        );
    }

    // requested → withdrawn (by its requester), then not decidable.
    let b = asked(&o.alice, &o.payroll, KEY, &until).await;
    let r = o
        .bob
        .client
        .post("/api/exceptions/withdraw", &[("id", b.as_str())])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "bob owns nothing here: {}",
        r.body
    );
    let r = o
        .alice
        .client
        .post("/api/exceptions/withdraw", &[("id", b.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        decide(&o.carol, &b, "approve", "").await.status,
        StatusCode::CONFLICT
    );

    // requested → approved → revoked: the finding is open again at once.
    let c = asked(&o.alice, &o.payroll, KEY, &until).await;
    let r = o
        .carol
        .client
        .post(
            "/api/exceptions/revoke",
            &[("id", c.as_str()), ("reason", "early")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a request is not revoked: {}",
        r.body
    );
    assert_eq!(
        decide(&o.carol, &c, "approve", "").await.status,
        StatusCode::OK
    );
    assert_eq!(
        decide(&o.carol, &c, "reject", "late").await.status,
        StatusCode::CONFLICT
    );
    let r = o
        .alice
        .client
        .post("/api/exceptions/withdraw", &[("id", c.as_str())])
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "an approved one is not withdrawn: {}",
        r.body
    );
    let r = o
        .carol
        .client
        .post(
            "/api/exceptions/revoke",
            &[("id", c.as_str()), ("reason", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a revocation says why: {}",
        r.body
    );
    let r = o
        .carol
        .client
        .post(
            "/api/exceptions/revoke",
            &[("id", c.as_str()), ("reason", "Monitoring switched off.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = findings_of(&o.alice, &o.payroll).await;
    assert_eq!(row_state(&f, KEY), Some(FindingState::Open));

    let d = detail(&o.dave, &c).await;
    assert_eq!(d.summary.state, ExceptionState::Revoked);
    let whats: Vec<&str> = d.history.iter().map(|h| h.what.as_str()).collect();
    assert_eq!(whats.len(), 3, "{whats:?}");
    assert!(
        whats[0].starts_with("Requested")
            && whats[1].starts_with("Approved")
            && whats[2] == "Revoked",
        "{whats:?}"
    );
    assert_eq!(
        d.history[2].reason.as_deref(),
        Some("Monitoring switched off.")
    );
    assert_eq!(d.chain.len(), 3, "every exception on the finding");

    for (action, n) in [
        ("exception.requested", 3),
        ("exception.rejected", 1),
        ("exception.withdrawn", 1),
        ("exception.approved", 1),
        ("exception.revoked", 1),
    ] {
        assert_eq!(events(&w, action).await.len(), n, "{action}");
    }
    let revoked = &events(&w, "exception.revoked").await[0];
    assert_eq!(revoked.actor, format!("user:{}", o.carol.id_string()));
    assert!(
        revoked
            .before
            .as_deref()
            .unwrap_or("")
            .contains("\"approved\"")
    );
    assert!(
        revoked
            .after
            .as_deref()
            .unwrap_or("")
            .contains("Monitoring switched off.")
    );
}
on_each_backend!(
    every_transition_is_checked_and_audited_on_each_backend,
    every_transition_is_checked_and_audited
);

async fn durations_and_renewals_are_capped(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    // Sessions hold until the real time catches up (the lapse below moves the clock on).
    w.clock.advance(Duration::days(-5));
    let f = findings_of(&o.alice, &o.payroll).await;
    let severity = f
        .open
        .iter()
        .find(|r| r.finding.key == KEY)
        .unwrap()
        .finding
        .severity;
    let (_, policy) = app::policy::facade::current(w.state.db.conn())
        .await
        .unwrap();
    let max = i64::from(policy.exceptions.max_days[&severity]);
    let cap = policy.exceptions.renewal_cap as i32;

    let r = ask(&o.alice, &o.payroll, KEY, &day(&w, max + 1)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let e = error_of(&r);
    assert_eq!(e.field(), Some("until"));
    assert!(
        e.to_string().contains(&format!("at most {max} days")),
        "{e}"
    );
    assert_eq!(
        ask(&o.alice, &o.payroll, KEY, &day(&w, -1)).await.status,
        StatusCode::BAD_REQUEST
    );

    // The first exception, then renewals up to the cap; each approved renewal replaces the one
    // before it.
    let mut previous = asked(&o.alice, &o.payroll, KEY, &day(&w, max)).await;
    assert_eq!(
        decide(&o.carol, &previous, "approve", "").await.status,
        StatusCode::OK
    );
    let r = ask(&o.alice, &o.payroll, KEY, &day(&w, 5)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a renewal may be asked while one holds: {}",
        r.body
    );
    let waiting: String = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        ask(&o.alice, &o.payroll, KEY, &day(&w, 5)).await.status,
        StatusCode::CONFLICT,
        "one request waits at a time"
    );
    let e = stored(&w, &waiting).await;
    assert_eq!(
        (e.renewal_number, e.renews_id.map(|i| i.to_string())),
        (1, Some(previous.clone()))
    );
    // A renewal counts from the end of the one it renews.
    let ctx: RequestContext = o
        .alice
        .client
        .call(
            "/api/exceptions/request_form",
            &[("application", &o.payroll), ("finding", KEY)],
        )
        .await;
    assert_eq!(ctx.latest_until, day(&w, 2 * max));
    assert_eq!(
        decide(&o.carol, &waiting, "approve", "").await.status,
        StatusCode::OK
    );
    assert_eq!(stored(&w, &previous).await.state, ExceptionState::Renewed);
    previous = waiting;
    for n in 2..=cap {
        let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 3)).await;
        assert_eq!(stored(&w, &id).await.renewal_number, n);
        assert_eq!(
            decide(&o.carol, &id, "approve", "").await.status,
            StatusCode::OK
        );
        assert_eq!(stored(&w, &previous).await.state, ExceptionState::Renewed);
        previous = id;
    }
    let d = detail(&o.alice, &previous).await;
    assert!(!d.permitted.renew);
    assert!(d.permitted.renew_refused_because.is_some());
    let r = ask(&o.alice, &o.payroll, KEY, &day(&w, 3)).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "past the cap: {}",
        r.body
    );
    assert_eq!(error_of(&r).field(), Some("renewal"));

    // Letting it lapse does not reset the count.
    w.clock.advance(Duration::days(4));
    let r = ask(&o.alice, &o.payroll, KEY, &day(&w, 3)).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "after the lapse too: {}",
        r.body
    );
    assert_eq!(error_of(&r).field(), Some("renewal"));
}
on_each_backend!(
    durations_and_renewals_are_capped_on_each_backend,
    durations_and_renewals_are_capped
);

async fn two_decisions_at_once_give_one_winner(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let tess = invited(&o.admin, "tess", &["security"]).await;
    for round in 0..3 {
        let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 20)).await;
        let (a, b) = tokio::join!(
            decide(&o.carol, &id, "approve", ""),
            decide(&tess, &id, "reject", "Not convincing.")
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}: {} / {}",
            a.body,
            b.body
        );
        let e = stored(&w, &id).await;
        let winner = if a.status == StatusCode::OK {
            &o.carol
        } else {
            &tess
        };
        assert_eq!(e.decided_by, Some(winner.user.id), "round {round}");
        let decided = events(&w, "exception.approved").await.len()
            + events(&w, "exception.rejected").await.len();
        assert_eq!(decided, round + 1, "one event per decision");
        // Clear the way for the next round.
        if e.state == ExceptionState::Approved {
            let r = o
                .carol
                .client
                .post(
                    "/api/exceptions/revoke",
                    &[("id", id.as_str()), ("reason", "next round")],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
}
on_each_backend!(
    two_decisions_at_once_give_one_winner_on_each_backend,
    two_decisions_at_once_give_one_winner
);

async fn reminders_go_out_once_across_two_instances(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    // An active webhook: every event about the exception is queued for it once.
    app::ssr::entities::webhook::Entity::insert(app::ssr::entities::webhook::ActiveModel {
        id: Set(app::ids::WebhookId::new()),
        url: Set("https://hooks.example.com/portal".into()),
        description: Set("SOC".into()),
        secret: Set("00".repeat(32)),
        active: Set(true),
        created_by: Set(None),
        created_at: Set(w.state.now()),
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .unwrap();
    let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 10)).await;
    assert_eq!(
        decide(&o.carol, &id, "approve", "").await.status,
        StatusCode::OK
    );

    // A second instance: its own pool on the same database, its own clock at the same moment.
    let clock2 = FixedClock::at(w.state.now());
    let second = server::build_state_with_clock(config_for(db), Arc::new(clock2.clone()))
        .await
        .expect("second instance");
    assert_ne!(second.instance, w.state.instance);

    // With ten days left the 30-day reminder is due: both instances race for it.
    let (a, b) = tokio::join!(
        app::exceptions::facade::sweep(&w.state, w.state.now()),
        app::exceptions::facade::sweep(&second, second.now())
    );
    assert_eq!(
        a.unwrap().reminders + b.unwrap().reminders,
        1,
        "one of the two sent it"
    );
    // Seven days before the expiry (the next midnight after the last day), the last day, the
    // lapse.
    for (days, threshold) in [(4, 7), (6, 1), (1, 0)] {
        w.clock.advance(Duration::days(days));
        clock2.advance(Duration::days(days));
        let (a, b) = tokio::join!(
            app::exceptions::facade::sweep(&w.state, w.state.now()),
            app::exceptions::facade::sweep(&second, second.now())
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.reminders + b.reminders + a.expired + b.expired,
            1,
            "threshold {threshold}: {a:?} {b:?}"
        );
    }
    let sent: Vec<i32> = exception_reminder::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.threshold)
        .collect();
    let mut sent = sent;
    sent.sort();
    assert_eq!(sent, vec![0, 1, 7, 30]);
    assert_eq!(
        events(&w, "exception.reminded").await.len(),
        4,
        "30, 7, 1 days and the lapse"
    );
    assert_eq!(events(&w, "exception.expired").await.len(), 1);

    // alice asked and owns Payroll: the approval and the four reminders reached her list once
    // each, and the webhook's queue once each.
    use app::ssr::entities::{notification, webhook_delivery};
    use sea_orm::{ColumnTrait, QueryFilter};
    let notes = notification::Entity::find()
        .filter(notification::Column::SubjectId.eq(id.as_str()))
        .all(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(notes.len(), 5, "{notes:#?}");
    assert!(notes.iter().all(|n| n.user_id == o.alice.user.id));
    assert!(
        notes.iter().any(|n| n.text.contains("ends in 7 days")),
        "{notes:#?}"
    );
    assert!(
        notes.iter().any(|n| n.text.contains("lapsed")),
        "{notes:#?}"
    );
    let queued = webhook_delivery::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    let mut keys: Vec<&str> = queued.iter().map(|d| d.event_key.as_str()).collect();
    keys.sort();
    assert_eq!(keys.len(), 5, "{keys:?}");
    keys.dedup();
    assert_eq!(keys.len(), 5, "each event once");

    // The lease: the instance that holds it runs the jobs; the other stands by.
    let first = app::exceptions::facade::run(&w.state).await.unwrap();
    let other = app::exceptions::facade::run(&second).await.unwrap();
    assert!(first.is_some() && other.is_none(), "{first:?} {other:?}");
    second.db.clone().close().await.ok();
}
on_each_backend!(
    reminders_go_out_once_across_two_instances_on_each_backend,
    reminders_go_out_once_across_two_instances
);

async fn auditors_read_everything_owners_their_own_and_nobody_else_changes(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 20)).await;

    // dave (auditor) reads, lists and downloads; changes nothing.
    assert_eq!(detail(&o.dave, &id).await.summary.id.to_string(), id);
    assert_eq!(list(&o.dave, "all").await.total, 1);
    let csv = o
        .dave
        .client
        .page("/api/exceptions/export?format=csv&view=all")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.body.starts_with("id,application_id,application,"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("Payroll") && csv.body.contains(",requested,"),
        "{}",
        csv.body
    );
    let json = o
        .dave
        .client
        .page("/api/exceptions/export?format=json&view=all")
        .await;
    let rows: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    let before = app::ssr::entities::audit_event::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap();
    for (path, fields) in [
        (
            "/api/exceptions/decide",
            vec![("id", id.as_str()), ("decision", "approve")],
        ),
        ("/api/exceptions/withdraw", vec![("id", id.as_str())]),
        (
            "/api/exceptions/revoke",
            vec![("id", id.as_str()), ("reason", "x")],
        ),
        (
            "/api/exceptions/request",
            vec![
                ("input[application]", o.payroll.as_str()),
                ("input[finding]", KEY),
            ],
        ),
    ] {
        let r = o.dave.client.post(path, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "auditor {path}: {}",
            r.body
        );
    }
    let after = app::ssr::entities::audit_event::Entity::find()
        .count(w.state.db.conn())
        .await
        .unwrap();
    assert_eq!(before, after, "nothing changed");

    // bob owns CRM only: he neither sees Payroll's exception nor asks for Payroll's findings.
    let r = o
        .bob
        .client
        .post("/api/exceptions/get", &[("id", id.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(list(&o.bob, "all").await.total, 0);
    assert_eq!(list(&o.bob, "queue").await.total, 0);
    assert_eq!(
        ask(&o.bob, &o.payroll, KEY, &day(&w, 5)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = o.bob.client.page("/api/exceptions/export?format=csv").await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.status
    );
    // alice sees hers.
    assert_eq!(list(&o.alice, "mine").await.total, 1);
}
on_each_backend!(
    auditors_read_everything_owners_their_own_and_nobody_else_changes_on_each_backend,
    auditors_read_everything_owners_their_own_and_nobody_else_changes
);

async fn a_refused_request_comes_back_with_what_was_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let form = format!(
        "/exceptions/new?application={}&finding={}",
        o.payroll,
        app::components::encode_component(KEY)
    );
    let typed = "Because.";
    let r = o
        .alice
        .client
        .post_form(
            "/api/exceptions/request",
            &[
                ("input[application]", &o.payroll),
                ("input[finding]", KEY),
                ("input[justification]", typed),
                (
                    "input[compensating_controls]",
                    "Alerts on every SMS sign-in.",
                ),
                ("input[until]", "2099-01-01"),
            ],
            &form,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let location = r.header("location").to_string();
    assert_eq!(location, form, "back to the form, its address kept");
    let page = o.alice.client.page(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert!(html.contains(">Because.</textarea>"), "{html}");
    assert!(
        html.contains(">Alerts on every SMS sign-in.</textarea>"),
        "{html}"
    );
    assert!(html.contains("value=\"2099-01-01\""), "{html}");
    // Every problem, listed with a link to its field and marked on it.
    assert!(html.contains("href=\"#justification\""), "{html}");
    assert!(html.contains("href=\"#until\""), "{html}");
    assert!(html.contains("id=\"justification-error\""), "{html}");
    assert!(html.contains("id=\"until-error\""), "{html}");
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 2, "{html}");
    // Shown once: the next load is a fresh form.
    let again = o.alice.client.page(&form).await;
    assert!(!again.body.contains(">Because.</textarea>"));
    assert!(!again.body.contains("aria-invalid"));
    // Nothing was requested.
    assert_eq!(
        finding_exception::Entity::find()
            .count(w.state.db.conn())
            .await
            .unwrap(),
        0
    );
}
on_each_backend!(
    a_refused_request_comes_back_with_what_was_typed_on_each_backend,
    a_refused_request_comes_back_with_what_was_typed
);

async fn a_refused_decision_comes_back_with_the_reason_typed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 30)).await;
    let page = format!("/exceptions/{id}");
    // 4,001 characters, one too many: refused, and the whole text comes back in the decision form.
    let reason = format!("{}<b>", "r".repeat(3998));
    let body = serde_urlencoded::to_string([
        ("id", id.as_str()),
        ("reason", reason.as_str()),
        ("decision", "approve"),
    ])
    .unwrap();
    let html = o
        .carol
        .client
        .refused_form("/api/exceptions/decide", body, &page)
        .await;
    let typed = format!("{}<b>", "r".repeat(3998));
    assert!(!html.contains(&typed), "typed text never becomes markup");
    let shown = format!("{}&lt;b&gt;</textarea>", "r".repeat(3998));
    assert!(html.contains(&shown), "typed text, as text");
    assert!(html.contains("id=\"x-reason-error\""), "{html}");
    assert!(
        html.contains("aria-describedby=\"x-reason-error\""),
        "{html}"
    );
    assert_eq!(
        stored(&w, &id).await.state,
        ExceptionState::Requested,
        "nothing decided"
    );
}
on_each_backend!(
    a_refused_decision_comes_back_with_the_reason_typed_on_each_backend,
    a_refused_decision_comes_back_with_the_reason_typed
);

async fn an_exception_whose_deviation_is_fixed_is_no_longer_needed(db: &TestDb) {
    let w = World::new(db).await;
    let o = org(&w).await;
    payroll_with_sms(&o).await;
    let id = asked(&o.alice, &o.payroll, KEY, &day(&w, 20)).await;
    assert_eq!(
        decide(&o.carol, &id, "approve", "").await.status,
        StatusCode::OK
    );
    assert!(!detail(&o.alice, &id).await.summary.no_longer_needed);
    let fixed = Decl::default().full("office_employees").full("contractors");
    submitted(&o.alice, &o.payroll, &fixed).await;
    let d = detail(&o.alice, &id).await;
    assert!(d.summary.no_longer_needed);
    assert_eq!(d.finding_state, "resolved");
    let page = o.carol.client.page(&format!("/exceptions/{id}")).await;
    assert!(page.body.contains("No longer needed"), "the page says so");
}
on_each_backend!(
    an_exception_whose_deviation_is_fixed_is_no_longer_needed_on_each_backend,
    an_exception_whose_deviation_is_fixed_is_no_longer_needed
);

async fn a_generated_estate_has_exceptions_in_every_state(db: &TestDb) {
    let w = World::new(db).await;
    app::transfer::ssr::generate_estate(&w.state, 300, 7)
        .await
        .expect("generated");
    let all = finding_exception::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    let states: std::collections::BTreeSet<&str> = all.iter().map(|e| e.state.as_str()).collect();
    for s in [
        "requested",
        "approved",
        "rejected",
        "withdrawn",
        "revoked",
        "expired",
        "renewed",
    ] {
        assert!(states.contains(s), "{s} missing: {states:?}");
    }
    let owners = application_owner::Entity::find()
        .all(w.state.db.conn())
        .await
        .unwrap();
    for e in &all {
        if let Some(d) = e.decided_by {
            assert_ne!(d, e.requested_by, "nobody decides their own");
            assert!(
                !owners
                    .iter()
                    .any(|o| o.application_id == e.application_id && o.user_id == d),
                "no owner decides"
            );
        }
        let held = (e.expires_at - e.requested_at).whole_days();
        assert!(held >= 0, "{e:?}");
    }
    // Each renewal links to the one it renews, on the same finding.
    let renewals: Vec<_> = all.iter().filter(|e| e.renews_id.is_some()).collect();
    assert!(!renewals.is_empty());
    for r in renewals {
        let old = all
            .iter()
            .find(|e| Some(e.id) == r.renews_id)
            .expect("renewed one");
        assert_eq!(
            (old.application_id, &old.finding_key),
            (r.application_id, &r.finding_key)
        );
        assert_eq!(old.state, ExceptionState::Renewed);
    }
}
on_each_backend!(
    a_generated_estate_has_exceptions_in_every_state_on_each_backend,
    a_generated_estate_has_exceptions_in_every_state
);

/// An exception request stored straight in the database (a fixture for tests about pages).
pub(crate) async fn fixture(w: &World, app: &str, requester: app::ids::UserId) -> String {
    let id = app::ids::ExceptionId::new();
    let now = w.state.now();
    let at = app::exceptions::rules::expires_at(now.date() + Duration::days(10));
    finding_exception::Entity::insert(finding_exception::ActiveModel {
        id: Set(id),
        application_id: Set(app::ids::ApplicationId(app.parse().unwrap())),
        finding_key: Set("restricted_method/office_employees/fallback/sms_otp".into()),
        rule: Set("restricted_method".into()),
        severity: Set(app::vocab::Severity::High),
        state: Set(ExceptionState::Requested),
        justification: Set("A fixture's justification, long enough.".into()),
        compensating_controls: Set("Alerts.".into()),
        expires_at: Set(at),
        requested_by: Set(requester),
        requested_at: Set(now),
        renews_id: Set(None),
        renewal_number: Set(0),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        ended_by: Set(None),
        ended_at: Set(None),
        end_reason: Set(None),
        requested_sort: Set(format!("{}|{id}", app::ssr::clock::format_timestamp(now))),
        expiry_sort: Set(format!("{}|{id}", app::ssr::clock::format_timestamp(at))),
    })
    .exec_without_returning(w.state.db.conn())
    .await
    .unwrap();
    id.to_string()
}

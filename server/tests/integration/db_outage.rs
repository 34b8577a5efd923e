//! PostgreSQL going away while the portal serves: requests are answered 503 with `Retry-After`
//! by the portal itself (not by the request timeout), `/readyz` says not ready, and once the
//! database is back the same portal serves again without a restart. The portal reaches the
//! database through a TCP proxy of the test's own that can cut every connection and refuse new
//! ones. Runs only where `PORTAL_TEST_POSTGRES_URL` is set.

use crate::client::{error_of, first_admin};
use crate::support::{ORIGIN, TestDb, World};
use app::error::AppError;
use app::ssr::clock::FixedClock;
use app::ssr::config::Config;
use http::StatusCode;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use webauthn_authenticator_rs::prelude::Url;

/// A TCP proxy to the database that can go down (every connection cut, new ones refused) and
/// come back on the same port.
struct Proxy {
    port: u16,
    target: String,
    accept: Mutex<Option<JoinHandle<()>>>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Self {
            port: listener.local_addr().unwrap().port(),
            target,
            accept: Mutex::new(None),
            cut: watch::channel(0).0,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let cut = self.cut.subscribe();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                let target = target.clone();
                let mut cut = cut.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Cuts every connection and closes the port (connections are refused).
    async fn down(&self) {
        let task = self.accept.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            task.await.ok();
        }
        self.cut.send_modify(|n| *n += 1);
    }

    /// Listens on the same port again.
    async fn up(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }
}

/// A portal over `database_url` (the proxy), with a request timeout far above the wait for a
/// connection, so that an answer from the timeout would show.
async fn world_over(database_url: &str) -> World {
    let url = database_url.to_string();
    let config = Config::from_lookup(move |name| match name {
        "PORTAL_DATABASE_URL" => Some(url.clone()),
        "PORTAL_PUBLIC_URL" => Some(ORIGIN.into()),
        "PORTAL_REQUEST_TIMEOUT_SECONDS" => Some("120".into()),
        _ => None,
    })
    .expect("test configuration");
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let clock = FixedClock::at(now);
    let state = server::build_state_with_clock(config, Arc::new(clock.clone()))
        .await
        .expect("state");
    let router = server::build_router(state.clone()).expect("a consistent access table");
    World {
        state,
        router,
        clock,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_going_away_is_answered_503_and_the_portal_recovers() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("PORTAL_TEST_POSTGRES_URL is not set: nothing to take away");
        return;
    };
    let mut url = Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    url.set_port(Some(proxy.port)).unwrap();
    let w = world_over(url.as_str()).await;
    let ada = first_admin(&w, "ada").await;
    let overview = || ada.client.post("/api/account/overview", &[]);
    assert_eq!(overview().await.status, StatusCode::OK);
    assert_eq!(w.get("/readyz").await.status, StatusCode::OK);

    proxy.down().await;
    // A signed-in request (its session is read from the database first), a page, a sign-in
    // start: each answered 503 by the portal, with a time to come back.
    let started = std::time::Instant::now();
    let r = overview().await;
    eprintln!("503 after {:?} with the database down", started.elapsed());
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(error_of(&r), AppError::Unavailable, "the portal's answer");
    assert_eq!(
        r.header("retry-after"),
        app::error::BUSY_RETRY_AFTER_SECS.to_string()
    );
    let r = ada.client.page("/account").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(
        r.header("retry-after"),
        app::error::BUSY_RETRY_AFTER_SECS.to_string()
    );
    let r = crate::client::Client::new(&w)
        .post("/api/signin/start", &[("username", "ada")])
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(error_of(&r), AppError::Unavailable);
    let r = w.get("/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(w.get("/healthz").await.status, StatusCode::OK, "alive");

    // Back: the same portal serves the same session again, reads and writes.
    proxy.up().await;
    assert_eq!(w.get("/readyz").await.status, StatusCode::OK);
    assert_eq!(overview().await.status, StatusCode::OK);
    let passkey = crate::client::passkeys_of(&w, ada.id()).await[0].id;
    let r = ada
        .client
        .post(
            "/api/account/passkeys/rename",
            &[("id", &passkey.to_string()), ("name", "After the outage")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    w.state.db.clone().close().await.ok();
    proxy.down().await;
    db.cleanup().await;
}

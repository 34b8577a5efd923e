//! B12, the list pages (see `../shared/design/benchmarks.md` in the design folder and the README's
//! "Benchmarks"): the applications list and the users list over a generated estate, every filter,
//! deep pages and searches, at concurrency 8 for a few seconds each; compared in the same run with
//! the same response bytes served from memory by the same server, behind the same layers (the
//! session, the access table, the security headers), so that the ratio is the page's own cost.
//! Prints a table, writes it to
//! `server/benches/RESULTS.md` and reports the SQL statements each request costs.
//!
//! `make bench` runs it (release build). Options (after `--`): `--apps N` (20000), `--users N`
//! (2000), `--seconds S` (5 per workload), `--connections C` (8), `--postgres` (on the database
//! named by `PORTAL_TEST_POSTGRES_URL` instead of SQLite), `--out FILE`, `--offset-paging` (deep
//! pages of the applications list asked as `?page=N`, as the list was paged before keyset paging,
//! to measure that version).

#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/client.rs"]
mod client;
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/integration/support.rs"]
mod support;

use app::accounts::facade::{NewUser, insert_users};
use app::ids::UserId;
use app::ssr::state::AppState;
use app::vocab::{Role, UserStatus};
use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use support::{TestDb, World};

struct Options {
    apps: usize,
    users: usize,
    seconds: u64,
    connections: usize,
    postgres: bool,
    offset_paging: bool,
    out: String,
}

fn options() -> Options {
    let mut o = Options {
        apps: 20_000,
        users: 2_000,
        seconds: 5,
        connections: 8,
        postgres: false,
        offset_paging: false,
        out: concat!(env!("CARGO_MANIFEST_DIR"), "/benches/RESULTS.md").into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--apps" => o.apps = value().parse().expect("--apps N"),
            "--users" => o.users = value().parse().expect("--users N"),
            "--seconds" => o.seconds = value().parse().expect("--seconds S"),
            "--connections" => o.connections = value().parse().expect("--connections C"),
            "--out" => o.out = value(),
            "--postgres" => o.postgres = true,
            "--offset-paging" => o.offset_paging = true,
            // `cargo bench` passes `--bench`; anything else is a mistake worth stopping for.
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// One workload: a page of a list, as a signed-in administrator asks for it.
struct Workload {
    name: &'static str,
    path: String,
}

/// Latencies and throughput of one run.
struct Run {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

/// `connections` keep-alive HTTP/1.1 connections, each sending the next request as soon as the
/// previous answer is read, for `seconds`: a closed loop, as wrk runs.
async fn load(addr: SocketAddr, path: &str, cookie: &str, connections: usize, seconds: u64) -> Run {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let path = path.to_string();
        let cookie = cookie.to_string();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut sender = None;
            while Instant::now() < deadline {
                // A connection the server closed is opened again (and counted as an error).
                if sender.is_none() {
                    sender = Some(connect(addr).await);
                }
                let Some(conn) = sender.as_mut() else {
                    continue;
                };
                let req = Request::get(&path)
                    .header(header::HOST, "localhost:3000")
                    .header(header::COOKIE, &cookie)
                    .body(Empty::<Bytes>::new())
                    .expect("request");
                let t = Instant::now();
                let answer = async {
                    conn.ready().await?;
                    let res = conn.send_request(req).await?;
                    let ok = res.status() == StatusCode::OK;
                    let body = res.into_body().collect().await?.to_bytes();
                    Ok::<_, hyper::Error>(ok && !body.is_empty())
                }
                .await;
                latencies.push(t.elapsed());
                match answer {
                    Ok(true) => {}
                    Ok(false) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        sender = None;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut run = Run {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run.requests = run.latencies.len();
    run.latencies.sort();
    run
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let db = if o.postgres {
        TestDb::postgres()
            .await
            .expect("--postgres needs PORTAL_TEST_POSTGRES_URL")
    } else {
        TestDb::sqlite()
    };
    let world = World::new(&db).await;
    let admin = client::first_admin(&world, "margaret").await;
    let cookie = format!(
        "{}={}",
        client::COOKIE,
        admin.client.cookie().expect("signed in")
    );

    eprintln!("bench: generating {} applications…", o.apps);
    let t = Instant::now();
    app::transfer::ssr::generate_estate(&world.state, o.apps, 7)
        .await
        .expect("generate");
    eprintln!("bench: generated in {:.1} s", t.elapsed().as_secs_f64());
    let names: Vec<String> = (0..o.users).map(|i| format!("person.{i:05}")).collect();
    let people: Vec<NewUser<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| NewUser {
            id: UserId(uuid::Uuid::new_v4()),
            username: n,
            display_name: n,
            status: if i % 10 == 0 {
                UserStatus::Invited
            } else {
                UserStatus::Active
            },
            roles: if i % 3 == 0 {
                &[Role::Owner]
            } else {
                &[Role::Auditor]
            },
        })
        .collect();
    insert_users(world.state.db.conn(), &people, world.state.now())
        .await
        .expect("users");

    // A name half-way through the estate and one near its end, for deep pages.
    let keys = app_names(&world).await;
    let middle = &keys[keys.len() / 2];
    let late = &keys[keys.len().saturating_sub(60)];
    let pages = keys.len().div_ceil(50);
    let deep = |keyset: String, page: usize| {
        if o.offset_paging {
            format!("/applications?page={page}")
        } else {
            keyset
        }
    };
    let workloads = vec![
        w("applications, first page", "/applications".into()),
        w(
            "applications, page in the middle",
            deep(format!("/applications?after={}", enc(middle)), pages / 2),
        ),
        w(
            "applications, page near the end",
            deep(format!("/applications?after={}", enc(late)), pages),
        ),
        w(
            "applications, previous page from the end",
            deep(
                format!("/applications?before={}", enc(late)),
                pages.saturating_sub(1).max(1),
            ),
        ),
        w(
            "applications, search (common)",
            "/applications?q=pay".into(),
        ),
        w(
            "applications, search (no match)",
            "/applications?q=zzqx".into(),
        ),
        w(
            "applications, criticality filter",
            "/applications?criticality=critical".into(),
        ),
        w(
            "applications, population filter",
            "/applications?population=contractors".into(),
        ),
        w(
            "applications, search + filters",
            "/applications?q=a&criticality=high&integration=federated&status=all".into(),
        ),
        w(
            "applications, archived",
            "/applications?status=archived".into(),
        ),
        w("users, first page", "/admin/users".into()),
        w(
            "users, page in the middle",
            format!("/admin/users?after=person.{:05}", o.users / 2),
        ),
        w("users, search", "/admin/users?q=person.01".into()),
        w(
            "users, role filter",
            "/admin/users?role=owner&status=invited".into(),
        ),
    ];

    // Statements and bytes of each page, asked once in process.
    let mut bodies = Vec::new();
    let mut sizes = Vec::new();
    let mut statements = Vec::new();
    for wl in &workloads {
        let before = world.state.db.statements();
        let reply = admin.client.page(&wl.path).await;
        statements.push(world.state.db.statements() - before);
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}: {}",
            wl.path,
            reply.status
        );
        assert!(
            reply.body.contains("<table") || reply.body.contains("No application matches"),
            "{} renders a list",
            wl.path
        );
        sizes.push(reply.body.len());
        bodies.push(Bytes::from(reply.body));
    }

    // The real router, and behind the same layers (sessions, access table, security headers) the
    // same bytes from memory (`/memory/N`): the comparator costs all but the page's own work.
    let memory: Router<AppState> = Router::new().route(
        "/memory/{n}",
        get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
            let body = bodies[n].clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
        }),
    );
    let router = server::build_router_with(world.state.clone(), memory).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve")
    });

    let mut table = String::new();
    let backend = if o.postgres { "PostgreSQL" } else { "SQLite" };
    writeln!(
        table,
        "| workload | statements | bytes | req/s | p50 ms | p99 ms | memory req/s | memory p99 ms | throughput ratio | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    .ok();
    let mut worst_p99 = Duration::ZERO;
    let mut worst_ratio = f64::MAX;
    for (i, wl) in workloads.iter().enumerate() {
        let real = load(addr, &wl.path, &cookie, o.connections, o.seconds).await;
        let mem = load(
            addr,
            &format!("/memory/{i}"),
            &cookie,
            o.connections,
            o.seconds,
        )
        .await;
        assert_eq!(mem.errors, 0, "the comparator answers {}", wl.name);
        let ratio = real.per_second() / mem.per_second();
        worst_p99 = worst_p99.max(real.percentile(0.99));
        worst_ratio = worst_ratio.min(ratio);
        let line = format!(
            "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {} | {:.2} | {} |",
            wl.name,
            statements[i],
            sizes[i],
            real.per_second(),
            ms(real.percentile(0.5)),
            ms(real.percentile(0.99)),
            mem.per_second(),
            ms(mem.percentile(0.99)),
            ratio,
            real.errors,
        );
        eprintln!("{line}");
        writeln!(table, "{line}").ok();
    }
    let verdict = format!(
        "Worst p99 {} ms (target at most 25 ms); worst throughput ratio to memory {:.2} (target at least 0.10).",
        ms(worst_p99),
        worst_ratio
    );
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let report = format!(
        "# B12: list pages\n\n{} applications, {} users, {backend}, {} connections, {} s per workload, \
         release build, load generator in the same process (2-core machine); commit {commit}; {}.\n\n{table}\n{verdict}\n",
        o.apps,
        o.users,
        o.connections,
        o.seconds,
        time::OffsetDateTime::now_utc().date(),
    );
    println!("{report}");
    std::fs::write(&o.out, report).expect("write the results file");
    eprintln!("bench: wrote {}", o.out);
    db.cleanup().await;
}

fn w(name: &'static str, path: String) -> Workload {
    Workload { name, path }
}

fn enc(s: &str) -> String {
    app::components::encode_component(s)
}

/// Every application's name key, in list order.
async fn app_names(world: &World) -> Vec<String> {
    use app::ssr::entities::application;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    application::Entity::find()
        .select_only()
        .column(application::Column::NameKey)
        .order_by_asc(application::Column::NameKey)
        .into_tuple::<String>()
        .all(world.state.db.conn())
        .await
        .expect("names")
}

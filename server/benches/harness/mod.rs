//! What the page benchmarks share (`lists.rs`, `findings.rs`): the closed-loop load generator on
//! loopback, the real router with the same bytes served from memory as the comparator, and the
//! table of one run per workload beside its comparator.
//!
//! A folder module (`harness/mod.rs`), so that cargo does not take it for a benchmark of its own.

use app::ssr::state::AppState;
use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// One workload: a page, as a signed-in user asks for it.
pub struct Workload {
    pub name: String,
    pub path: String,
}

pub fn w(name: impl Into<String>, path: String) -> Workload {
    Workload {
        name: name.into(),
        path,
    }
}

/// Latencies and throughput of one run.
pub struct Run {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
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
pub async fn load(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> Run {
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

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The real router on a loopback port and, behind the same layers (sessions, access table,
/// security headers), `bodies[n]` served from memory at `/memory/n`: the comparator costs all but
/// the page's own work.
pub async fn serve(state: AppState, bodies: Vec<Bytes>) -> SocketAddr {
    let memory: Router<AppState> = Router::new().route(
        "/memory/{n}",
        get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
            let body = bodies[n].clone();
            async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
        }),
    );
    let router = server::build_router_with(state, memory).expect("router");
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
    addr
}

/// A table of workloads, each run against the real page and then its bytes from memory.
pub struct Measured {
    pub table: String,
    pub worst_p99: Duration,
    pub worst_ratio: f64,
}

/// Runs each workload (`statements[i]` SQL statements and `sizes[i]` bytes, measured beforehand)
/// and then its comparator (`/memory/i`), printing each line as it comes.
pub async fn measure(
    addr: SocketAddr,
    workloads: &[Workload],
    statements: &[u64],
    sizes: &[usize],
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> Measured {
    let mut table = String::new();
    writeln!(
        table,
        "| workload | statements | bytes | req/s | p50 ms | p99 ms | memory req/s | memory p99 ms | throughput ratio | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    .ok();
    let mut worst_p99 = Duration::ZERO;
    let mut worst_ratio = f64::MAX;
    for (i, wl) in workloads.iter().enumerate() {
        let real = load(addr, &wl.path, cookie, connections, seconds).await;
        let mem = load(addr, &format!("/memory/{i}"), cookie, connections, seconds).await;
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
    Measured {
        table,
        worst_p99,
        worst_ratio,
    }
}

/// The short commit of the work tree (empty when git is not at hand).
pub fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

//! What the page benchmarks share (`lists.rs`, `findings.rs`, `matrix.rs`, `estate.rs`): the
//! closed-loop load generator on loopback (reads and writes), the real router with the same
//! bytes served from memory as the comparator, the options, and the
//! table of one run per workload beside its comparator.
//!
//! A folder module (`harness/mod.rs`), so that cargo does not take it for a benchmark of its own.

#![allow(dead_code)] // each benchmark uses a part of it

use app::ssr::state::AppState;
use axum::Router;
use axum::routing::get;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
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

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

/// One request of a mix: a page read, or a form posted to a server function (a write).
#[derive(Clone, Debug)]
pub struct Call {
    pub path: String,
    /// The form-encoded body of a write; `None` for a read.
    pub form: Option<String>,
}

impl Call {
    pub fn read(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            form: None,
        }
    }

    pub fn write(path: impl Into<String>, form: String) -> Self {
        Self {
            path: path.into(),
            form: Some(form),
        }
    }
}

/// What the server answered, as the load generator judges it.
enum Outcome {
    Ok,
    /// A status other than 200, or an empty body: whether the body names a locked database, and
    /// the status with the start of the body.
    Refused(bool, String),
}

async fn send(conn: &mut Sender, call: &Call, cookie: &str) -> Result<Outcome, hyper::Error> {
    let (status, body) = answer(conn, call, cookie).await?;
    Ok(if status == StatusCode::OK && !body.is_empty() {
        Outcome::Ok
    } else {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
        let lower = text.to_lowercase();
        Outcome::Refused(
            lower.contains("locked") || lower.contains("busy"),
            format!("{} {status}: {text}", call.path),
        )
    })
}

async fn answer(
    conn: &mut Sender,
    call: &Call,
    cookie: &str,
) -> Result<(StatusCode, Bytes), hyper::Error> {
    let builder = Request::builder()
        .uri(&call.path)
        .header(header::HOST, "localhost:3000")
        .header(header::COOKIE, cookie);
    let req = match &call.form {
        None => builder
            .method(http::Method::GET)
            .body(Full::new(Bytes::new())),
        Some(form) => builder
            .method(http::Method::POST)
            .header(header::ORIGIN, "http://localhost:3000")
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(form.clone()))),
    }
    .expect("request");
    conn.ready().await?;
    let res = conn.send_request(req).await?;
    let status = res.status();
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// One call on a connection of its own, which must succeed: the answer's length.
pub async fn once(addr: SocketAddr, call: &Call, cookie: &str) -> usize {
    let mut conn = connect(addr).await;
    let (status, body) = answer(&mut conn, call, cookie).await.expect("an answer");
    assert_eq!(
        status,
        StatusCode::OK,
        "{} answered {status}: {}",
        call.path,
        String::from_utf8_lossy(&body[..body.len().min(500)])
    );
    body.len()
}

/// Reads and writes of one mixed run, measured apart.
pub struct Mixed {
    pub reads: Run,
    pub writes: Run,
    /// Refusals whose answer named a locked or busy database.
    pub locked: usize,
    /// The first refusal: the path, status and the start of the answer.
    pub first_error: Option<String>,
}

/// `connections` keep-alive HTTP/1.1 connections, each sending the next request as soon as the
/// previous answer is read, for `seconds`: a closed loop, as wrk runs. Connection `c` sends
/// `plan(c, i)` as its `i`-th request.
pub async fn load_mix(
    addr: SocketAddr,
    plan: Arc<dyn Fn(usize, usize) -> Call + Send + Sync>,
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> Mixed {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let cookie = cookie.to_string();
        let plan = plan.clone();
        tasks.push(tokio::spawn(async move {
            // (latency, is a write, outcome is an error, names a lock)
            let mut seen: Vec<(Duration, bool, bool, bool)> = Vec::new();
            let mut first_error = None;
            let mut sender = None;
            let mut i = 0;
            while Instant::now() < deadline {
                // A connection the server closed is opened again (and counted as an error).
                if sender.is_none() {
                    sender = Some(connect(addr).await);
                }
                let Some(conn) = sender.as_mut() else {
                    continue;
                };
                let call = plan(c, i);
                i += 1;
                let t = Instant::now();
                let answer = send(conn, &call, &cookie).await;
                let write = call.form.is_some();
                match answer {
                    Ok(Outcome::Ok) => seen.push((t.elapsed(), write, false, false)),
                    Ok(Outcome::Refused(locked, what)) => {
                        seen.push((t.elapsed(), write, true, locked));
                        first_error.get_or_insert(what);
                    }
                    Err(e) => {
                        seen.push((t.elapsed(), write, true, false));
                        first_error.get_or_insert(format!("{}: {e}", call.path));
                        sender = None;
                    }
                }
            }
            (seen, first_error)
        }));
    }
    let empty = || Run {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    let mut mixed = Mixed {
        reads: empty(),
        writes: empty(),
        locked: 0,
        first_error: None,
    };
    for t in tasks {
        let (seen, first_error) = t.await.expect("load task");
        if mixed.first_error.is_none() {
            mixed.first_error = first_error;
        }
        for (latency, write, error, locked) in seen {
            let run = if write {
                &mut mixed.writes
            } else {
                &mut mixed.reads
            };
            run.latencies.push(latency);
            run.errors += usize::from(error);
            mixed.locked += usize::from(locked);
        }
    }
    for run in [&mut mixed.reads, &mut mixed.writes] {
        run.elapsed = started.elapsed();
        run.requests = run.latencies.len();
        run.latencies.sort();
    }
    mixed
}

/// [`load_mix`] with one page read over and over.
pub async fn load(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> Run {
    let call = Call::read(path);
    load_mix(
        addr,
        Arc::new(move |_, _| call.clone()),
        cookie,
        connections,
        seconds,
    )
    .await
    .reads
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
    /// Each workload's name, requests per second and p50.
    pub rows: Vec<(String, f64, Duration)>,
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
    let mut rows = Vec::new();
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
        rows.push((wl.name.clone(), real.per_second(), real.percentile(0.5)));
    }
    Measured {
        table,
        rows,
        worst_p99,
        worst_ratio,
    }
}

/// The session cookie a signed-in person's browser sends.
pub fn cookie(person: &crate::client::Person<'_>) -> String {
    format!(
        "{}={}",
        crate::client::COOKIE,
        person.client.cookie().expect("signed in")
    )
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

/// A benchmark's options (after `--`): `--name value` pairs and switches. Cargo's own `--bench`
/// is ignored; an option the benchmark does not know stops it.
pub struct Args {
    values: std::collections::HashMap<String, String>,
    switches: std::collections::HashSet<String>,
}

impl Args {
    /// Reads the process's arguments: `switches` take no value, `valued` take one.
    pub fn read(switches: &[&str], valued: &[&str]) -> Self {
        let mut args = Self {
            values: Default::default(),
            switches: Default::default(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let name = a.trim_start_matches("--");
            if a == "--bench" {
                continue;
            } else if switches.contains(&name) {
                args.switches.insert(name.to_string());
            } else if valued.contains(&name) {
                let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
                args.values.insert(name.to_string(), v);
            } else {
                panic!("unknown option {a}");
            }
        }
        args
    }

    pub fn switch(&self, name: &str) -> bool {
        self.switches.contains(name)
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }

    /// The option's value parsed, or `default` when it is not given.
    pub fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        self.values.get(name).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("--{name}: cannot read {v:?}"))
        })
    }

    /// The results file: `--out`, or `file` beside the benchmarks.
    pub fn out(&self, file: &str) -> String {
        self.string("out")
            .unwrap_or_else(|| format!("{}/benches/{file}", env!("CARGO_MANIFEST_DIR")))
    }
}

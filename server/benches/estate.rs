//! B6, B9, B10 and B11 (see `benchmarks.md` in the design folder and the README's "Benchmarks"):
//! the import of a generated estate from CSV, all or nothing, against the same rows written one
//! insert at a time (B6; on PostgreSQL too with `--postgres`, B11); then the release server as its
//! own process over that estate: its memory idle and at its peak while the matrix is read and
//! while the whole matrix is exported (B9), and 95 % reads with 5 % writes from 16 clients against
//! the same reads alone (B10). Writes `server/benches/ESTATE.md`.
//!
//! Options (after `--`): `--apps N` (20,000), `--seconds S` (60, B10's runs), `--load-seconds S`
//! (10, B9's run), `--clients C` (16), `--postgres`, `--out FILE`.

#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/client.rs"]
mod client;
mod harness;
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/integration/support.rs"]
mod support;

use app::ssr::entities::{
    app_user, application, application_owner, application_population, application_tag,
    business_unit, declaration_method, declaration_version,
};
use app::transfer::model::Format;
use app::transfer::ssr::{ImportedBy, import, read_file};
use harness::{Call, ms};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryOrder};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{TestDb, World};

struct Options {
    apps: usize,
    seconds: u64,
    load_seconds: u64,
    clients: usize,
    postgres: bool,
    out: String,
}

fn options() -> Options {
    let a = harness::Args::read(
        &["postgres"],
        &["apps", "seconds", "load-seconds", "clients", "out"],
    );
    Options {
        apps: a.get("apps", 20_000),
        seconds: a.get("seconds", 60),
        load_seconds: a.get("load-seconds", 10),
        clients: a.get("clients", 16),
        postgres: a.switch("postgres"),
        out: a.out("ESTATE.md"),
    }
}

/// B6 on one backend: the file imported all or nothing (read, checked, planned and written in
/// one transaction with its audit event and the findings of every application), and the same
/// rows written one INSERT each into an empty database of the same backend.
struct Imported {
    backend: &'static str,
    import: Duration,
    import_statements: u64,
    single: Duration,
    single_rows: usize,
}

async fn import_on(db: TestDb, csv: &[u8], apps: usize) -> Imported {
    let backend = db.label;
    let world = World::new(&db).await;
    let before = world.state.db.statements();
    let t = Instant::now();
    let file = read_file(csv.to_vec(), Format::Csv).await.expect("read");
    let summary = import(&world.state, file, false, ImportedBy::HostOperator)
        .await
        .expect("import")
        .unwrap_or_else(|problems| panic!("the export imports again: {:?}", &problems[..1]));
    let import_time = t.elapsed();
    let import_statements = world.state.db.statements() - before;
    assert_eq!(summary.applications, apps, "every application imported");

    // The comparator: the rows the import wrote, one INSERT each, into an empty database whose
    // business units and accounts are already there.
    let other = match backend {
        "postgres" => TestDb::postgres().await.expect("PostgreSQL"),
        _ => TestDb::sqlite(),
    };
    let target = World::new(&other).await;
    let source = world.state.db.conn();
    let to = target.state.db.conn();
    for u in app_user::Entity::find().all(source).await.expect("users") {
        u.into_active_model().insert(to).await.expect("user");
    }
    for b in business_unit::Entity::find()
        .all(source)
        .await
        .expect("units")
    {
        b.into_active_model().insert(to).await.expect("unit");
    }
    // Identity providers first: applications name them.
    let apps_rows = application::Entity::find()
        .order_by_desc(application::Column::IsIdentityProvider)
        .all(source)
        .await
        .expect("applications");
    let owners = rows::<application_owner::Entity>(source).await;
    let pops = rows::<application_population::Entity>(source).await;
    let tags = rows::<application_tag::Entity>(source).await;
    let versions = rows::<declaration_version::Entity>(source).await;
    let methods = rows::<declaration_method::Entity>(source).await;
    let single_rows =
        apps_rows.len() + owners.len() + pops.len() + tags.len() + versions.len() + methods.len();
    let t = Instant::now();
    let txn = target.state.db.begin_write().await.expect("write");
    one_by_one::<application::Entity>(&txn, apps_rows).await;
    one_by_one::<application_owner::Entity>(&txn, owners).await;
    one_by_one::<application_population::Entity>(&txn, pops).await;
    one_by_one::<application_tag::Entity>(&txn, tags).await;
    one_by_one::<declaration_version::Entity>(&txn, versions).await;
    one_by_one::<declaration_method::Entity>(&txn, methods).await;
    txn.commit().await.expect("commit");
    let single = t.elapsed();
    drop((world, target));
    db.cleanup().await;
    other.cleanup().await;
    Imported {
        backend,
        import: import_time,
        import_statements,
        single,
        single_rows,
    }
}

/// Every row of a table.
async fn rows<E: EntityTrait>(db: &sea_orm::DatabaseConnection) -> Vec<E::Model> {
    E::find().all(db).await.expect("rows")
}

/// Writes rows one INSERT each (the comparator of a batched import).
async fn one_by_one<E: EntityTrait>(txn: &sea_orm::DatabaseTransaction, rows: Vec<E::Model>)
where
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    for r in rows {
        E::insert(r.into_active_model())
            .exec_without_returning(txn)
            .await
            .expect("one row");
    }
}

/// A line of `/proc/PID/status` in MiB (`VmRSS`, `VmHWM`).
fn status_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts the peak (`VmHWM`) of a process again from its present size.
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("clear_refs");
}

/// The release server (`server serve`), as an operator runs it, over `url`; its log goes to
/// `log`.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    async fn start(url: &str, log: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env("PORTAL_DATABASE_URL", url)
            .env("PORTAL_PUBLIC_URL", support::ORIGIN)
            .env("PORTAL_BIND", addr.to_string())
            .env("PORTAL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log file"))
            .spawn()
            .expect("start the server");
        let server = Self { child, addr };
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the server did not listen within a minute; see {}",
            log.display()
        );
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// One page read through the load generator's client: its time and length.
async fn fetch(addr: SocketAddr, path: &str, cookie: &str) -> (Duration, usize) {
    fetch_call(addr, &Call::read(path), cookie).await
}

/// One call on a connection of its own: its time and the answer's length (it must succeed).
async fn fetch_call(addr: SocketAddr, call: &Call, cookie: &str) -> (Duration, usize) {
    let t = Instant::now();
    let n = harness::once(addr, call, cookie).await;
    (t.elapsed(), n)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let source = TestDb::sqlite();
    let world = World::new(&source).await;
    let admin = client::first_admin(&world, "margaret").await;
    let cookie = harness::cookie(&admin);
    eprintln!("bench: generating {} applications…", o.apps);
    app::transfer::ssr::generate_estate(&world.state, o.apps, 7)
        .await
        .expect("generate");
    let csv = app::transfer::ssr::export(&world.state.db, Format::Csv)
        .await
        .expect("export");
    eprintln!("bench: the estate as CSV, {} bytes", csv.len());
    // An owner the writes name (every generated application has one).
    let owner_id = application_owner::Entity::find()
        .one(world.state.db.conn())
        .await
        .expect("owner")
        .expect("an owner")
        .user_id;
    let owner = app_user::Entity::find_by_id(owner_id)
        .one(world.state.db.conn())
        .await
        .expect("user")
        .expect("the owner")
        .username;
    let read_ids: Vec<String> = application::Entity::find()
        .order_by_asc(application::Column::NameKey)
        .all(world.state.db.conn())
        .await
        .expect("applications")
        .into_iter()
        .step_by(97)
        .map(|a| a.id.to_string())
        .collect();

    // B6 (and B11): import on SQLite, and on PostgreSQL when asked.
    let mut imports = Vec::new();
    eprintln!("bench: B6 on SQLite…");
    imports.push(import_on(TestDb::sqlite(), &csv, o.apps).await);
    if o.postgres {
        eprintln!("bench: B6 on PostgreSQL…");
        let pg = TestDb::postgres()
            .await
            .expect("--postgres needs PORTAL_TEST_POSTGRES_URL");
        imports.push(import_on(pg, &csv, o.apps).await);
    }
    // The day's jobs (the findings pass, exceptions' expiries and reminders) are done before the
    // server starts, as on a portal already running: a server's first minute otherwise runs
    // them, and what they change is loaded again in the middle of the measurements.
    app::findings::facade::daily(&world.state)
        .await
        .expect("the daily findings pass");
    app::exceptions::facade::run(&world.state)
        .await
        .expect("the exception jobs");
    // The in-process portal lets go of the database before the server process opens it.
    world.state.db.conn().clone().close().await.ok();
    drop(admin);

    // B9: the release server as its own process over the generated estate.
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("server.log");
    let server = Server::start(&source.url, &log).await;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_start = status_mib(pid, "VmRSS:");
    let (first_matrix, matrix_bytes) = fetch(server.addr, "/matrix", &cookie).await;
    assert!(matrix_bytes > 1000, "the matrix answers");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_loaded = status_mib(pid, "VmRSS:");
    reset_peak(pid);
    let b1 = harness::load(server.addr, "/matrix", &cookie, 8, o.load_seconds).await;
    let peak_b1 = status_mib(pid, "VmHWM:");
    reset_peak(pid);
    let (csv_time, csv_bytes) = fetch(server.addr, "/api/matrix/export", &cookie).await;
    let peak_b3 = status_mib(pid, "VmHWM:");
    let after = status_mib(pid, "VmRSS:");

    // B10: 16 clients, reads only, then 95 % reads and 5 % writes (an application registered).
    let reads: Vec<String> = read_ids
        .iter()
        .flat_map(|id| [format!("/applications/{id}"), "/applications".into()])
        .chain([
            "/matrix".into(),
            "/matrix?page=3".into(),
            "/journeys".into(),
        ])
        .collect();
    let reads = Arc::new(reads);
    let owner_form = owner.clone();
    let run = std::process::id();
    let plan = move |writes: bool| {
        let reads = reads.clone();
        let owner = owner_form.clone();
        Arc::new(move |c: usize, i: usize| {
            if writes && (i + c).is_multiple_of(20) {
                let name = format!("Contention {run} {c}-{i}");
                let form = serde_urlencoded::to_string([
                    ("form[name]", name.as_str()),
                    (
                        "form[description]",
                        "registered by the contention benchmark",
                    ),
                    ("form[business_unit]", ""),
                    ("form[criticality]", "medium"),
                    ("form[integration]", "local"),
                    ("form[lifecycle]", "production"),
                    ("form[provider]", ""),
                    ("form[tags]", "bench"),
                    ("form[populations][office_employees]", "on"),
                    ("form[add_owners]", owner.as_str()),
                ])
                .expect("form");
                Call::write("/api/applications/create", form)
            } else {
                Call::read(reads[(c * 31 + i) % reads.len()].clone())
            }
        }) as Arc<dyn Fn(usize, usize) -> Call + Send + Sync>
    };
    // One write first: the form is one the portal accepts (as a connection the runs do not
    // have, so that its name is not taken again).
    let probe = plan(true)(o.clients.div_ceil(20) * 20, 0);
    assert!(probe.form.is_some());
    let (_, probe_len) = fetch_call(server.addr, &probe, &cookie).await;
    assert!(probe_len > 0, "the contention write is accepted");
    eprintln!("bench: B10 reads only, {} s…", o.seconds);
    let only = harness::load_mix(server.addr, plan(false), &cookie, o.clients, o.seconds).await;
    eprintln!("bench: B10 reads and writes, {} s…", o.seconds);
    let mixed = harness::load_mix(server.addr, plan(true), &cookie, o.clients, o.seconds).await;
    for (run, m) in [("reads only", &only), ("mixed", &mixed)] {
        if let Some(e) = &m.first_error {
            eprintln!("bench: B10 {run}: first refusal: {e}");
        }
    }
    drop(server);
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let locked_in_log = log_text
        .lines()
        .filter(|l| l.contains("database is locked") || l.contains("SQLITE_BUSY"))
        .count();
    source.cleanup().await;

    let mut report = format!(
        "# B6, B9, B10, B11: import, memory, contention, backends\n\n{} applications generated \
         (seed 7), release build, 2-core machine; commit {}; {}.\n\n## B6: import, all or nothing \
         (B11: on each backend)\n\nThe whole estate exported as CSV ({} bytes) and imported into an \
         empty portal: read, checked, planned, written in one transaction with its audit event and \
         every application's findings. The comparator writes the same rows one INSERT each (in one \
         transaction) into an empty database that already holds the business units and accounts.\n\n\
         | backend | import s | statements | single-row inserts s | rows | ratio |\n|---|---:|---:|---:|---:|---:|\n",
        o.apps,
        harness::commit(),
        time::OffsetDateTime::now_utc().date(),
        csv.len(),
    );
    for i in &imports {
        let _ = writeln!(
            report,
            "| {} | {:.2} | {} | {:.2} | {} | {:.2} |",
            i.backend,
            i.import.as_secs_f64(),
            i.import_statements,
            i.single.as_secs_f64(),
            i.single_rows,
            i.import.as_secs_f64() / i.single.as_secs_f64().max(1e-9),
        );
    }
    let _ = writeln!(report, "\nTarget: at most 10 s on SQLite; batched.");
    if let [sqlite, pg] = &imports[..] {
        let _ = writeln!(
            report,
            "\nB11: PostgreSQL / SQLite, import {:.2} (SQLite / PostgreSQL {:.2}); single-row \
             inserts {:.2} ({:.2}).",
            pg.import.as_secs_f64() / sqlite.import.as_secs_f64(),
            sqlite.import.as_secs_f64() / pg.import.as_secs_f64(),
            pg.single.as_secs_f64() / sqlite.single.as_secs_f64(),
            sqlite.single.as_secs_f64() / pg.single.as_secs_f64(),
        );
    }
    let _ = write!(
        report,
        "\n## B9: memory of the server process (SQLite)\n\n`server serve` as its own process over \
         the generated estate (the day's findings pass and exception jobs already done); resident \
         memory from `/proc/PID/status`, the peak reset (`clear_refs`) before each step.\n\n| step | MiB |\n|---|---:|\n\
         | idle, just started | {:.1} |\n| idle, the estate loaded (after the first matrix page, {} ms) | {:.1} |\n\
         | peak during B1 (the matrix's first page, 8 connections, {} s: {:.0} req/s, p99 {} ms) | {:.1} |\n\
         | peak during B3 (the whole matrix as CSV, {} bytes in {} ms) | {:.1} |\n| after | {:.1} |\n\n\
         Targets: idle at most 50 MB, peak at most 250 MB.\n",
        idle_start,
        ms(first_matrix),
        idle_loaded,
        o.load_seconds,
        b1.per_second(),
        ms(b1.percentile(0.99)),
        peak_b1,
        csv_bytes,
        ms(csv_time),
        peak_b3,
        after,
    );
    let _ = write!(
        report,
        "\n## B10: contention on SQLite\n\n{} clients on keep-alive connections for {} s each run, \
         the release server as its own process. Reads: application pages, the applications list, \
         matrix pages and the journeys view. Writes: an application registered (its audit event \
         and findings in the same transaction).\n\n| run | reads | read p50 ms | read p99 ms | \
         writes | write p50 ms | write p99 ms | errors | answers naming a lock |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | reads only | {} | {} | {} | 0 | | | {} | {} |\n\
         | 95 % reads, 5 % writes | {} | {} | {} | {} | {} | {} | {} | {} |\n\n\
         \"database is locked\" in the server's log: {}. Read p99 ratio, mixed / reads only: {:.2}. \
         First refusal: {}.\n\n\
         Targets: zero \"database is locked\" errors; write p99 at most 20 ms.\n",
        o.clients,
        o.seconds,
        only.reads.requests,
        ms(only.reads.percentile(0.5)),
        ms(only.reads.percentile(0.99)),
        only.reads.errors,
        only.locked,
        mixed.reads.requests,
        ms(mixed.reads.percentile(0.5)),
        ms(mixed.reads.percentile(0.99)),
        mixed.writes.requests,
        ms(mixed.writes.percentile(0.5)),
        ms(mixed.writes.percentile(0.99)),
        mixed.reads.errors + mixed.writes.errors,
        mixed.locked,
        locked_in_log,
        mixed.reads.percentile(0.99).as_secs_f64()
            / only.reads.percentile(0.99).as_secs_f64().max(1e-9),
        mixed
            .first_error
            .as_deref()
            .or(only.first_error.as_deref())
            .unwrap_or("none"),
    );
    println!("{report}");
    std::fs::write(&o.out, report).expect("write the results file");
    eprintln!("bench: wrote {}", o.out);
}

//! B1, B2, B3 and B5 (see `../shared/design/benchmarks.md` in the design folder and the README's
//! "Benchmarks"): the consistency matrix, the journeys view and the overview over generated
//! estates of 200, 5,000 and 20,000 applications, compared in the same run with the same bytes
//! served from memory by the same server (B1), with the 200-application run (B2), with writing
//! the same CSV rows from memory (B3); the fragmentation figures as a pure function (B5). Writes
//! `server/benches/MATRIX.md`.
//!
//! Options (after `--`): `--sizes 200,5000,20000`, `--seconds S` (3 per workload),
//! `--connections C` (8), `--postgres` (every size on PostgreSQL too, and B11: the ratio of the
//! two backends), `--out FILE`.

#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/client.rs"]
mod client;
mod harness;
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/integration/support.rs"]
mod support;

use app::matrix::model::MatrixFilter;
use bytes::Bytes;
use harness::{ms, w};
use http::StatusCode;
use std::fmt::Write as _;
use std::time::{Duration, Instant};
use support::{TestDb, World};

struct Options {
    sizes: Vec<usize>,
    seconds: u64,
    connections: usize,
    postgres: bool,
    out: String,
}

fn options() -> Options {
    let a = harness::Args::read(&["postgres"], &["sizes", "seconds", "connections", "out"]);
    Options {
        sizes: a.string("sizes").map_or(vec![200, 5_000, 20_000], |s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("--sizes 200,5000"))
                .collect()
        }),
        seconds: a.get("seconds", 3),
        connections: a.get("connections", 8),
        postgres: a.switch("postgres"),
        out: a.out("MATRIX.md"),
    }
}

/// The peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct SizeRun {
    apps: usize,
    /// Each workload's first request after the estate was loaded (it computes the filter's view).
    first: Vec<(String, Duration)>,
    backend: &'static str,
    rows: Vec<(String, f64, Duration)>,
    table: String,
    first_p50: Duration,
    worst_p99: Duration,
    worst_ratio: f64,
    statements: Vec<u64>,
    load: Duration,
    load_statements: u64,
    csv: Option<(Duration, Duration, usize, f64)>,
    figures: Duration,
}

async fn run_size(o: &Options, apps: usize, postgres: bool) -> SizeRun {
    let db = if postgres {
        TestDb::postgres()
            .await
            .expect("--postgres needs PORTAL_TEST_POSTGRES_URL")
    } else {
        TestDb::sqlite()
    };
    let world = World::new(&db).await;
    let admin = client::first_admin(&world, "margaret").await;
    let cookie = harness::cookie(&admin);
    eprintln!("bench: generating {apps} applications…");
    let t = Instant::now();
    app::transfer::ssr::generate_estate(&world.state, apps, 7)
        .await
        .expect("generate");
    eprintln!("bench: generated in {:.1} s", t.elapsed().as_secs_f64());

    // Loading the estate after a change: once per change per instance.
    let before = world.state.db.statements();
    let t = Instant::now();
    let estate = app::matrix::facade::current_estate(&world.state)
        .await
        .expect("estate");
    let load = t.elapsed();
    let load_statements = world.state.db.statements() - before;

    // B5: the fragmentation figures of the whole estate, the pure function (median of 21).
    let all: Vec<&app::matrix::facade::Entry> = estate.entries.iter().map(|e| e.as_ref()).collect();
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(app::matrix::facade::fragmentation(&all, None));
            t.elapsed()
        })
        .collect();
    times.sort();
    let figures = times[times.len() / 2];

    let middle = (apps / app::matrix::model::MATRIX_PAGE / 2).max(1);
    let workloads = vec![
        w("matrix, first page", "/matrix".into()),
        w(
            "matrix, page in the middle",
            format!("/matrix?page={middle}"),
        ),
        w(
            "matrix, criticality + population",
            "/matrix?criticality=high&population=contractors".into(),
        ),
        w(
            "matrix, method in a role",
            "/matrix?method=sms_otp&role=fallback".into(),
        ),
        w(
            "matrix, open deviations, weakest first",
            "/matrix?state=open&sort=assurance".into(),
        ),
        w("journeys", "/journeys".into()),
        w("overview (dashboards)", "/".into()),
    ];
    let mut bodies = Vec::new();
    let mut sizes = Vec::new();
    let mut statements = Vec::new();
    let mut first = Vec::new();
    for wl in &workloads {
        let before = world.state.db.statements();
        let t = Instant::now();
        let reply = admin.client.page(&wl.path).await;
        first.push(t.elapsed());
        statements.push(world.state.db.statements() - before);
        assert_eq!(reply.status, StatusCode::OK, "{}", wl.path);
        sizes.push(reply.body.len());
        bodies.push(Bytes::from(reply.body));
    }
    let addr = harness::serve(world.state.clone(), bodies).await;
    let harness::Measured {
        table,
        rows,
        worst_p99,
        worst_ratio,
    } = harness::measure(
        addr,
        &workloads,
        &statements,
        &sizes,
        &cookie,
        o.connections,
        o.seconds,
    )
    .await;
    let first_p50 = parse_first_p50(&table);

    // B3: the whole matrix as CSV through the router, against the same rows written from memory.
    let csv = if apps >= 20_000 || apps == *o.sizes.iter().max().unwrap_or(&apps) {
        let peak_before = peak_mib();
        let t = Instant::now();
        let reply = admin.client.page("/api/matrix/export").await;
        let through = t.elapsed();
        assert_eq!(reply.status, StatusCode::OK);
        let rows = reply.body.lines().count();
        let peak_after = peak_mib();
        let filter = MatrixFilter::default();
        let t = Instant::now();
        let mut written = 0usize;
        for piece in app::matrix::facade::csv_pieces(estate.estate.clone(), &filter, None) {
            written += piece.expect("csv").len();
        }
        let memory = t.elapsed();
        assert!(written > 0);
        Some((through, memory, rows, peak_after - peak_before))
    } else {
        None
    };
    drop(estate);
    let db_label = if postgres { "PostgreSQL" } else { "SQLite" };
    db.cleanup().await;
    SizeRun {
        apps,
        first: workloads
            .iter()
            .map(|w| w.name.clone())
            .zip(first)
            .collect(),
        backend: db_label,
        rows,
        table,
        first_p50,
        worst_p99,
        worst_ratio,
        statements,
        load,
        load_statements,
        csv,
        figures,
    }
}

/// The p50 of the table's first row (the matrix's first page).
fn parse_first_p50(table: &str) -> Duration {
    table
        .lines()
        .find(|l| l.starts_with("| matrix, first page"))
        .and_then(|l| l.split('|').nth(5))
        .and_then(|c| c.trim().parse::<f64>().ok())
        .map_or(Duration::ZERO, |ms| Duration::from_secs_f64(ms / 1000.0))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let mut runs = Vec::new();
    for apps in o.sizes.clone() {
        runs.push(run_size(&o, apps, false).await);
        if o.postgres {
            runs.push(run_size(&o, apps, true).await);
        }
    }
    let backends = if o.postgres {
        "SQLite and PostgreSQL"
    } else {
        "SQLite"
    };
    let mut report = format!(
        "# B1, B2, B3, B5: the matrix, journeys and overview\n\n{backends}, {} connections, {} s per \
         workload, release build, load generator in the same process (2-core machine); commit {}; {}.\n",
        o.connections,
        o.seconds,
        harness::commit(),
        time::OffsetDateTime::now_utc().date(),
    );
    for r in &runs {
        let _ = write!(
            report,
            "\n## {} applications, {}\n\nLoading the estate after a change: {} ms, {} statements (once per \
             change per instance). B5, the fragmentation figures of the whole estate (pure function, \
             median of 21): {} ms.\n\n{}\nWorst p99 {} ms (B1 target at most 25 ms at 5,000); worst \
             throughput ratio to memory {:.2} (target at least 0.33).\n",
            r.apps,
            r.backend,
            ms(r.load),
            r.load_statements,
            ms(r.figures),
            r.table,
            ms(r.worst_p99),
            r.worst_ratio,
        );
        let firsts: Vec<String> = r
            .first
            .iter()
            .map(|(name, t)| format!("{name} {} ms", ms(*t)))
            .collect();
        let _ = writeln!(
            report,
            "\nThe first request of each workload after the estate was loaded (it computes the \
             filter's rows and figures, kept until the next change): {}.",
            firsts.join("; ")
        );
        if let Some((through, memory, rows, grew)) = r.csv {
            let _ = write!(
                report,
                "\nB3, the whole matrix as CSV ({rows} lines): {} ms through the router, {} ms writing \
                 the same rows from memory (ratio {:.2}); peak memory grew by {grew:.1} MiB during the \
                 download (target at most 1 s; flat).\n",
                ms(through),
                ms(memory),
                through.as_secs_f64() / memory.as_secs_f64().max(1e-9),
            );
        }
    }
    for backend in ["SQLite", "PostgreSQL"] {
        let mine: Vec<&SizeRun> = runs.iter().filter(|r| r.backend == backend).collect();
        let Some(base) = mine.first() else {
            continue;
        };
        let _ = writeln!(
            report,
            "\n## B2: scaling, {backend}\n\n| applications | matrix first page p50 ms | ratio to {} | statements per page (each workload) |\n|---:|---:|---:|---|",
            base.apps
        );
        for r in &mine {
            let _ = writeln!(
                report,
                "| {} | {} | {:.2} | {:?} |",
                r.apps,
                ms(r.first_p50),
                r.first_p50.as_secs_f64() / base.first_p50.as_secs_f64().max(1e-9),
                r.statements
            );
        }
        let _ = writeln!(
            report,
            "\nTargets: p50 ratio at most 1.5; statements per request constant and at most 6."
        );
    }
    if o.postgres {
        let _ = writeln!(
            report,
            "\n## B11: PostgreSQL against SQLite (B1's workloads)\n\n| applications | workload | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | SQLite / PostgreSQL | p50 ms SQLite | p50 ms PostgreSQL |\n|---:|---|---:|---:|---:|---:|---:|---:|"
        );
        for pair in runs.chunks(2) {
            let [lite, pg] = pair else { continue };
            for ((name, lite_rate, lite_p50), (_, pg_rate, pg_p50)) in
                lite.rows.iter().zip(&pg.rows)
            {
                let _ = writeln!(
                    report,
                    "| {} | {name} | {lite_rate:.0} | {pg_rate:.0} | {:.2} | {:.2} | {} | {} |",
                    lite.apps,
                    pg_rate / lite_rate.max(1e-9),
                    lite_rate / pg_rate.max(1e-9),
                    ms(*lite_p50),
                    ms(*pg_p50),
                );
            }
        }
    }
    println!("{report}");
    std::fs::write(&o.out, report).expect("write the results file");
    eprintln!("bench: wrote {}", o.out);
}

//! The findings engine at estate scale (issue 9; B4 and B12 in the design's `benchmarks.md`, see
//! the README's "Benchmarks"), in three parts over generated estates:
//!
//! a. the pure findings function (`findings::rules::evaluate`) over every application of an
//!    estate of N (20,000) and of N/4 (5,000) applications, its inputs read back from the
//!    generated database once (as the judge reads them: the policy in force, the catalogue, each
//!    application's facts, latest declaration and provider's declaration), so that only the
//!    evaluation loop is timed; the median of several runs, and the ratio of the two sizes
//!    (linear: 4);
//! b. the full recomputation after a policy change: a changed policy version recorded and every
//!    application judged again in one write transaction, as saving the policy does; its time and
//!    SQL statements, beside the pure function's time at the same size;
//! c. the findings list (`/findings`): first and deep pages, every filter, resolved findings, at
//!    concurrency 8 for a few seconds each, beside the same bytes served from memory by the same
//!    server (as `lists.rs`), with the SQL statements each request costs.
//!
//! Writes its tables to `server/benches/FINDINGS.md`, in a section per backend (a run on SQLite
//! leaves the PostgreSQL section as it was, and the other way round).
//!
//! `make bench` runs it (release build). Options (after `--`): `--apps N` (20000; the comparison
//! size is N/4 unless `--small N`), `--runs R` (9 runs of the pure function per size),
//! `--recomputes R` (3 policy changes), `--seconds S` (5 per page workload), `--connections C`
//! (8), `--postgres` (on a database created through `PORTAL_TEST_POSTGRES_URL` instead of
//! SQLite), `--out FILE`, `--note TEXT` (a line about the machine for the results), `--skip-pages`
//! (parts a and b only), `--keep-db FILE` (SQLite: a copy of the 20,000-application database
//! as the pages were measured, to study a plan with `sqlite3`), `--analyze` (`ANALYZE` after
//! generating and again before the pages, as PostgreSQL's autovacuum would in time; without it
//! the statistics are what the portal leaves: on SQLite it analyses after generating, on
//! PostgreSQL it leaves that to autovacuum).

#[allow(dead_code, unused_imports)]
#[path = "../tests/integration/client.rs"]
mod client;
mod harness;
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/integration/support.rs"]
mod support;

use app::audit::facade::Actor;
use app::findings::rules::{Facts, evaluate};
use app::findings::ssr::Judge;
use app::ids::ApplicationId;
use app::journey::Declaration;
use app::policy::model::Policy;
use app::ssr::derived::Changed;
use app::ssr::entities::{
    application, application_population, business_unit, declaration_version, finding, population,
};
use app::ssr::parallel::map_on_threads;
use app::vocab::{Criticality, Severity};
use bytes::Bytes;
use harness::{Workload, ms, w};
use http::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{TestDb, World};

struct Options {
    apps: usize,
    small: Option<usize>,
    runs: usize,
    recomputes: usize,
    seconds: u64,
    connections: usize,
    postgres: bool,
    skip_pages: bool,
    keep_db: Option<String>,
    analyze: bool,
    note: String,
    out: String,
}

fn options() -> Options {
    let a = harness::Args::read(
        &["postgres", "skip-pages", "analyze"],
        &[
            "apps",
            "small",
            "runs",
            "recomputes",
            "seconds",
            "connections",
            "out",
            "note",
            "keep-db",
        ],
    );
    let o = Options {
        apps: a.get("apps", 20_000),
        small: a.string("small").map(|v| v.parse().expect("--small N")),
        runs: a.get("runs", 9),
        recomputes: a.get("recomputes", 3),
        seconds: a.get("seconds", 5),
        connections: a.get("connections", 8),
        postgres: a.switch("postgres"),
        skip_pages: a.switch("skip-pages"),
        keep_db: a.string("keep-db"),
        analyze: a.switch("analyze"),
        note: a.string("note").unwrap_or_default(),
        out: a.out("FINDINGS.md"),
    };
    assert!(
        o.runs > 0 && o.recomputes > 0,
        "--runs and --recomputes: 1 or more"
    );
    o
}

async fn database(postgres: bool) -> TestDb {
    if postgres {
        TestDb::postgres()
            .await
            .expect("--postgres needs PORTAL_TEST_POSTGRES_URL")
    } else {
        TestDb::sqlite()
    }
}

/// A fresh portal over a fresh database, filled by the generator (seed 7, as `lists.rs`).
async fn estate(postgres: bool, apps: usize) -> (TestDb, World) {
    let db = database(postgres).await;
    let world = World::new(&db).await;
    eprintln!("bench: generating {apps} applications…");
    let t = Instant::now();
    app::transfer::ssr::generate_estate(&world.state, apps, 7)
        .await
        .expect("generate");
    eprintln!("bench: generated in {:.1} s", t.elapsed().as_secs_f64());
    (db, world)
}

/// Refreshes the planner's statistics (`--analyze`).
async fn analyze(world: &World) {
    world
        .state
        .db
        .conn()
        .execute_unprepared("ANALYZE")
        .await
        .expect("ANALYZE");
}

/// How the statistics stand, in words, for the results.
async fn statistics(world: &World, analyzed: bool) -> String {
    let db = world.state.db.conn();
    let autovacuum = if db.get_database_backend() == DbBackend::Postgres {
        db.query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SHOW autovacuum",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
    } else {
        None
    };
    match (analyzed, autovacuum) {
        (true, _) => "statistics refreshed (`ANALYZE`) after generating and before the pages \
                      (`--analyze`)"
            .into(),
        (false, Some(a)) => format!(
            "statistics as the portal leaves them (`ANALYZE` after generating; this server's \
             autovacuum is `{a}`)"
        ),
        (false, None) => "statistics as the portal leaves them (`ANALYZE` after generating)".into(),
    }
}

// ---- a. The pure function ------------------------------------------------------------------

/// One application as the judge sees it: its facts, and its own and its provider's latest
/// declarations (indexes into `Inputs::declarations`).
struct App {
    criticality: Criticality,
    served: Vec<String>,
    federated: bool,
    archived: bool,
    last_submitted: Option<time::Date>,
    own: Option<usize>,
    provider: Option<usize>,
}

/// Everything `evaluate` reads, for every application of an estate, read once.
struct Inputs {
    judge: Judge,
    declarations: Vec<Declaration>,
    apps: Vec<App>,
    today: time::Date,
}

impl Inputs {
    /// Read back as `findings::ssr::{Judge, Batch}` read them (the policy in force, the
    /// catalogue, each application's served populations in catalogue order, latest versions).
    async fn load(world: &World) -> Self {
        let db = world.state.db.conn();
        let judge = Judge::load(db).await.expect("judge");
        let order: Vec<String> = population::Entity::find()
            .order_by_asc(population::Column::Name)
            .all(db)
            .await
            .expect("populations")
            .into_iter()
            .map(|p| p.key)
            .collect();
        let mut served: HashMap<ApplicationId, Vec<String>> = HashMap::new();
        for p in application_population::Entity::find()
            .all(db)
            .await
            .expect("served populations")
        {
            served
                .entry(p.application_id)
                .or_default()
                .push(p.population_key);
        }
        let mut latest: HashMap<ApplicationId, declaration_version::Model> = HashMap::new();
        for v in declaration_version::Entity::find()
            .all(db)
            .await
            .expect("declaration versions")
        {
            match latest.get(&v.application_id) {
                Some(kept) if kept.version >= v.version => {}
                _ => {
                    latest.insert(v.application_id, v);
                }
            }
        }
        let mut declarations = Vec::new();
        let mut index: HashMap<ApplicationId, (usize, time::Date)> = HashMap::new();
        for (id, v) in latest {
            let d: Declaration = serde_json::from_str(&v.body).expect("a stored declaration");
            index.insert(id, (declarations.len(), v.submitted_at.date()));
            declarations.push(d);
        }
        let apps = application::Entity::find()
            .order_by_asc(application::Column::Id)
            .all(db)
            .await
            .expect("applications")
            .into_iter()
            .map(|a| {
                let keys = served.remove(&a.id).unwrap_or_default();
                App {
                    criticality: a.criticality,
                    served: order.iter().filter(|k| keys.contains(k)).cloned().collect(),
                    federated: a.provider_id.is_some(),
                    archived: a.archived,
                    last_submitted: index.get(&a.id).map(|(_, d)| *d),
                    own: index.get(&a.id).map(|(i, _)| *i),
                    provider: a.provider_id.and_then(|p| index.get(&p)).map(|(i, _)| *i),
                }
            })
            .collect();
        Self {
            judge,
            declarations,
            apps,
            today: world.state.now().date(),
        }
    }

    fn judge(&self, a: &App) -> app::findings::model::Evaluation {
        let facts = Facts {
            criticality: a.criticality,
            served: &a.served,
            federated: a.federated,
            provider_name: None,
            last_submitted: a.last_submitted,
        };
        evaluate(
            &facts,
            a.own.map(|i| &self.declarations[i]),
            a.provider.map(|i| &self.declarations[i]),
            &self.judge.policy,
            &self.judge.catalogue,
            &self.judge.names,
            self.today,
        )
    }

    /// The timed part: every application judged once (archived ones too, although a refresh
    /// leaves them out: the function's cost over N applications) on `threads` threads, split as
    /// the portal's refresh splits a batch. Returns the findings' count.
    fn evaluate_all(&self, threads: usize) -> usize {
        map_on_threads(&self.apps, threads, |a| {
            black_box(self.judge(a)).findings.len()
        })
        .into_iter()
        .sum()
    }

    /// Open findings over the applications a refresh judges (not archived), as stored.
    fn open_findings(&self) -> usize {
        self.apps
            .iter()
            .filter(|a| !a.archived)
            .map(|a| self.judge(a).findings.len())
            .sum()
    }
}

struct Timed {
    threads: usize,
    apps: usize,
    federated: usize,
    archived: usize,
    findings: usize,
    times: Vec<Duration>,
}

impl Timed {
    fn new(inputs: &Inputs, threads: usize) -> Self {
        Self {
            threads,
            apps: inputs.apps.len(),
            federated: inputs.apps.iter().filter(|a| a.federated).count(),
            archived: inputs.apps.iter().filter(|a| a.archived).count(),
            findings: 0,
            times: Vec::new(),
        }
    }

    fn run(&mut self, inputs: &Inputs) {
        let t = Instant::now();
        self.findings = black_box(inputs.evaluate_all(self.threads));
        self.times.push(t.elapsed());
    }

    fn median(&self) -> Duration {
        let mut v = self.times.clone();
        v.sort();
        v[v.len() / 2]
    }

    fn line(&self) -> String {
        let (min, max) = (
            self.times.iter().min().copied().unwrap_or_default(),
            self.times.iter().max().copied().unwrap_or_default(),
        );
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            self.apps,
            self.threads,
            self.federated,
            self.archived,
            self.findings,
            ms(self.median()),
            ms(min),
            ms(max),
            self.median().as_secs_f64() * 1e6 / self.apps.max(1) as f64,
        )
    }
}

// ---- b. Recomputation after a policy change -------------------------------------------------

struct Recompute {
    change: &'static str,
    version: i32,
    elapsed: Duration,
    statements: u64,
    open_before: u64,
    open_after: u64,
    rows_after: u64,
    /// Every statement of the recomputation (its shape) and its time.
    profile: Vec<(String, Duration)>,
}

/// The statements a connection runs, each with its time: a clone of the portal's pool with a
/// metric callback of its own (the pool's own counter does not see them).
type Profile = Arc<Mutex<Vec<(String, Duration)>>>;

fn profiled(world: &World) -> (DatabaseConnection, Profile) {
    let profile: Profile = Arc::default();
    let mut conn = world.state.db.conn().clone();
    let into = profile.clone();
    conn.set_metric_callback(move |info| {
        let entry = (shape_of(&info.statement.sql), info.elapsed);
        into.lock().expect("profile").push(entry);
    });
    (conn, profile)
}

/// A statement without its values: the column list of a SELECT, the rows of an INSERT and the
/// placeholders of an `IN (…)` left out, so that the same statement with other values reads the
/// same.
fn shape_of(sql: &str) -> String {
    let sql = sql.trim();
    if sql.starts_with("INSERT")
        && let Some(i) = sql.find(" (")
    {
        return format!("{} (…) VALUES …", &sql[..i]);
    }
    let mut s = match (sql.starts_with("SELECT "), sql.find(" FROM ")) {
        (true, Some(i)) => format!("SELECT … {}", &sql[i + 1..]),
        _ => sql.to_string(),
    };
    // Parenthesised groups of placeholders only: `(?, ?, ?)` or `($1, $2)`.
    let mut out = String::with_capacity(s.len());
    while let Some(open) = s.find('(') {
        let close = s[open..].find(')').map(|c| open + c);
        let only_placeholders = close.is_some_and(|c| {
            c > open + 1
                && s[open + 1..c]
                    .chars()
                    .all(|ch| matches!(ch, '?' | '$' | ',' | ' ' | '0'..='9'))
        });
        match close {
            Some(c) if only_placeholders => {
                out.push_str(&s[..open]);
                out.push_str("(…)");
                s = s[c + 1..].to_string();
            }
            _ => {
                out.push_str(&s[..=open]);
                s = s[open + 1..].to_string();
            }
        }
    }
    out.push_str(&s);
    out
}

async fn count_open(world: &World) -> (u64, u64) {
    let db = world.state.db.conn();
    let open = finding::Entity::find()
        .filter(finding::Column::ResolvedAt.is_null())
        .count(db)
        .await
        .expect("count");
    let all = finding::Entity::find().count(db).await.expect("count");
    (open, all)
}

/// Records `policy` as the next version and judges every application again, in one write
/// transaction begun as `Db::begin_write` begins it (`BEGIN IMMEDIATE` on SQLite), as
/// `policy::ssr::save_version` does; timed from the transaction's start to its commit.
async fn recompute(world: &World, policy: &Policy, change: &'static str) -> Recompute {
    let (open_before, _) = count_open(world).await;
    let (conn, profile) = profiled(world);
    let state = &world.state;
    let t = Instant::now();
    let options = TransactionOptions {
        sqlite_transaction_mode: (conn.get_database_backend() == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let txn = conn.begin_with_options(options).await.expect("begin");
    let now = state.now();
    let version =
        app::policy::facade::record_version(&txn, policy, change, Actor::HostOperator, now)
            .await
            .expect("record the policy");
    state
        .derived
        .refresh(&txn, Changed::Everything, now)
        .await
        .expect("refresh");
    txn.commit().await.expect("commit");
    let elapsed = t.elapsed();
    let profile = std::mem::take(&mut *profile.lock().expect("profile"));
    let (open_after, rows_after) = count_open(world).await;
    Recompute {
        change,
        version,
        elapsed,
        statements: profile.len() as u64,
        open_before,
        open_after,
        rows_after,
        profile,
    }
}

/// Where a recomputation's time went: its statements by shape, the costliest first.
fn breakdown(profile: &[(String, Duration)], elapsed: Duration, top: usize) -> String {
    let mut by: HashMap<&str, (usize, Duration, Duration)> = HashMap::new();
    for (shape, d) in profile {
        let e = by.entry(shape.as_str()).or_default();
        e.0 += 1;
        e.1 += *d;
        e.2 = e.2.max(*d);
    }
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1.1));
    let total: Duration = profile.iter().map(|(_, d)| *d).sum();
    let mut t = String::from(
        "| statement | count | total ms | max ms | share of the recomputation |\n|---|---:|---:|---:|---:|\n",
    );
    for (shape, (n, sum, max)) in rows.iter().take(top) {
        let mut cell: String = shape.chars().take(220).collect();
        if cell.len() < shape.len() {
            cell.push('…');
        }
        writeln!(
            t,
            "| `{}` | {n} | {} | {} | {:.0} % |",
            cell.replace('|', "\\|"),
            ms(*sum),
            ms(*max),
            100.0 * sum.as_secs_f64() / elapsed.as_secs_f64()
        )
        .ok();
    }
    writeln!(
        t,
        "| all {} statements | {} | {} | | {:.0} % |",
        profile.len(),
        profile.len(),
        ms(total),
        100.0 * total.as_secs_f64() / elapsed.as_secs_f64()
    )
    .ok();
    t
}

// ---- c. The findings list --------------------------------------------------------------------

/// What the stored findings hold, to choose filters that match (and one that never does).
struct Shape {
    open: Vec<String>,
    rules: Vec<(String, usize)>,
    population: String,
    method: String,
    unit: String,
}

async fn shape(world: &World) -> Shape {
    let db = world.state.db.conn();
    let rows: Vec<(String, String, Option<String>, Option<String>)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::SortKey)
        .column(finding::Column::Rule)
        .column(finding::Column::PopulationKey)
        .column(finding::Column::Method)
        .filter(finding::Column::ResolvedAt.is_null())
        .order_by_asc(finding::Column::SortKey)
        .into_tuple()
        .all(db)
        .await
        .expect("findings");
    let mut rules: BTreeMap<String, usize> = app::findings::rules::RULES
        .iter()
        .map(|r| (r.key.to_string(), 0))
        .collect();
    let mut populations: BTreeMap<String, usize> = BTreeMap::new();
    let mut methods: BTreeMap<String, usize> = BTreeMap::new();
    let mut open = Vec::with_capacity(rows.len());
    for (sort_key, rule, population, method) in rows {
        open.push(sort_key);
        *rules.entry(rule).or_default() += 1;
        if let Some(p) = population {
            *populations.entry(p).or_default() += 1;
        }
        for m in method.iter().flat_map(|m| m.split('+')) {
            *methods.entry(m.to_string()).or_default() += 1;
        }
    }
    let commonest = |m: &BTreeMap<String, usize>| {
        m.iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, _)| k.clone())
            .unwrap_or_default()
    };
    let mut rules: Vec<(String, usize)> = rules.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let unit = business_unit::Entity::find()
        .order_by_asc(business_unit::Column::Name)
        .one(db)
        .await
        .expect("units")
        .map(|u| u.name)
        .unwrap_or_default();
    Shape {
        open,
        rules,
        population: commonest(&populations),
        method: commonest(&methods),
        unit,
    }
}

fn enc(s: &str) -> String {
    app::components::encode_component(s)
}

fn workloads(s: &Shape) -> Vec<Workload> {
    let middle = s.open.get(s.open.len() / 2).cloned().unwrap_or_default();
    let mut v = vec![
        w("open, first page", "/findings".into()),
        w(
            "open, page in the middle",
            format!("/findings?after={}", enc(&middle)),
        ),
        w(
            "open, previous page from the middle",
            format!("/findings?before={}", enc(&middle)),
        ),
    ];
    if let Some((rule, n)) = s.rules.first() {
        v.push(w(
            format!("rule filter, commonest ({rule}, {n} open)"),
            format!("/findings?rule={}", enc(rule)),
        ));
    }
    if let Some((rule, n)) = s.rules.iter().rev().find(|(_, n)| *n > 0) {
        v.push(w(
            format!("rule filter, rarest ({rule}, {n} open)"),
            format!("/findings?rule={}", enc(rule)),
        ));
    }
    if let Some((rule, _)) = s.rules.iter().rev().find(|(_, n)| *n == 0) {
        v.push(w(
            format!("rule filter, no match ({rule})"),
            format!("/findings?rule={}", enc(rule)),
        ));
    }
    v.extend([
        w(
            "severity filter (critical)",
            "/findings?severity=critical".into(),
        ),
        w("severity filter (low)", "/findings?severity=low".into()),
        w(
            "criticality filter (critical)",
            "/findings?criticality=critical".into(),
        ),
        w(
            format!("business unit filter ({})", s.unit),
            format!("/findings?unit={}", enc(&s.unit)),
        ),
        w(
            format!("population filter ({})", s.population),
            format!("/findings?population={}", enc(&s.population)),
        ),
        w(
            format!("method filter ({})", s.method),
            format!("/findings?method={}", enc(&s.method)),
        ),
        w(
            "filters combined (high, high criticality, population)",
            format!(
                "/findings?severity=high&criticality=high&population={}",
                enc(&s.population)
            ),
        ),
        w("resolved, first page", "/findings?state=resolved".into()),
    ]);
    v
}

// ---- The run ---------------------------------------------------------------------------------

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu})")
}

/// Replaces this backend's section of the results file (between its markers), keeping the rest.
fn write_results(path: &str, label: &str, section: &str) {
    let (begin, end) = (
        format!("<!-- begin {label} -->"),
        format!("<!-- end {label} -->"),
    );
    let block = format!("{begin}\n{section}\n{end}");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{block}{}", &old[..a], &old[b + end.len()..])
        }
        _ if old.trim().is_empty() => format!(
            "# B4 and B12: the findings engine\n\n\
             Written by `server/benches/findings.rs` (`make bench`), one section per backend; \
             each run replaces its backend's section.\n\n{block}\n"
        ),
        _ => format!("{}\n{block}\n", old.trim_end()),
    };
    std::fs::write(path, new).expect("write the results file");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let small_n = o.small.unwrap_or(o.apps / 4);
    let backend = if o.postgres { "PostgreSQL" } else { "SQLite" };
    let label = if o.postgres { "postgres" } else { "sqlite" };

    // a. The inputs of both sizes, read back from generated databases.
    let (small_db, small_world) = estate(o.postgres, small_n).await;
    let small = Inputs::load(&small_world).await;
    drop(small_world);
    small_db.cleanup().await;
    let (db, world) = estate(o.postgres, o.apps).await;
    if o.analyze {
        analyze(&world).await;
    }
    let stats = statistics(&world, o.analyze).await;
    let large = Inputs::load(&world).await;

    // The inputs are the judge's: judged in memory, they give the findings the generator stored.
    let (stored_open, _) = count_open(&world).await;
    let computed_open = large.open_findings() as u64;
    let agreement = if computed_open == stored_open {
        format!(
            "The inputs agree with the database: {computed_open} open findings judged in memory, as stored."
        )
    } else {
        eprintln!("bench: WARNING {computed_open} open findings in memory, {stored_open} stored");
        format!(
            "**The inputs disagree with the database**: {computed_open} open findings judged in memory, {stored_open} stored."
        )
    };
    eprintln!("bench: {agreement}");

    // Alternated, so that a slow moment of the shared machine falls on both sizes; on one thread
    // (the function's own cost) and on every core, as the portal's refresh runs it.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut one_small, mut one_large) = (Timed::new(&small, 1), Timed::new(&large, 1));
    let (mut t_small, mut t_large) = (Timed::new(&small, cores), Timed::new(&large, cores));
    t_small.run(&small); // warm-up, not kept
    t_small.times.clear();
    for _ in 0..o.runs {
        one_small.run(&small);
        one_large.run(&large);
        t_small.run(&small);
        t_large.run(&large);
    }
    let ratio = t_large.median().as_secs_f64() / t_small.median().as_secs_f64();
    let one_ratio = one_large.median().as_secs_f64() / one_small.median().as_secs_f64();
    let scale = large.apps.len() as f64 / small.apps.len().max(1) as f64;
    let mut part_a = String::new();
    writeln!(
        part_a,
        "| applications | threads | federated | archived | findings | median ms | min ms | max ms | µs per application |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n{}\n{}\n{}\n{}",
        one_small.line(),
        one_large.line(),
        t_small.line(),
        t_large.line()
    )
    .ok();
    let verdict_a = format!(
        "{} applications in {} ms on {cores} threads as the portal runs it (target at most 200 ms), {} ms on one; {} / {} = {:.2} on {cores} threads and {:.2} on one for {:.1} times the applications (linear: {:.1}).",
        large.apps.len(),
        ms(t_large.median()),
        ms(one_large.median()),
        large.apps.len(),
        small.apps.len(),
        ratio,
        one_ratio,
        scale,
        scale
    );
    eprintln!("{part_a}{verdict_a}");
    drop(small);

    // b. Policy changes, in turn: tightened (phishing-resistant primary for medium and low
    // applications, the commonest rule raised to critical), back to the generated standard, and
    // relaxed (plain push approvals allowed again, no phishing-resistant primary asked of high
    // applications): a run of three ends with resolved findings for the list's resolved state,
    // and the severities as generated.
    let (_, standard) = app::policy::facade::current(world.state.db.conn())
        .await
        .expect("policy");
    let s = shape(&world).await;
    let commonest = s.rules.first().map(|(r, _)| r.clone());
    let mut tightened = standard.clone();
    for c in [Criticality::Medium, Criticality::Low] {
        if let Some(r) = tightened.by_criticality.get_mut(&c) {
            r.phishing_resistant_primary = true;
        }
    }
    let mut relaxed = standard.clone();
    relaxed.never.retain(|m| m != "push_plain");
    if let Some(r) = relaxed.by_criticality.get_mut(&Criticality::High) {
        r.phishing_resistant_primary = false;
    }
    if let Some(rule) = &commonest {
        tightened.severity.insert(rule.clone(), Severity::Critical);
    }
    let changes: [(&Policy, &'static str); 3] = [
        (
            &tightened,
            "tightened: phishing-resistant primary for medium and low, commonest rule critical",
        ),
        (&standard, "back to the generated standard"),
        (
            &relaxed,
            "relaxed: plain push allowed, no phishing-resistant primary for high",
        ),
    ];
    let mut recomputes = Vec::new();
    for i in 0..o.recomputes {
        let (policy, change) = changes[i % changes.len()];
        eprintln!("bench: recomputing after a policy change ({change})…");
        let r = recompute(&world, policy, change).await;
        eprintln!("bench: {} ms, {} statements", ms(r.elapsed), r.statements);
        recomputes.push(r);
    }
    let mut part_b = String::from(
        "| policy version | change | ms | statements | open before | open after | finding rows after |\n|---:|---|---:|---:|---:|---:|---:|\n",
    );
    for r in &recomputes {
        writeln!(
            part_b,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.version,
            r.change,
            ms(r.elapsed),
            r.statements,
            r.open_before,
            r.open_after,
            r.rows_after
        )
        .ok();
    }
    let mut by_time: Vec<&Recompute> = recomputes.iter().collect();
    by_time.sort_by_key(|r| r.elapsed);
    let median_run = by_time[by_time.len() / 2];
    let median_b = median_run.elapsed;
    let where_b = format!(
        "Where the time of the median run (policy version {}) went, by statement:\n\n{}",
        median_run.version,
        breakdown(&median_run.profile, median_b, 10)
    );
    let judged = large.apps.iter().filter(|a| !a.archived).count();
    let verdict_b = format!(
        "Median {} ms for {} applications judged ({} not archived of {}), {:.1} times the pure function's {} ms at this size: the rest is reading the inputs and writing the findings and assessments. Statements per recomputation: {}.",
        ms(median_b),
        judged,
        judged,
        large.apps.len(),
        median_b.as_secs_f64() / t_large.median().as_secs_f64(),
        ms(t_large.median()),
        recomputes
            .iter()
            .map(|r| r.statements.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!("{part_b}{verdict_b}\n\n{where_b}");
    drop(large);

    // c. The findings list, after the policy changes (so that resolved findings exist).
    let part_c = if o.skip_pages {
        None
    } else {
        if o.analyze {
            analyze(&world).await;
        }
        let s = shape(&world).await;
        let admin = client::first_admin(&world, "margaret").await;
        let cookie = harness::cookie(&admin);
        let workloads = workloads(&s);
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
                reply.body.contains("<table") || reply.body.contains("No finding matches"),
                "{} renders the list",
                wl.path
            );
            sizes.push(reply.body.len());
            bodies.push(Bytes::from(reply.body));
        }
        let addr = harness::serve(world.state.clone(), bodies).await;
        let m = harness::measure(
            addr,
            &workloads,
            &statements,
            &sizes,
            &cookie,
            o.connections,
            o.seconds,
        )
        .await;
        let verdict = format!(
            "{} open findings ({} finding rows in all). Worst p99 {} ms (target at most 25 ms); worst throughput ratio to memory {:.2} (the list pages' target: at least 0.10); statements per request {}.",
            s.open.len(),
            count_open(&world).await.1,
            ms(m.worst_p99),
            m.worst_ratio,
            {
                let (lo, hi) = (
                    statements.iter().min().copied().unwrap_or(0),
                    statements.iter().max().copied().unwrap_or(0),
                );
                if lo == hi {
                    format!("constant at {lo}")
                } else {
                    format!("from {lo} to {hi}")
                }
            }
        );
        Some((m.table, verdict))
    };

    let mut section = format!(
        "## {backend}\n\n{} applications (and {small_n} for the comparison), generator seed 7, {backend}, {stats}, release build; \
         commit {}; {}; {}, load generator in the same process. {}\n\n\
         ### a. The findings function (B4)\n\n\
         Median of {} runs per size, the two sizes and the thread counts alternated; inputs read \
         back from the generated databases once, only `evaluate` timed, every application once \
         (archived ones too), on one thread and split between the cores as the portal's refresh \
         does (`ssr::parallel::map_on_every_core`).\n\n{part_a}\n{verdict_a} {agreement}\n\n\
         ### b. Full recomputation after a policy change\n\n\
         A policy version recorded and every application judged again in one write transaction \
         (`record_version` + the derived views' refresh with `Changed::Everything`, then commit), \
         timed from `BEGIN` to `COMMIT`; SQL statements counted and timed on the pool.\n\n{part_b}\n{verdict_b}\n\n{where_b}",
        o.apps,
        harness::commit(),
        time::OffsetDateTime::now_utc().date(),
        machine(),
        if o.note.is_empty() {
            "Another build may have shared the 2 cores during the run."
        } else {
            o.note.as_str()
        },
        o.runs,
    );
    if let Some((table, verdict)) = &part_c {
        write!(
            section,
            "\n### c. The findings list, `/findings` (B12)\n\n\
             A signed-in administrator, {} keep-alive connections for {} s per workload, then the \
             same response bytes from memory behind the same layers; statements of one request \
             asked in process.\n\n{table}\n{verdict}\n",
            o.connections, o.seconds
        )
        .ok();
    }
    if let Some(path) = &o.keep_db {
        assert!(!o.postgres, "--keep-db copies a SQLite database");
        std::fs::remove_file(path).ok();
        let into = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
        world
            .state
            .db
            .conn()
            .execute_unprepared(&into)
            .await
            .expect("copy the database");
        eprintln!("bench: kept the database as {path}");
    }
    println!("{section}");
    write_results(&o.out, label, &section);
    eprintln!("bench: wrote {}", o.out);
    drop(world);
    db.cleanup().await;
}

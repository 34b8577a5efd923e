//! B12, the list pages (see `../shared/design/benchmarks.md` in the design folder and the README's
//! "Benchmarks"): the applications, users and exceptions lists over a generated estate, every filter,
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
mod harness;
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "../tests/integration/support.rs"]
mod support;

use app::accounts::facade::{NewUser, insert_users};
use app::ids::UserId;
use app::vocab::{Role, UserStatus};
use bytes::Bytes;
use harness::{ms, w};
use http::StatusCode;
use std::time::Instant;
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
    let a = harness::Args::read(
        &["postgres", "offset-paging"],
        &["apps", "users", "seconds", "connections", "out"],
    );
    Options {
        apps: a.get("apps", 20_000),
        users: a.get("users", 2_000),
        seconds: a.get("seconds", 5),
        connections: a.get("connections", 8),
        postgres: a.switch("postgres"),
        offset_paging: a.switch("offset-paging"),
        out: a.out("RESULTS.md"),
    }
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
    let cookie = harness::cookie(&admin);

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
    let exception_middle = exception_middle(&world).await;
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
        w(
            "exceptions, waiting for a decision",
            "/exceptions?view=queue".into(),
        ),
        w(
            "exceptions, expiring within 30 days",
            "/exceptions?view=expiring".into(),
        ),
        w(
            "exceptions, expired in 30 days",
            "/exceptions?view=expired".into(),
        ),
        w("exceptions, all", "/exceptions?view=all".into()),
        w(
            "exceptions, page in the middle",
            format!("/exceptions?view=all&after={}", enc(&exception_middle)),
        ),
        w(
            "exceptions, state + severity",
            "/exceptions?view=all&state=approved&severity=high".into(),
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
            reply.body.contains("<table")
                || reply.body.contains("No application matches")
                || reply.body.contains("No exception here"),
            "{} renders a list",
            wl.path
        );
        sizes.push(reply.body.len());
        bodies.push(Bytes::from(reply.body));
    }

    // The real router, and behind the same layers (sessions, access table, security headers) the
    // same bytes from memory (`/memory/N`): the comparator costs all but the page's own work.
    let addr = harness::serve(world.state.clone(), bodies).await;

    let backend = if o.postgres { "PostgreSQL" } else { "SQLite" };
    let harness::Measured {
        table,
        worst_p99,
        worst_ratio,
        ..
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
    let verdict = format!(
        "Worst p99 {} ms (target at most 25 ms); worst throughput ratio to memory {:.2} (target at least 0.10).",
        ms(worst_p99),
        worst_ratio
    );
    let commit = harness::commit();
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

/// The sort key half-way through every exception, for a deep page.
async fn exception_middle(world: &World) -> String {
    use app::ssr::entities::finding_exception;
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let keys: Vec<String> = finding_exception::Entity::find()
        .select_only()
        .column(finding_exception::Column::RequestedSort)
        .order_by_asc(finding_exception::Column::RequestedSort)
        .into_tuple::<String>()
        .all(world.state.db.conn())
        .await
        .expect("exceptions");
    eprintln!("bench: {} exceptions", keys.len());
    keys.get(keys.len() / 2).cloned().unwrap_or_default()
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

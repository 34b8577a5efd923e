//! The database: SQLite (embedded default) or PostgreSQL, chosen by URL.
//!
//! SQLite runs in WAL mode with a busy timeout, foreign keys on and `synchronous=FULL`; reads use a
//! pool of several connections and every write transaction starts with `BEGIN IMMEDIATE`, so
//! concurrent writers queue instead of failing with "database is locked".

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, IsolationLevel, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Rows per multi-row INSERT: well under SQLite's bound-parameter limit (32,766) for every table
/// here (at most 13 columns), and large enough that a bulk write is a few hundred statements.
pub const BATCH: usize = 1000;

/// `q` lower-cased, with `%`, `_` and `\` escaped for a `LIKE … ESCAPE '\'` pattern.
fn like_literal(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A `LIKE` pattern that finds `q` anywhere in a lower-cased column (`lower(column) LIKE …`):
/// `%`, `_` and `\` in `q` are literal. The pattern is lower-cased here; SQLite's `lower()`
/// folds ASCII letters only, so on SQLite case is ignored for ASCII letters only.
pub fn contains_pattern(q: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_literal(q))).escape('\\')
}

/// A `LIKE` pattern that finds lower-cased values starting with `q` (`%`, `_`, `\` literal).
pub fn prefix_pattern(q: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(format!("{}%", like_literal(q))).escape('\\')
}

/// How long a request waits for a PostgreSQL connection (opening one included).
pub const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether `err` says the database cannot be reached right now rather than that a statement
/// failed: the pool could not hand out a connection in time or is closed, the connection was
/// refused, broken or lost mid-statement, or the server is shutting down, starting or out of
/// connections. Such a request is answered 503 with `Retry-After`, and works again once the
/// database is back.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_unavailable(e),
        DbErr::Conn(_) => true,
        _ => false,
    }
}

fn sqlx_unavailable(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (class 08), administrator or crash shutdown, cannot
        // connect now (starting or stopping), too many connections.
        Error::Database(e) => e.code().is_some_and(|c| {
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// Operations that must not interleave across instances (values are advisory-lock keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum LockKey {
    Migrations = 7_203_541,
    Bootstrap = 7_203_542,
    /// Adoption figures: ingestions replace whole periods, one at a time.
    Adoption = 7_203_543,
}

/// Connections of the SQLite pool that write transactions use (apart from the readers' pool).
pub const WRITE_CONNECTIONS: u32 = 4;

/// How long a SQLite writer waits for the write lock when nothing else is said.
pub const DEFAULT_WRITE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// Where write transactions ([`Db::begin_write`]) run: on SQLite a small pool of its own, so
    /// that writers queued behind the write lock (a bulk import's write phase) never take every
    /// connection from the reads (pages, session loads); on PostgreSQL the same pool as `conn`.
    writer: DatabaseConnection,
    /// SQL statements executed since start-up, for tests and benchmarks that hold a page to a
    /// fixed number of statements.
    statements: Arc<AtomicU64>,
}

impl Db {
    /// Opens a pool for `url`, creating the SQLite file (and its folder) when missing; a SQLite
    /// writer waits up to [`DEFAULT_WRITE_WAIT`] for the write lock.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        Self::connect_waiting(url, DEFAULT_WRITE_WAIT).await
    }

    /// The same, a SQLite writer waiting at most `write_wait` for the write lock (the busy
    /// timeout) before its transaction fails with "database is locked", which the portal answers
    /// 503 with `Retry-After` ([`crate::error::AppError::Busy`]). The server passes
    /// [`crate::ssr::config::Config::write_wait`], so that a writer gives up before its request
    /// times out.
    pub async fn connect_waiting(url: &str, write_wait: Duration) -> Result<Self, DbErr> {
        let sqlite = url.starts_with("sqlite:");
        if sqlite && let Some(dir) = sqlite_parent_dir(url) {
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        let options = |connections: u32, acquire: Duration| {
            let mut opts = ConnectOptions::new(url.to_owned());
            opts.sqlx_logging(false);
            if sqlite {
                opts.max_connections(connections)
                    .min_connections(1)
                    .acquire_timeout(acquire)
                    .map_sqlx_sqlite_opts(move |o| {
                        o.create_if_missing(true)
                            .journal_mode(SqliteJournalMode::Wal)
                            .synchronous(SqliteSynchronous::Full)
                            .busy_timeout(write_wait)
                            .foreign_keys(true)
                    });
            } else {
                // A request waits at most this long for a connection: when PostgreSQL is gone it
                // is answered 503 (see `is_unavailable`) well within the request timeout, and the
                // pool opens fresh connections by itself once the server answers again (each
                // idle connection is tested before it is handed out).
                opts.max_connections(16)
                    .min_connections(0)
                    .connect_timeout(PG_ACQUIRE_TIMEOUT)
                    .acquire_timeout(PG_ACQUIRE_TIMEOUT)
                    .test_before_acquire(true);
            }
            opts
        };
        let statements = Arc::new(AtomicU64::new(0));
        let counted = |mut conn: DatabaseConnection| {
            let counter = statements.clone();
            conn.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            conn
        };
        let conn = counted(Database::connect(options(8, Duration::from_secs(10))).await?);
        // SQLite takes one writer at a time: a few connections queue for the lock, and a writer
        // that cannot even get one of them within its wait is answered 503 too.
        let writer = if sqlite {
            counted(Database::connect(options(WRITE_CONNECTIONS, write_wait)).await?)
        } else {
            conn.clone()
        };
        Ok(Self {
            conn,
            writer,
            statements,
        })
    }

    /// How many SQL statements this pool has executed (transactions included).
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so the write lock is taken up
    /// front and waits on the busy timeout rather than failing at the first write. When the lock
    /// stays taken past the busy timeout the error is SQLite's "database is locked", which
    /// becomes [`crate::error::AppError::Busy`] (503 with `Retry-After`), never a 500.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.writer.begin_with_options(options).await
    }

    /// Starts a read-only snapshot, for reads that must agree with each other however long they
    /// take (an export read in batches): `REPEATABLE READ READ ONLY` on PostgreSQL; on SQLite a
    /// deferred `BEGIN`, which in WAL mode reads one snapshot from its first read to its end and
    /// never takes the write lock.
    pub async fn begin_read(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = match self.backend() {
            DbBackend::Postgres => TransactionOptions {
                isolation_level: Some(IsolationLevel::RepeatableRead),
                access_mode: Some(AccessMode::ReadOnly),
                ..Default::default()
            },
            _ => TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Deferred),
                ..Default::default()
            },
        };
        self.conn.begin_with_options(options).await
    }

    /// Serialises one kind of operation across every portal instance for the rest of `txn`:
    /// an advisory transaction lock on PostgreSQL; on SQLite the write transaction (`BEGIN
    /// IMMEDIATE`) already excludes every other writer.
    pub async fn serialize<C: ConnectionTrait>(txn: &C, key: LockKey) -> Result<(), DbErr> {
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({})", key as i64))
                .await?;
        }
        Ok(())
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock makes several portal instances
    /// starting at once take turns.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Postgres {
            Migrator::up(&self.conn, None).await?;
            return self.optimize().await;
        }
        // The lock lives as long as this transaction, on a connection of its own; the migrations
        // themselves run on the rest of the pool.
        let guard = self.conn.begin().await?;
        Self::serialize(&guard, LockKey::Migrations).await?;
        let result = Migrator::up(&self.conn, None).await;
        guard.commit().await?;
        result
    }

    /// Lets the query planner know the tables' sizes again (at start-up and after bulk writes):
    /// on SQLite `ANALYZE` (about 70 ms at 20,000 applications). Without statistics SQLite takes
    /// every index for selective, and walks a whole index with a row lookup apiece where reading
    /// the table once is several times faster; `PRAGMA optimize` does not analyse tables that
    /// were never analysed from a fresh connection, hence the full `ANALYZE`. PostgreSQL's
    /// autovacuum analyses by itself, but only a while after the writes (and not at all where
    /// it is turned off); until then the planner takes a freshly filled table for empty and
    /// chose nested loops over 20,000 rows, so bulk writes analyse there too.
    pub async fn optimize(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// Migrations not yet applied (empty when the schema is current).
    pub async fn pending_migrations(&self) -> Result<usize, DbErr> {
        Ok(Migrator::get_pending_migrations(&self.conn).await?.len())
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    pub async fn close(self) -> Result<(), DbErr> {
        if self.backend() == DbBackend::Sqlite {
            self.writer.close().await?;
        }
        self.conn.close().await
    }
}

fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::sqlite_parent_dir;

    #[test]
    fn like_patterns_take_what_people_type_literally() {
        assert_eq!(super::like_literal("Ab%c_d\\e"), "ab\\%c\\_d\\\\e");
        assert_eq!(super::like_literal("ÉVE"), "éve");
    }

    #[test]
    fn sqlite_folder_is_found_in_the_url() {
        assert_eq!(
            sqlite_parent_dir("sqlite://data/portal.db")
                .unwrap()
                .to_str(),
            Some("data")
        );
        assert_eq!(
            sqlite_parent_dir("sqlite:///tmp/x/p.db?mode=rwc")
                .unwrap()
                .to_str(),
            Some("/tmp/x")
        );
        assert!(sqlite_parent_dir("sqlite::memory:").is_none());
        assert!(sqlite_parent_dir("sqlite://portal.db").is_none());
    }
}

//! `server backup` and `server restore`: a consistent copy of the database taken while the
//! portal serves, and putting one back.
//!
//! SQLite: `VACUUM INTO` writes a compact copy of one read snapshot (other connections go on
//! reading and writing meanwhile); restoring checks the copy's audit chain, then replaces the
//! database file. PostgreSQL: `pg_dump --format=custom` (one snapshot, while the portal serves)
//! and `pg_restore --clean --if-exists --single-transaction`, both from the PostgreSQL client
//! tools, which must be on `PATH` (the same major version as the server, or newer).
//!
//! A restore refuses a database that holds accounts or applications unless forced, and verifies
//! the restored audit chain before it reports success.

use app::audit::facade::{ChainStatus, verify_chain};
use app::ssr::db::Db;
use app::ssr::entities::{app_user, application};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} already exists; choose another file or remove it first")]
    Exists(PathBuf),
    #[error(
        "the database already holds {users} account(s) and {applications} application(s); \
         restoring would replace them. Stop the portal and run again with --force to replace it"
    )]
    NotEmpty { users: u64, applications: u64 },
    #[error(
        "{tool} was not found on PATH. Install the PostgreSQL client tools (the same major \
         version as the server, or newer), or run it yourself: {hint}"
    )]
    ToolMissing { tool: &'static str, hint: String },
    #[error("{tool} failed ({status}): {stderr}")]
    ToolFailed {
        tool: &'static str,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("the copy's audit trail is broken at event {seq}: {problem}; nothing was restored")]
    BrokenCopy { seq: i64, problem: String },
    #[error("the restored audit trail is broken at event {seq}: {problem}")]
    BrokenRestore { seq: i64, problem: String },
    #[error("{0}")]
    Unsupported(String),
}

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupDone {
    pub bytes: u64,
}

/// What a restore put back: the restored audit trail, verified.
#[derive(Debug)]
pub struct RestoreDone {
    pub events: i64,
    pub head_hash: String,
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_path_buf();
    move |source| BackupError::File { path, source }
}

/// The file a SQLite URL names (`sqlite://path/to/file.db?mode=rwc` → `path/to/file.db`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Written beside `path` until complete, then renamed over it.
fn partial_of(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Writes a consistent copy of the database at `db_url` (served by `db`) to `out`, which must
/// not exist: complete or not at all.
pub async fn backup(db: &Db, db_url: &str, out: &Path) -> Result<BackupDone, BackupError> {
    if tokio::fs::try_exists(out).await.unwrap_or(false) {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let partial = partial_of(out);
    let _ = tokio::fs::remove_file(&partial).await;
    let written = match db.backend() {
        DbBackend::Sqlite => {
            let target = partial.to_string_lossy().replace('\'', "''");
            db.conn()
                .execute_unprepared(&format!("VACUUM INTO '{target}'"))
                .await
                .map(|_| ())
                .map_err(BackupError::from)
        }
        DbBackend::Postgres => {
            let file = partial.to_string_lossy().into_owned();
            pg_tool(
                "pg_dump",
                db_url,
                &["--format=custom", "--no-owner", "--file", &file],
                format!(
                    "pg_dump --format=custom --no-owner --file {} \"$DATABASE_URL\"",
                    out.display()
                ),
            )
            .await
        }
        other => Err(BackupError::Unsupported(format!("no backup for {other:?}"))),
    };
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(e);
    }
    tokio::fs::rename(&partial, out)
        .await
        .map_err(file_error(out))?;
    let bytes = tokio::fs::metadata(out)
        .await
        .map_err(file_error(out))?
        .len();
    Ok(BackupDone { bytes })
}

/// How many accounts and applications the database holds (none when it has no schema yet).
async fn contents(db: &Db) -> (u64, u64) {
    let users = app_user::Entity::find().count(db.conn()).await.unwrap_or(0);
    let applications = application::Entity::find()
        .count(db.conn())
        .await
        .unwrap_or(0);
    (users, applications)
}

/// Puts the backup `file` into the database at `db_url`. Refused when that database holds
/// accounts or applications, unless `force`. The portal must not be serving that database
/// meanwhile. The restored audit chain is verified.
pub async fn restore(db_url: &str, file: &Path, force: bool) -> Result<RestoreDone, BackupError> {
    if !tokio::fs::try_exists(file)
        .await
        .map_err(file_error(file))?
    {
        return Err(BackupError::File {
            path: file.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    if db_url.starts_with("sqlite:") {
        restore_sqlite(db_url, file, force).await?;
    } else {
        let target = Db::connect(db_url).await?;
        let (users, applications) = contents(&target).await;
        target.close().await?;
        if (users > 0 || applications > 0) && !force {
            return Err(BackupError::NotEmpty {
                users,
                applications,
            });
        }
        let file = file.to_string_lossy().into_owned();
        pg_tool(
            "pg_restore",
            db_url,
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                &file,
            ],
            format!(
                "pg_restore --clean --if-exists --no-owner --single-transaction --dbname \"$DATABASE_URL\" {file}"
            ),
        )
        .await?;
    }
    let restored = Db::connect(db_url).await?;
    let status = verify_chain(restored.conn()).await?;
    restored.close().await?;
    match status {
        ChainStatus::Intact { events, head_hash } => Ok(RestoreDone { events, head_hash }),
        ChainStatus::Broken { seq, problem } => Err(BackupError::BrokenRestore { seq, problem }),
    }
}

async fn restore_sqlite(db_url: &str, file: &Path, force: bool) -> Result<(), BackupError> {
    let path = sqlite_path(db_url)
        .ok_or_else(|| BackupError::Unsupported(format!("{db_url} names no database file")))?;
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        let target = Db::connect(db_url).await?;
        let (users, applications) = contents(&target).await;
        target.close().await?;
        if (users > 0 || applications > 0) && !force {
            return Err(BackupError::NotEmpty {
                users,
                applications,
            });
        }
    } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(file_error(dir))?;
    }
    // The copy goes beside the database and is checked there before it replaces anything.
    let partial = partial_of(&path);
    tokio::fs::copy(file, &partial)
        .await
        .map_err(file_error(&partial))?;
    let checked = async {
        let copy = Db::connect(&format!("sqlite://{}", partial.display())).await?;
        let status = verify_chain(copy.conn()).await;
        copy.close().await?;
        match status? {
            ChainStatus::Intact { .. } => Ok(()),
            ChainStatus::Broken { seq, problem } => Err(BackupError::BrokenCopy { seq, problem }),
        }
    }
    .await;
    if let Err(e) = checked {
        remove_sqlite_files(&partial).await;
        return Err(e);
    }
    // The copy was opened in WAL mode: fold its log in before it moves (closing did), and
    // leave no log of the replaced database behind to be replayed over it.
    remove_sqlite_files(&path).await;
    for suffix in ["-wal", "-shm"] {
        let _ = tokio::fs::remove_file(with_suffix(&partial, suffix)).await;
    }
    tokio::fs::rename(&partial, &path)
        .await
        .map_err(file_error(&path))?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes a SQLite database with its write-ahead log and shared-memory index.
async fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = tokio::fs::remove_file(with_suffix(path, suffix)).await;
    }
}

/// Splits a password out of a PostgreSQL URL, so that it reaches the tool through `PGPASSWORD`
/// rather than its command line (which other users of the host can read).
fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let (authority_end, _) = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '/' | '?'))
        .unwrap_or((rest.len(), ' '));
    let authority = &rest[..authority_end];
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_string(), None);
    };
    (
        format!("{scheme}://{user}@{host}{}", &rest[authority_end..]),
        Some(percent_decode(password)),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client tool against `url` with `args`.
async fn pg_tool(
    tool: &'static str,
    url: &str,
    args: &[&str],
    hint: String,
) -> Result<(), BackupError> {
    let (url, password) = without_password(url);
    let mut command = tokio::process::Command::new(tool);
    command
        .arg("--dbname")
        .arg(&url)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    let output = match command.output().await {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::ToolMissing { tool, hint });
        }
        Err(source) => {
            return Err(BackupError::File {
                path: PathBuf::from(tool),
                source,
            });
        }
    };
    if !output.status.success() {
        return Err(BackupError::ToolFailed {
            tool,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_command_line() {
        assert_eq!(
            without_password("postgres://portal:s%40cret@db:5432/portal?sslmode=require"),
            (
                "postgres://portal@db:5432/portal?sslmode=require".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/x"),
            ("postgres://postgres@127.0.0.1:5432/x".to_string(), None)
        );
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://data/portal.db?mode=rwc"),
            Some(PathBuf::from("data/portal.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/p.db"),
            Some(PathBuf::from("/tmp/p.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}

//! The `server` command line.

use crate::{build_router, build_state};
use app::accounts::facade::{active_admin_exists, issue_bootstrap_link};
use app::audit::facade::ChainStatus;
use app::error::AppError;
use app::evidence::facade::Kind;
use app::session::ssr::DbSessionStore;
use app::session::ssr::guard::AccessTableError;
use app::ssr::config::Config;
use app::ssr::config::ConfigError;
use app::ssr::db::Db;
use app::ssr::state::StartupError;
use app::transfer::model::{Format, listing};
use app::transfer::ssr::{self as transfer, ImportedBy};
use clap::{Parser, Subcommand, ValueEnum};
use migrations::{Migrator, MigratorTrait};
use sea_orm::DbErr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tower_sessions::session_store::ExpiredDeletion;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Passwordless programme governance portal"
)]
pub struct Cli {
    /// Database URL (sqlite://FILE or postgres://…); overrides PORTAL_DATABASE_URL.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply pending migrations, roll back, or list them.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Print a one-time enrolment link (valid one hour) for the first administrator.
    BootstrapAdmin {
        /// Issue a link even though an active administrator exists (audited as break-glass).
        #[arg(long)]
        break_glass: bool,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Import applications and their declarations from a CSV or JSON file: everything or, at
    /// the first problem, nothing (every problem is listed; the exit status is 1).
    Import {
        /// The file to import.
        file: PathBuf,
        /// The file's format; by default its extension (.csv or .json).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Check the file and report what would be created, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// The largest file accepted, in bytes (a larger one is refused before it is read).
        #[arg(long, default_value_t = IMPORT_FILE_LIMIT)]
        max_bytes: u64,
    },
    /// Import adoption figures: the portal's CSV or JSON, or an identity provider's export
    /// (Microsoft Entra sign-in logs, Okta System Log) counted on the way in. Everything or, at
    /// the first problem, nothing (every problem is listed; the exit status is 1). Sending the
    /// same application and period again replaces it.
    ImportAdoption {
        /// The file to import.
        file: PathBuf,
        /// The file's format; by default its extension (.csv or .json: the portal's own).
        #[arg(long, value_enum)]
        format: Option<AdoptionFormat>,
        /// Providers' exports: count by day rather than by month.
        #[arg(long)]
        by_day: bool,
        /// The largest file accepted, in bytes.
        #[arg(long, default_value_t = IMPORT_FILE_LIMIT)]
        max_bytes: u64,
    },
    /// Export data as a file.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Write a consistent copy of the database to a file while the portal serves (SQLite:
    /// `VACUUM INTO`; PostgreSQL: `pg_dump --format=custom`, which must be on PATH).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup into the database (stop the portal first). Refused when the database holds
    /// accounts or applications, unless --force; the restored audit trail is verified.
    Restore {
        /// The backup file (written by `server backup`).
        file: PathBuf,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Import frameworks, controls and their mapping from a catalogue document (JSON, the format
    /// `server export frameworks` writes): each framework in it replaces the one with its key
    /// or is added; every problem is listed and nothing is changed (exit status 1).
    FrameworksImport {
        /// The document.
        file: PathBuf,
    },
    /// Fill an empty registry with a realistic generated estate (the same seed gives the same
    /// estate).
    Generate {
        /// How many applications.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        apps: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// The largest file `server import` reads unless told otherwise (`--max-bytes`): room for an
/// estate of about 100,000 applications, where the web upload stops at
/// [`app::transfer::http::IMPORT_BODY_LIMIT`]. The whole file is held in memory while it is
/// decoded.
pub const IMPORT_FILE_LIMIT: u64 = 256 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// Every application (archived ones too), with its latest submitted declaration.
    Applications {
        /// By default the extension of --out, else csv.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every finding, open and resolved (the findings list's columns), most severe first.
    Findings {
        /// By default the extension of --out, else csv.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Only open (or only resolved) findings; both by default.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The consistency matrix as CSV (the page's download): one row per application not
    /// archived, its figures and one column per method.
    Matrix {
        /// Only csv.
        #[arg(long, value_enum)]
        format: Option<MatrixFormat>,
        /// The matrix page's filters as a query string, e.g. `criticality=critical&method=sms_otp`.
        #[arg(long, default_value = "")]
        filter: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every adoption figure, in the format `import-adoption` reads (importing it back changes
    /// nothing).
    Adoption {
        /// By default the extension of --out, else csv.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The evidence bundle (ZIP): applications, every declaration version, findings,
    /// exceptions with their histories, control status, policy versions, the catalogue, the
    /// audit trail, both OSCAL documents, a freshly signed checkpoint and a manifest with every
    /// file's SHA-256. Audited.
    Bundle {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// OSCAL 1.1.2 assessment-results: an observation per application's declaration, a finding
    /// per control judged. Audited; a checkpoint is signed first.
    OscalAr {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// OSCAL 1.1.2 plan-of-action-and-milestones: a POA&M item and a risk per exception.
    /// Audited; a checkpoint is signed first.
    OscalPoam {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The control catalogue (frameworks, controls, aliases) and each rule's mapping, as the
    /// JSON document `server frameworks-import` and the Frameworks page read.
    Frameworks {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every exception in every state, with its justification, decision and end, newest
    /// request last.
    Exceptions {
        /// By default the extension of --out, else csv.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AdoptionFormat {
    /// The portal's CSV.
    Csv,
    /// The portal's JSON.
    Json,
    /// Microsoft Entra sign-in logs (JSON).
    Entra,
    /// Okta System Log (JSON).
    Okta,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StateArg {
    Open,
    Resolved,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MatrixFormat {
    Csv,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FileFormat {
    Csv,
    Json,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration (the default).
    Up,
    /// Roll back the most recent migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Verify the hash chain, then the chain against the latest signed checkpoint (kept beside
    /// the checkpoint key, outside the database); exits non-zero and says what is wrong: the
    /// first broken event, or a truncated or rolled-back database (an older backup restored).
    Verify,
    /// Verify the chain and sign its head now (a checkpoint).
    Checkpoint,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error(transparent)]
    AccessTable(#[from] AccessTableError),
    #[error("{0}")]
    App(#[from] AppError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("cannot listen on {bind}: {source}")]
    Listen {
        bind: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot {action} {path}: {source}")]
    File {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    #[error("{0}")]
    Usage(&'static str),
    #[error(
        "{path} is {size} bytes, over the import limit of {limit} bytes (raise it with --max-bytes)"
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("serving: {0}")]
    Serve(std::io::Error),
}

fn config(cli: &Cli) -> Result<Config, CliError> {
    let mut config = Config::from_env()?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    Ok(config)
}

/// Logs on standard error: `PORTAL_LOG` if set, else `info` for the server and `warn` for the
/// other commands (they print their result and problems; migrations and the like stay quiet).
/// Colours only when standard error is a terminal.
pub fn init_tracing(config: &Config, serving: bool) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_new(config.log.as_deref().unwrap_or(default))
        .unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    let config = match config(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    init_tracing(&config, matches!(command, Command::Serve));
    let result = match command {
        Command::Serve => serve(config).await,
        Command::Migrate { action } => migrate(config, action.unwrap_or(MigrateAction::Up)).await,
        Command::BootstrapAdmin { break_glass } => bootstrap_admin(config, break_glass).await,
        Command::Audit {
            action: AuditAction::Verify,
        } => audit_verify(config).await,
        Command::Audit {
            action: AuditAction::Checkpoint,
        } => audit_checkpoint(config).await,
        Command::Import {
            file,
            format,
            dry_run,
            max_bytes,
        } => import(config, &file, format, dry_run, max_bytes).await,
        Command::Export {
            what: ExportWhat::Applications { format, out },
        } => export_applications(config, format, out.as_deref()).await,
        Command::Export {
            what: ExportWhat::Findings { format, state, out },
        } => export_findings(config, format, state, out.as_deref()).await,
        Command::Export {
            what:
                ExportWhat::Matrix {
                    format: _,
                    filter,
                    out,
                },
        } => export_matrix(config, &filter, out.as_deref()).await,
        Command::Export {
            what: ExportWhat::Exceptions { format, out },
        } => export_exceptions(config, format, out.as_deref()).await,
        Command::ImportAdoption {
            file,
            format,
            by_day,
            max_bytes,
        } => import_adoption(config, &file, format, by_day, max_bytes).await,
        Command::Export {
            what: ExportWhat::Adoption { format, out },
        } => export_adoption(config, format, out.as_deref()).await,
        Command::Export {
            what: ExportWhat::Frameworks { out },
        } => export_frameworks(config, out.as_deref()).await,
        Command::FrameworksImport { file } => frameworks_import(config, &file).await,
        Command::Export {
            what: ExportWhat::Bundle { out },
        } => export_evidence(config, Kind::Bundle, out.as_deref()).await,
        Command::Export {
            what: ExportWhat::OscalAr { out },
        } => export_evidence(config, Kind::AssessmentResults, out.as_deref()).await,
        Command::Export {
            what: ExportWhat::OscalPoam { out },
        } => export_evidence(config, Kind::Poam, out.as_deref()).await,
        Command::Generate { apps, seed } => generate(config, apps as usize, seed).await,
        Command::Backup { out } => backup(config, &out).await,
        Command::Restore { file, force } => restore(config, &file, force).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<ExitCode, CliError> {
    let bind = config.bind;
    let state = build_state(config).await?;
    // Take the port before printing a link that could not be used.
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| CliError::Listen { bind, source })?;
    if !active_admin_exists(state.db.conn()).await? {
        let link = issue_bootstrap_link(&state, false).await?;
        print_bootstrap(&link.url, link.expires_at);
    }

    // Expired sessions and abandoned passkey ceremonies are swept every five minutes.
    let sweeper = DbSessionStore::new(state.db.clone(), state.clock.clone());
    let sweep_state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            if let Err(e) = sweeper.delete_expired().await {
                tracing::warn!(error = %e, "expired-session sweep failed");
            }
            if let Err(e) = app::session::ssr::ceremony::sweep_expired(&sweep_state).await {
                tracing::warn!(error = %e, "expired-ceremony sweep failed");
            }
        }
    });

    // Every application is judged again once a day (drill ages, reviews falling due); with
    // several instances the database decides which one does it.
    let daily_state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match app::findings::facade::daily(&daily_state).await {
                Ok(Some(done)) => tracing::info!(
                    applications = done.applications,
                    opened = done.opened,
                    resolved = done.resolved,
                    "daily findings pass"
                ),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "daily findings pass failed"),
            }
        }
    });

    // Exceptions' expiries are recorded and reminders sent each minute by the instance holding
    // the lease (each exactly once even if two instances race).
    let jobs_state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            match app::exceptions::facade::run(&jobs_state).await {
                Ok(Some(done)) if done.expired + done.reminders > 0 => tracing::info!(
                    expired = done.expired,
                    reminders = done.reminders,
                    "exception jobs"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "exception jobs failed"),
            }
        }
    });

    // The audit chain is verified and its head signed (a checkpoint) once an hour, by the
    // instance holding the lease; the key is made on first start.
    if let Err(e) = app::evidence::facade::key(&state) {
        tracing::warn!(error = %e, "audit checkpoint key unavailable");
    }
    let checkpoint_state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match app::evidence::facade::scheduled(&checkpoint_state, time::Duration::hours(1))
                .await
            {
                Ok(Some(v)) if v.intact() => {
                    tracing::info!(events = v.head_seq, "audit checkpoint signed")
                }
                Ok(Some(v)) => tracing::error!(detail = %v.words(), "audit chain does NOT verify"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
            }
        }
    });

    // Due webhook deliveries are sent every 30 seconds, by the instance holding the lease
    // "webhooks" (each delivery is also claimed, so none goes out twice).
    let webhook_state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match app::notifications::facade::deliver_due(&webhook_state).await {
                Ok(done) if done == Default::default() => {}
                Ok(done) => tracing::info!(
                    sent = done.sent,
                    retrying = done.retrying,
                    failed = done.failed,
                    "webhook deliveries"
                ),
                Err(e) => tracing::warn!(error = %e, "webhook deliveries failed"),
            }
        }
    });

    let origin = state.config.public_url.origin.clone();
    let router = build_router(state)?;
    tracing::info!(%bind, %origin, "portal listening");
    println!("Portal listening on {bind}; open {origin}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(CliError::Serve)?;
    Ok(ExitCode::SUCCESS)
}

fn print_bootstrap(url: &str, expires_at: time::OffsetDateTime) {
    println!();
    println!("No administrator yet. Enrol the first administrator with this one-time link");
    println!(
        "(single use, valid until {}):",
        app::ssr::clock::format_timestamp(expires_at)
    );
    println!();
    println!("    {url}");
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

async fn migrate(config: Config, action: MigrateAction) -> Result<ExitCode, CliError> {
    let db = Db::connect(&config.database_url).await?;
    match action {
        MigrateAction::Up => {
            let before = db.pending_migrations().await?;
            db.migrate().await?;
            println!("applied {before} migration(s); the schema is current");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(db.conn(), Some(steps)).await?;
            println!("rolled back {steps} migration(s)");
        }
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(db.conn()).await? {
                println!(
                    "{:<10} {}",
                    format!("{:?}", m.status()).to_lowercase(),
                    m.name()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn bootstrap_admin(config: Config, break_glass: bool) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let link = issue_bootstrap_link(&state, break_glass).await?;
    if break_glass {
        eprintln!(
            "warning: break-glass enrolment link issued; this is recorded in the audit trail"
        );
    }
    print_bootstrap(&link.url, link.expires_at);
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(config: Config) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let key = app::evidence::facade::key(&state)?;
    let verified = app::evidence::facade::verify(state.db.conn(), &key).await?;
    match &verified.chain {
        ChainStatus::Intact { events, head_hash } => {
            println!("audit trail intact: {events} events, head {head_hash}");
        }
        ChainStatus::Broken { seq, problem } => {
            println!("audit trail BROKEN at event {seq}: {problem}");
        }
    }
    match &verified.against {
        None => println!(
            "no signed checkpoint yet (the server signs one within the hour; `server audit checkpoint` signs one now)"
        ),
        Some((cp, outcome, signature_ok)) => {
            if !signature_ok {
                println!(
                    "checkpoint signature does NOT verify with the key {}",
                    key.public_hex()
                );
            }
            println!("{}", app::evidence::rules::checkpoint::explain(outcome, cp));
        }
    }
    Ok(if verified.intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn audit_checkpoint(config: Config) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let (verified, signed) =
        app::evidence::facade::sign(&state, app::audit::facade::Actor::HostOperator).await?;
    match signed {
        Some(cp) => {
            println!(
                "checkpoint signed: event {}, hash {}, key {}",
                cp.seq, cp.hash, cp.public_key
            );
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!("not signed: {}", verified.words());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The format named on the command line, else the file's extension.
fn format_of(given: Option<FileFormat>, path: Option<&Path>) -> Option<Format> {
    given.map(Format::from).or_else(|| {
        path.and_then(|p| p.file_name())
            .and_then(|n| Format::of_file_name(&n.to_string_lossy()))
    })
}

/// Reads a file to import, refusing one over `limit` bytes before reading it (and stopping at
/// the limit should it grow meanwhile).
pub async fn read_import_file(file: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    use tokio::io::AsyncReadExt as _;
    let failed = |source| CliError::File {
        action: "read",
        path: file.to_path_buf(),
        source,
    };
    let opened = tokio::fs::File::open(file).await.map_err(failed)?;
    let too_large = |size| CliError::TooLarge {
        path: file.to_path_buf(),
        size,
        limit,
    };
    let size = opened.metadata().await.map_err(failed)?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    opened
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(failed)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

async fn import(
    config: Config,
    file: &Path,
    format: Option<FileFormat>,
    dry_run: bool,
    max_bytes: u64,
) -> Result<ExitCode, CliError> {
    let format = format_of(format, Some(file)).ok_or(CliError::Usage(
        "name the format with --format csv|json (the file has no .csv or .json extension)",
    ))?;
    let bytes = read_import_file(file, max_bytes).await?;
    let state = build_state(config).await?;
    let started = std::time::Instant::now();
    // The bytes are decoded on a blocking thread and dropped there; only the records go on.
    let read = transfer::read_file(bytes, format).await?;
    let result = transfer::import(&state, read, dry_run, ImportedBy::HostOperator).await?;
    match result {
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!(
                "nothing was imported: {} problem(s) in {}",
                problems.len(),
                file.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Ok(s) => {
            let (verb, created) = if dry_run {
                ("would import", "would be created")
            } else {
                ("imported", "created")
            };
            println!(
                "{verb} {} application(s), {} with a declaration (version 1), in {:.1} s",
                s.applications,
                s.declarations,
                started.elapsed().as_secs_f64()
            );
            if !s.business_units.is_empty() {
                println!(
                    "{} business unit(s) {created}: {}",
                    s.business_units.len(),
                    listing(&s.business_units, 20)
                );
            }
            if !s.owners.is_empty() {
                println!(
                    "{} owner account(s) {created} (invited, owner role): {}",
                    s.owners.len(),
                    listing(&s.owners, 20)
                );
            }
            if dry_run {
                println!("dry run: nothing was written");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn export_applications(
    config: Config,
    format: Option<FileFormat>,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let format = format_of(format, out).unwrap_or(Format::Csv);
    let state = build_state(config).await?;
    let export = transfer::Export::start(&state.db, format).await?;
    match out {
        Some(path) => {
            // Written beside the target and renamed over it once complete, so that a failed
            // export leaves no partial file where the finished one belongs.
            let partial = partial_path(path);
            let file_error = |action: &'static str, path: &Path| {
                let path = path.to_path_buf();
                move |source| CliError::File {
                    action,
                    path,
                    source,
                }
            };
            let file = tokio::fs::File::create(&partial)
                .await
                .map_err(file_error("create", &partial))?;
            match write_pieces(export, file, &partial).await {
                Ok(written) => {
                    tokio::fs::rename(&partial, path)
                        .await
                        .map_err(file_error("write", path))?;
                    eprintln!("wrote {written} bytes to {}", path.display());
                }
                Err(e) => {
                    let _ = tokio::fs::remove_file(&partial).await;
                    return Err(e);
                }
            }
        }
        None => {
            write_pieces(export, tokio::io::stdout(), Path::new("standard output")).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn export_findings(
    config: Config,
    format: Option<FileFormat>,
    state: Option<StateArg>,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    use app::findings::model::FindingFilter;
    use app::findings::rules::export;
    let format = format_of(format, out).unwrap_or(Format::Csv);
    let app_state = build_state(config).await?;
    let states: &[&str] = match state {
        Some(StateArg::Open) => &["open", "excepted"],
        Some(StateArg::Resolved) => &["resolved"],
        None => &["open", "excepted", "resolved"],
    };
    let mut rows = Vec::new();
    for s in states {
        let filter = FindingFilter {
            state: s.to_string(),
            ..Default::default()
        };
        rows.extend(
            app::findings::ssr::read::all_matching(app_state.db.conn(), &filter, app_state.now())
                .await?,
        );
    }
    let bytes = match format {
        Format::Csv => export::to_csv(&rows).map_err(|e| AppError::internal(e.to_string()))?,
        Format::Json => export::to_json(&rows).map_err(|e| AppError::internal(e.to_string()))?,
    };
    write_out(&bytes, out, rows.len(), "finding").await
}

async fn export_matrix(
    config: Config,
    filter: &str,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    use app::matrix::model::MatrixFilter;
    use tokio::io::AsyncWriteExt as _;
    let filter: MatrixFilter = serde_urlencoded::from_str(filter.trim_start_matches('?'))
        .map_err(|e| AppError::validation("filter", format!("Not a query string: {e}")))?;
    let state = build_state(config).await?;
    let estate = app::matrix::facade::current_estate(&state).await?;
    let rows = estate.entries.len();
    let target = out.map(partial_path);
    let failed = |action: &'static str, path: PathBuf| {
        move |source| CliError::File {
            action,
            path,
            source,
        }
    };
    let mut sink: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>> = match &target {
        Some(p) => Box::pin(
            tokio::fs::File::create(p)
                .await
                .map_err(failed("create", p.clone()))?,
        ),
        None => Box::pin(tokio::io::stdout()),
    };
    let written_to = target
        .clone()
        .unwrap_or_else(|| PathBuf::from("standard output"));
    // The host's operator reads the whole matrix; `owner=mine` means nobody here.
    for piece in app::matrix::facade::csv_pieces(estate.estate.clone(), &filter, None) {
        let piece = piece.map_err(|e| AppError::internal(e.to_string()))?;
        sink.write_all(&piece)
            .await
            .map_err(failed("write", written_to.clone()))?;
    }
    sink.flush()
        .await
        .map_err(failed("write", written_to.clone()))?;
    drop(sink);
    if let (Some(partial), Some(path)) = (target, out) {
        tokio::fs::rename(&partial, path)
            .await
            .map_err(failed("write", path.to_path_buf()))?;
        eprintln!(
            "wrote the matrix of {rows} application(s) to {}",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn export_exceptions(
    config: Config,
    format: Option<FileFormat>,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    use app::exceptions::http as exceptions;
    use app::exceptions::model::ExceptionFilter;
    use app::session::model::{CurrentUser, Role};
    let format = format_of(format, out).unwrap_or(Format::Csv);
    let state = build_state(config).await?;
    // The host's operator reads every exception, as an auditor does.
    let operator = CurrentUser {
        id: app::ids::UserId(uuid::Uuid::nil()),
        username: "host-operator".into(),
        display_name: "host operator".into(),
        roles: vec![Role::Auditor],
    };
    let filter = ExceptionFilter {
        view: "all".into(),
        ..Default::default()
    };
    let rows = exceptions::rows(&state, &operator, &filter).await?;
    let bytes = match format {
        Format::Csv => exceptions::to_csv(&rows)?,
        Format::Json => serde_json::to_string_pretty(&rows).map_err(AppError::internal)?,
    };
    write_out(bytes.as_bytes(), out, rows.len(), "exception").await
}

async fn export_evidence(
    config: Config,
    kind: Kind,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let done = app::evidence::facade::export(&state, app::audit::facade::Actor::HostOperator, kind)
        .await?;
    let bytes = match out {
        Some(path) => {
            let mut f = std::fs::File::create(path)
                .map_err(|e| AppError::Request(format!("{}: {e}", path.display())))?;
            let n = app::evidence::facade::copy_to(&done.file.0, &mut f)?;
            f.sync_all()
                .map_err(|e| AppError::Request(format!("{}: {e}", path.display())))?;
            n
        }
        None => app::evidence::facade::copy_to(&done.file.0, &mut std::io::stdout().lock())?,
    };
    if let Some(path) = out {
        eprintln!(
            "wrote {} ({bytes} bytes){}",
            path.display(),
            done.checkpoint
                .map(|c| format!("; checkpoint signed at event {}", c.seq))
                .unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn export_frameworks(config: Config, out: Option<&Path>) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let doc = app::frameworks::facade::load(state.db.conn()).await?;
    let text = serde_json::to_string_pretty(&doc).map_err(AppError::internal)?;
    write_out(text.as_bytes(), out, doc.frameworks.len(), "framework").await
}

async fn frameworks_import(config: Config, file: &Path) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::Request(format!("{}: {e}", file.display())))?;
    let rules = app::findings::facade::rule_keys();
    let doc = match app::frameworks::facade::parse(&text, &rules) {
        Ok(doc) => doc,
        Err(problems) => {
            for p in problems {
                eprintln!("{}: {p}", file.display());
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let state = build_state(config).await?;
    let done = app::frameworks::facade::import_as_host(
        &state,
        &doc,
        &file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    )
    .await?;
    println!(
        "imported {} framework(s) ({} added, {} replaced), {} controls, {} mappings",
        done.added.len() + done.replaced.len(),
        done.added.len(),
        done.replaced.len(),
        done.controls,
        done.mappings
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes an export to `out` (complete or not at all) or to standard output.
async fn write_out(
    bytes: &[u8],
    out: Option<&Path>,
    rows: usize,
    noun: &str,
) -> Result<ExitCode, CliError> {
    match out {
        Some(path) => {
            let partial = partial_path(path);
            let failed = |action: &'static str, path: &Path| {
                let path = path.to_path_buf();
                move |source| CliError::File {
                    action,
                    path,
                    source,
                }
            };
            tokio::fs::write(&partial, &bytes)
                .await
                .map_err(failed("write", &partial))?;
            tokio::fs::rename(&partial, path)
                .await
                .map_err(failed("write", path))?;
            eprintln!("wrote {rows} {noun}(s) to {}", path.display());
        }
        None => {
            use tokio::io::AsyncWriteExt as _;
            let mut stdout = tokio::io::stdout();
            let failed = |source| CliError::File {
                action: "write to",
                path: PathBuf::from("standard output"),
                source,
            };
            stdout.write_all(bytes).await.map_err(failed)?;
            stdout.flush().await.map_err(failed)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where an export to `path` is written until it is complete: `.name.partial` beside it.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Writes each piece of the export as it is read; the number of bytes written.
async fn write_pieces(
    mut export: transfer::Export,
    mut to: impl tokio::io::AsyncWrite + Unpin,
    name: &Path,
) -> Result<usize, CliError> {
    use tokio::io::AsyncWriteExt as _;
    let failed = |source| CliError::File {
        action: "write to",
        path: name.to_path_buf(),
        source,
    };
    let mut written = 0;
    while let Some(piece) = export.next_piece().await? {
        to.write_all(&piece).await.map_err(failed)?;
        written += piece.len();
    }
    to.flush().await.map_err(failed)?;
    Ok(written)
}

async fn generate(config: Config, apps: usize, seed: u64) -> Result<ExitCode, CliError> {
    let state = build_state(config).await?;
    let started = std::time::Instant::now();
    let s = transfer::generate_estate(&state, apps, seed).await?;
    let adoption_started = std::time::Instant::now();
    let figures = app::adoption::facade::generate_figures(&state, seed).await?;
    match figures {
        Ok(done) => println!(
            "generated a year of adoption figures for {} application(s) ({} periods) in {:.1} s",
            done.applications,
            done.periods,
            adoption_started.elapsed().as_secs_f64()
        ),
        Err(problems) => {
            for p in problems.iter().take(5) {
                eprintln!("adoption figures not generated: {p}");
            }
        }
    }
    println!(
        "generated {} application(s) ({} declared), {} business unit(s) and {} owner account(s) \
         from seed {seed} in {:.1} s",
        s.applications,
        s.declarations,
        s.business_units.len(),
        s.owners.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

async fn import_adoption(
    config: Config,
    file: &Path,
    format: Option<AdoptionFormat>,
    by_day: bool,
    max_bytes: u64,
) -> Result<ExitCode, CliError> {
    use app::adoption::facade::{File, Origin, ingest_file};
    use app::adoption::model::{AdoptionSource, FileFormat as F, Provider, ReportOutcome};
    use app::audit::facade::Actor;
    let bytes = read_import_file(file, max_bytes).await?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = match format {
        Some(AdoptionFormat::Csv) => Some(F::Csv),
        Some(AdoptionFormat::Json) => Some(F::Json),
        Some(AdoptionFormat::Entra) => Some(F::Provider(Provider::Entra)),
        Some(AdoptionFormat::Okta) => Some(F::Provider(Provider::Okta)),
        None => F::of_file_name(&name),
    };
    let source = match format {
        Some(F::Provider(Provider::Entra)) => AdoptionSource::Entra,
        Some(F::Provider(Provider::Okta)) => AdoptionSource::Okta,
        _ => AdoptionSource::Command,
    };
    let state = build_state(config).await?;
    let started = std::time::Instant::now();
    let report = ingest_file(
        &state,
        File {
            name,
            bytes,
            format,
            by_day,
        },
        Origin {
            source,
            file_name: None,
            sha256: None,
            actor: Actor::HostOperator,
        },
    )
    .await?;
    if let Some(e) = &report.events {
        eprintln!(
            "{} event(s) read: {} counted, {} without a method to count",
            e.read, e.counted, e.ignored
        );
    }
    for u in &report.unmapped {
        eprintln!(
            "unmapped {} \"{}\" ({} event(s) not counted): map it on /adoption/mappings",
            u.kind.as_str(),
            u.external,
            u.events
        );
    }
    match report.outcome {
        ReportOutcome::Done(s) => {
            println!(
                "stored figures of {} application(s) for {} period(s) ({} replaced) from {} in {:.1} s",
                s.applications,
                s.periods,
                s.replaced,
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReportOutcome::Refused { problems, total } => {
            eprintln!(
                "nothing was imported: {total} problem(s) in {}",
                file.display()
            );
            for p in &problems {
                eprintln!("  {p}");
            }
            if total as usize > problems.len() {
                eprintln!("  … and {} more", total as usize - problems.len());
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn export_adoption(
    config: Config,
    format: Option<FileFormat>,
    out: Option<&Path>,
) -> Result<ExitCode, CliError> {
    use app::adoption::facade::{encode_csv_header, export_batch, export_encode};
    use tokio::io::AsyncWriteExt as _;
    let json = matches!(format_of(format, out).unwrap_or(Format::Csv), Format::Json);
    let state = build_state(config).await?;
    let (mut to, name, partial): (
        Box<dyn tokio::io::AsyncWrite + Unpin + Send>,
        PathBuf,
        Option<PathBuf>,
    ) = match out {
        Some(path) => {
            let partial = partial_path(path);
            let f = tokio::fs::File::create(&partial)
                .await
                .map_err(|source| CliError::File {
                    action: "create",
                    path: partial.clone(),
                    source,
                })?;
            (Box::new(f), partial.clone(), Some(partial))
        }
        None => (
            Box::new(tokio::io::stdout()),
            PathBuf::from("standard output"),
            None,
        ),
    };
    let failed = |source| CliError::File {
        action: "write to",
        path: name.clone(),
        source,
    };
    let head = if json {
        "{\"figures\": [\n".to_string()
    } else {
        encode_csv_header()
    };
    to.write_all(head.as_bytes()).await.map_err(failed)?;
    let (mut after, mut first, mut entries) = (String::new(), true, 0usize);
    loop {
        let (figures, last) = export_batch(state.db.conn(), &after).await?;
        let Some(last) = last else { break };
        entries += figures.len();
        let piece = export_encode(&figures, json, &mut first)?;
        to.write_all(piece.as_bytes()).await.map_err(failed)?;
        after = last;
    }
    if json {
        to.write_all(b"\n]}\n").await.map_err(failed)?;
    }
    to.flush().await.map_err(failed)?;
    drop(to);
    if let (Some(partial), Some(path)) = (partial, out) {
        tokio::fs::rename(&partial, path)
            .await
            .map_err(|source| CliError::File {
                action: "write",
                path: path.to_path_buf(),
                source,
            })?;
        eprintln!(
            "wrote {entries} application-period figure(s) to {}",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn backup(config: Config, out: &Path) -> Result<ExitCode, CliError> {
    let db = Db::connect(&config.database_url).await?;
    let started = std::time::Instant::now();
    let done = crate::backup::backup(&db, &config.database_url, out).await?;
    db.close().await?;
    eprintln!(
        "wrote a consistent backup of {} bytes to {} in {:.1} s",
        done.bytes,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

async fn restore(config: Config, file: &Path, force: bool) -> Result<ExitCode, CliError> {
    let done = crate::backup::restore(&config.database_url, file, force).await?;
    println!(
        "restored {}; audit trail intact: {} events, head {}",
        file.display(),
        done.events,
        done.head_hash
    );
    Ok(ExitCode::SUCCESS)
}

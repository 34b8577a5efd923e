//! The `server` command line.

use crate::{build_router, build_state};
use app::accounts::ssr::{active_admin_exists, issue_bootstrap_link};
use app::audit::model::ChainStatus;
use app::audit::ssr::verify_chain;
use app::session::ssr::DbSessionStore;
use app::ssr::config::Config;
use app::ssr::db::Db;
use clap::{Parser, Subcommand};
use migrations::{Migrator, MigratorTrait};
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
    /// Verify the hash chain; exits non-zero and names the first broken event.
    Verify,
}

fn config(cli: &Cli) -> Result<Config, String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if let Some(url) = &cli.database_url {
        config.database_url = url.clone();
    }
    Ok(config)
}

pub fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
    init_tracing(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate { action } => migrate(config, action.unwrap_or(MigrateAction::Up)).await,
        Command::BootstrapAdmin { break_glass } => bootstrap_admin(config, break_glass).await,
        Command::Audit {
            action: AuditAction::Verify,
        } => audit_verify(config).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<ExitCode, String> {
    let bind = config.bind;
    let state = build_state(config).await?;
    // Take the port before printing a link that could not be used.
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    if !active_admin_exists(state.db.conn())
        .await
        .map_err(|e| e.to_string())?
    {
        let link = issue_bootstrap_link(&state, false)
            .await
            .map_err(|e| e.to_string())?;
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

    let origin = state.config.public_url.origin.clone();
    let router = build_router(state);
    tracing::info!(%bind, %origin, "portal listening");
    println!("Portal listening on {bind}; open {origin}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn print_bootstrap(url: &str, expires_at: time::OffsetDateTime) {
    println!();
    println!("No administrator yet. Enrol the first administrator with this one-time link");
    println!(
        "(single use, valid until {}):",
        app::audit::ssr::format_timestamp(expires_at)
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

async fn migrate(config: Config, action: MigrateAction) -> Result<ExitCode, String> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    match action {
        MigrateAction::Up => {
            let before = db.pending_migrations().await.map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())?;
            println!("applied {before} migration(s); the schema is current");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(db.conn(), Some(steps))
                .await
                .map_err(|e| e.to_string())?;
            println!("rolled back {steps} migration(s)");
        }
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(db.conn())
                .await
                .map_err(|e| e.to_string())?
            {
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

async fn bootstrap_admin(config: Config, break_glass: bool) -> Result<ExitCode, String> {
    let state = build_state(config).await?;
    let link = issue_bootstrap_link(&state, break_glass)
        .await
        .map_err(|e| e.to_string())?;
    if break_glass {
        eprintln!(
            "warning: break-glass enrolment link issued; this is recorded in the audit trail"
        );
    }
    print_bootstrap(&link.url, link.expires_at);
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(config: Config) -> Result<ExitCode, String> {
    let state = build_state(config).await?;
    match verify_chain(state.db.conn())
        .await
        .map_err(|e| e.to_string())?
    {
        ChainStatus::Intact { events, head_hash } => {
            println!("audit trail intact: {events} events, head {head_hash}");
            Ok(ExitCode::SUCCESS)
        }
        ChainStatus::Broken { seq, problem } => {
            println!("audit trail BROKEN at event {seq}: {problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}

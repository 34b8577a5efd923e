//! The application state, built once at start-up by the composition root and provided to
//! handlers and server functions.

use super::clock::Clock;
use super::config::{Config, ConfigError};
use super::db::Db;
use super::derived::DerivedViews;
use super::entities::portal_setting;
use super::rate_limit::RateLimiter;
use super::remembered::Remembered;
use super::snapshot::Snapshots;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use rand::RngCore as _;
use sea_orm::{ActiveValue::Set, DbErr, EntityTrait};
use std::sync::Arc;
use std::time::Duration;
use webauthn_rs::prelude::Webauthn;

/// Attempts per client address per minute on the endpoints the access table marks as rate
/// limited (sign-in and enrolment ceremonies).
pub const CEREMONY_ATTEMPTS_PER_MINUTE: usize = 30;

/// Why the portal could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(DbErr),
    #[error("database migrations: {0}")]
    Migrations(DbErr),
    #[error("PORTAL_PUBLIC_URL: cannot act as a WebAuthn relying party: {0}")]
    RelyingParty(String),
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub leptos_options: LeptosOptions,
    /// The WebAuthn relying party, built by the composition root from the public URL.
    pub webauthn: Arc<Webauthn>,
    /// Key for stand-in credential ids of unknown user names (random per installation).
    pub decoy_key: Arc<Vec<u8>>,
    pub limiter: Arc<RateLimiter>,
    /// Figures (list counts) remembered until the audit trail's head moves.
    pub remembered: Arc<Remembered>,
    /// Values computed from the whole estate (the matrix), kept until the next change.
    pub snapshots: Arc<Snapshots>,
    /// What is derived from the estate (findings), refreshed in each change's transaction; the
    /// composition root registers it.
    pub derived: DerivedViews,
    /// This instance's name in job leases (random per state: two states in one process are two
    /// instances).
    pub instance: Arc<str>,
}

impl AppState {
    /// Builds the state over a migrated database.
    pub async fn new(
        db: Db,
        config: Config,
        clock: Arc<dyn Clock>,
        webauthn: Webauthn,
    ) -> Result<Self, StartupError> {
        let leptos_options = LeptosOptions::builder()
            .output_name("portal")
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(config.bind)
            .build();
        let decoy_key = installation_key(&db, "decoy_credential_key")
            .await
            .map_err(StartupError::Database)?;
        Ok(Self {
            db,
            config: Arc::new(config),
            clock,
            leptos_options,
            webauthn: Arc::new(webauthn),
            decoy_key: Arc::new(decoy_key),
            limiter: Arc::new(RateLimiter::new(
                CEREMONY_ATTEMPTS_PER_MINUTE,
                Duration::from_secs(60),
            )),
            remembered: Arc::new(Remembered::default()),
            snapshots: Arc::new(Snapshots::default()),
            derived: DerivedViews::default(),
            instance: Arc::from(uuid::Uuid::new_v4().simple().to_string()),
        })
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}

/// A random key generated once per installation and shared by every instance.
async fn installation_key(db: &Db, name: &str) -> Result<Vec<u8>, DbErr> {
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    portal_setting::Entity::insert(portal_setting::ActiveModel {
        key: Set(name.into()),
        value: Set(hex::encode(fresh)),
    })
    .on_conflict_do_nothing_on([portal_setting::Column::Key])
    .exec(db.conn())
    .await?;
    let row = portal_setting::Entity::find_by_id(name.to_string())
        .one(db.conn())
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(name.into()))?;
    hex::decode(row.value).map_err(|e| DbErr::Custom(e.to_string()))
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

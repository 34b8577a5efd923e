//! The application state, built once at start-up and provided to handlers and server functions.

use super::clock::Clock;
use super::config::Config;
use super::db::Db;
use super::entities::portal_setting;
use crate::session::ssr::passkeys::relying_party;
use crate::session::ssr::rate_limit::RateLimiter;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use rand::RngCore as _;
use sea_orm::{ActiveValue::Set, EntityTrait};
use std::sync::Arc;
use std::time::Duration;
use webauthn_rs::prelude::Webauthn;

/// Attempts per client address per minute on sign-in and enrolment endpoints.
pub const CEREMONY_ATTEMPTS_PER_MINUTE: usize = 30;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub leptos_options: LeptosOptions,
    /// The WebAuthn relying party, from the configured public URL.
    pub webauthn: Arc<Webauthn>,
    /// Key for stand-in credential ids of unknown user names (random per installation).
    pub decoy_key: Arc<Vec<u8>>,
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    /// Builds the state over a migrated database.
    pub async fn new(db: Db, config: Config, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let leptos_options = LeptosOptions::builder()
            .output_name("portal")
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(config.bind)
            .build();
        let webauthn = Arc::new(relying_party(&config.public_url)?);
        let decoy_key = installation_key(&db, "decoy_credential_key")
            .await
            .map_err(|e| format!("database: {e}"))?;
        Ok(Self {
            db,
            config: Arc::new(config),
            clock,
            leptos_options,
            webauthn,
            decoy_key: Arc::new(decoy_key),
            limiter: Arc::new(RateLimiter::new(
                CEREMONY_ATTEMPTS_PER_MINUTE,
                Duration::from_secs(60),
            )),
        })
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}

/// A random key generated once per installation and shared by every instance.
async fn installation_key(db: &Db, name: &str) -> Result<Vec<u8>, sea_orm::DbErr> {
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
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(name.into()))?;
    hex::decode(row.value).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

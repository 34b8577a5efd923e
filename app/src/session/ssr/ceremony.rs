//! WebAuthn ceremony state: kept only server-side, bound to the browser session, valid five
//! minutes, and consumed (deleted) before it is verified, so a replayed or parallel second finish
//! finds nothing.

use super::store::session_key;
use crate::error::AppError;
use crate::ssr::entities::webauthn_ceremony;
use crate::ssr::state::AppState;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::{Serialize, de::DeserializeOwned};
use time::Duration;
use tower_sessions::Session;
use uuid::Uuid;

/// How long a started ceremony may be finished.
pub const CEREMONY_VALIDITY: Duration = Duration::minutes(5);

/// The session key holding the id of the ceremony under way.
const CEREMONY_KEY: &str = "portal.ceremony";

/// The kinds of ceremony; a finish only accepts a ceremony of its own kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Enrolment,
    AddPasskey,
    SignIn,
    Reverify,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Enrolment => "enrolment",
            Kind::AddPasskey => "add_passkey",
            Kind::SignIn => "sign_in",
            Kind::Reverify => "reverify",
        }
    }
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    super::store::answer(e)
}

/// The message for any finish that has no usable ceremony behind it.
pub fn stale() -> AppError {
    AppError::Conflict("This passkey request has expired or was already used. Start again.".into())
}

/// Stores a new ceremony for this session, replacing any earlier one.
pub async fn begin<S: Serialize>(
    state: &AppState,
    session: &Session,
    kind: Kind,
    value: &S,
) -> Result<(), AppError> {
    let now = state.now();
    let json = serde_json::to_string(value).map_err(AppError::internal)?;
    // Make sure the session exists (and has its id) before binding the ceremony to it.
    let previous = session
        .remove::<String>(CEREMONY_KEY)
        .await
        .map_err(session_err)?;
    if let Some(old) = previous.and_then(|p| Uuid::parse_str(&p).ok()) {
        webauthn_ceremony::Entity::delete_by_id(old)
            .exec(state.db.conn())
            .await?;
    }
    let id = Uuid::new_v4();
    session
        .insert(CEREMONY_KEY, id.to_string())
        .await
        .map_err(session_err)?;
    session.save().await.map_err(session_err)?;
    let session_id = session.id().map(|i| session_key(&i)).unwrap_or_default();
    webauthn_ceremony::Entity::insert(webauthn_ceremony::ActiveModel {
        id: Set(id),
        session_id: Set(session_id),
        kind: Set(kind.as_str().into()),
        state: Set(json),
        created_at: Set(now),
        expires_at: Set(now + CEREMONY_VALIDITY),
    })
    .exec_without_returning(state.db.conn())
    .await?;
    Ok(())
}

/// Consumes this session's ceremony of `kind`. Exactly one caller can win: the row is deleted
/// before anything is verified, and only the request whose delete removed it proceeds.
pub async fn take<S: DeserializeOwned>(
    state: &AppState,
    session: &Session,
    kind: Kind,
) -> Result<S, AppError> {
    let Some(id) = session
        .remove::<String>(CEREMONY_KEY)
        .await
        .map_err(session_err)?
    else {
        return Err(stale());
    };
    let id = Uuid::parse_str(&id).map_err(|_| stale())?;
    let Some(row) = webauthn_ceremony::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
    else {
        return Err(stale());
    };
    let deleted = webauthn_ceremony::Entity::delete_many()
        .filter(webauthn_ceremony::Column::Id.eq(id))
        .exec(state.db.conn())
        .await?;
    let this_session = session.id().map(|i| session_key(&i)).unwrap_or_default();
    if deleted.rows_affected != 1
        || row.kind != kind.as_str()
        || row.session_id != this_session
        || row.expires_at <= state.now()
    {
        return Err(stale());
    }
    serde_json::from_str(&row.state).map_err(AppError::internal)
}

/// Removes ceremonies nobody finished.
pub async fn sweep_expired(state: &AppState) -> Result<u64, AppError> {
    let res = webauthn_ceremony::Entity::delete_many()
        .filter(webauthn_ceremony::Column::ExpiresAt.lte(state.now()))
        .exec(state.db.conn())
        .await?;
    Ok(res.rows_affected)
}

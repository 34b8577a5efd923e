//! The signed-in user: a typed session bucket, resolved against the database on every request so
//! that disabling a user or changing roles takes effect at once.

use super::guard::Granted;
use super::store::DbSessionStore;
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{AUTH_KEY, CurrentUser, Role, SelfService, UserStatus};
use crate::ssr::entities::{app_user, user_role};
use crate::ssr::state::AppState;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use tower_sessions::Session;

/// What the session remembers about sign-in. Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthBucket {
    pub user_id: String,
    pub signed_in_at: i64,
    /// The last time the user proved presence with a passkey (sign-in or re-verification).
    pub verified_at: i64,
    /// The last time the idle limit was pushed back (sign-in, then at most once a minute while
    /// the user browses). Absent in sessions from before it existed: their sign-in counts.
    #[serde(default)]
    pub renewed_at: Option<i64>,
    /// The user's session epoch at sign-in. Ending all of a user's sessions raises the user's
    /// epoch, so this session is dead even if a request still in flight writes it back.
    #[serde(default)]
    pub epoch: i64,
}

impl AuthBucket {
    pub fn user(&self) -> Option<UserId> {
        self.user_id.parse().ok()
    }
}

/// Whether a session signed in at `signed_in_at` has outlived the absolute limit.
pub fn past_absolute_limit(
    signed_in_at: i64,
    now: OffsetDateTime,
    limit: std::time::Duration,
) -> bool {
    now.unix_timestamp() - signed_in_at >= limit.as_secs() as i64
}

/// How often browsing pushes the idle limit back (each push writes the session row).
pub const RENEW_EVERY_SECONDS: i64 = 60;

/// Whether a request at `now` should push the session's idle limit back: the last push (or the
/// sign-in) is at least a minute old.
pub fn due_for_renewal(bucket: &AuthBucket, now: OffsetDateTime) -> bool {
    let last = bucket.renewed_at.unwrap_or(bucket.signed_in_at);
    now.unix_timestamp() - last >= RENEW_EVERY_SECONDS
}

/// Whether the user proved presence with a passkey within `window` before `now`.
pub fn verified_within(bucket: &AuthBucket, now: OffsetDateTime, window: time::Duration) -> bool {
    let age = now.unix_timestamp() - bucket.verified_at;
    (0..=window.whole_seconds()).contains(&age)
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    super::store::answer(e)
}

pub async fn bucket(session: &Session) -> Result<Option<AuthBucket>, AppError> {
    session
        .get::<AuthBucket>(AUTH_KEY)
        .await
        .map_err(session_err)
}

/// A user's roles, in a stable order.
pub async fn roles_of<C: ConnectionTrait>(db: &C, user: UserId) -> Result<Vec<Role>, AppError> {
    let mut roles: Vec<Role> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role)
        .collect();
    roles.sort();
    Ok(roles)
}

/// Loads an active user with their roles.
pub async fn load_user<C: ConnectionTrait>(
    db: &C,
    id: UserId,
) -> Result<Option<CurrentUser>, AppError> {
    Ok(load_with_epoch(db, id).await?.map(|(user, _)| user))
}

/// Loads an active user with their roles and their current session epoch.
async fn load_with_epoch<C: ConnectionTrait>(
    db: &C,
    id: UserId,
) -> Result<Option<(CurrentUser, i64)>, AppError> {
    let Some(user) = app_user::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if user.status != UserStatus::Active {
        return Ok(None);
    }
    let roles = roles_of(db, id).await?;
    Ok(Some((
        CurrentUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            roles,
        },
        user.session_epoch,
    )))
}

/// The user behind this session, if any. A session past the absolute limit, whose user is gone or
/// disabled, or whose user's sessions were all ended after it signed in, is ended here.
pub async fn resolve(state: &AppState, session: &Session) -> Result<Option<CurrentUser>, AppError> {
    let Some(b) = bucket(session).await? else {
        return Ok(None);
    };
    let now = state.now();
    let user = match b.user() {
        Some(id) if !past_absolute_limit(b.signed_in_at, now, state.config.session_absolute) => {
            load_with_epoch(state.db.conn(), id)
                .await?
                .filter(|(_, current)| *current == b.epoch)
                .map(|(user, _)| user)
        }
        _ => None,
    };
    if user.is_none() {
        session.flush().await.map_err(session_err)?;
    } else if due_for_renewal(&b, now) {
        // The idle limit counts from the last request: push it back, at most once a minute, on
        // the portal's clock (the session layer would read the system's).
        let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
        let renewed = AuthBucket {
            renewed_at: Some(now.unix_timestamp()),
            ..b
        };
        session
            .insert(AUTH_KEY, renewed)
            .await
            .map_err(session_err)?;
        session.set_expiry(Some(tower_sessions::Expiry::AtDateTime(now + idle)));
    }
    Ok(user)
}

/// Starts a signed-in session under a fresh id (no fixation), under the user's current session
/// epoch.
pub async fn establish<C: ConnectionTrait>(
    db: &C,
    session: &Session,
    user: UserId,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let epoch = app_user::Entity::find_by_id(user)
        .one(db)
        .await?
        .map(|u| u.session_epoch)
        .ok_or(AppError::Unauthenticated)?;
    session.cycle_id().await.map_err(session_err)?;
    let bucket = AuthBucket {
        user_id: user.to_string(),
        signed_in_at: now.unix_timestamp(),
        verified_at: now.unix_timestamp(),
        renewed_at: Some(now.unix_timestamp()),
        epoch,
    };
    session
        .insert(AUTH_KEY, bucket)
        .await
        .map_err(session_err)?;
    // Persist now, so the row carries its user id even if nothing else touches the session.
    session.save().await.map_err(session_err)
}

/// Records a fresh passkey verification (for high-risk actions such as issuing recovery).
pub async fn mark_verified(session: &Session, now: OffsetDateTime) -> Result<(), AppError> {
    let Some(mut b) = bucket(session).await? else {
        return Err(AppError::Unauthenticated);
    };
    b.verified_at = now.unix_timestamp();
    session.cycle_id().await.map_err(session_err)?;
    session.insert(AUTH_KEY, b).await.map_err(session_err)
}

/// Ends this session: the row is deleted server-side and the cookie cleared.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_err)
}

/// Ends every session of `user` inside the caller's transaction, audited with the reason
/// (sign-out everywhere, disabling, role changes, recovery): the rows are deleted and the user's
/// session epoch raised, so that a session a request still in flight writes back (or moves to a
/// new id) is refused all the same.
pub async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    actor: &Actor,
    user: UserId,
    reason: &str,
) -> Result<u64, AppError> {
    let ended = DbSessionStore::delete_for_user(db, user).await?;
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::SessionEpoch,
            Expr::col(app_user::Column::SessionEpoch).add(1),
        )
        .filter(app_user::Column::Id.eq(user))
        .exec(db)
        .await?;
    record(
        db,
        now,
        NewAuditEvent {
            actor: actor.clone(),
            action: AuditAction::SessionsEnded,
            subject_type: "user",
            subject_id: user.to_string(),
            before: None,
            after: Some(json!({ "sessions_ended": ended, "reason": reason })),
        },
    )
    .await?;
    Ok(ended)
}

/// Signs the caller out of this browser, audited.
pub async fn sign_out(
    state: &AppState,
    caller: &Granted<SelfService>,
    session: &Session,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(caller.id()),
            action: AuditAction::SessionsEnded,
            subject_type: "user",
            subject_id: caller.id().to_string(),
            before: None,
            after: Some(json!({ "sessions_ended": 1, "reason": "signed out" })),
        },
    )
    .await?;
    txn.commit().await?;
    end(session).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn absolute_limit_counts_from_sign_in() {
        let now = datetime!(2026-11-22 12:00 UTC);
        let limit = std::time::Duration::from_secs(12 * 3600);
        let signed_in = now.unix_timestamp() - 12 * 3600;
        assert!(past_absolute_limit(signed_in, now, limit));
        assert!(!past_absolute_limit(signed_in + 1, now, limit));
    }

    #[test]
    fn browsing_pushes_the_idle_limit_back_at_most_once_a_minute() {
        let now = datetime!(2026-11-22 12:00 UTC);
        let t = now.unix_timestamp();
        let b = |signed_in_at: i64, renewed_at: Option<i64>| AuthBucket {
            user_id: String::new(),
            signed_in_at,
            verified_at: signed_in_at,
            renewed_at,
            epoch: 0,
        };
        assert!(!due_for_renewal(&b(t - 59, Some(t - 59)), now));
        assert!(due_for_renewal(&b(t - 60, Some(t - 60)), now));
        assert!(!due_for_renewal(&b(t - 3600, Some(t - 10)), now));
        // A session from before the field existed counts from its sign-in.
        assert!(due_for_renewal(&b(t - 600, None), now));
        assert!(!due_for_renewal(&b(t - 30, None), now));
    }

    #[test]
    fn verification_window() {
        let now = datetime!(2026-11-22 12:00 UTC);
        let b = |ago: i64| AuthBucket {
            user_id: String::new(),
            signed_in_at: 0,
            verified_at: now.unix_timestamp() - ago,
            renewed_at: None,
            epoch: 0,
        };
        assert!(verified_within(&b(0), now, time::Duration::minutes(5)));
        assert!(verified_within(&b(300), now, time::Duration::minutes(5)));
        assert!(!verified_within(&b(301), now, time::Duration::minutes(5)));
        assert!(
            !verified_within(&b(-10), now, time::Duration::minutes(5)),
            "a future stamp is not trusted"
        );
    }
}

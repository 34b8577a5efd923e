//! API tokens on the server: issuing (only the secret's SHA-256 is stored; the secret is
//! returned once), listing, revoking, and authenticating a script's request in one write
//! transaction (found by hash, state and scope checked, the per-minute window counted in the
//! database so that every instance shares it, the use recorded).

use super::model::{
    IssuedToken, Scope, TOKEN_NAME_MAX, TokenAdministrators, TokenDraft, TokenState, TokenSummary,
    USES_PER_MINUTE,
};
use super::rules::{
    SECRET_BYTES, bearer, expires_at, expiry_days, minute_of, next_window, secret_from,
    secret_hash, shown_prefix, state_at,
};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{ApiTokenId, UserId};
use crate::session::facade::Granted;
use crate::ssr::clock::{display_time, format_timestamp};
use crate::ssr::db::Db;
use crate::ssr::entities::{api_token, app_user};
use crate::ssr::state::AppState;
use crate::validation::{Checks, validate_text};
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// What the audit trail keeps of a token: never its secret, nor the secret's hash.
fn snapshot(t: &api_token::Model) -> Value {
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "scope": t.scope,
        "prefix": t.prefix,
        "created_by": t.created_by.to_string(),
        "expires_at": format_timestamp(t.expires_at),
        "revoked_by": t.revoked_by.map(|u| u.to_string()),
        "revoked_at": t.revoked_at.map(format_timestamp),
    })
}

/// Issues a token named and scoped as the draft says, valid for its days (30 by default). The
/// secret is in the answer and nowhere else: the database keeps its SHA-256 and its first
/// characters. Audited, with the administrator as actor.
pub async fn issue(
    state: &AppState,
    admin: &Granted<TokenAdministrators>,
    draft: &TokenDraft,
) -> Result<IssuedToken, AppError> {
    let mut checks = Checks::new();
    let name = checks.check(validate_text("name", &draft.name, 1, TOKEN_NAME_MAX));
    let days = checks.check(expiry_days(&draft.days).map_err(|m| AppError::validation("days", m)));
    let scope = match draft.scope.trim() {
        "" => Some(Scope::AdoptionIngest),
        key => {
            let scope = Scope::parse(key);
            if scope.is_none() {
                checks.problem(
                    "scope",
                    format!("Choose one of the scopes: {}.", Scope::keys()),
                );
            }
            scope
        }
    };
    checks.finish()?;
    let (Some(name), Some(days), Some(scope)) = (name, days, scope) else {
        return Err(AppError::internal("checked values missing"));
    };
    let secret = {
        use rand::RngCore as _;
        let mut random = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut random);
        secret_from(&random)
    };
    let now = state.now();
    let model = api_token::Model {
        id: ApiTokenId::new(),
        name,
        scope: scope.as_str().to_string(),
        secret_hash: secret_hash(&secret),
        prefix: shown_prefix(&secret),
        created_by: admin.id(),
        created_at: now,
        expires_at: expires_at(now, days),
        revoked_by: None,
        revoked_at: None,
        last_used_at: None,
        uses: 0,
        window_start: 0,
        window_count: 0,
    };
    let txn = state.db.begin_write().await?;
    api_token::Entity::insert(api_token::ActiveModel::from(model.clone()))
        .exec_without_returning(&txn)
        .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::ApiTokenIssued,
            subject_type: "api_token",
            subject_id: model.id.to_string(),
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedToken {
        id: model.id,
        name: model.name,
        scope: model.scope,
        secret,
        expires_at: display_time(model.expires_at),
    })
}

/// Every token, newest first, with its state at `now`: two statements.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
) -> Result<Vec<TokenSummary>, AppError> {
    let tokens = api_token::Entity::find()
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?;
    let people: BTreeSet<UserId> = tokens
        .iter()
        .flat_map(|t| std::iter::once(t.created_by).chain(t.revoked_by))
        .collect();
    let names: BTreeMap<UserId, String> = if people.is_empty() {
        BTreeMap::new()
    } else {
        app_user::Entity::find()
            .select_only()
            .column(app_user::Column::Id)
            .column(app_user::Column::DisplayName)
            .filter(app_user::Column::Id.is_in(people))
            .into_tuple::<(UserId, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let name_of = |u: UserId| names.get(&u).cloned().unwrap_or_else(|| u.to_string());
    Ok(tokens
        .into_iter()
        .map(|t| TokenSummary {
            state: state_at(t.expires_at, t.revoked_at.is_some(), now),
            revoked: t
                .revoked_by
                .zip(t.revoked_at)
                .map(|(by, at)| (name_of(by), display_time(at))),
            id: t.id,
            name: t.name,
            scope: t.scope,
            prefix: t.prefix,
            created_by: name_of(t.created_by),
            created_at: display_time(t.created_at),
            expires_at: display_time(t.expires_at),
            last_used_at: t.last_used_at.map(display_time),
            uses: t.uses,
        })
        .collect())
}

/// Revokes a token: from now on it is refused. Revoking a revoked token changes nothing.
/// Audited, with the administrator as actor.
pub async fn revoke(
    state: &AppState,
    admin: &Granted<TokenAdministrators>,
    id: ApiTokenId,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let old = api_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.revoked_at.is_some() {
        return Ok(());
    }
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedBy, Expr::value(admin.id()))
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let new = api_token::Model {
        revoked_by: Some(admin.id()),
        revoked_at: Some(now),
        ..old.clone()
    };
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::ApiTokenRevoked,
            subject_type: "api_token",
            subject_id: id.to_string(),
            before: Some(snapshot(&old)),
            after: Some(snapshot(&new)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A request authenticated by a token of the scope asked for. Only [`authenticate`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUse {
    id: ApiTokenId,
    name: String,
    scope: Scope,
}

impl TokenUse {
    pub fn id(&self) -> ApiTokenId {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The token as the actor of what the request changes.
    pub fn actor(&self) -> Actor {
        Actor::Token(self.id)
    }
}

/// Authenticates a script's request by its `Authorization` header, for an endpoint of `scope`,
/// in one write transaction: the token is found by the hash of its secret; unknown (or no
/// token): `Unauthenticated`; revoked or expired: `Unauthenticated`, and the refusal is
/// audited; another scope: `Forbidden`, audited; its 61st use in a minute: `RateLimited` with
/// the seconds until the next minute. Otherwise the use is counted (the window, `uses`,
/// `last_used_at`) by one conditional update, which every instance applies to the same row.
pub async fn authenticate(
    db: &Db,
    authorization: Option<&str>,
    scope: Scope,
    now: OffsetDateTime,
) -> Result<TokenUse, AppError> {
    // A header that is not a token of the portal's shape costs no database work.
    let secret = bearer(authorization).map_err(|_| AppError::Unauthenticated)?;
    let hash = secret_hash(secret);
    let txn = db.begin_write().await?;
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::SecretHash.eq(hash.as_str()))
        .one(&txn)
        .await?
    else {
        // Nothing to attribute the attempt to: not audited (the transaction wrote nothing).
        return Err(AppError::Unauthenticated);
    };
    match state_at(token.expires_at, token.revoked_at.is_some(), now) {
        TokenState::Active => {}
        gone => {
            refused(&txn, &token, gone.as_str(), scope, now).await?;
            txn.commit().await?;
            return Err(AppError::Unauthenticated);
        }
    }
    if token.scope != scope.as_str() {
        refused(&txn, &token, "scope", scope, now).await?;
        txn.commit().await?;
        return Err(AppError::Forbidden);
    }
    // The rule of `rules::next_window`, applied in the database: a window of an earlier minute
    // starts again at 1; in this minute, the use counts only while fewer than the limit were
    // made. Revocation and expiry are checked again in the same statement.
    let minute = minute_of(now);
    let counted = api_token::Entity::update_many()
        .col_expr(
            api_token::Column::WindowCount,
            Expr::case(
                Expr::col(api_token::Column::WindowStart).eq(minute),
                Expr::col(api_token::Column::WindowCount).add(1),
            )
            .finally(1)
            .into(),
        )
        .col_expr(api_token::Column::WindowStart, Expr::value(minute))
        .col_expr(
            api_token::Column::Uses,
            Expr::col(api_token::Column::Uses).add(1),
        )
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ExpiresAt.gt(now))
        .filter(
            Condition::any()
                .add(api_token::Column::WindowStart.ne(minute))
                .add(api_token::Column::WindowCount.lt(USES_PER_MINUTE)),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    if counted != 1 {
        // The minute's uses are spent, or another instance revoked the token meanwhile.
        let now_stored = api_token::Entity::find_by_id(token.id)
            .one(&txn)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if now_stored.revoked_at.is_some() {
            refused(&txn, &now_stored, TokenState::Revoked.as_str(), scope, now).await?;
            txn.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        let retry_after_secs = next_window(now_stored.window_start, now_stored.window_count, now)
            .err()
            .unwrap_or(1);
        return Err(AppError::RateLimited { retry_after_secs });
    }
    txn.commit().await?;
    Ok(TokenUse {
        id: token.id,
        name: token.name,
        scope,
    })
}

/// Audits the refusal of a known token, with the token as actor.
async fn refused(
    txn: &DatabaseTransaction,
    token: &api_token::Model,
    reason: &str,
    asked: Scope,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    record(
        txn,
        now,
        NewAuditEvent {
            actor: Actor::Token(token.id),
            action: AuditAction::ApiTokenRefused,
            subject_type: "api_token",
            subject_id: token.id.to_string(),
            before: None,
            after: Some(json!({
                "reason": reason,
                "scope_asked": asked.as_str(),
                "scope": token.scope,
            })),
        },
    )
    .await?;
    Ok(())
}

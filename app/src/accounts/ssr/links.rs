//! One-time enrolment links: the first administrator's (issued from the host), invitations and
//! recovery. Only a link's hash is stored; the secret exists in the link handed out.

use crate::accounts::model::EnrolmentPurpose;
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{EnrolmentTokenId, UserId};
use crate::session::model::{Role, UserStatus};
use crate::ssr::clock::format_timestamp;
use crate::ssr::db::{Db, LockKey};
use crate::ssr::entities::{app_user, enrolment_token, user_role};
use crate::ssr::state::AppState;
use base64::Engine as _;
use rand::RngCore as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QuerySelect, RelationTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long a first-admin enrolment link stays valid.
pub const BOOTSTRAP_VALIDITY: Duration = Duration::hours(1);

/// A freshly issued link. The secret exists only here and in the link handed out.
#[derive(Debug)]
pub struct IssuedLink {
    pub id: EnrolmentTokenId,
    pub url: String,
    pub expires_at: OffsetDateTime,
}

/// A new random secret (256 bits, base64url) and its stored hash.
pub fn new_secret() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_secret(&secret);
    (secret, hash)
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether an active administrator exists.
pub async fn active_admin_exists<C: ConnectionTrait>(db: &C) -> Result<bool, AppError> {
    let n = user_role::Entity::find()
        .join(JoinType::InnerJoin, user_role::Relation::AppUser.def())
        .filter(user_role::Column::Role.eq(Role::Admin))
        .filter(app_user::Column::Status.eq(UserStatus::Active))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// Which unused links [`expire_unused_links`] ends.
#[derive(Clone, Copy, Debug)]
pub enum Unused {
    /// Every first-administrator link.
    Bootstrap,
    /// A person's links of one purpose (a newer one replaces them).
    Of(UserId, EnrolmentPurpose),
    /// Every link of a person, whatever its purpose (the account is disabled).
    AllOf(UserId),
}

/// Ends unused, unexpired links now, each with an `enrolment.revoked` event naming `reason`, in
/// the caller's transaction. Each link is ended by a conditional update, so two transactions
/// ending the same link at once revoke (and audit) it once. Returns how many were ended.
pub async fn expire_unused_links<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    actor: &Actor,
    which: Unused,
    reason: &str,
) -> Result<usize, AppError> {
    let mut find = enrolment_token::Entity::find()
        .filter(enrolment_token::Column::UsedAt.is_null())
        .filter(enrolment_token::Column::ExpiresAt.gt(now));
    find = match which {
        Unused::Bootstrap => {
            find.filter(enrolment_token::Column::Purpose.eq(EnrolmentPurpose::Bootstrap))
        }
        Unused::Of(user, purpose) => find
            .filter(enrolment_token::Column::UserId.eq(user))
            .filter(enrolment_token::Column::Purpose.eq(purpose)),
        Unused::AllOf(user) => find.filter(enrolment_token::Column::UserId.eq(user)),
    };
    let mut ended = 0;
    for old in find.all(db).await? {
        let revoked = enrolment_token::Entity::update_many()
            .col_expr(enrolment_token::Column::ExpiresAt, Expr::value(now))
            .filter(enrolment_token::Column::Id.eq(old.id))
            .filter(enrolment_token::Column::UsedAt.is_null())
            .filter(enrolment_token::Column::ExpiresAt.gt(now))
            .exec(db)
            .await?;
        if revoked.rows_affected == 0 {
            continue;
        }
        ended += 1;
        record(
            db,
            now,
            NewAuditEvent {
                actor: actor.clone(),
                action: AuditAction::EnrolmentRevoked,
                subject_type: "enrolment_token",
                subject_id: old.id.to_string(),
                before: Some(json!({
                    "purpose": old.purpose,
                    "user_id": old.user_id.map(|u| u.to_string()),
                    "expires_at": format_timestamp(old.expires_at),
                })),
                after: Some(json!({
                    "purpose": old.purpose,
                    "user_id": old.user_id.map(|u| u.to_string()),
                    "expires_at": format_timestamp(now),
                    "reason": reason,
                })),
            },
        )
        .await?;
    }
    Ok(ended)
}

/// Issues the one-time link that enrols the first administrator. Refused while an active
/// administrator exists unless `break_glass` is set, which is audited as such. Any earlier unused
/// bootstrap link stops working.
pub async fn issue_bootstrap_link(
    state: &AppState,
    break_glass: bool,
) -> Result<IssuedLink, AppError> {
    let txn = state.db.begin_write().await?;
    Db::serialize(&txn, LockKey::Bootstrap).await?;
    let now = state.now();
    let admin_exists = active_admin_exists(&txn).await?;
    if admin_exists && !break_glass {
        return Err(AppError::Conflict(
            "An active administrator already exists: ask them for an invitation, or use \
             --break-glass if every administrator has lost access."
                .into(),
        ));
    }

    expire_unused_links(
        &txn,
        now,
        &Actor::HostOperator,
        Unused::Bootstrap,
        "replaced by a newer bootstrap link",
    )
    .await?;

    let (secret, token_hash) = new_secret();
    let id = EnrolmentTokenId::new();
    let expires_at = now + BOOTSTRAP_VALIDITY;
    enrolment_token::Entity::insert(enrolment_token::ActiveModel {
        id: Set(id),
        token_hash: Set(token_hash),
        purpose: Set(EnrolmentPurpose::Bootstrap),
        user_id: Set(None),
        issued_by: Set(None),
        reason: Set(
            break_glass.then(|| "break-glass: issued while an active administrator exists".into())
        ),
        revoke_old_passkeys: Set(false),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::HostOperator,
            action: if break_glass && admin_exists {
                AuditAction::BootstrapBreakGlass
            } else {
                AuditAction::BootstrapIssued
            },
            subject_type: "enrolment_token",
            subject_id: id.to_string(),
            before: None,
            after: Some(json!({
                "purpose": EnrolmentPurpose::Bootstrap.as_str(),
                "expires_at": format_timestamp(expires_at),
                "break_glass": break_glass && admin_exists,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedLink {
        id,
        url: format!("{}/enrol/{secret}", state.config.public_url.origin),
        expires_at,
    })
}

/// How long an invitation link stays valid.
pub const INVITATION_VALIDITY: Duration = Duration::days(7);
/// How long a recovery link stays valid.
pub const RECOVERY_VALIDITY: Duration = Duration::hours(1);
pub fn invalid_link() -> AppError {
    AppError::NotFound
}

/// A usable (unused, unexpired) link by its secret.
pub async fn find_link<C: ConnectionTrait>(
    db: &C,
    secret: &str,
    now: OffsetDateTime,
) -> Result<enrolment_token::Model, AppError> {
    if secret.is_empty() || secret.len() > 100 {
        return Err(invalid_link());
    }
    enrolment_token::Entity::find()
        .filter(enrolment_token::Column::TokenHash.eq(hash_secret(secret)))
        .filter(enrolment_token::Column::UsedAt.is_null())
        .filter(enrolment_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or_else(invalid_link)
}

/// A one-time link an administrator issues for a person.
pub struct NewLink {
    pub purpose: EnrolmentPurpose,
    pub user: UserId,
    pub issued_by: UserId,
    pub reason: Option<String>,
    pub revoke_old_passkeys: bool,
    pub validity: Duration,
}

pub async fn issue_link<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    origin: &str,
    link: NewLink,
) -> Result<(EnrolmentTokenId, String, OffsetDateTime), AppError> {
    let NewLink {
        purpose,
        user,
        issued_by,
        reason,
        revoke_old_passkeys,
        validity,
    } = link;
    // Earlier unused links of the same purpose for the same person stop working, audited.
    let why = match purpose {
        EnrolmentPurpose::Recovery => "replaced by a newer recovery link",
        _ => "replaced by a newer invitation",
    };
    expire_unused_links(
        db,
        now,
        &Actor::User(issued_by),
        Unused::Of(user, purpose),
        why,
    )
    .await?;
    let (secret, token_hash) = new_secret();
    let id = EnrolmentTokenId::new();
    let expires_at = now + validity;
    enrolment_token::Entity::insert(enrolment_token::ActiveModel {
        id: Set(id),
        token_hash: Set(token_hash),
        purpose: Set(purpose),
        user_id: Set(Some(user)),
        issued_by: Set(Some(issued_by)),
        reason: Set(reason),
        revoke_old_passkeys: Set(revoke_old_passkeys),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok((id, format!("{origin}/enrol/{secret}"), expires_at))
}

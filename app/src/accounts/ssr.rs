//! Accounts: one-time enrolment links (first administrator, invitations, recovery), enrolment
//! with a first passkey, administration of users, and the user's own passkeys and sessions.

use super::model::{EnrolmentPurpose, Role, UserStatus};
use crate::audit::model::{Actor, AuditAction};
use crate::audit::ssr::{NewAuditEvent, format_timestamp, record};
use crate::error::AppError;
use crate::ids::EnrolmentTokenId;
use crate::registry::ssr::CHUNK;
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
        .filter(user_role::Column::Role.eq(Role::Admin.as_str()))
        .filter(app_user::Column::Status.eq(UserStatus::Active.as_str()))
        .count(db)
        .await?;
    Ok(n > 0)
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

    let earlier = enrolment_token::Entity::find()
        .filter(enrolment_token::Column::Purpose.eq(EnrolmentPurpose::Bootstrap.as_str()))
        .filter(enrolment_token::Column::UsedAt.is_null())
        .filter(enrolment_token::Column::ExpiresAt.gt(now))
        .all(&txn)
        .await?;
    for old in earlier {
        // Conditional, so that two hosts issuing at once revoke (and audit) each link once.
        let revoked = enrolment_token::Entity::update_many()
            .col_expr(enrolment_token::Column::ExpiresAt, Expr::value(now))
            .filter(enrolment_token::Column::Id.eq(old.id))
            .filter(enrolment_token::Column::UsedAt.is_null())
            .filter(enrolment_token::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        if revoked.rows_affected == 0 {
            continue;
        }
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: Actor::HostOperator,
                action: AuditAction::EnrolmentRevoked,
                subject_type: "enrolment_token",
                subject_id: old.id.to_string(),
                before: Some(json!({ "purpose": old.purpose, "expires_at": format_timestamp(old.expires_at) })),
                after: Some(json!({
                    "purpose": old.purpose,
                    "expires_at": format_timestamp(now),
                    "reason": "replaced by a newer bootstrap link",
                })),
            },
        )
        .await?;
    }

    let (secret, token_hash) = new_secret();
    let id = EnrolmentTokenId::new();
    let expires_at = now + BOOTSTRAP_VALIDITY;
    enrolment_token::Entity::insert(enrolment_token::ActiveModel {
        id: Set(id.0),
        token_hash: Set(token_hash),
        purpose: Set(EnrolmentPurpose::Bootstrap.as_str().into()),
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

// ---------------------------------------------------------------------------------------------
// Enrolment: redeeming a one-time link with a first passkey.

use super::model::{
    AccountOverview, DISPLAY_NAME_MAX, EnrolmentInfo, IssuedLinkView, PASSKEY_NAME_MAX,
    PasskeySummary, REASON_MAX, REASON_MIN, SessionSummary, UserSummary, validate_text,
    validate_username,
};
use crate::ids::{PasskeyId, UserId};
use crate::session::model::CurrentUser;
use crate::session::ssr::auth::{self, AuthBucket};
use crate::session::ssr::ceremony::{self, Kind};
use crate::session::ssr::passkeys::{
    exclude_list, insert_passkey, passkey_snapshot, registration_options_json, usable_passkeys,
    verify_registration,
};
use crate::session::ssr::store::DbSessionStore;
use crate::ssr::entities::{passkey, web_session};
use sea_orm::QueryOrder;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;
use webauthn_rs::prelude::PasskeyRegistration;

/// How long an invitation link stays valid.
pub const INVITATION_VALIDITY: Duration = Duration::days(7);
/// How long a recovery link stays valid.
pub const RECOVERY_VALIDITY: Duration = Duration::hours(1);
/// How recent the issuer's own passkey verification must be to issue recovery.
pub const REVERIFY_WINDOW: Duration = Duration::minutes(5);

fn invalid_link() -> AppError {
    AppError::NotFound
}

/// A usable (unused, unexpired) link by its secret.
async fn find_link<C: ConnectionTrait>(
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

fn purpose_of(link: &enrolment_token::Model) -> Result<EnrolmentPurpose, AppError> {
    match link.purpose.as_str() {
        "bootstrap" => Ok(EnrolmentPurpose::Bootstrap),
        "invitation" => Ok(EnrolmentPurpose::Invitation),
        "recovery" => Ok(EnrolmentPurpose::Recovery),
        other => Err(AppError::internal(format!(
            "unknown enrolment purpose {other}"
        ))),
    }
}

/// What a link is for, shown before the person creates their passkey.
pub async fn enrolment_info(state: &AppState, secret: &str) -> Result<EnrolmentInfo, AppError> {
    let link = find_link(state.db.conn(), secret, state.now()).await?;
    let purpose = purpose_of(&link)?;
    let user = match link.user_id {
        Some(id) => {
            app_user::Entity::find_by_id(id)
                .one(state.db.conn())
                .await?
        }
        None => None,
    };
    Ok(EnrolmentInfo {
        purpose,
        username: user.as_ref().map(|u| u.username.clone()),
        display_name: user.map(|u| u.display_name),
        expires_at: format_timestamp(link.expires_at),
    })
}

#[derive(Serialize, Deserialize)]
struct EnrolState {
    token_id: Uuid,
    user_id: Uuid,
    username: String,
    display_name: String,
    reg: PasskeyRegistration,
}

/// Starts registering the first passkey for a link. The first administrator chooses a user name
/// and display name; invited and recovering users already have theirs.
pub async fn start_enrolment(
    state: &AppState,
    session: &Session,
    secret: &str,
    username: Option<String>,
    display_name: Option<String>,
) -> Result<String, AppError> {
    let link = find_link(state.db.conn(), secret, state.now()).await?;
    let (user_id, username, display_name, existing) = match purpose_of(&link)? {
        EnrolmentPurpose::Bootstrap => {
            let username = validate_username(username.as_deref().unwrap_or(""))?;
            let display_name = validate_text(
                "display_name",
                display_name.as_deref().unwrap_or(""),
                1,
                DISPLAY_NAME_MAX,
            )?;
            let taken = app_user::Entity::find()
                .filter(app_user::Column::Username.eq(username.as_str()))
                .count(state.db.conn())
                .await?;
            if taken > 0 {
                return Err(AppError::validation("username", "This user name is taken."));
            }
            (Uuid::new_v4(), username, display_name, Vec::new())
        }
        EnrolmentPurpose::Invitation | EnrolmentPurpose::Recovery => {
            let id = link.user_id.ok_or_else(invalid_link)?;
            let user = app_user::Entity::find_by_id(id)
                .one(state.db.conn())
                .await?
                .ok_or_else(invalid_link)?;
            let existing = usable_passkeys(state.db.conn(), id).await?;
            (id, user.username, user.display_name, existing)
        }
    };
    let (ccr, reg) = state
        .webauthn
        .start_passkey_registration(user_id, &username, &display_name, exclude_list(&existing))
        .map_err(AppError::internal)?;
    let st = EnrolState {
        token_id: link.id,
        user_id,
        username,
        display_name,
        reg,
    };
    ceremony::begin(state, session, Kind::Enrolment, &st).await?;
    registration_options_json(&ccr)
}

/// Finishes an enrolment: verifies the new passkey, redeems the link (once), creates or
/// activates the account, and signs the person in. Recovery ends every earlier session and may
/// revoke the old passkeys.
pub async fn finish_enrolment(
    state: &AppState,
    session: &Session,
    credential: &str,
) -> Result<CurrentUser, AppError> {
    let st: EnrolState = ceremony::take(state, session, Kind::Enrolment).await?;
    let (pk, attachment) = verify_registration(&state.webauthn, credential, &st.reg)?;
    let now = state.now();
    let user = UserId(st.user_id);
    let txn = state.db.begin_write().await?;
    let redeemed = enrolment_token::Entity::update_many()
        .col_expr(enrolment_token::Column::UsedAt, Expr::value(now))
        .filter(enrolment_token::Column::Id.eq(st.token_id))
        .filter(enrolment_token::Column::UsedAt.is_null())
        .filter(enrolment_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if redeemed.rows_affected != 1 {
        return Err(AppError::Conflict(
            "This link has expired or was already used.".into(),
        ));
    }
    let link = enrolment_token::Entity::find_by_id(st.token_id)
        .one(&txn)
        .await?
        .ok_or_else(invalid_link)?;
    let purpose = purpose_of(&link)?;
    let actor = Actor::User(user);
    match purpose {
        EnrolmentPurpose::Bootstrap => {
            if active_admin_exists(&txn).await? && link.reason.is_none() {
                return Err(AppError::Conflict(
                    "An administrator already exists; ask them for an invitation.".into(),
                ));
            }
            let account = NewUser {
                id: user.0,
                username: &st.username,
                display_name: &st.display_name,
                status: UserStatus::Active,
                roles: &[Role::Admin],
            };
            create_user(&txn, account, now).await?;
            record(&txn, now, NewAuditEvent {
                actor: actor.clone(),
                action: AuditAction::UserCreated,
                subject_type: "user",
                subject_id: user.to_string(),
                before: None,
                after: Some(json!({ "username": st.username, "display_name": st.display_name, "roles": ["admin"], "via": "bootstrap" })),
            })
            .await?;
        }
        EnrolmentPurpose::Invitation => {
            set_status(&txn, user.0, UserStatus::Active, now).await?;
        }
        EnrolmentPurpose::Recovery => {
            let ended = DbSessionStore::delete_for_user(&txn, user.0).await?;
            record(
                &txn,
                now,
                NewAuditEvent {
                    actor: actor.clone(),
                    action: AuditAction::SessionsEnded,
                    subject_type: "user",
                    subject_id: user.to_string(),
                    before: None,
                    after: Some(json!({ "sessions_ended": ended, "reason": "recovery redeemed" })),
                },
            )
            .await?;
            if link.revoke_old_passkeys {
                for old in passkey::Entity::find()
                    .filter(passkey::Column::UserId.eq(user.0))
                    .all(&txn)
                    .await?
                {
                    passkey::Entity::delete_by_id(old.id).exec(&txn).await?;
                    record(
                        &txn,
                        now,
                        NewAuditEvent {
                            actor: actor.clone(),
                            action: AuditAction::PasskeyRemoved,
                            subject_type: "passkey",
                            subject_id: old.id.to_string(),
                            before: Some(passkey_snapshot(&old)),
                            after: Some(json!({ "reason": "revoked by recovery" })),
                        },
                    )
                    .await?;
                }
            }
            set_status(&txn, user.0, UserStatus::Active, now).await?;
        }
    }
    let name = if attachment.as_deref() == Some("cross-platform") {
        "Security key"
    } else {
        "First passkey"
    };
    let passkey_id = insert_passkey(&txn, now, user, name, &pk, attachment).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: actor.clone(),
            action: AuditAction::PasskeyAdded,
            subject_type: "passkey",
            subject_id: passkey_id.to_string(),
            before: None,
            after: Some(json!({ "user_id": user.to_string(), "name": name })),
        },
    )
    .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: actor.clone(),
            action: if purpose == EnrolmentPurpose::Recovery {
                AuditAction::RecoveryRedeemed
            } else {
                AuditAction::EnrolmentRedeemed
            },
            subject_type: "enrolment_token",
            subject_id: link.id.to_string(),
            before: None,
            after: Some(json!({
                "purpose": link.purpose,
                "user_id": user.to_string(),
                "issued_by": link.issued_by.map(|u| u.to_string()),
                "reason": link.reason,
                "old_passkeys_revoked": link.revoke_old_passkeys,
            })),
        },
    )
    .await?;
    let current = auth::load_user(&txn, user.0)
        .await?
        .ok_or(AppError::Forbidden)?;
    txn.commit().await?;
    auth::establish(session, user, now).await?;
    Ok(current)
}

/// A new account and its roles.
#[derive(Clone, Copy, Debug)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub username: &'a str,
    pub display_name: &'a str,
    pub status: UserStatus,
    pub roles: &'a [Role],
}

/// Creates an account; a taken user name is a validation error on that field.
async fn create_user<C: ConnectionTrait>(
    db: &C,
    user: NewUser<'_>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    insert_users(db, &[user], now).await
}

/// Creates accounts with their roles, in batches (one account or twenty thousand). A taken user
/// name is a validation error on `username`.
pub async fn insert_users<C: ConnectionTrait>(
    db: &C,
    users: &[NewUser<'_>],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    for chunk in users.chunks(CHUNK) {
        app_user::Entity::insert_many(chunk.iter().map(|u| app_user::ActiveModel {
            id: Set(u.id),
            username: Set(u.username.to_string()),
            display_name: Set(u.display_name.to_string()),
            status: Set(u.status.as_str().into()),
            created_at: Set(now),
            updated_at: Set(now),
        }))
        .exec_without_returning(db)
        .await
        .map_err(AppError::taken("username", "This user name is taken."))?;
    }
    let roles: Vec<_> = users
        .iter()
        .flat_map(|u| {
            u.roles.iter().map(move |r| user_role::ActiveModel {
                user_id: Set(u.id),
                role: Set(r.as_str().into()),
                granted_at: Set(now),
            })
        })
        .collect();
    for chunk in roles.chunks(CHUNK) {
        user_role::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn grant_roles<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    roles: &[Role],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user))
        .exec(db)
        .await?;
    for r in roles {
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(user),
            role: Set(r.as_str().into()),
            granted_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn set_status<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    status: UserStatus,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::Status, Expr::value(status.as_str()))
        .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Administration of users.

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

pub async fn list_users(state: &AppState) -> Result<Vec<UserSummary>, AppError> {
    let db = state.db.conn();
    let users = app_user::Entity::find()
        .order_by_asc(app_user::Column::Username)
        .all(db)
        .await?;
    let roles = user_role::Entity::find().all(db).await?;
    let keys = passkey::Entity::find().all(db).await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let mut r: Vec<Role> = roles
                .iter()
                .filter(|x| x.user_id == u.id)
                .filter_map(|x| Role::parse(&x.role))
                .collect();
            r.sort();
            UserSummary {
                id: UserId(u.id),
                passkeys: keys.iter().filter(|k| k.user_id == u.id).count() as u64,
                username: u.username,
                display_name: u.display_name,
                status: UserStatus::parse(&u.status).unwrap_or(UserStatus::Disabled),
                roles: r,
                created_at: format_timestamp(u.created_at),
            }
        })
        .collect())
}

/// A one-time link an administrator issues for a person.
struct NewLink {
    purpose: EnrolmentPurpose,
    user: Uuid,
    issued_by: UserId,
    reason: Option<String>,
    revoke_old_passkeys: bool,
    validity: Duration,
}

async fn issue_link<C: ConnectionTrait>(
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
    // Earlier unused links of the same purpose for the same person stop working.
    enrolment_token::Entity::update_many()
        .col_expr(enrolment_token::Column::ExpiresAt, Expr::value(now))
        .filter(enrolment_token::Column::UserId.eq(user))
        .filter(enrolment_token::Column::Purpose.eq(purpose.as_str()))
        .filter(enrolment_token::Column::UsedAt.is_null())
        .filter(enrolment_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    let (secret, token_hash) = new_secret();
    let id = EnrolmentTokenId::new();
    let expires_at = now + validity;
    enrolment_token::Entity::insert(enrolment_token::ActiveModel {
        id: Set(id.0),
        token_hash: Set(token_hash),
        purpose: Set(purpose.as_str().into()),
        user_id: Set(Some(user)),
        issued_by: Set(Some(issued_by.0)),
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

/// Invites a person with roles: creates the account (invited) and a single-use link valid 7 days.
pub async fn invite_user(
    state: &AppState,
    admin: &CurrentUser,
    username: &str,
    display_name: &str,
    roles: &[Role],
) -> Result<IssuedLinkView, AppError> {
    let username = validate_username(username)?;
    let display_name = validate_text("display_name", display_name, 1, DISPLAY_NAME_MAX)?;
    if roles.is_empty() {
        return Err(AppError::validation("roles", "Choose at least one role."));
    }
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let id = Uuid::new_v4();
    let account = NewUser {
        id,
        username: &username,
        display_name: &display_name,
        status: UserStatus::Invited,
        roles,
    };
    create_user(&txn, account, now).await?;
    let link = NewLink {
        purpose: EnrolmentPurpose::Invitation,
        user: id,
        issued_by: admin.id,
        reason: None,
        revoke_old_passkeys: false,
        validity: INVITATION_VALIDITY,
    };
    let (token, url, expires_at) =
        issue_link(&txn, now, &state.config.public_url.origin, link).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id),
            action: AuditAction::UserInvited,
            subject_type: "user",
            subject_id: id.to_string(),
            before: None,
            after: Some(json!({
                "username": username,
                "display_name": display_name,
                "roles": role_names(roles),
                "invitation_id": token.to_string(),
                "expires_at": format_timestamp(expires_at),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedLinkView {
        url,
        expires_at: format_timestamp(expires_at),
        for_user: username,
    })
}

/// Whether removing `user` from the active administrators would leave none.
async fn is_last_admin<C: ConnectionTrait>(db: &C, user: Uuid) -> Result<bool, AppError> {
    let admins = user_role::Entity::find()
        .join(JoinType::InnerJoin, user_role::Relation::AppUser.def())
        .filter(user_role::Column::Role.eq(Role::Admin.as_str()))
        .filter(app_user::Column::Status.eq(UserStatus::Active.as_str()))
        .all(db)
        .await?;
    Ok(admins.len() == 1 && admins[0].user_id == user)
}

async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    actor: &Actor,
    user: Uuid,
    reason: &str,
) -> Result<(), AppError> {
    let ended = DbSessionStore::delete_for_user(db, user).await?;
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
    Ok(())
}

/// Replaces a user's roles and ends their sessions (privileges change only at a fresh sign-in).
pub async fn change_roles(
    state: &AppState,
    admin: &CurrentUser,
    target: UserId,
    roles: &[Role],
) -> Result<(), AppError> {
    if roles.is_empty() {
        return Err(AppError::validation("roles", "Choose at least one role."));
    }
    let now = state.now();
    let txn = state.db.begin_write().await?;
    app_user::Entity::find_by_id(target.0)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = auth::roles_of(&txn, target.0).await?;
    if before.contains(&Role::Admin)
        && !roles.contains(&Role::Admin)
        && is_last_admin(&txn, target.0).await?
    {
        return Err(AppError::Conflict(
            "This is the last active administrator; appoint another first.".into(),
        ));
    }
    grant_roles(&txn, target.0, roles, now).await?;
    let actor = Actor::User(admin.id);
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: actor.clone(),
            action: AuditAction::RolesChanged,
            subject_type: "user",
            subject_id: target.to_string(),
            before: Some(json!({ "roles": role_names(&before) })),
            after: Some(json!({ "roles": role_names(roles) })),
        },
    )
    .await?;
    end_sessions(&txn, now, &actor, target.0, "roles changed").await?;
    txn.commit().await?;
    Ok(())
}

/// Disables or re-enables a user. Disabling ends their sessions; nobody disables themselves or the
/// last administrator.
pub async fn set_enabled(
    state: &AppState,
    admin: &CurrentUser,
    target: UserId,
    enabled: bool,
) -> Result<(), AppError> {
    if target == admin.id && !enabled {
        return Err(AppError::Conflict(
            "You cannot disable your own account.".into(),
        ));
    }
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let user = app_user::Entity::find_by_id(target.0)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = UserStatus::parse(&user.status).unwrap_or(UserStatus::Disabled);
    let actor = Actor::User(admin.id);
    if enabled {
        if status != UserStatus::Disabled {
            return Ok(());
        }
        let has_passkey = passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(target.0))
            .count(&txn)
            .await?
            > 0;
        let new_status = if has_passkey {
            UserStatus::Active
        } else {
            UserStatus::Invited
        };
        set_status(&txn, target.0, new_status, now).await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor,
                action: AuditAction::UserEnabled,
                subject_type: "user",
                subject_id: target.to_string(),
                before: Some(json!({ "status": user.status })),
                after: Some(json!({ "status": new_status.as_str() })),
            },
        )
        .await?;
    } else {
        if status == UserStatus::Disabled {
            return Ok(());
        }
        if is_last_admin(&txn, target.0).await? {
            return Err(AppError::Conflict(
                "This is the last active administrator; appoint another first.".into(),
            ));
        }
        set_status(&txn, target.0, UserStatus::Disabled, now).await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: actor.clone(),
                action: AuditAction::UserDisabled,
                subject_type: "user",
                subject_id: target.to_string(),
                before: Some(json!({ "status": user.status })),
                after: Some(json!({ "status": "disabled" })),
            },
        )
        .await?;
        end_sessions(&txn, now, &actor, target.0, "user disabled").await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Issues a recovery link for someone who lost their passkeys: never for oneself, only after the
/// issuer re-verified with their own passkey in the last five minutes, always with a reason.
pub async fn issue_recovery(
    state: &AppState,
    admin: &CurrentUser,
    bucket: &AuthBucket,
    target: UserId,
    reason: &str,
    revoke_old_passkeys: bool,
) -> Result<IssuedLinkView, AppError> {
    if target == admin.id {
        return Err(AppError::Forbidden);
    }
    let now = state.now();
    if !auth::verified_within(bucket, now, REVERIFY_WINDOW) {
        return Err(AppError::validation(
            "reverify",
            "Confirm it is you with your passkey first (valid for five minutes), then issue the link.",
        ));
    }
    let reason = validate_text("reason", reason, REASON_MIN, REASON_MAX)?;
    let txn = state.db.begin_write().await?;
    let user = app_user::Entity::find_by_id(target.0)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if UserStatus::parse(&user.status) == Some(UserStatus::Disabled) {
        return Err(AppError::Conflict(
            "This account is disabled; enable it before issuing recovery.".into(),
        ));
    }
    let link = NewLink {
        purpose: EnrolmentPurpose::Recovery,
        user: target.0,
        issued_by: admin.id,
        reason: Some(reason.clone()),
        revoke_old_passkeys,
        validity: RECOVERY_VALIDITY,
    };
    let (token, url, expires_at) =
        issue_link(&txn, now, &state.config.public_url.origin, link).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id),
            action: AuditAction::RecoveryIssued,
            subject_type: "user",
            subject_id: target.to_string(),
            before: None,
            after: Some(json!({
                "issuer": admin.id.to_string(),
                "target": target.to_string(),
                "reason": reason,
                "revoke_old_passkeys": revoke_old_passkeys,
                "recovery_id": token.to_string(),
                "expires_at": format_timestamp(expires_at),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedLinkView {
        url,
        expires_at: format_timestamp(expires_at),
        for_user: user.username,
    })
}

// ---------------------------------------------------------------------------------------------
// The user's own account.

fn session_fingerprint(id: &str) -> String {
    hex::encode(&Sha256::digest(id.as_bytes())[..4])
}

pub async fn account_overview(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
) -> Result<AccountOverview, AppError> {
    let db = state.db.conn();
    let passkeys = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user.id.0))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PasskeySummary {
            id: PasskeyId(p.id),
            name: p.name,
            created_at: format_timestamp(p.created_at),
            last_used_at: p.last_used_at.map(format_timestamp),
            synced: p.backup_state,
            backup_eligible: p.backup_eligible,
            attachment: p.attachment,
            flagged: p.flag_reason,
        })
        .collect();
    let current = session.id().map(|i| i.to_string());
    let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
    let sessions = web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(user.id.0))
        .filter(web_session::Column::ExpiresAt.gt(state.now().unix_timestamp()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| SessionSummary {
            fingerprint: session_fingerprint(&s.id),
            last_active: OffsetDateTime::from_unix_timestamp(s.expires_at)
                .map(|t| format_timestamp(t - idle))
                .unwrap_or_default(),
            current: current.as_deref() == Some(s.id.as_str()),
        })
        .collect();
    Ok(AccountOverview {
        user: user.clone(),
        passkeys,
        sessions,
    })
}

#[derive(Serialize, Deserialize)]
struct AddPasskeyState {
    user_id: Uuid,
    reg: PasskeyRegistration,
}

pub async fn start_add_passkey(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
) -> Result<String, AppError> {
    let existing = usable_passkeys(state.db.conn(), user.id.0).await?;
    let (ccr, reg) = state
        .webauthn
        .start_passkey_registration(
            user.id.0,
            &user.username,
            &user.display_name,
            exclude_list(&existing),
        )
        .map_err(AppError::internal)?;
    ceremony::begin(
        state,
        session,
        Kind::AddPasskey,
        &AddPasskeyState {
            user_id: user.id.0,
            reg,
        },
    )
    .await?;
    registration_options_json(&ccr)
}

pub async fn finish_add_passkey(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    credential: &str,
    name: &str,
) -> Result<(), AppError> {
    let st: AddPasskeyState = ceremony::take(state, session, Kind::AddPasskey).await?;
    if st.user_id != user.id.0 {
        return Err(ceremony::stale());
    }
    let name = validate_text("name", name, 1, PASSKEY_NAME_MAX)?;
    let (pk, attachment) = verify_registration(&state.webauthn, credential, &st.reg)?;
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let id = insert_passkey(&txn, now, user.id, &name, &pk, attachment.clone()).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::PasskeyAdded,
            subject_type: "passkey",
            subject_id: id.to_string(),
            before: None,
            after: Some(
                json!({ "user_id": user.id.to_string(), "name": name, "attachment": attachment }),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One of the user's own passkeys; another user's is simply not found.
async fn own_passkey<C: ConnectionTrait>(
    db: &C,
    user: &CurrentUser,
    id: PasskeyId,
) -> Result<passkey::Model, AppError> {
    passkey::Entity::find_by_id(id.0)
        .filter(passkey::Column::UserId.eq(user.id.0))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn rename_passkey(
    state: &AppState,
    user: &CurrentUser,
    id: PasskeyId,
    name: &str,
) -> Result<(), AppError> {
    let name = validate_text("name", name, 1, PASSKEY_NAME_MAX)?;
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let old = own_passkey(&txn, user, id).await?;
    passkey::Entity::update_many()
        .col_expr(passkey::Column::Name, Expr::value(name.as_str()))
        .filter(passkey::Column::Id.eq(id.0))
        .exec(&txn)
        .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::PasskeyRenamed,
            subject_type: "passkey",
            subject_id: id.to_string(),
            before: Some(json!({ "name": old.name })),
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes one of the user's passkeys, never the last usable one.
pub async fn remove_passkey(
    state: &AppState,
    user: &CurrentUser,
    id: PasskeyId,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let old = own_passkey(&txn, user, id).await?;
    let usable_left = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user.id.0))
        .filter(passkey::Column::FlaggedAt.is_null())
        .filter(passkey::Column::Id.ne(id.0))
        .count(&txn)
        .await?;
    if usable_left == 0 {
        return Err(AppError::Conflict(
            "This is your last passkey. Add another before removing it, so you can still sign in."
                .into(),
        ));
    }
    passkey::Entity::delete_by_id(id.0).exec(&txn).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::PasskeyRemoved,
            subject_type: "passkey",
            subject_id: id.to_string(),
            before: Some(passkey_snapshot(&old)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of the user, this one included.
pub async fn sign_out_everywhere(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    end_sessions(
        &txn,
        now,
        &Actor::User(user.id),
        user.id.0,
        "signed out everywhere",
    )
    .await?;
    txn.commit().await?;
    auth::end(session).await
}

/// Ends this session.
pub async fn sign_out(
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::SessionsEnded,
            subject_type: "user",
            subject_id: user.id.to_string(),
            before: None,
            after: Some(json!({ "sessions_ended": 1, "reason": "signed out" })),
        },
    )
    .await?;
    txn.commit().await?;
    auth::end(session).await
}

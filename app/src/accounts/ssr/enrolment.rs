//! Enrolment: redeeming a one-time link with a first passkey.

use super::links::{active_admin_exists, find_link, invalid_link};
use super::users::{NewUser, activate_unless_disabled, create_user};
use crate::accounts::model::{DISPLAY_NAME_MAX, EnrolmentInfo, EnrolmentPurpose};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{EnrolmentTokenId, UserId};
use crate::session::facade::{
    CeremonyKind, begin_ceremony, end_sessions, establish, exclude_list, insert_passkey, load_user,
    passkey_snapshot, registration_options_json, take_ceremony, usable_passkeys,
    verify_registration,
};
use crate::session::model::{CurrentUser, Role, UserStatus};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{app_user, enrolment_token, passkey};
use crate::ssr::state::AppState;
use crate::validation::{validate_text, validate_username};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::PasskeyRegistration;

/// What a link is for, shown before the person creates their passkey.
pub async fn enrolment_info(state: &AppState, secret: &str) -> Result<EnrolmentInfo, AppError> {
    let link = find_link(state.db.conn(), secret, state.now()).await?;
    let purpose = link.purpose;
    let user = match link.user_id {
        Some(id) => Some(enrollable(state, id).await?),
        None => None,
    };
    Ok(EnrolmentInfo {
        purpose,
        username: user.as_ref().map(|u| u.username.clone()),
        display_name: user.map(|u| u.display_name),
        expires_at: format_timestamp(link.expires_at),
    })
}

/// The account an invitation or recovery link enrols: a disabled account's links are not links
/// (disabling expires them; this holds for any left from before).
async fn enrollable(state: &AppState, id: UserId) -> Result<app_user::Model, AppError> {
    app_user::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .filter(|u| u.status != UserStatus::Disabled)
        .ok_or_else(invalid_link)
}

fn disabled() -> AppError {
    AppError::Conflict("This account is disabled; an administrator can enable it.".into())
}

#[derive(Serialize, Deserialize)]
struct EnrolState {
    token_id: EnrolmentTokenId,
    user_id: UserId,
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
    let (user_id, username, display_name, existing) = match link.purpose {
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
            (UserId::new(), username, display_name, Vec::new())
        }
        EnrolmentPurpose::Invitation | EnrolmentPurpose::Recovery => {
            let id = link.user_id.ok_or_else(invalid_link)?;
            let user = enrollable(state, id).await?;
            let existing = usable_passkeys(state.db.conn(), id).await?;
            (id, user.username, user.display_name, existing)
        }
    };
    let (ccr, reg) = state
        .webauthn
        .start_passkey_registration(user_id.0, &username, &display_name, exclude_list(&existing))
        .map_err(AppError::internal)?;
    let st = EnrolState {
        token_id: link.id,
        user_id,
        username,
        display_name,
        reg,
    };
    begin_ceremony(state, session, CeremonyKind::Enrolment, &st).await?;
    registration_options_json(&ccr)
}

/// Finishes an enrolment: verifies the new passkey, redeems the link (once), creates or
/// activates the account (never a disabled one: that is refused and nothing is written), and
/// signs the person in. Recovery ends every earlier session and may
/// revoke the old passkeys.
pub async fn finish_enrolment(
    state: &AppState,
    session: &Session,
    credential: &str,
) -> Result<CurrentUser, AppError> {
    let st: EnrolState = take_ceremony(state, session, CeremonyKind::Enrolment).await?;
    let (pk, attachment) = verify_registration(&state.webauthn, credential, &st.reg)?;
    let now = state.now();
    let user = st.user_id;
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
    let purpose = link.purpose;
    let actor = Actor::User(user);
    match purpose {
        EnrolmentPurpose::Bootstrap => {
            if active_admin_exists(&txn).await? && link.reason.is_none() {
                return Err(AppError::Conflict(
                    "An administrator already exists; ask them for an invitation.".into(),
                ));
            }
            let account = NewUser {
                id: user,
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
            if !activate_unless_disabled(&txn, user, now).await? {
                return Err(disabled());
            }
        }
        EnrolmentPurpose::Recovery => {
            if !activate_unless_disabled(&txn, user, now).await? {
                return Err(disabled());
            }
            end_sessions(&txn, now, &actor, user, "recovery redeemed").await?;
            if link.revoke_old_passkeys {
                for old in passkey::Entity::find()
                    .filter(passkey::Column::UserId.eq(user))
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
    let current = load_user(&txn, user).await?.ok_or(AppError::Forbidden)?;
    txn.commit().await?;
    establish(state.db.conn(), session, user, now).await?;
    Ok(current)
}

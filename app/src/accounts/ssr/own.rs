//! The signed-in person's own account: their passkeys and sessions. Every function acts on the
//! caller only, by the guard's proof that they are signed in.

use crate::accounts::model::{AccountOverview, PASSKEY_NAME_MAX, PasskeySummary, SessionSummary};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::PasskeyId;
use crate::ids::UserId;
use crate::session::facade::{
    CeremonyKind, Granted, begin_ceremony, end, end_sessions, exclude_list, insert_passkey,
    passkey_snapshot, registration_options_json, session_key, stale_ceremony, take_ceremony,
    usable_passkeys, verify_registration,
};
use crate::session::model::{CurrentUser, SelfService};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{app_user, passkey, web_session};
use crate::ssr::state::AppState;
use crate::validation::validate_text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::Session;
use webauthn_rs::prelude::PasskeyRegistration;

fn session_fingerprint(id: &str) -> String {
    hex::encode(&Sha256::digest(id.as_bytes())[..4])
}

pub async fn account_overview(
    state: &AppState,
    caller: &Granted<SelfService>,
    session: &Session,
) -> Result<AccountOverview, AppError> {
    let user = caller.user();
    let db = state.db.conn();
    let passkeys = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user.id))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PasskeySummary {
            id: p.id,
            name: p.name,
            created_at: format_timestamp(p.created_at),
            last_used_at: p.last_used_at.map(format_timestamp),
            synced: p.backup_state,
            backup_eligible: p.backup_eligible,
            attachment: p.attachment,
            flagged: p.flag_reason,
        })
        .collect();
    // Rows are stored under a hash of the session id.
    let current = session.id().map(|i| session_key(&i));
    let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
    let sessions = web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(user.id))
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
    user_id: UserId,
    reg: PasskeyRegistration,
}

pub async fn start_add_passkey(
    state: &AppState,
    session: &Session,
    caller: &Granted<SelfService>,
) -> Result<String, AppError> {
    let user = caller.user();
    let existing = usable_passkeys(state.db.conn(), user.id).await?;
    let (ccr, reg) = state
        .webauthn
        .start_passkey_registration(
            user.id.0,
            &user.username,
            &user.display_name,
            exclude_list(&existing),
        )
        .map_err(AppError::internal)?;
    begin_ceremony(
        state,
        session,
        CeremonyKind::AddPasskey,
        &AddPasskeyState {
            user_id: user.id,
            reg,
        },
    )
    .await?;
    registration_options_json(&ccr)
}

pub async fn finish_add_passkey(
    state: &AppState,
    session: &Session,
    caller: &Granted<SelfService>,
    credential: &str,
    name: &str,
) -> Result<(), AppError> {
    let user = caller.user();
    let st: AddPasskeyState = take_ceremony(state, session, CeremonyKind::AddPasskey).await?;
    if st.user_id != user.id {
        return Err(stale_ceremony());
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
    passkey::Entity::find_by_id(id)
        .filter(passkey::Column::UserId.eq(user.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn rename_passkey(
    state: &AppState,
    caller: &Granted<SelfService>,
    id: PasskeyId,
    name: &str,
) -> Result<(), AppError> {
    let user = caller.user();
    let name = validate_text("name", name, 1, PASSKEY_NAME_MAX)?;
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let old = own_passkey(&txn, user, id).await?;
    passkey::Entity::update_many()
        .col_expr(passkey::Column::Name, Expr::value(name.as_str()))
        .filter(passkey::Column::Id.eq(id))
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

/// Removes one of the user's passkeys, never the last usable one. The user's account row is
/// locked first (PostgreSQL; SQLite's write transaction already excludes every other writer) and
/// the passkeys counted after, by a statement of its own: two removals at once take turns, and
/// the second counts without the passkey the first removed.
pub async fn remove_passkey(
    state: &AppState,
    caller: &Granted<SelfService>,
    id: PasskeyId,
) -> Result<(), AppError> {
    let user = caller.user();
    let now = state.now();
    let txn = state.db.begin_write().await?;
    app_user::Entity::find_by_id(user.id)
        .select_only()
        .column(app_user::Column::Id)
        .lock_exclusive()
        .into_tuple::<UserId>()
        .one(&txn)
        .await?;
    let old = own_passkey(&txn, user, id).await?;
    let usable_left = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user.id))
        .filter(passkey::Column::FlaggedAt.is_null())
        .filter(passkey::Column::Id.ne(id))
        .count(&txn)
        .await?;
    if usable_left == 0 {
        return Err(AppError::Conflict(
            "This is your last passkey. Add another before removing it, so you can still sign in."
                .into(),
        ));
    }
    passkey::Entity::delete_by_id(id).exec(&txn).await?;
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
    caller: &Granted<SelfService>,
    session: &Session,
) -> Result<(), AppError> {
    let user = caller.user();
    let now = state.now();
    let txn = state.db.begin_write().await?;
    end_sessions(
        &txn,
        now,
        &Actor::User(user.id),
        user.id,
        "signed out everywhere",
    )
    .await?;
    txn.commit().await?;
    end(session).await
}

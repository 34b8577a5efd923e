//! Passkey sign-in: by user name (the user's credentials are offered) or without one
//! (discoverable credentials). Unknown and known names get answers of the same shape.

use super::auth;
use super::ceremony::{self, Kind};
use super::guard::Granted;
use super::passkeys::{
    Verified, authentication_options_json, b64url, decoy_credential_ids, decoy_template,
    parse_assertion, usable_passkeys, verify_assertion,
};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{CurrentUser, SelfService, UserStatus};
use crate::ssr::entities::{app_user, passkey};
use crate::ssr::state::AppState;
use crate::validation::validate_username;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, PasskeyAuthentication, WebauthnError,
};

#[derive(Serialize, Deserialize)]
enum SignInState {
    /// A known user name: the assertion must come from one of this user's passkeys.
    Known {
        user_id: UserId,
        auth: PasskeyAuthentication,
    },
    /// An unknown user name (or one without passkeys): nothing can succeed.
    Decoy { username: String },
    /// No user name: the authenticator names the user; the credential must belong to them.
    Discoverable { auth: DiscoverableAuthentication },
}

/// The id length of the stand-in offered before any account has a passkey.
const DEFAULT_CREDENTIAL_ID_LEN: usize = 32;

/// The one message for every failed sign-in, whatever the reason.
fn refused() -> AppError {
    AppError::validation(
        "passkey",
        "Sign-in failed: that passkey was not accepted for this account.",
    )
}

/// Starts a sign-in and returns the browser's request options as JSON.
pub async fn start(
    state: &AppState,
    session: &Session,
    username: Option<String>,
) -> Result<String, AppError> {
    let username = username.filter(|u| !u.trim().is_empty());
    let (rcr, st, decoy) = match username {
        None => {
            let (rcr, auth) = state
                .webauthn
                .start_discoverable_authentication()
                .map_err(AppError::internal)?;
            (rcr, SignInState::Discoverable { auth }, None)
        }
        Some(raw) => {
            let name = validate_username(&raw)?;
            let user = app_user::Entity::find()
                .filter(app_user::Column::Username.eq(name.as_str()))
                .filter(app_user::Column::Status.eq(UserStatus::Active))
                .one(state.db.conn())
                .await?;
            let passkeys = match &user {
                Some(u) => usable_passkeys(state.db.conn(), u.id).await?,
                None => Vec::new(),
            };
            match user {
                Some(u) if !passkeys.is_empty() => {
                    let pks: Vec<_> = passkeys.into_iter().map(|(_, pk)| pk).collect();
                    let (rcr, auth) = state
                        .webauthn
                        .start_passkey_authentication(&pks)
                        .map_err(AppError::internal)?;
                    (
                        rcr,
                        SignInState::Known {
                            user_id: u.id,
                            auth,
                        },
                        None,
                    )
                }
                _ => {
                    // A stand-in shaped like a real account's answer: the passkeys of an
                    // account picked by the name, with every id replaced.
                    let template = decoy_template(state.db.conn(), &state.decoy_key, &name).await?;
                    let (rcr, lengths) = if template.is_empty() {
                        let (rcr, _) = state
                            .webauthn
                            .start_discoverable_authentication()
                            .map_err(AppError::internal)?;
                        (rcr, vec![DEFAULT_CREDENTIAL_ID_LEN])
                    } else {
                        let (rcr, _) = state
                            .webauthn
                            .start_passkey_authentication(&template)
                            .map_err(AppError::internal)?;
                        (rcr, template.iter().map(|pk| pk.cred_id().len()).collect())
                    };
                    let ids = decoy_credential_ids(&state.decoy_key, &name, &lengths);
                    (rcr, SignInState::Decoy { username: name }, Some(ids))
                }
            }
        }
    };
    ceremony::begin(state, session, Kind::SignIn, &st).await?;
    authentication_options_json(&rcr, decoy.as_deref())
}

/// Finishes a sign-in: verifies the assertion, persists the credential's counter and flags,
/// starts a fresh session and audits the outcome either way.
pub async fn finish(
    state: &AppState,
    session: &Session,
    credential: &str,
) -> Result<CurrentUser, AppError> {
    let st: SignInState = ceremony::take(state, session, Kind::SignIn).await?;
    let cred = parse_assertion(credential)?;
    let cred_id = b64url(cred.raw_id.as_ref());
    let row = passkey::Entity::find()
        .filter(passkey::Column::CredentialId.eq(cred_id.as_str()))
        .one(state.db.conn())
        .await?;

    // Which stored passkey the assertion must verify against, and for whom.
    let (claimed, row, outcome) = match (st, row) {
        (SignInState::Decoy { username }, _) => {
            return Err(failed(
                state,
                None,
                &format!("no usable passkey for user name '{username}'"),
            )
            .await);
        }
        (SignInState::Known { user_id, auth }, Some(row))
            if row.user_id == user_id && row.flagged_at.is_none() =>
        {
            let outcome = state.webauthn.finish_passkey_authentication(&cred, &auth);
            (user_id, row, outcome)
        }
        (SignInState::Known { user_id, .. }, _) => {
            return Err(failed(
                state,
                Some(user_id),
                "the passkey presented is not one of this user's",
            )
            .await);
        }
        (SignInState::Discoverable { auth }, Some(row)) => {
            // The user handle is not signed: it must name the owner of the credential presented.
            let named = state
                .webauthn
                .identify_discoverable_authentication(&cred)
                .map(|(u, _)| UserId(u))
                .ok();
            if named != Some(row.user_id) {
                return Err(failed(
                    state,
                    named,
                    "the user handle does not match the credential's owner",
                )
                .await);
            }
            if row.flagged_at.is_some() {
                return Err(failed(state, named, "the passkey is blocked").await);
            }
            let pk: webauthn_rs::prelude::Passkey =
                serde_json::from_str(&row.credential).map_err(AppError::internal)?;
            let outcome = state
                .webauthn
                .finish_discoverable_authentication_v2(&cred, auth, &pk);
            (row.user_id, row, outcome)
        }
        (SignInState::Discoverable { .. }, None) => {
            return Err(failed(state, None, "unknown credential").await);
        }
    };
    let Some(current) = auth::load_user(state.db.conn(), claimed).await? else {
        return Err(failed(state, Some(claimed), "the account is not active").await);
    };

    // The counter, the passkey's flags and the sign-in event are one transaction.
    let now = state.now();
    let outcome = verified(state, claimed, row, outcome, |passkey| NewAuditEvent {
        actor: Actor::User(claimed),
        action: AuditAction::SignInSucceeded,
        subject_type: "user",
        subject_id: claimed.to_string(),
        before: None,
        after: Some(json!({ "passkey_id": passkey.id.to_string(), "passkey_name": passkey.name, "sign_count": passkey.sign_count })),
    })
    .await?;
    let Verified::Ok { user, .. } = outcome else {
        return Err(failed(
            state,
            Some(claimed),
            "the passkey was blocked: its counter went backwards",
        )
        .await);
    };
    auth::establish(state.db.conn(), session, user, now).await?;
    Ok(current)
}

/// Verifies an assertion against the stored passkey; one that does not verify (signature,
/// challenge, origin, user verification) is audited and refused like every other failure.
async fn verified(
    state: &AppState,
    claimed: UserId,
    row: passkey::Model,
    outcome: Result<AuthenticationResult, WebauthnError>,
    event: impl FnOnce(&passkey::Model) -> NewAuditEvent,
) -> Result<Verified, AppError> {
    match verify_assertion(state, row, outcome, event).await {
        Err(AppError::Unauthenticated) => {
            Err(failed(state, Some(claimed), "the assertion did not verify").await)
        }
        other => other,
    }
}

/// Audits a failed sign-in and returns the one refusal message.
async fn failed(state: &AppState, claimed: Option<UserId>, why: &str) -> AppError {
    let now = state.now();
    let result = async {
        let txn = state.db.begin_write().await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: Actor::Anonymous,
                action: AuditAction::SignInFailed,
                subject_type: "user",
                subject_id: claimed
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                before: None,
                after: Some(json!({ "reason": why })),
            },
        )
        .await?;
        txn.commit().await
    }
    .await;
    if let Err(e) = result {
        return AppError::from(e);
    }
    refused()
}

#[derive(Serialize, Deserialize)]
struct ReverifyState {
    user_id: UserId,
    auth: PasskeyAuthentication,
}

/// Starts a fresh passkey verification of the signed-in user (before a high-risk action).
pub async fn start_reverify(
    state: &AppState,
    session: &Session,
    caller: &Granted<SelfService>,
) -> Result<String, AppError> {
    let user = caller.user();
    let pks: Vec<_> = usable_passkeys(state.db.conn(), user.id)
        .await?
        .into_iter()
        .map(|(_, pk)| pk)
        .collect();
    let (rcr, auth) = state
        .webauthn
        .start_passkey_authentication(&pks)
        .map_err(AppError::internal)?;
    ceremony::begin(
        state,
        session,
        Kind::Reverify,
        &ReverifyState {
            user_id: user.id,
            auth,
        },
    )
    .await?;
    authentication_options_json(&rcr, None)
}

/// Finishes the verification and records when it happened (in the session and the trail).
pub async fn finish_reverify(
    state: &AppState,
    session: &Session,
    caller: &Granted<SelfService>,
    credential: &str,
) -> Result<(), AppError> {
    let user = caller.user();
    let st: ReverifyState = ceremony::take(state, session, Kind::Reverify).await?;
    if st.user_id != user.id {
        return Err(ceremony::stale());
    }
    let cred = parse_assertion(credential)?;
    let row = passkey::Entity::find()
        .filter(passkey::Column::CredentialId.eq(b64url(cred.raw_id.as_ref())))
        .filter(passkey::Column::UserId.eq(user.id))
        .filter(passkey::Column::FlaggedAt.is_null())
        .one(state.db.conn())
        .await?
        .ok_or_else(refused)?;
    let outcome = state
        .webauthn
        .finish_passkey_authentication(&cred, &st.auth);
    let now = state.now();
    let reverified = verified(state, user.id, row, outcome, |passkey| NewAuditEvent {
        actor: Actor::User(user.id),
        action: AuditAction::Reverified,
        subject_type: "user",
        subject_id: user.id.to_string(),
        before: None,
        after: Some(json!({ "passkey_id": passkey.id.to_string() })),
    })
    .await?;
    let Verified::Ok { .. } = reverified else {
        return Err(refused());
    };
    auth::mark_verified(session, now).await
}

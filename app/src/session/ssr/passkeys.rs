//! Passkeys with webauthn-rs: the relying party, registration and authentication, and what is
//! kept of each credential (counter, backup flags, last use).

use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{PasskeyId, UserId};
use crate::ssr::config::PublicUrl;
use crate::ssr::entities::passkey;
use crate::ssr::state::AppState;
use base64::Engine as _;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    AuthenticationResult, CredentialID, Passkey, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Webauthn, WebauthnBuilder, WebauthnError,
};

/// Largest credential JSON accepted from a browser.
pub const MAX_CREDENTIAL_JSON: usize = 64 * 1024;

/// The relying party's name, shown by authenticators.
pub const RP_NAME: &str = "Passwordless Governance Portal";

/// The relying party, from the configured public URL only (never from request headers): its id
/// is the host, its only allowed origin the public origin. Built by the composition root.
pub fn relying_party(public: &PublicUrl) -> Result<Webauthn, String> {
    let origin = Url::parse(&public.origin).map_err(|e| e.to_string())?;
    WebauthnBuilder::new(&public.host, &origin)
        .and_then(|b| b.rp_name(RP_NAME).build())
        .map_err(|e| e.to_string())
}

pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Parses a credential the browser sent, refusing oversized or malformed payloads cleanly.
pub fn parse_credential<T: serde::de::DeserializeOwned>(
    json: &str,
) -> Result<(T, Value), AppError> {
    if json.len() > MAX_CREDENTIAL_JSON {
        return Err(AppError::validation(
            "credential",
            "The passkey response is too large.",
        ));
    }
    let value: Value = serde_json::from_str(json).map_err(|_| {
        AppError::validation("credential", "The passkey response is not valid JSON.")
    })?;
    let parsed = serde_json::from_value(value.clone())
        .map_err(|_| AppError::validation("credential", "The passkey response is malformed."))?;
    Ok((parsed, value))
}

/// Registration options as the browser expects them: a discoverable credential is preferred (so
/// "sign in with a passkey" works without a user name), user verification is required.
pub fn registration_options_json(
    ccr: &webauthn_rs::prelude::CreationChallengeResponse,
) -> Result<String, AppError> {
    let mut v = serde_json::to_value(ccr).map_err(AppError::internal)?;
    if let Some(sel) = v.pointer_mut("/publicKey/authenticatorSelection") {
        sel["residentKey"] = json!("preferred");
        sel["requireResidentKey"] = json!(false);
        sel["userVerification"] = json!("required");
    }
    Ok(v.to_string())
}

/// Authentication options for the browser: modal (not conditional) mediation, and optionally a
/// stand-in credential in place of real ones.
pub fn authentication_options_json(
    rcr: &RequestChallengeResponse,
    decoy: Option<&[u8]>,
) -> Result<String, AppError> {
    let mut v = serde_json::to_value(rcr).map_err(AppError::internal)?;
    if let Some(obj) = v.as_object_mut() {
        obj.remove("mediation");
    }
    if let (Some(decoy), Some(pk)) = (decoy, v.get_mut("publicKey")) {
        pk["allowCredentials"] = json!([{ "type": "public-key", "id": b64url(decoy) }]);
        // The decoy starts as discoverable options, which ask for extensions that a known user's
        // options do not: left in, they would tell an unknown name from a known one.
        if let Some(obj) = pk.as_object_mut() {
            obj.remove("extensions");
        }
    }
    Ok(v.to_string())
}

/// A stand-in credential id for a user name that has no passkeys, stable for that name, so that
/// known and unknown names get answers of the same shape.
pub fn decoy_credential_id(key: &[u8], username: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"portal.decoy-credential.v1");
    h.update(key);
    h.update(username.as_bytes());
    h.finalize().to_vec()
}

/// The stored passkeys of a user, usable for sign-in (not flagged).
pub async fn usable_passkeys<C: ConnectionTrait>(
    db: &C,
    user: UserId,
) -> Result<Vec<(passkey::Model, Passkey)>, AppError> {
    let rows = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user))
        .filter(passkey::Column::FlaggedAt.is_null())
        .order_by_asc(passkey::Column::CreatedAt)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|m| {
            let pk: Passkey = serde_json::from_str(&m.credential).map_err(AppError::internal)?;
            Ok((m, pk))
        })
        .collect()
}

/// Stores a newly registered passkey. A credential id can belong to one account only.
pub async fn insert_passkey<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    user: UserId,
    name: &str,
    pk: &Passkey,
    attachment: Option<String>,
) -> Result<PasskeyId, AppError> {
    let flags = credential_flags(pk)?;
    let id = PasskeyId::new();
    let res = passkey::Entity::insert(passkey::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        credential_id: Set(b64url(pk.cred_id().as_ref())),
        name: Set(name.to_string()),
        credential: Set(serde_json::to_string(pk).map_err(AppError::internal)?),
        sign_count: Set(flags.counter),
        backup_eligible: Set(flags.backup_eligible),
        backup_state: Set(flags.backup_state),
        attachment: Set(attachment),
        created_at: Set(now),
        last_used_at: Set(None),
        flagged_at: Set(None),
        flag_reason: Set(None),
    })
    .exec_without_returning(db)
    .await;
    match res {
        Ok(_) => Ok(id),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(
            AppError::Conflict("This passkey is already registered to an account.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Counter and backup flags of a stored passkey, read from its serialised credential.
struct CredentialFlags {
    counter: i64,
    backup_eligible: bool,
    backup_state: bool,
}

fn credential_flags(pk: &Passkey) -> Result<CredentialFlags, AppError> {
    let v = serde_json::to_value(pk).map_err(AppError::internal)?;
    let cred = &v["cred"];
    Ok(CredentialFlags {
        counter: cred["counter"].as_i64().unwrap_or(0),
        backup_eligible: cred["backup_eligible"].as_bool().unwrap_or(false),
        backup_state: cred["backup_state"].as_bool().unwrap_or(false),
    })
}

/// The audit snapshot of a passkey (never its key material).
pub fn passkey_snapshot(m: &passkey::Model) -> Value {
    json!({
        "user_id": m.user_id.to_string(),
        "name": m.name,
        "credential_id": m.credential_id,
        "backup_eligible": m.backup_eligible,
        "backup_state": m.backup_state,
        "attachment": m.attachment,
        "flagged": m.flagged_at.is_some(),
    })
}

/// What became of a verified assertion.
pub enum Verified {
    Ok {
        user: UserId,
        passkey: Box<passkey::Model>,
    },
    /// The counter went backwards: the credential was flagged and audited.
    Cloned,
}

/// Finishes an assertion against one stored passkey and persists the outcome: the counter,
/// backup flags and last use on success; a flag and an audit event on a counter regression.
pub async fn verify_assertion(
    state: &AppState,
    row: passkey::Model,
    outcome: Result<AuthenticationResult, WebauthnError>,
) -> Result<Verified, AppError> {
    let now = state.now();
    let result = match outcome {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            flag_passkey(
                state,
                &row,
                "the signature counter went backwards (possible cloned authenticator)",
            )
            .await?;
            return Ok(Verified::Cloned);
        }
        Err(e) => {
            tracing::info!(error = %e, "passkey assertion refused");
            return Err(AppError::Unauthenticated);
        }
    };
    let counter = i64::from(result.counter());
    if (counter > 0 || row.sign_count > 0) && counter <= row.sign_count {
        flag_passkey(
            state,
            &row,
            "the signature counter went backwards (possible cloned authenticator)",
        )
        .await?;
        return Ok(Verified::Cloned);
    }
    let mut pk: Passkey = serde_json::from_str(&row.credential).map_err(AppError::internal)?;
    pk.update_credential(&result);
    let txn = state.db.begin_write().await?;
    let updated = passkey::ActiveModel {
        id: Set(row.id),
        credential: Set(serde_json::to_string(&pk).map_err(AppError::internal)?),
        sign_count: Set(counter),
        backup_eligible: Set(result.backup_eligible()),
        backup_state: Set(result.backup_state()),
        last_used_at: Set(Some(now)),
        ..Default::default()
    };
    let row = passkey::Entity::update(updated).exec(&txn).await?;
    txn.commit().await?;
    Ok(Verified::Ok {
        user: row.user_id,
        passkey: Box::new(row),
    })
}

async fn flag_passkey(
    state: &AppState,
    row: &passkey::Model,
    reason: &str,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let before = passkey_snapshot(row);
    let flagged = passkey::Entity::update(passkey::ActiveModel {
        id: Set(row.id),
        flagged_at: Set(Some(now)),
        flag_reason: Set(Some(reason.into())),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::System,
            action: AuditAction::PasskeyFlagged,
            subject_type: "passkey",
            subject_id: row.id.to_string(),
            before: Some(before),
            after: Some(json!({ "flagged": true, "reason": reason, "user_id": flagged.user_id.to_string() })),
        },
    )
    .await?;
    txn.commit().await?;
    tracing::warn!(passkey = %row.id, user = %row.user_id, "passkey flagged: {reason}");
    Ok(())
}

/// Parses a browser's assertion.
pub fn parse_assertion(json: &str) -> Result<PublicKeyCredential, AppError> {
    parse_credential::<PublicKeyCredential>(json).map(|(c, _)| c)
}

/// Parses a browser's attestation, with the attachment it reported (if any).
pub fn parse_attestation(
    json: &str,
) -> Result<(RegisterPublicKeyCredential, Option<String>), AppError> {
    let (cred, raw) = parse_credential::<RegisterPublicKeyCredential>(json)?;
    let attachment = raw
        .get("authenticatorAttachment")
        .and_then(|v| v.as_str())
        .filter(|a| matches!(*a, "platform" | "cross-platform"))
        .map(str::to_string);
    Ok((cred, attachment))
}

/// Verifies a new passkey against its registration ceremony: the browser's attestation (JSON),
/// with the attachment it reported.
pub fn verify_registration(
    webauthn: &Webauthn,
    credential: &str,
    reg: &webauthn_rs::prelude::PasskeyRegistration,
) -> Result<(Passkey, Option<String>), AppError> {
    let (cred, attachment) = parse_attestation(credential)?;
    let pk = webauthn
        .finish_passkey_registration(&cred, reg)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            AppError::validation(
                "passkey",
                "The new passkey could not be verified. Try again.",
            )
        })?;
    Ok((pk, attachment))
}

/// The ids of a user's credentials, to exclude from a new registration.
pub fn exclude_list(passkeys: &[(passkey::Model, Passkey)]) -> Option<Vec<CredentialID>> {
    let ids: Vec<CredentialID> = passkeys
        .iter()
        .map(|(_, pk)| pk.cred_id().clone())
        .collect();
    (!ids.is_empty()).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relying_party_comes_from_the_public_url() {
        for (public, id) in [
            ("http://localhost:3000", "localhost"),
            ("https://portal.example.com", "portal.example.com"),
            ("https://portal.example.com:8443", "portal.example.com"),
        ] {
            let rp = relying_party(&PublicUrl::parse(public).unwrap()).unwrap();
            let origins: Vec<String> = rp
                .get_allowed_origins()
                .iter()
                .map(|o| o.origin().ascii_serialization())
                .collect();
            assert_eq!(origins, vec![public.to_string()], "the only allowed origin");
            let (ccr, _) = rp
                .start_passkey_registration(uuid::Uuid::nil(), "ada", "Ada", None)
                .unwrap();
            assert_eq!(ccr.public_key.rp.id, id, "{public}");
            assert_eq!(ccr.public_key.rp.name, RP_NAME);
        }
    }

    #[test]
    fn oversized_and_malformed_credentials_are_refused() {
        let big = "x".repeat(MAX_CREDENTIAL_JSON + 1);
        assert!(matches!(
            parse_assertion(&big),
            Err(AppError::Validation { .. })
        ));
        assert!(matches!(
            parse_assertion("{not json"),
            Err(AppError::Validation { .. })
        ));
        assert!(matches!(
            parse_assertion("{\"id\": 3}"),
            Err(AppError::Validation { .. })
        ));
    }

    #[test]
    fn decoys_are_stable_per_name_and_key() {
        let a = decoy_credential_id(b"k1", "mallory");
        assert_eq!(a, decoy_credential_id(b"k1", "mallory"));
        assert_ne!(a, decoy_credential_id(b"k1", "trent"));
        assert_ne!(a, decoy_credential_id(b"k2", "mallory"));
    }
}

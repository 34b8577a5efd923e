//! Passkeys with webauthn-rs: the relying party, registration and authentication, and what is
//! kept of each credential (counter, backup flags, last use).

use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ids::{PasskeyId, UserId};
use crate::ssr::config::PublicUrl;
use crate::ssr::entities::{app_user, passkey};
use crate::ssr::state::AppState;
use crate::vocab::UserStatus;
use base64::Engine as _;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
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

/// Authentication options for the browser: modal (not conditional) mediation, and optionally
/// stand-in credential ids in place of the real ones listed (same number, each the length of
/// the one it replaces, the rest of each entry kept).
pub fn authentication_options_json(
    rcr: &RequestChallengeResponse,
    stand_ins: Option<&[Vec<u8>]>,
) -> Result<String, AppError> {
    let mut v = serde_json::to_value(rcr).map_err(AppError::internal)?;
    if let Some(obj) = v.as_object_mut() {
        obj.remove("mediation");
    }
    let (Some(ids), Some(pk)) = (stand_ins, v.get_mut("publicKey")) else {
        return Ok(v.to_string());
    };
    let listed = pk
        .get("allowCredentials")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty());
    if listed {
        if let Some(list) = pk["allowCredentials"].as_array_mut() {
            for (entry, id) in list.iter_mut().zip(ids) {
                entry["id"] = json!(b64url(id));
            }
        }
    } else {
        // Discoverable options (no account to imitate yet): list the stand-ins, and drop the
        // extensions that a known user's options do not ask for.
        pk["allowCredentials"] = ids
            .iter()
            .map(|id| json!({ "type": "public-key", "id": b64url(id) }))
            .collect();
        if let Some(obj) = pk.as_object_mut() {
            obj.remove("extensions");
        }
    }
    Ok(v.to_string())
}

/// Stand-in credential ids for a user name that has no passkeys: one per length in `lengths`
/// (the ids of the real account the answer imitates), derived from a server-side key and the
/// name, so the same name always gets the same ids and nobody can tell them from real ones.
pub fn decoy_credential_ids(key: &[u8], username: &str, lengths: &[usize]) -> Vec<Vec<u8>> {
    lengths
        .iter()
        .enumerate()
        .map(|(i, &len)| {
            let mut id = Vec::with_capacity(len);
            let mut block = 0u32;
            while id.len() < len {
                let mut h = Sha256::new();
                h.update(b"portal.decoy-credential.v2");
                h.update(key);
                h.update((username.len() as u64).to_be_bytes());
                h.update(username.as_bytes());
                h.update((i as u32).to_be_bytes());
                h.update(block.to_be_bytes());
                id.extend_from_slice(&h.finalize());
                block += 1;
            }
            id.truncate(len);
            id
        })
        .collect()
}

/// Which of `accounts` real accounts an unknown user name imitates: a stable pick by a keyed
/// hash of the name, so that over many names the stand-in answers follow the real accounts'
/// distribution of passkey counts and id lengths.
pub fn decoy_pick(key: &[u8], username: &str, accounts: usize) -> usize {
    let mut h = Sha256::new();
    h.update(b"portal.decoy-template.v1");
    h.update(key);
    h.update(username.as_bytes());
    let digest = h.finalize();
    let mut n = [0u8; 8];
    n.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(n) % accounts.max(1) as u64) as usize
}

/// The passkeys of the active account an unknown user name imitates (see [`decoy_pick`]), or
/// none when no account has a usable passkey yet.
pub async fn decoy_template<C: ConnectionTrait>(
    db: &C,
    key: &[u8],
    username: &str,
) -> Result<Vec<Passkey>, AppError> {
    let accounts: Vec<UserId> = passkey::Entity::find()
        .select_only()
        .column(passkey::Column::UserId)
        .distinct()
        .inner_join(app_user::Entity)
        .filter(passkey::Column::FlaggedAt.is_null())
        .filter(app_user::Column::Status.eq(UserStatus::Active))
        .order_by_asc(passkey::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let Some(&template) = accounts.get(decoy_pick(key, username, accounts.len())) else {
        return Ok(Vec::new());
    };
    Ok(usable_passkeys(db, template)
        .await?
        .into_iter()
        .map(|(_, pk)| pk)
        .collect())
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
/// backup flags and last use on success, together with the caller's event (the sign-in or the
/// re-verification) in one transaction; a flag and an audit event on a counter regression.
///
/// The counter moves by one conditional statement (`… WHERE sign_count < new`), so of two
/// assertions carrying the same counter value, from a cloned authenticator say, exactly one
/// succeeds and the other flags the passkey. Authenticators without a counter (always 0) are
/// not compared.
pub async fn verify_assertion(
    state: &AppState,
    row: passkey::Model,
    outcome: Result<AuthenticationResult, WebauthnError>,
    event: impl FnOnce(&passkey::Model) -> NewAuditEvent,
) -> Result<Verified, AppError> {
    const CLONED: &str = "the signature counter went backwards (possible cloned authenticator)";
    let now = state.now();
    let result = match outcome {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            flag_passkey(state, &row, CLONED).await?;
            return Ok(Verified::Cloned);
        }
        Err(e) => {
            tracing::info!(error = %e, "passkey assertion refused");
            return Err(AppError::Unauthenticated);
        }
    };
    let counter = i64::from(result.counter());
    if !counter_advances(row.sign_count, counter) {
        flag_passkey(state, &row, CLONED).await?;
        return Ok(Verified::Cloned);
    }
    let mut pk: Passkey = serde_json::from_str(&row.credential).map_err(AppError::internal)?;
    pk.update_credential(&result);
    let credential = serde_json::to_string(&pk).map_err(AppError::internal)?;
    let txn = state.db.begin_write().await?;
    let moved = passkey::Entity::update_many()
        .set(passkey::ActiveModel {
            credential: Set(credential.clone()),
            sign_count: Set(counter),
            backup_eligible: Set(result.backup_eligible()),
            backup_state: Set(result.backup_state()),
            last_used_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(passkey::Column::Id.eq(row.id))
        .filter(passkey::Column::FlaggedAt.is_null())
        .filter(if counter > 0 {
            passkey::Column::SignCount.lt(counter)
        } else {
            passkey::Column::SignCount.eq(0)
        })
        .exec(&txn)
        .await?
        .rows_affected;
    if moved == 0 {
        // Another sign-in with this counter value (or a later one) came first, or the passkey
        // was blocked meanwhile.
        txn.rollback().await?;
        flag_passkey(state, &row, CLONED).await?;
        return Ok(Verified::Cloned);
    }
    let updated = passkey::Model {
        credential,
        sign_count: counter,
        backup_eligible: result.backup_eligible(),
        backup_state: result.backup_state(),
        last_used_at: Some(now),
        ..row
    };
    record(&txn, now, event(&updated)).await?;
    txn.commit().await?;
    Ok(Verified::Ok {
        user: updated.user_id,
        passkey: Box::new(updated),
    })
}

/// Whether an assertion's counter may follow the stored one: it must rise, unless the
/// authenticator keeps no counter at all (both zero).
pub fn counter_advances(stored: i64, presented: i64) -> bool {
    (presented == 0 && stored == 0) || presented > stored
}

async fn flag_passkey(
    state: &AppState,
    row: &passkey::Model,
    reason: &str,
) -> Result<(), AppError> {
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let before = passkey_snapshot(row);
    let flagged = passkey::Entity::update_many()
        .set(passkey::ActiveModel {
            flagged_at: Set(Some(now)),
            flag_reason: Set(Some(reason.into())),
            ..Default::default()
        })
        .filter(passkey::Column::Id.eq(row.id))
        .filter(passkey::Column::FlaggedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if flagged == 0 {
        // Already blocked (by the other half of a race): one flag, one event.
        return Ok(());
    }
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::System,
            action: AuditAction::PasskeyFlagged,
            subject_type: "passkey",
            subject_id: row.id.to_string(),
            before: Some(before),
            after: Some(
                json!({ "flagged": true, "reason": reason, "user_id": row.user_id.to_string() }),
            ),
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
    fn a_counter_must_rise_unless_the_authenticator_keeps_none() {
        assert!(counter_advances(0, 0), "no counter at all");
        assert!(counter_advances(0, 1));
        assert!(counter_advances(7, 8));
        assert!(!counter_advances(7, 7), "the same value twice: a clone");
        assert!(!counter_advances(7, 6));
        assert!(!counter_advances(7, 0), "a counter that stops counting");
    }

    #[test]
    fn decoys_are_stable_per_name_and_key_and_take_the_lengths_asked_for() {
        let a = decoy_credential_ids(b"k1", "mallory", &[32, 16, 70]);
        assert_eq!(a.iter().map(Vec::len).collect::<Vec<_>>(), [32, 16, 70]);
        assert_eq!(a, decoy_credential_ids(b"k1", "mallory", &[32, 16, 70]));
        assert_ne!(a[0], decoy_credential_ids(b"k1", "trent", &[32])[0]);
        assert_ne!(a[0], decoy_credential_ids(b"k2", "mallory", &[32])[0]);
        assert_ne!(a[0][..16], a[1][..], "each stand-in differs");
    }

    #[test]
    fn decoy_picks_spread_over_the_accounts_and_stay_put() {
        let picks: Vec<usize> = (0..400)
            .map(|i| decoy_pick(b"k", &format!("name{i}"), 4))
            .collect();
        for account in 0..4 {
            let n = picks.iter().filter(|&&p| p == account).count();
            assert!(
                (60..=140).contains(&n),
                "account {account} picked {n} times"
            );
        }
        assert_eq!(decoy_pick(b"k", "name7", 4), picks[7]);
        assert_eq!(decoy_pick(b"k", "anyone", 0), 0);
    }
}

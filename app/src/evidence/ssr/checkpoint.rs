//! Signed checkpoints of the audit chain and its verification.
//!
//! The key: an Ed25519 key pair (PKCS#8, hex) in the file `PORTAL_CHECKPOINT_KEY` names
//! (`data/checkpoint.key` by default), generated on first start, readable by the portal's user
//! only, never in the database. Every instance behind a load balancer is given the same file.
//! Beside it, `<key>.latest.json` keeps the latest checkpoint this host signed: the database
//! keeps every checkpoint too, but a restored or truncated database would take its own back
//! with it; the file does not go back in time with the database.

use crate::audit::facade::{Actor, AuditAction, ChainStatus, NewAuditEvent, record, verify_chain};
use crate::error::AppError;
use crate::evidence::model::ChainView;
use crate::evidence::rules::checkpoint::{Against, Checkpoint, against, explain, message};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{audit_checkpoint, audit_event, audit_head, chain_check};
use crate::ssr::state::AppState;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::json;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// The portal's checkpoint key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    path: PathBuf,
}

impl SigningKey {
    /// Reads the key at `path`, or makes one there (with its folder) when there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, AppError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            AppError::internal(format!("checkpoint key {}: {what}: {e}", path.display()))
        };
        let pkcs8 = match std::fs::read_to_string(path) {
            Ok(text) => hex::decode(text.trim()).map_err(|e| fail("not hex", &e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let made = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                    .map_err(|e| fail("generating", &e))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| fail("creating its folder", &e))?;
                }
                match write_private(path, &hex::encode(made.as_ref())) {
                    Ok(()) => {
                        tracing::info!(path = %path.display(), "generated the audit checkpoint key");
                        made.as_ref().to_vec()
                    }
                    // Another instance made it first: theirs is the key.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let text =
                            std::fs::read_to_string(path).map_err(|e| fail("reading", &e))?;
                        hex::decode(text.trim()).map_err(|e| fail("not hex", &e))?
                    }
                    Err(e) => return Err(fail("writing", &e)),
                }
            }
            Err(e) => return Err(fail("reading", &e)),
        };
        let pair =
            Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| fail("not an Ed25519 key", &e))?;
        Ok(Self {
            pair,
            path: path.to_path_buf(),
        })
    }

    /// The public half, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    fn latest_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".latest.json");
        PathBuf::from(p)
    }

    /// The latest checkpoint this host signed (from the file beside the key).
    pub fn latest(&self) -> Result<Option<Checkpoint>, AppError> {
        match std::fs::read_to_string(self.latest_path()) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| AppError::internal(format!("latest checkpoint file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AppError::internal(format!("latest checkpoint file: {e}"))),
        }
    }

    fn keep_latest(&self, cp: &Checkpoint) -> Result<(), AppError> {
        let tmp = self.latest_path().with_extension("tmp");
        let text = serde_json::to_string_pretty(cp).map_err(AppError::internal)?;
        std::fs::write(&tmp, text).map_err(AppError::internal)?;
        std::fs::rename(&tmp, self.latest_path()).map_err(AppError::internal)
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// The key the configuration names.
pub fn key(state: &AppState) -> Result<SigningKey, AppError> {
    SigningKey::load_or_create(Path::new(&state.config.checkpoint_key))
}

/// Whether a checkpoint's signature is the given key's over what it says.
pub fn signature_ok(cp: &Checkpoint, public_hex: &str) -> bool {
    let (Ok(public), Ok(sig)) = (hex::decode(public_hex), hex::decode(&cp.signature)) else {
        return false;
    };
    UnparsedPublicKey::new(&ED25519, public)
        .verify(&message(cp.seq, &cp.hash, &cp.signed_at), &sig)
        .is_ok()
}

/// What a verification found.
#[derive(Clone, Debug)]
pub struct Verified {
    pub chain: ChainStatus,
    /// Against the latest checkpoint kept outside the database (`None`: none signed yet).
    pub against: Option<(Checkpoint, Against, bool)>,
    pub head_seq: i64,
}

impl Verified {
    pub fn intact(&self) -> bool {
        matches!(self.chain, ChainStatus::Intact { .. })
            && self
                .against
                .as_ref()
                .is_none_or(|(_, a, sig)| *sig && matches!(a, Against::Holds { .. }))
    }

    /// In words, every finding.
    pub fn words(&self) -> String {
        let mut out = match &self.chain {
            ChainStatus::Intact { events, head_hash } => {
                format!("Chain intact: {events} events, head {head_hash}.")
            }
            ChainStatus::Broken { seq, problem } => {
                format!("Chain BROKEN at event {seq}: {problem}.")
            }
        };
        match &self.against {
            None => out.push_str(" No checkpoint signed yet."),
            Some((cp, a, sig)) => {
                out.push(' ');
                if !sig {
                    out.push_str(
                        "The latest checkpoint's signature does NOT verify with the portal's key. ",
                    );
                }
                out.push_str(&explain(a, cp));
            }
        }
        out
    }
}

/// Verifies the whole chain, then the chain against the latest checkpoint kept outside the
/// database. Reads only.
pub async fn verify<C: ConnectionTrait>(db: &C, key: &SigningKey) -> Result<Verified, AppError> {
    let chain = verify_chain(db).await?;
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    let head_seq = head.map_or(0, |h| h.seq);
    let against = match key.latest()? {
        None => None,
        Some(cp) => {
            let at = audit_event::Entity::find_by_id(cp.seq).one(db).await?;
            let outcome = against(head_seq, at.as_ref().map(|e| e.hash.as_str()), &cp);
            let sig = signature_ok(&cp, &key.public_hex());
            Some((cp, outcome, sig))
        }
    };
    Ok(Verified {
        chain,
        against,
        head_seq,
    })
}

/// Verifies the chain and, when it holds, signs its head: the checkpoint row, a
/// `audit.checkpoint_signed` event and the check's outcome in one transaction, then the file
/// beside the key. A chain that does not verify is not signed; the check records why.
pub async fn sign(
    state: &AppState,
    actor: Actor,
) -> Result<(Verified, Option<Checkpoint>), AppError> {
    let key = key(state)?;
    let txn = state.db.begin_write().await?;
    let verified = verify(&txn, &key).await?;
    let now = state.now();
    let head = audit_head::Entity::find_by_id(1)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("the audit chain head is missing"))?;
    let signed = if verified.intact() && head.seq > 0 {
        let signed_at = format_timestamp(now);
        let sig = key.pair.sign(&message(head.seq, &head.hash, &signed_at));
        let cp = Checkpoint {
            seq: head.seq,
            hash: head.hash.clone(),
            signed_at,
            public_key: key.public_hex(),
            signature: hex::encode(sig.as_ref()),
        };
        audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
            seq: Set(cp.seq),
            hash: Set(cp.hash.clone()),
            signed_at: Set(now),
            public_key: Set(cp.public_key.clone()),
            signature: Set(cp.signature.clone()),
        })
        .on_conflict_do_nothing_on([audit_checkpoint::Column::Seq])
        .exec_without_returning(&txn)
        .await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor,
                action: AuditAction::CheckpointSigned,
                subject_type: "audit_checkpoint",
                subject_id: cp.seq.to_string(),
                before: None,
                after: Some(json!({
                    "seq": cp.seq,
                    "hash": cp.hash,
                    "signed_at": cp.signed_at,
                    "public_key": cp.public_key,
                    "signature": cp.signature,
                })),
            },
        )
        .await?;
        Some(cp)
    } else {
        None
    };
    chain_check::Entity::insert(chain_check::ActiveModel {
        checked_at: Set(now),
        intact: Set(verified.intact()),
        events: Set(verified.head_seq),
        checkpoint_seq: Set(verified.against.as_ref().map(|(cp, _, _)| cp.seq)),
        detail: Set(match &signed {
            Some(cp) => format!("{} Signed the head: event {}.", verified.words(), cp.seq),
            None => format!("{} Not signed.", verified.words()),
        }),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    if let Some(cp) = &signed {
        key.keep_latest(cp)?;
    }
    Ok((verified, signed))
}

/// What `/evidence` says of the chain (three statements and the key file).
pub async fn chain_view(state: &AppState) -> Result<ChainView, AppError> {
    let db = state.db.conn();
    let check = chain_check::Entity::find()
        .order_by_desc(chain_check::Column::Id)
        .one(db)
        .await?;
    let cp = audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .one(db)
        .await?;
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    Ok(ChainView {
        checked_at: check
            .as_ref()
            .map(|c| crate::ssr::clock::display_time(c.checked_at)),
        intact: check.as_ref().map(|c| c.intact),
        events: check.as_ref().map_or(0, |c| c.events),
        detail: check.map(|c| c.detail).unwrap_or_default(),
        checkpoint: cp.map(|c| (c.seq, c.hash, crate::ssr::clock::display_time(c.signed_at))),
        public_key: key(state).ok().map(|k| k.public_hex()),
        head: head.map_or((0, String::new()), |h| (h.seq, h.hash)),
    })
}

/// The scheduled pass: verify and sign, by the instance holding the lease, at most once per
/// `every` (the latest check's time decides, in the database).
pub async fn scheduled(
    state: &AppState,
    every: time::Duration,
) -> Result<Option<Verified>, AppError> {
    let now: OffsetDateTime = state.now();
    if !crate::ssr::lease::take(
        state.db.conn(),
        "audit-checkpoint",
        &state.instance,
        time::Duration::minutes(10),
        now,
    )
    .await?
    {
        return Ok(None);
    }
    let last = chain_check::Entity::find()
        .order_by_desc(chain_check::Column::Id)
        .one(state.db.conn())
        .await?;
    if last.is_some_and(|c| c.checked_at + every > now) {
        return Ok(None);
    }
    Ok(Some(sign(state, Actor::System).await?.0))
}

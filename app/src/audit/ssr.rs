//! Writing and verifying the audit trail.

use super::model::{Actor, AuditAction, ChainStatus};
use super::rules::{ChainVerifier, StoredEvent, event_hash};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{audit_event, audit_head};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use time::OffsetDateTime;

/// What one audit event says. `before` and `after` are the subject's state around the change.
#[derive(Clone, Debug)]
pub struct NewAuditEvent {
    pub actor: Actor,
    pub action: AuditAction,
    pub subject_type: &'static str,
    pub subject_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends one event inside the caller's transaction and returns its sequence number. If the
/// transaction rolls back, so does the event; if this fails, the caller's change must abort.
///
/// Ordering: advancing the single head row takes its row lock (PostgreSQL) or happens inside the
/// already exclusive write transaction (SQLite), so concurrent writers, in one process or many,
/// queue up and produce one gapless chain.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    now: OffsetDateTime,
    event: NewAuditEvent,
) -> Result<i64, DbErr> {
    let advance = Query::update()
        .table(audit_head::Entity)
        .value(
            audit_head::Column::Seq,
            Expr::col(audit_head::Column::Seq).add(1),
        )
        .and_where(Expr::col(audit_head::Column::Id).eq(1))
        .returning(Query::returning().columns([audit_head::Column::Seq, audit_head::Column::Hash]))
        .to_owned();
    let row = txn
        .query_one(&advance)
        .await?
        .ok_or_else(|| DbErr::Custom("the audit chain head is missing".into()))?;
    let seq: i64 = row.try_get("", "seq")?;
    let prev_hash: String = row.try_get("", "hash")?;

    let mut stored = StoredEvent {
        seq,
        occurred_at: format_timestamp(now),
        actor: event.actor.stored(),
        action: event.action.as_str().to_string(),
        subject_type: event.subject_type.to_string(),
        subject_id: event.subject_id,
        before: event.before.map(|v| v.to_string()),
        after: event.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
    };
    stored.hash = event_hash(&stored);

    audit_event::Entity::insert(audit_event::ActiveModel {
        seq: Set(stored.seq),
        occurred_at: Set(stored.occurred_at),
        actor: Set(stored.actor),
        action: Set(stored.action),
        subject_type: Set(stored.subject_type),
        subject_id: Set(stored.subject_id),
        before: Set(stored.before),
        after: Set(stored.after),
        prev_hash: Set(stored.prev_hash),
        hash: Set(stored.hash.clone()),
    })
    .exec_without_returning(txn)
    .await?;

    let set_hash = Query::update()
        .table(audit_head::Entity)
        .value(audit_head::Column::Hash, stored.hash)
        .and_where(Expr::col(audit_head::Column::Id).eq(1))
        .to_owned();
    txn.execute(&set_hash).await?;
    Ok(seq)
}

impl From<audit_event::Model> for StoredEvent {
    fn from(m: audit_event::Model) -> Self {
        Self {
            seq: m.seq,
            occurred_at: m.occurred_at,
            actor: m.actor,
            action: m.action,
            subject_type: m.subject_type,
            subject_id: m.subject_id,
            before: m.before,
            after: m.after,
            prev_hash: m.prev_hash,
            hash: m.hash,
        }
    }
}

/// The chain's head as text (`sequence:hash`): it changes with every recorded event, so with
/// every state change. One primary-key read.
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<String, DbErr> {
    let head = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom("the audit chain head is missing".into()))?;
    Ok(format!("{}:{}", head.seq, head.hash))
}

/// The length of the chain named by a [`head`] (0 when it is not one).
pub fn head_seq(head: &str) -> i64 {
    head.split(':')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// What the events after `after`, up to `upto`, did and to what (action and subject id, in
/// order; at most `limit`): for values kept at an earlier head, to tell what moved.
pub async fn actions_between<C: ConnectionTrait>(
    db: &C,
    after: i64,
    upto: i64,
    limit: u64,
) -> Result<Vec<(String, String)>, DbErr> {
    audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Action)
        .column(audit_event::Column::SubjectId)
        .filter(audit_event::Column::Seq.gt(after))
        .filter(audit_event::Column::Seq.lte(upto))
        .order_by_asc(audit_event::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// Verifies the whole chain, reading it in batches so memory stays flat on a long trail.
pub async fn verify_chain<C: ConnectionTrait>(db: &C) -> Result<ChainStatus, DbErr> {
    const BATCH: u64 = 2_000;
    let head = audit_head::Entity::find_by_id(1).one(db).await?;
    let Some(head) = head else {
        return Ok(ChainStatus::Broken {
            seq: 0,
            problem: "the audit chain head is missing".into(),
        });
    };
    let mut verifier = ChainVerifier::default();
    let mut after = 0i64;
    'batches: loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let n = batch.len() as u64;
        for m in batch {
            after = m.seq;
            if !verifier.push(&m.into()) {
                break 'batches;
            }
        }
        if n < BATCH {
            break;
        }
    }
    Ok(verifier.finish(head.seq, &head.hash))
}

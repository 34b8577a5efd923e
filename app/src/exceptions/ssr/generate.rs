//! Exceptions for a generated estate: some of its open findings get exceptions in every state
//! (requested, approved, some expiring within days, rejected, withdrawn, revoked, expired, and
//! renewed with the approved renewal), requested by an owner of the application and decided by
//! security users who neither requested them nor own the application. Deterministic for the
//! estate: findings are taken in list order.

use super::super::model::ExceptionState;
use super::super::rules;
use super::sort_key;
use crate::error::AppError;
use crate::ids::{ApplicationId, ExceptionId, UserId};
use crate::policy::model::ExceptionLimits;
use crate::ssr::entities::{application_owner, finding, finding_exception};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// One open finding in how many gets an exception.
const EVERY: usize = 9;
/// Rows per insert statement (22 values each).
const ROWS_PER_INSERT: usize = 500;

/// What the generator made, by state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub by_state: std::collections::BTreeMap<&'static str, usize>,
}

impl Generated {
    pub fn total(&self) -> usize {
        self.by_state.values().sum()
    }
}

struct Life {
    state: ExceptionState,
    requested_days_ago: i64,
    /// Days after the request that it was decided (approved or rejected).
    decided_after: Option<i64>,
    /// Last day, counted from today (negative: past).
    until_from_today: i64,
    /// Days ago it ended (withdrawn, revoked, renewed).
    ended_days_ago: Option<i64>,
}

/// The life of the `n`-th generated exception (its shape by `n`, its times by `n` and the
/// longest duration the policy allows for its finding).
fn life(n: usize, max_days: i64) -> Vec<Life> {
    use ExceptionState as S;
    let spread = (n / 8) as i64;
    let within = |d: i64| d.min(max_days).max(1);
    match n % 8 {
        0 => vec![Life {
            state: S::Requested,
            requested_days_ago: spread % 6,
            decided_after: None,
            until_from_today: within(20 + spread % 40),
            ended_days_ago: None,
        }],
        1 => {
            let ago = 2 + spread % (max_days / 2).max(1);
            vec![Life {
                state: S::Approved,
                requested_days_ago: ago,
                decided_after: Some(1),
                until_from_today: (max_days - ago).max(1),
                ended_days_ago: None,
            }]
        }
        2 => {
            // Expiring within the month: reminders fall due.
            let left = 1 + spread % 28;
            vec![Life {
                state: S::Approved,
                requested_days_ago: (max_days - left).max(2),
                decided_after: Some(1),
                until_from_today: left,
                ended_days_ago: None,
            }]
        }
        3 => vec![Life {
            state: S::Rejected,
            requested_days_ago: 5 + spread % 50,
            decided_after: Some(2),
            until_from_today: within(30),
            ended_days_ago: None,
        }],
        4 => vec![Life {
            state: S::Withdrawn,
            requested_days_ago: 8 + spread % 40,
            decided_after: None,
            until_from_today: within(25),
            ended_days_ago: Some(6),
        }],
        5 => vec![Life {
            state: S::Revoked,
            requested_days_ago: 20 + spread % 10,
            decided_after: Some(2),
            until_from_today: within(max_days - 20 - spread % 10).max(1),
            ended_days_ago: Some(3),
        }],
        6 => {
            let gone = 1 + spread % 45;
            vec![Life {
                state: S::Expired,
                requested_days_ago: gone + max_days.min(60),
                decided_after: Some(1),
                until_from_today: -gone,
                ended_days_ago: Some(gone - 1),
            }]
        }
        _ => {
            // Renewed: the first ran most of its time, its renewal was approved three days ago.
            let first_ago = (max_days - 5).clamp(1, 50);
            vec![
                Life {
                    state: S::Renewed,
                    requested_days_ago: first_ago,
                    decided_after: Some(1),
                    until_from_today: 5,
                    ended_days_ago: Some(3),
                },
                Life {
                    state: S::Approved,
                    requested_days_ago: 6,
                    decided_after: Some(3),
                    until_from_today: max_days.max(6),
                    ended_days_ago: None,
                },
            ]
        }
    }
}

/// Gives some of the estate's open findings exceptions in every state. `deciders` are security
/// users who own no application; owners request.
pub async fn generate<C: ConnectionTrait>(
    db: &C,
    seed: u64,
    now: OffsetDateTime,
    limits: &ExceptionLimits,
    deciders: &[UserId],
) -> Result<Generated, AppError> {
    let mut done = Generated::default();
    if deciders.is_empty() {
        return Ok(done);
    }
    let open = finding::Entity::find()
        .filter(finding::Column::ResolvedAt.is_null())
        .order_by_asc(finding::Column::SortKey)
        .all(db)
        .await?;
    let mut owners: HashMap<ApplicationId, UserId> = HashMap::new();
    for o in application_owner::Entity::find()
        .order_by_asc(application_owner::Column::UserId)
        .all(db)
        .await?
    {
        owners.entry(o.application_id).or_insert(o.user_id);
    }
    let mut rows = Vec::new();
    let today = now.date();
    let mut n = 0usize;
    let mut counter = 0u64;
    for (i, f) in open.iter().enumerate() {
        if i % EVERY != 0 {
            continue;
        }
        let max_days = i64::from(rules::max_days(limits, f.severity));
        let Some(&requester) = owners.get(&f.application_id) else {
            continue;
        };
        if max_days < 2 {
            continue;
        }
        let decider = deciders[n % deciders.len()];
        let mut previous: Option<(ExceptionId, i32)> = None;
        for l in life(n, max_days) {
            counter += 1;
            let id = ExceptionId(uuid::Uuid::from_u64_pair(
                seed ^ 0xE8CE_9710_0000_0000,
                counter,
            ));
            let requested_at = now - Duration::days(l.requested_days_ago) - Duration::hours(3);
            let until = today + Duration::days(l.until_from_today);
            let expires_at = rules::expires_at(until);
            let decided_at = l.decided_after.map(|d| requested_at + Duration::days(d));
            let ended_at = match l.state {
                ExceptionState::Expired => Some(expires_at),
                _ => l.ended_days_ago.map(|d| now - Duration::days(d)),
            };
            let renewal_number = previous.map_or(0, |p| p.1 + 1);
            rows.push(finding_exception::ActiveModel {
                id: Set(id),
                application_id: Set(f.application_id),
                finding_key: Set(f.key.clone()),
                rule: Set(f.rule.clone()),
                severity: Set(f.severity),
                state: Set(l.state),
                justification: Set(JUSTIFICATIONS[n % JUSTIFICATIONS.len()].into()),
                compensating_controls: Set(CONTROLS[n % CONTROLS.len()].into()),
                expires_at: Set(expires_at),
                requested_by: Set(requester),
                requested_at: Set(requested_at),
                renews_id: Set(previous.map(|p| p.0)),
                renewal_number: Set(renewal_number),
                decided_by: Set(decided_at.map(|_| decider)),
                decided_at: Set(decided_at),
                decision_reason: Set(match l.state {
                    ExceptionState::Rejected => {
                        Some("The compensating controls do not cover the recovery path.".into())
                    }
                    _ => None,
                }),
                ended_by: Set(match l.state {
                    ExceptionState::Withdrawn => Some(requester),
                    ExceptionState::Revoked | ExceptionState::Renewed => Some(decider),
                    _ => None,
                }),
                ended_at: Set(ended_at),
                end_reason: Set(match l.state {
                    ExceptionState::Withdrawn => Some("The vendor shipped the fix early.".into()),
                    ExceptionState::Revoked => {
                        Some("The compensating monitoring was switched off.".into())
                    }
                    ExceptionState::Renewed => Some("Replaced by renewal 1.".into()),
                    _ => None,
                }),
                requested_sort: Set(sort_key(requested_at, id)),
                expiry_sort: Set(sort_key(expires_at, id)),
            });
            *done.by_state.entry(l.state.as_str()).or_default() += 1;
            previous = Some((id, renewal_number));
        }
        n += 1;
    }
    for part in rows.chunks(ROWS_PER_INSERT) {
        finding_exception::Entity::insert_many(part.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(done)
}

const JUSTIFICATIONS: &[&str] = &[
    "The vendor's next release adds FIDO2; until then the SMS fallback stays for field staff without company phones.",
    "Shift workers share kiosks that cannot take platform passkeys; security keys are on order for the whole site.",
    "The legacy HR system cannot federate before its migration to the central identity provider next quarter.",
    "Help-desk recovery with knowledge questions remains until the identity-proofing service is contracted.",
    "Contractors bring their own devices; a managed-device requirement would lock out the audit firm this season.",
];

const CONTROLS: &[&str] = &[
    "Every SMS sign-in raises an alert in the SOC; accounts are limited to read-only roles.",
    "Kiosk sessions end after 5 minutes idle and the network segment is isolated.",
    "Access only from the corporate network, with quarterly access reviews.",
    "Help-desk resets need a call-back to the registered number and a manager's confirmation.",
    "Conditional access blocks sign-ins from outside the country; sessions capped at 4 hours.",
];

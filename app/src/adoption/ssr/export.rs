//! Every stored figure, in the format the import reads (so importing an export back changes
//! nothing): applications in name order, a batch at a time, so memory stays flat whatever the
//! estate's size.

use crate::adoption::model::{MethodCounts, Period, PeriodFigures, TicketStage};
use crate::adoption::rules::csv::{encode_csv_header, encode_csv_rows};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::ssr::entities::{adoption_method, adoption_period, application};
use crate::ssr::state::AppState;
use futures::Stream;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// Applications read at a time.
const APPS_PER_BATCH: u64 = 500;

/// The figures of the applications after `after` (a name key), up to a batch of them; the last
/// name key read, or `None` at the end.
pub async fn batch<C: ConnectionTrait>(
    db: &C,
    after: &str,
) -> Result<(Vec<PeriodFigures>, Option<String>), AppError> {
    let apps: Vec<(ApplicationId, String, String)> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Name)
        .column(application::Column::NameKey)
        .filter(application::Column::NameKey.gt(after))
        .order_by_asc(application::Column::NameKey)
        .limit(APPS_PER_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let Some(last) = apps.last().map(|a| a.2.clone()) else {
        return Ok((Vec::new(), None));
    };
    let ids: Vec<ApplicationId> = apps.iter().map(|a| a.0).collect();
    let names: BTreeMap<ApplicationId, &str> = apps.iter().map(|a| (a.0, a.1.as_str())).collect();
    let periods = adoption_period::Entity::find()
        .filter(adoption_period::Column::ApplicationId.is_in(ids.clone()))
        .all(db)
        .await?;
    let methods = adoption_method::Entity::find()
        .filter(adoption_method::Column::ApplicationId.is_in(ids))
        .all(db)
        .await?;
    // Keyed by (application's name key, period, population): the file's order.
    let mut out: BTreeMap<(String, Period, String), PeriodFigures> = BTreeMap::new();
    let key_of = |id: &ApplicationId| names.get(id).map(|n| n.to_lowercase()).unwrap_or_default();
    for p in periods {
        let Ok(period) = Period::parse(&p.period) else {
            continue;
        };
        let mut f = PeriodFigures::new(
            names.get(&p.application_id).copied().unwrap_or_default(),
            period,
            Some(p.population.clone()).filter(|s| !s.is_empty()),
        );
        f.users = p.users.max(0) as u64;
        for (stage, n) in [
            (TicketStage::Enrolment, p.tickets_enrolment),
            (
                TicketStage::BiometricRegistration,
                p.tickets_biometric_registration,
            ),
            (
                TicketStage::AuthenticatorMigration,
                p.tickets_authenticator_migration,
            ),
            (
                TicketStage::LostDeviceRecovery,
                p.tickets_lost_device_recovery,
            ),
            (
                TicketStage::ReauthenticationAfterReset,
                p.tickets_reauthentication_after_reset,
            ),
            (TicketStage::Other, p.tickets_other),
        ] {
            if n > 0 {
                f.tickets.insert(stage, n as u64);
            }
        }
        out.insert((key_of(&p.application_id), period, p.population), f);
    }
    for m in methods {
        let Ok(period) = Period::parse(&m.period) else {
            continue;
        };
        if let Some(f) = out.get_mut(&(key_of(&m.application_id), period, m.population.clone())) {
            f.methods.push(MethodCounts {
                method: m.method,
                sign_ins_succeeded: m.sign_ins_succeeded.max(0) as u64,
                sign_ins_failed: m.sign_ins_failed.max(0) as u64,
                fallback_uses: m.fallback_uses.max(0) as u64,
                recoveries: m.recoveries.max(0) as u64,
                enrolments: m.enrolments.max(0) as u64,
            });
        }
    }
    let mut figures: Vec<PeriodFigures> = out.into_values().collect();
    for f in &mut figures {
        f.methods.sort_by(|a, b| a.method.cmp(&b.method));
    }
    Ok((figures, Some(last)))
}

/// One batch written in a format: CSV rows, or JSON entries (each after a comma but the first).
pub fn encode(figures: &[PeriodFigures], json: bool, first: &mut bool) -> Result<String, AppError> {
    let mut out = String::new();
    for f in figures {
        if json {
            if !*first {
                out.push_str(",\n");
            }
            out.push_str(
                &serde_json::to_string(f)
                    .map_err(|e| AppError::internal(format!("adoption to JSON: {e}")))?,
            );
        } else {
            encode_csv_rows(f, &mut out);
        }
        *first = false;
    }
    Ok(out)
}

/// The whole export as pieces: the head, each batch, the tail.
pub fn pieces(
    state: AppState,
    json: bool,
) -> impl Stream<Item = Result<String, AppError>> + Send + 'static {
    enum Step {
        Head,
        After(String),
        Done,
    }
    futures::stream::unfold((Step::Head, true), move |(step, mut first)| {
        let state = state.clone();
        async move {
            match step {
                Step::Done => None,
                Step::Head => {
                    let head = if json {
                        "{\"figures\": [\n".to_string()
                    } else {
                        encode_csv_header()
                    };
                    Some((Ok(head), (Step::After(String::new()), first)))
                }
                Step::After(after) => match batch(state.db.conn(), &after).await {
                    Err(e) => Some((Err(e), (Step::Done, first))),
                    Ok((_, None)) => {
                        let tail = if json { "\n]}\n" } else { "" };
                        Some((Ok(tail.to_string()), (Step::Done, first)))
                    }
                    Ok((figures, Some(last))) => {
                        let piece = encode(&figures, json, &mut first);
                        Some((piece, (Step::After(last), first)))
                    }
                },
            }
        }
    })
}

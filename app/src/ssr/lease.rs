//! Which instance runs a background job: a lease row per job in the database. An instance takes
//! the lease when nobody holds it or the holder's time ran out, and keeps it by taking it again
//! before it runs out; several instances on one database never run the same job at once.

use super::entities::job_lease;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use time::OffsetDateTime;

/// Takes (or keeps) the lease on `job` for `holder` until `now + ttl`. True when `holder` holds
/// it afterwards. One conditional statement decides, so two instances asking at the same moment
/// cannot both win.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    job: &str,
    holder: &str,
    ttl: time::Duration,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let until = now + ttl;
    let inserted = job_lease::Entity::insert(job_lease::ActiveModel {
        name: Set(job.to_string()),
        holder: Set(holder.to_string()),
        leased_until: Set(until),
    })
    .on_conflict_do_nothing_on([job_lease::Column::Name])
    .exec_without_returning(db)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(1)) {
        return Ok(true);
    }
    let taken = job_lease::Entity::update_many()
        .col_expr(job_lease::Column::Holder, Expr::value(holder))
        .col_expr(job_lease::Column::LeasedUntil, Expr::value(until))
        .filter(job_lease::Column::Name.eq(job))
        .filter(
            Condition::any()
                .add(job_lease::Column::Holder.eq(holder))
                .add(job_lease::Column::LeasedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Gives the lease up (at shutdown), so another instance need not wait for it to run out.
pub async fn release<C: ConnectionTrait>(db: &C, job: &str, holder: &str) -> Result<(), DbErr> {
    job_lease::Entity::delete_many()
        .filter(job_lease::Column::Name.eq(job))
        .filter(job_lease::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

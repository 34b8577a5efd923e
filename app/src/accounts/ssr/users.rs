//! Account records: creating accounts with their roles (one or twenty thousand), changing roles
//! and status, and the last-administrator rule.

use super::people::holding;
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{Role, UserStatus};
use crate::ssr::db::BATCH;
use crate::ssr::entities::{app_user, user_role};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};
use std::collections::HashMap;
use time::OffsetDateTime;

/// A new account and its roles.
#[derive(Clone, Copy, Debug)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub status: UserStatus,
    pub roles: &'a [Role],
}

/// Creates an account; a taken user name is a validation error on that field.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    user: NewUser<'_>,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    insert_users(db, &[user], now).await
}

/// Creates accounts with their roles, in batches (one account or twenty thousand). A taken user
/// name is a validation error on `username`.
pub async fn insert_users<C: ConnectionTrait>(
    db: &C,
    users: &[NewUser<'_>],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    for chunk in users.chunks(BATCH) {
        app_user::Entity::insert_many(chunk.iter().map(|u| app_user::ActiveModel {
            id: Set(u.id),
            username: Set(u.username.to_string()),
            display_name: Set(u.display_name.to_string()),
            status: Set(u.status),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await
        .map_err(AppError::taken("username", "This user name is taken."))?;
    }
    grant_new_roles(db, now, users).await
}

/// Grants each new account its roles, in batches.
async fn grant_new_roles<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    users: &[NewUser<'_>],
) -> Result<(), AppError> {
    let roles: Vec<_> = users
        .iter()
        .flat_map(|u| {
            u.roles.iter().map(move |r| user_role::ActiveModel {
                user_id: Set(u.id),
                role: Set(*r),
                granted_at: Set(now),
            })
        })
        .collect();
    for chunk in roles.chunks(BATCH) {
        user_role::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// An account an import needs, as it stands after [`ensure_users`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnsuredUser {
    pub id: UserId,
    /// Created by this call, with the roles asked for (else it existed, or another transaction
    /// created it meanwhile).
    pub created: bool,
    /// Holds every role asked for and is not disabled.
    pub fits: bool,
}

/// Creates the accounts that are missing, conflict-safe: each is inserted unless an account of
/// that user name exists (`ON CONFLICT DO NOTHING`; on PostgreSQL this waits for a concurrent
/// transaction inserting the same name and then sees its row), and only the accounts created
/// here get their roles. Sorted by user name first, so that two transactions creating
/// overlapping sets take their locks in one order. Returns each user name's account, with
/// whether an account that was there already holds the roles asked for.
pub async fn ensure_users<C: ConnectionTrait>(
    db: &C,
    users: &[NewUser<'_>],
    now: OffsetDateTime,
) -> Result<HashMap<String, EnsuredUser>, AppError> {
    let mut sorted: Vec<&NewUser<'_>> = users.iter().collect();
    sorted.sort_by(|a, b| a.username.cmp(b.username));
    for chunk in sorted.chunks(BATCH) {
        app_user::Entity::insert_many(chunk.iter().map(|u| app_user::ActiveModel {
            id: Set(u.id),
            username: Set(u.username.to_string()),
            display_name: Set(u.display_name.to_string()),
            status: Set(u.status),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .on_conflict(
            OnConflict::column(app_user::Column::Username)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    let planned: HashMap<&str, &NewUser<'_>> = users.iter().map(|u| (u.username, u)).collect();
    let mut stored: Vec<(String, UserId, UserStatus)> = Vec::with_capacity(users.len());
    for chunk in sorted.chunks(BATCH) {
        stored.extend(
            app_user::Entity::find()
                .select_only()
                .column(app_user::Column::Username)
                .column(app_user::Column::Id)
                .column(app_user::Column::Status)
                .filter(app_user::Column::Username.is_in(chunk.iter().map(|u| u.username)))
                .into_tuple::<(String, UserId, UserStatus)>()
                .all(db)
                .await?,
        );
    }
    let created: Vec<NewUser<'_>> = stored
        .iter()
        .filter_map(|(name, id, _)| planned.get(name.as_str()).filter(|u| u.id == *id))
        .map(|u| **u)
        .collect();
    grant_new_roles(db, now, &created).await?;
    // The roles of the accounts that were there already.
    let others: Vec<UserId> = stored
        .iter()
        .filter(|(name, id, _)| planned.get(name.as_str()).is_none_or(|u| u.id != *id))
        .map(|(_, id, _)| *id)
        .collect();
    let mut held: HashMap<UserId, Vec<Role>> = HashMap::new();
    for chunk in others.chunks(BATCH) {
        for (user, role) in user_role::Entity::find()
            .select_only()
            .column(user_role::Column::UserId)
            .column(user_role::Column::Role)
            .filter(user_role::Column::UserId.is_in(chunk.to_vec()))
            .into_tuple::<(UserId, Role)>()
            .all(db)
            .await?
        {
            held.entry(user).or_default().push(role);
        }
    }
    Ok(stored
        .into_iter()
        .filter_map(|(name, id, status)| {
            let asked = planned.get(name.as_str())?;
            let created = asked.id == id;
            let fits = created
                || (status != UserStatus::Disabled
                    && asked
                        .roles
                        .iter()
                        .all(|r| held.get(&id).is_some_and(|h| h.contains(r))));
            Some((name, EnsuredUser { id, created, fits }))
        })
        .collect())
}

pub async fn grant_roles<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    roles: &[Role],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user))
        .exec(db)
        .await?;
    for r in roles {
        user_role::Entity::insert(user_role::ActiveModel {
            user_id: Set(user),
            role: Set(*r),
            granted_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    status: UserStatus,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    app_user::Entity::update_many()
        .col_expr(app_user::Column::Status, Expr::value(status))
        .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Makes an invited or active account active, never a disabled one (enabling is an
/// administrator's explicit act). A conditional update, so a disabling committed meanwhile is
/// seen (PostgreSQL waits for it and re-checks). Returns whether the account is active now.
pub async fn activate_unless_disabled<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    now: OffsetDateTime,
) -> Result<bool, AppError> {
    let done = app_user::Entity::update_many()
        .col_expr(app_user::Column::Status, Expr::value(UserStatus::Active))
        .col_expr(app_user::Column::UpdatedAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(user))
        .filter(app_user::Column::Status.ne(UserStatus::Disabled))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

pub fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

/// Whether removing `user` from the active administrators would leave none; in a write
/// transaction, the answer holds until it ends. On PostgreSQL the accounts of every administrator
/// are locked first (`SELECT … FOR UPDATE`, in id order so that two transactions take them in the
/// same order) and only then counted, by a statement of its own that sees whatever a transaction
/// holding them before committed: two administrators demoting or disabling each other at once
/// take turns, and the second sees the first's change. SQLite's write transaction (`BEGIN
/// IMMEDIATE`) already excludes every other writer.
pub async fn is_last_admin<C: ConnectionTrait>(db: &C, user: UserId) -> Result<bool, AppError> {
    app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .filter(holding(Role::Admin))
        .order_by_asc(app_user::Column::Id)
        .lock_exclusive()
        .into_tuple::<UserId>()
        .all(db)
        .await?;
    let admins = user_role::Entity::find()
        .join(JoinType::InnerJoin, user_role::Relation::AppUser.def())
        .filter(user_role::Column::Role.eq(Role::Admin))
        .filter(app_user::Column::Status.eq(UserStatus::Active))
        .all(db)
        .await?;
    Ok(admins.len() == 1 && admins[0].user_id == user)
}

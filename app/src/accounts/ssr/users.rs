//! Account records: creating accounts with their roles (one or twenty thousand), changing roles
//! and status, and the last-administrator rule.

use super::people::holding;
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{Role, UserStatus};
use crate::ssr::db::BATCH;
use crate::ssr::entities::{app_user, user_role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};
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

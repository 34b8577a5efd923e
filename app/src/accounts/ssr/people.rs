//! People by name: the search the users list and the people pickers share, and resolving the
//! people a form names (by id or by user name) with whether they hold a role. Each is one query
//! (a list of more than [`BATCH`] names or ids is asked for in batches).

use crate::error::AppError;
use crate::ids::UserId;
use crate::session::model::{Role, UserStatus};
use crate::ssr::db::{BATCH, contains_pattern, prefix_pattern};
use crate::ssr::entities::{app_user, user_role};
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoCondition, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, Order, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};

/// Someone a form names or a search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub status: UserStatus,
    /// Whether they hold the role the caller asked about.
    pub holds_role: bool,
}

impl Person {
    /// May take on the role's duties: holds the role and is not disabled. Invited people may
    /// (imports and the generator create owners as invited accounts, who own applications
    /// before they enrol their first passkey).
    pub fn eligible(&self) -> bool {
        self.holds_role && self.status != UserStatus::Disabled
    }
}

/// `lower(column)` of a user column.
fn lower(column: app_user::Column) -> Expr {
    Expr::expr(Func::lower(Expr::col((app_user::Entity, column))))
}

/// People whose user name or display name contains `q`, ignoring case (`%` and `_` literal).
pub fn name_contains(q: &str) -> Condition {
    let pattern = contains_pattern(q);
    Condition::any()
        .add(lower(app_user::Column::Username).like(pattern.clone()))
        .add(lower(app_user::Column::DisplayName).like(pattern))
}

/// People holding `role`.
pub fn holding(role: Role) -> Condition {
    app_user::Column::Id
        .in_subquery(
            Query::select()
                .column(user_role::Column::UserId)
                .from(user_role::Entity)
                .and_where(user_role::Column::Role.eq(role))
                .to_owned(),
        )
        .into_condition()
}

/// The people these ids or user names name, with whether each holds `role`: one query (per
/// [`BATCH`] of ids and names). Names and ids nobody has are simply absent.
pub async fn find_people<C: ConnectionTrait>(
    db: &C,
    ids: &[UserId],
    usernames: &[String],
    role: Role,
) -> Result<Vec<Person>, AppError> {
    let mut found = Vec::new();
    let (mut ids, mut usernames) = (ids.chunks(BATCH), usernames.chunks(BATCH));
    loop {
        let (ids, usernames) = (
            ids.next().unwrap_or_default(),
            usernames.next().unwrap_or_default(),
        );
        if ids.is_empty() && usernames.is_empty() {
            return Ok(found);
        }
        let mut named = Condition::any();
        if !ids.is_empty() {
            named = named.add(app_user::Column::Id.is_in(ids.to_vec()));
        }
        if !usernames.is_empty() {
            named = named.add(app_user::Column::Username.is_in(usernames.to_vec()));
        }
        let rows = app_user::Entity::find()
            .select_only()
            .column(app_user::Column::Id)
            .column(app_user::Column::Username)
            .column(app_user::Column::DisplayName)
            .column(app_user::Column::Status)
            .column(user_role::Column::Role)
            .join(
                JoinType::LeftJoin,
                app_user::Relation::UserRole
                    .def()
                    .on_condition(move |_, right| {
                        Expr::col((right, user_role::Column::Role))
                            .eq(role)
                            .into_condition()
                    }),
            )
            .filter(named)
            .into_tuple::<(UserId, String, String, UserStatus, Option<Role>)>()
            .all(db)
            .await?;
        found.extend(
            rows.into_iter()
                .map(|(id, username, display_name, status, held)| Person {
                    id,
                    username,
                    display_name,
                    status,
                    holds_role: held.is_some(),
                }),
        );
    }
}

/// At most `limit` people who hold `role` and are not disabled, whose user name or display name
/// contains `q` (ignoring case): those whose names start with it first, then by user name. One
/// query; none for an empty `q`.
pub async fn search_people<C: ConnectionTrait>(
    db: &C,
    q: &str,
    role: Role,
    limit: u64,
) -> Result<Vec<Person>, AppError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let starts = prefix_pattern(q);
    let starts_with_q = Condition::any()
        .add(lower(app_user::Column::Username).like(starts.clone()))
        .add(lower(app_user::Column::DisplayName).like(starts));
    let rank: Expr = Expr::case(starts_with_q, 0).finally(1).into();
    Ok(app_user::Entity::find()
        .filter(holding(role))
        .filter(app_user::Column::Status.ne(UserStatus::Disabled))
        .filter(name_contains(q))
        .order_by(rank, Order::Asc)
        .order_by_asc(app_user::Column::Username)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Person {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            status: u.status,
            holds_role: true,
        })
        .collect())
}

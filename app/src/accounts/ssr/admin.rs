//! Administration of users: the list, invitations, roles, disabling and recovery links. Every
//! function takes the guard's proof that the caller administers users.

use super::links::{
    INVITATION_VALIDITY, NewLink, RECOVERY_VALIDITY, Unused, expire_unused_links, issue_link,
};
use super::people::{holding, name_contains};
use super::users::{NewUser, create_user, grant_roles, is_last_admin, role_names, set_status};
use crate::accounts::model::{
    DISPLAY_NAME_MAX, EnrolmentPurpose, IssuedLinkView, Position, REASON_MAX, REASON_MIN,
    USERS_PAGE_SIZE, UserAdministrators, UserFilter, UserList, UserSummary,
};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, head, record};
use crate::components::Neighbours;
use crate::error::AppError;
use crate::ids::UserId;
use crate::session::facade::{AuthBucket, Granted, end_sessions, roles_of, verified_within};
use crate::session::model::{Role, UserStatus};
use crate::ssr::clock::format_timestamp;
use crate::ssr::entities::{app_user, passkey, user_role};
use crate::ssr::paging::{KeysetPage, Order, keyset_page};
use crate::ssr::state::AppState;
use crate::validation::{Checks, validate_text, validate_username};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::BTreeMap;
use time::Duration;

/// How recent the issuer's own passkey verification must be to issue recovery.
pub const REVERIFY_WINDOW: Duration = Duration::minutes(5);

/// One page of the users list: the search and filters in SQL, keyset paging by user name, and
/// each row's roles and passkey count for the page's people only. A fixed number of statements
/// whatever the number of users: the audit head, the count (only when the head moved since this
/// filter was counted), the page, on a later page whether anyone comes before it (or after it),
/// the page's roles and its passkey counts.
pub async fn list_users(
    state: &AppState,
    _admin: &Granted<UserAdministrators>,
    filter: &UserFilter,
) -> Result<UserList, AppError> {
    let db = state.db.conn();
    let mut cond = Condition::all();
    let q = filter.q.trim();
    if !q.is_empty() {
        cond = cond.add(name_contains(q));
    }
    if let Some(role) = filter.role {
        cond = cond.add(holding(role));
    }
    if let Some(status) = filter.status {
        cond = cond.add(app_user::Column::Status.eq(status));
    }
    let matching = || app_user::Entity::find().filter(cond.clone());
    let key = format!("users&{:?}", filter.at(Position::First));
    let at = head(db).await?;
    let total = state
        .remembered
        .figure(key, &at, || matching().count(db))
        .await?;

    let KeysetPage {
        rows: users,
        neighbours: Neighbours { prev, next },
    } = keyset_page(
        db,
        matching,
        app_user::Column::Username,
        |u| u.username.as_str(),
        &filter.position,
        USERS_PAGE_SIZE,
        Order::ByIndex,
    )
    .await?;

    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let mut roles: BTreeMap<UserId, Vec<Role>> = BTreeMap::new();
    let mut passkeys: BTreeMap<UserId, u64> = BTreeMap::new();
    if !ids.is_empty() {
        for r in user_role::Entity::find()
            .filter(user_role::Column::UserId.is_in(ids.clone()))
            .all(db)
            .await?
        {
            roles.entry(r.user_id).or_default().push(r.role);
        }
        passkeys = passkey::Entity::find()
            .select_only()
            .column(passkey::Column::UserId)
            .column_as(passkey::Column::Id.count(), "passkeys")
            .filter(passkey::Column::UserId.is_in(ids))
            .group_by(passkey::Column::UserId)
            .into_tuple::<(UserId, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or_default()))
            .collect();
    }
    let rows = users
        .into_iter()
        .map(|u| {
            let mut r = roles.remove(&u.id).unwrap_or_default();
            r.sort();
            UserSummary {
                id: u.id,
                passkeys: passkeys.get(&u.id).copied().unwrap_or(0),
                username: u.username,
                display_name: u.display_name,
                status: u.status,
                roles: r,
                created_at: format_timestamp(u.created_at),
            }
        })
        .collect();
    Ok(UserList {
        rows,
        total,
        prev,
        next,
    })
}

/// Invites a person with roles: creates the account (invited) and a single-use link valid 7 days.
pub async fn invite_user(
    state: &AppState,
    admin: &Granted<UserAdministrators>,
    username: &str,
    display_name: &str,
    roles: &[Role],
) -> Result<IssuedLinkView, AppError> {
    let mut checks = Checks::new();
    let username = checks.check(validate_username(username));
    let display_name = checks.check(validate_text(
        "display_name",
        display_name,
        1,
        DISPLAY_NAME_MAX,
    ));
    if roles.is_empty() {
        checks.problem("roles", "Choose at least one role.");
    }
    let (Some(username), Some(display_name)) = (username, display_name) else {
        return Err(checks
            .finish()
            .err()
            .unwrap_or_else(|| AppError::validation("username", "Check the user name.")));
    };
    checks.finish()?;
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let id = UserId::new();
    let account = NewUser {
        id,
        username: &username,
        display_name: &display_name,
        status: UserStatus::Invited,
        roles,
    };
    create_user(&txn, account, now).await?;
    let link = NewLink {
        purpose: EnrolmentPurpose::Invitation,
        user: id,
        issued_by: admin.id(),
        reason: None,
        revoke_old_passkeys: false,
        validity: INVITATION_VALIDITY,
    };
    let (token, url, expires_at) =
        issue_link(&txn, now, &state.config.public_url.origin, link).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::UserInvited,
            subject_type: "user",
            subject_id: id.to_string(),
            before: None,
            after: Some(json!({
                "username": username,
                "display_name": display_name,
                "roles": role_names(roles),
                "invitation_id": token.to_string(),
                "expires_at": format_timestamp(expires_at),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedLinkView {
        url,
        expires_at: format_timestamp(expires_at),
        for_user: username,
    })
}

/// Replaces a user's roles and ends their sessions (privileges change only at a fresh sign-in).
pub async fn change_roles(
    state: &AppState,
    admin: &Granted<UserAdministrators>,
    target: UserId,
    roles: &[Role],
) -> Result<(), AppError> {
    if roles.is_empty() {
        return Err(AppError::validation("roles", "Choose at least one role."));
    }
    let now = state.now();
    let txn = state.db.begin_write().await?;
    app_user::Entity::find_by_id(target)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = roles_of(&txn, target).await?;
    if before.contains(&Role::Admin)
        && !roles.contains(&Role::Admin)
        && is_last_admin(&txn, target).await?
    {
        return Err(AppError::Conflict(
            "This is the last active administrator; appoint another first.".into(),
        ));
    }
    grant_roles(&txn, target, roles, now).await?;
    let actor = Actor::User(admin.id());
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: actor.clone(),
            action: AuditAction::RolesChanged,
            subject_type: "user",
            subject_id: target.to_string(),
            before: Some(json!({ "roles": role_names(&before) })),
            after: Some(json!({ "roles": role_names(roles) })),
        },
    )
    .await?;
    end_sessions(&txn, now, &actor, target, "roles changed").await?;
    txn.commit().await?;
    Ok(())
}

/// Disables or re-enables a user. Disabling ends their sessions and every unused invitation or
/// recovery link of theirs; nobody disables themselves or the last administrator. Enabling is the
/// only way back from disabled (enrolment never re-activates an account).
pub async fn set_enabled(
    state: &AppState,
    admin: &Granted<UserAdministrators>,
    target: UserId,
    enabled: bool,
) -> Result<(), AppError> {
    if target == admin.id() && !enabled {
        return Err(AppError::Conflict(
            "You cannot disable your own account.".into(),
        ));
    }
    let now = state.now();
    let txn = state.db.begin_write().await?;
    let user = app_user::Entity::find_by_id(target)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = user.status;
    let actor = Actor::User(admin.id());
    if enabled {
        if status != UserStatus::Disabled {
            return Ok(());
        }
        let has_passkey = passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(target))
            .count(&txn)
            .await?
            > 0;
        let new_status = if has_passkey {
            UserStatus::Active
        } else {
            UserStatus::Invited
        };
        set_status(&txn, target, new_status, now).await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor,
                action: AuditAction::UserEnabled,
                subject_type: "user",
                subject_id: target.to_string(),
                before: Some(json!({ "status": user.status })),
                after: Some(json!({ "status": new_status.as_str() })),
            },
        )
        .await?;
    } else {
        if status == UserStatus::Disabled {
            return Ok(());
        }
        if is_last_admin(&txn, target).await? {
            return Err(AppError::Conflict(
                "This is the last active administrator; appoint another first.".into(),
            ));
        }
        set_status(&txn, target, UserStatus::Disabled, now).await?;
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: actor.clone(),
                action: AuditAction::UserDisabled,
                subject_type: "user",
                subject_id: target.to_string(),
                before: Some(json!({ "status": user.status })),
                after: Some(json!({ "status": UserStatus::Disabled.as_str() })),
            },
        )
        .await?;
        end_sessions(&txn, now, &actor, target, "user disabled").await?;
        // Their invitation and recovery links die with the account: enabling it again never
        // brings them back (an administrator issues a new one).
        expire_unused_links(&txn, now, &actor, Unused::AllOf(target), "user disabled").await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Issues a recovery link for someone who lost their passkeys: never for oneself, only after the
/// issuer re-verified with their own passkey in the last five minutes, always with a reason.
pub async fn issue_recovery(
    state: &AppState,
    admin: &Granted<UserAdministrators>,
    bucket: &AuthBucket,
    target: UserId,
    reason: &str,
    revoke_old_passkeys: bool,
) -> Result<IssuedLinkView, AppError> {
    if target == admin.id() {
        return Err(AppError::Forbidden);
    }
    let now = state.now();
    if !verified_within(bucket, now, REVERIFY_WINDOW) {
        return Err(AppError::validation(
            "reverify",
            "Confirm it is you with your passkey first (valid for five minutes), then issue the link.",
        ));
    }
    let reason = validate_text("reason", reason, REASON_MIN, REASON_MAX)?;
    let txn = state.db.begin_write().await?;
    let user = app_user::Entity::find_by_id(target)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.status == UserStatus::Disabled {
        return Err(AppError::Conflict(
            "This account is disabled; enable it before issuing recovery.".into(),
        ));
    }
    let link = NewLink {
        purpose: EnrolmentPurpose::Recovery,
        user: target,
        issued_by: admin.id(),
        reason: Some(reason.clone()),
        revoke_old_passkeys,
        validity: RECOVERY_VALIDITY,
    };
    let (token, url, expires_at) =
        issue_link(&txn, now, &state.config.public_url.origin, link).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::User(admin.id()),
            action: AuditAction::RecoveryIssued,
            subject_type: "user",
            subject_id: target.to_string(),
            before: None,
            after: Some(json!({
                "issuer": admin.id().to_string(),
                "target": target.to_string(),
                "reason": reason,
                "revoke_old_passkeys": revoke_old_passkeys,
                "recovery_id": token.to_string(),
                "expires_at": format_timestamp(expires_at),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedLinkView {
        url,
        expires_at: format_timestamp(expires_at),
        for_user: user.username,
    })
}

//! Account server functions: enrolment links, the user's own passkeys and sessions, and user
//! administration. Thin: the access guard has already run (see `session::ssr::guard`).

use crate::accounts::model::{AccountOverview, EnrolmentInfo, UserSummary};
use crate::error::AppError;
use crate::ids::{PasskeyId, UserId};
use crate::session::model::CurrentUser;
use leptos::prelude::*;

#[server(endpoint = "enrol/info")]
pub async fn get_enrolment_info(token: String) -> Result<EnrolmentInfo, AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    guard::respond(
        crate::accounts::ssr::enrolment_info(&state, &token).await,
        None,
    )
}

#[server(endpoint = "enrol/start")]
pub async fn start_enrolment(
    token: String,
    username: Option<String>,
    display_name: Option<String>,
) -> Result<String, AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let r = crate::accounts::ssr::start_enrolment(&state, &session, &token, username, display_name)
        .await;
    guard::respond(r, None)
}

#[server(endpoint = "enrol/finish")]
pub async fn finish_enrolment(credential: String) -> Result<CurrentUser, AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    guard::respond(
        crate::accounts::ssr::finish_enrolment(&state, &session, &credential).await,
        None,
    )
}

#[server(endpoint = "account/overview")]
pub async fn get_account() -> Result<AccountOverview, AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let user = guard::signed_in()?;
    guard::respond(
        crate::accounts::ssr::account_overview(&state, &user, &session).await,
        None,
    )
}

#[server(endpoint = "account/passkeys/start")]
pub async fn start_add_passkey() -> Result<String, AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let user = guard::signed_in()?;
    guard::respond(
        crate::accounts::ssr::start_add_passkey(&state, &session, &user).await,
        None,
    )
}

#[server(endpoint = "account/passkeys/finish")]
pub async fn finish_add_passkey(credential: String, name: String) -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let user = guard::signed_in()?;
    let r =
        crate::accounts::ssr::finish_add_passkey(&state, &session, &user, &credential, &name).await;
    guard::respond(r, None)
}

#[server(endpoint = "account/passkeys/rename")]
pub async fn rename_passkey(id: PasskeyId, name: String) -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let user = guard::signed_in()?;
    guard::respond(
        crate::accounts::ssr::rename_passkey(&state, &user, id, &name).await,
        Some("Passkey renamed."),
    )
}

#[server(endpoint = "account/passkeys/remove")]
pub async fn remove_passkey(id: PasskeyId) -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let user = guard::signed_in()?;
    guard::respond(
        crate::accounts::ssr::remove_passkey(&state, &user, id).await,
        Some("Passkey removed."),
    )
}

#[server(endpoint = "account/signout-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let user = guard::signed_in()?;
    let r = crate::accounts::ssr::sign_out_everywhere(&state, &user, &session).await;
    guard::respond_redirect(r, "/signin?notice=You%20are%20signed%20out%20everywhere.")
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    guard::respond(crate::accounts::ssr::list_users(&state).await, None)
}

/// Invites a user; the link is shown once on the users page.
#[server(endpoint = "admin/users/invite")]
pub async fn invite_user(
    username: String,
    display_name: String,
    role_owner: Option<String>,
    role_security: Option<String>,
    role_auditor: Option<String>,
    role_admin: Option<String>,
) -> Result<(), AppError> {
    use crate::accounts::model::roles_from_form;
    use crate::session::ssr::guard;
    let (state, session) = guard::context().await?;
    let admin = guard::signed_in()?;
    let result = async {
        let roles = roles_from_form(
            role_owner.is_some(),
            role_security.is_some(),
            role_auditor.is_some(),
            role_admin.is_some(),
        )?;
        let link =
            crate::accounts::ssr::invite_user(&state, &admin, &username, &display_name, &roles)
                .await?;
        guard::flash_link(&session, &link).await
    }
    .await;
    guard::respond(
        result,
        Some("Invitation created: copy the link below and send it to the person."),
    )
}

#[server(endpoint = "admin/users/roles")]
pub async fn change_roles(
    user: UserId,
    role_owner: Option<String>,
    role_security: Option<String>,
    role_auditor: Option<String>,
    role_admin: Option<String>,
) -> Result<(), AppError> {
    use crate::accounts::model::roles_from_form;
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let admin = guard::signed_in()?;
    let result = async {
        let roles = roles_from_form(
            role_owner.is_some(),
            role_security.is_some(),
            role_auditor.is_some(),
            role_admin.is_some(),
        )?;
        crate::accounts::ssr::change_roles(&state, &admin, user, &roles).await
    }
    .await;
    guard::respond(
        result,
        Some("Roles changed; the user's sessions were ended."),
    )
}

#[server(endpoint = "admin/users/status")]
pub async fn set_user_enabled(user: UserId, enabled: bool) -> Result<(), AppError> {
    use crate::session::ssr::guard;
    let (state, _) = guard::context().await?;
    let admin = guard::signed_in()?;
    let notice = if enabled {
        "User enabled."
    } else {
        "User disabled; their sessions were ended."
    };
    guard::respond(
        crate::accounts::ssr::set_enabled(&state, &admin, user, enabled).await,
        Some(notice),
    )
}

/// Issues a recovery link for another user (after re-verification); shown once.
#[server(endpoint = "admin/users/recovery")]
pub async fn issue_recovery(
    user: UserId,
    reason: String,
    revoke_old: Option<String>,
) -> Result<(), AppError> {
    use crate::session::ssr::{auth, guard};
    let (state, session) = guard::context().await?;
    let admin = guard::signed_in()?;
    let result = async {
        let bucket = auth::bucket(&session)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let link = crate::accounts::ssr::issue_recovery(
            &state,
            &admin,
            &bucket,
            user,
            &reason,
            revoke_old.is_some(),
        )
        .await?;
        guard::flash_link(&session, &link).await
    }
    .await;
    guard::respond(
        result,
        Some("Recovery link issued: hand it to the person through a verified channel."),
    )
}

/// The link issued by the last invitation or recovery, shown once.
#[server(endpoint = "admin/users/issued")]
pub async fn take_issued_link() -> Result<Option<crate::accounts::model::IssuedLinkView>, AppError>
{
    use crate::session::ssr::guard;
    let (_, session) = guard::context().await?;
    guard::respond(guard::take_flash_link(&session).await, None)
}

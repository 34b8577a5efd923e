//! Account server functions: enrolment links, the user's own passkeys and sessions, and user
//! administration. Thin: the access guard has already run (see `access.rs`); each function
//! takes the guard's proof of its right and calls one function in `ssr`.

use crate::accounts::model::{
    AccountOverview, EnrolmentInfo, IssuedLinkView, UserFilter, UserList,
};
use crate::error::AppError;
use crate::ids::{PasskeyId, UserId};
use crate::session::model::CurrentUser;
use leptos::prelude::*;

/// The session key of the last link an administrator issued, until the users page shows it.
#[cfg(feature = "ssr")]
const ISSUED_LINK: &str = "portal.flash.link";

#[server(endpoint = "enrol/info")]
pub async fn get_enrolment_info(token: String) -> Result<EnrolmentInfo, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    respond(
        super::ssr::enrolment::enrolment_info(&state, &token).await,
        None,
    )
}

#[server(endpoint = "enrol/start")]
pub async fn start_enrolment(
    token: String,
    username: Option<String>,
    display_name: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let r =
        super::ssr::enrolment::start_enrolment(&state, &session, &token, username, display_name)
            .await;
    respond(r, None)
}

#[server(endpoint = "enrol/finish")]
pub async fn finish_enrolment(credential: String) -> Result<CurrentUser, AppError> {
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    respond(
        super::ssr::enrolment::finish_enrolment(&state, &session, &credential).await,
        None,
    )
}

#[server(endpoint = "account/overview")]
pub async fn get_account() -> Result<AccountOverview, AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::own::account_overview(&state, &caller, &session).await,
        None,
    )
}

#[server(endpoint = "account/passkeys/start")]
pub async fn start_add_passkey() -> Result<String, AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::own::start_add_passkey(&state, &session, &caller).await,
        None,
    )
}

#[server(endpoint = "account/passkeys/finish")]
pub async fn finish_add_passkey(credential: String, name: String) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, session) = context().await?;
    let caller = granted::<SelfService>()?;
    let r =
        super::ssr::own::finish_add_passkey(&state, &session, &caller, &credential, &name).await;
    respond(r, None)
}

#[server(endpoint = "account/passkeys/rename")]
pub async fn rename_passkey(id: PasskeyId, name: String) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::own::rename_passkey(&state, &caller, id, &name).await,
        Some("Passkey renamed."),
    )
}

#[server(endpoint = "account/passkeys/remove")]
pub async fn remove_passkey(id: PasskeyId) -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let caller = granted::<SelfService>()?;
    respond(
        super::ssr::own::remove_passkey(&state, &caller, id).await,
        Some("Passkey removed."),
    )
}

#[server(endpoint = "account/signout-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::session::facade::granted;
    use crate::session::model::SelfService;
    use crate::ssr::request::{context, respond_redirect};
    let (state, session) = context().await?;
    let caller = granted::<SelfService>()?;
    let r = super::ssr::own::sign_out_everywhere(&state, &caller, &session).await;
    respond_redirect(r, "/signin?done=signed-out-everywhere", None)
}

/// A page of people matching a search and filters (administrators).
#[server(endpoint = "admin/users")]
pub async fn list_users(#[server(default)] filter: UserFilter) -> Result<UserList, AppError> {
    use crate::accounts::model::UserAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<UserAdministrators>()?;
    respond(
        super::ssr::admin::list_users(&state, &admin, &filter).await,
        None,
    )
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
    use crate::accounts::model::{UserAdministrators, roles_from_form};
    use crate::session::facade::granted;
    use crate::ssr::request::{context, flash_sealed, respond};
    let (state, session) = context().await?;
    let admin = granted::<UserAdministrators>()?;
    let result = async {
        let roles = roles_from_form(
            role_owner.is_some(),
            role_security.is_some(),
            role_auditor.is_some(),
            role_admin.is_some(),
        )?;
        let link = super::ssr::admin::invite_user(&state, &admin, &username, &display_name, &roles)
            .await?;
        flash_sealed(&session, ISSUED_LINK, &link).await
    }
    .await;
    respond(
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
    use crate::accounts::model::{UserAdministrators, roles_from_form};
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<UserAdministrators>()?;
    let result = async {
        let roles = roles_from_form(
            role_owner.is_some(),
            role_security.is_some(),
            role_auditor.is_some(),
            role_admin.is_some(),
        )?;
        super::ssr::admin::change_roles(&state, &admin, user, &roles).await
    }
    .await;
    respond(
        result,
        Some("Roles changed; the user's sessions were ended."),
    )
}

#[server(endpoint = "admin/users/status")]
pub async fn set_user_enabled(user: UserId, enabled: bool) -> Result<(), AppError> {
    use crate::accounts::model::UserAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond};
    let (state, _) = context().await?;
    let admin = granted::<UserAdministrators>()?;
    let notice = if enabled {
        "User enabled."
    } else {
        "User disabled; their sessions were ended."
    };
    respond(
        super::ssr::admin::set_enabled(&state, &admin, user, enabled).await,
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
    use crate::accounts::model::UserAdministrators;
    use crate::session::facade::{bucket, granted};
    use crate::ssr::request::{context, flash_sealed, respond};
    let (state, session) = context().await?;
    let admin = granted::<UserAdministrators>()?;
    let result = async {
        let bucket = bucket(&session).await?.ok_or(AppError::Unauthenticated)?;
        let link = super::ssr::admin::issue_recovery(
            &state,
            &admin,
            &bucket,
            user,
            &reason,
            revoke_old.is_some(),
        )
        .await?;
        flash_sealed(&session, ISSUED_LINK, &link).await
    }
    .await;
    respond(
        result,
        Some("Recovery link issued: hand it to the person through a verified channel."),
    )
}

/// The link issued by the last invitation or recovery, shown once.
#[server(endpoint = "admin/users/issued")]
pub async fn take_issued_link() -> Result<Option<IssuedLinkView>, AppError> {
    use crate::accounts::model::UserAdministrators;
    use crate::session::facade::granted;
    use crate::ssr::request::{context, respond, take_sealed};
    let (_, session) = context().await?;
    granted::<UserAdministrators>()?;
    respond(take_sealed(&session, ISSUED_LINK).await, None)
}

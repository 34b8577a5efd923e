//! Enrolment (first passkey), the user's account, and user administration.

use super::api::{
    ChangeRoles, InviteUser, IssueRecovery, RemovePasskey, RenamePasskey, SetUserEnabled,
    SignOutEverywhere, get_account, get_enrolment_info, list_users, take_issued_link,
};
use super::model::{
    AccountOverview, DISPLAY_NAME_MAX, EnrolmentInfo, EnrolmentPurpose, PASSKEY_NAME_MAX,
    REASON_MAX, UserFilter, UserList,
};
use crate::components::{
    ErrorAlert, Feedback, Loaded, Neighbours, PageHeader, Pager, Typed, select_options,
    textarea_text, vocab_options,
};
use crate::session::facade::{Guarded, JsNote, ReverifyButton, use_hydrated};
use crate::session::model::{Role, UserStatus};
use crate::validation::USERNAME_MAX;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Shows a timestamp as `YYYY-MM-DD HH:MM UTC`.
fn when(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => ts.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// /enrol/<token>

#[component]
pub fn EnrolPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, get_enrolment_info);
    view! {
        <Title text="Enrol · Passwordless Governance Portal" />
        <section class="narrow">
            <Suspense fallback=|| {
                view! { <p>"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! { <EnrolCard info token=token() /> }.into_any(),
                        Err(_) => {
                            view! {
                                <PageHeader
                                    title="This link is not valid"
                                    subtitle="It may have expired, been used already, or been copied incompletely. Ask your administrator for a new one."
                                />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn EnrolCard(info: EnrolmentInfo, token: String) -> impl IntoView {
    let (title, intro) = match info.purpose {
        EnrolmentPurpose::Bootstrap => (
            "Set up the first administrator",
            "Choose your user name and create the portal's first passkey. You will be its administrator.",
        ),
        EnrolmentPurpose::Invitation => (
            "Welcome",
            "You were invited to the portal. Create a passkey to finish setting up your account.",
        ),
        EnrolmentPurpose::Recovery => (
            "Recover your account",
            "An administrator issued this recovery link. Creating a new passkey ends all your other sessions.",
        ),
    };
    let needs_identity = info.purpose == EnrolmentPurpose::Bootstrap;
    view! {
        <PageHeader title=title subtitle=intro />
        <div class="card">
            {info
                .username
                .clone()
                .map(|u| {
                    view! {
                        <p>
                            "Account: "
                            <strong>{info.display_name.clone().unwrap_or_default()}</strong> " ("
                            <code>{u}</code> ")"
                        </p>
                    }
                })}
            <p class="muted">"This link works once and expires " {when(&info.expires_at)} "."</p>
            <EnrolForm token needs_identity />
        </div>
    }
}

/// Creates the first passkey for an enrolment, invitation or recovery link.
#[island]
pub fn EnrolForm(token: String, needs_identity: bool) -> impl IntoView {
    let hydrated = use_hydrated();
    let (username, set_username) = signal(String::new());
    let (display_name, set_display_name) = signal(String::new());
    let (error, set_error) = signal(None::<(Option<String>, String)>);
    let (busy, set_busy) = signal(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(true);
        let (u, d) = if needs_identity {
            (
                Some(username.get_untracked()),
                Some(display_name.get_untracked()),
            )
        } else {
            (None, None)
        };
        let token = token.clone();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use super::api::{finish_enrolment, start_enrolment};
            use crate::session::facade as browser;
            let result = async {
                let options = start_enrolment(token, u, d)
                    .await
                    .map_err(|e| (e.field().map(str::to_string), e.to_string()))?;
                let credential = browser::create_credential(&options)
                    .await
                    .map_err(|e| (None, e))?;
                finish_enrolment(credential)
                    .await
                    .map_err(|e| (e.field().map(str::to_string), e.to_string()))?;
                Ok::<_, (Option<String>, String)>(())
            }
            .await;
            match result {
                Ok(()) => browser::go("/account?done=passkey-ready"),
                Err(e) => {
                    set_error.set(Some(e));
                    set_busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (u, d, token, set_busy);
    };
    let field_error = move |name: &'static str| {
        move || {
            error.get().and_then(|(f, m)| {
                (f.as_deref() == Some(name)).then(|| view! { <p class="field-error">{m}</p> })
            })
        }
    };
    let general_error = move || {
        error.get().and_then(|(f, m)| {
            (!matches!(f.as_deref(), Some("username" | "display_name"))).then(|| {
                view! {
                    <div class="alert error" role="alert">
                        {m}
                    </div>
                }
            })
        })
    };
    view! {
        <form class="stack" on:submit=submit>
            <Show when=move || needs_identity>
                <div class="field">
                    <label for="enrol-username">"User name"</label>
                    <input
                        id="enrol-username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        maxlength=USERNAME_MAX
                        prop:value=username
                        on:input=move |ev| set_username.set(event_target_value(&ev))
                    />
                    <p class="hint">"Letters, digits and . _ - @; for example ada.lovelace"</p>
                    {field_error("username")}
                </div>
                <div class="field">
                    <label for="enrol-display-name">"Display name"</label>
                    <input
                        id="enrol-display-name"
                        type="text"
                        autocomplete="name"
                        required
                        maxlength=DISPLAY_NAME_MAX
                        prop:value=display_name
                        on:input=move |ev| set_display_name.set(event_target_value(&ev))
                    />
                    {field_error("display_name")}
                </div>
            </Show>
            <button type="submit" disabled=move || busy.get() || !hydrated.get()>
                "Create my passkey"
            </button>
        </form>
        {general_error}
        <JsNote hydrated />
    }
}

// ---------------------------------------------------------------------------------------------
// /account

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account · Passwordless Governance Portal" />
        <Guarded>
            <AccountContent />
        </Guarded>
    }
}

#[component]
fn AccountContent() -> impl IntoView {
    let account = Resource::new(|| (), |_| get_account());
    view! { <Loaded resource=account render=|a| view! { <AccountView account=a /> } /> }
}

#[component]
fn AccountView(account: AccountOverview) -> impl IntoView {
    let roles = account
        .user
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    let only_one = account
        .passkeys
        .iter()
        .filter(|p| p.flagged.is_none())
        .count()
        <= 1;
    view! {
        <PageHeader
            title=account.user.display_name.clone()
            subtitle=format!("Signed in as {} · {}", account.user.username, roles)
        />
        <Feedback />
        <div class="card">
            <h2>"Your passkeys"</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {account
                        .passkeys
                        .into_iter()
                        .map(|p| {
                            let kind = if p.synced {
                                "Synced passkey"
                            } else if p.backup_eligible {
                                "Syncable, not yet synced"
                            } else {
                                "Device-bound"
                            };
                            let attachment = match p.attachment.as_deref() {
                                Some("platform") => " · this device",
                                Some("cross-platform") => " · security key or phone",
                                _ => "",
                            };
                            let label = format!("Name for passkey {}", p.name);
                            let rename = Typed::of_record(
                                RenamePasskey::PATH,
                                "id",
                                &p.id.to_string(),
                            );
                            let name_id = format!("passkey-{}-name", p.id);
                            view! {
                                <tr>
                                    <td>
                                        <form
                                            method="post"
                                            action=RenamePasskey::PATH
                                            class="inline"
                                        >
                                            <input type="hidden" name="id" value=p.id.to_string() />
                                            <input
                                                id=name_id.clone()
                                                type="text"
                                                name="name"
                                                value=rename.text("name", p.name.clone())
                                                aria-label=label
                                                required
                                                maxlength=PASSKEY_NAME_MAX
                                                aria-invalid=rename.invalid("name")
                                                aria-describedby=rename.described("name", &name_id)
                                            />
                                            <button type="submit" class="secondary small">
                                                "Rename"
                                            </button>
                                            {rename.message("name", &name_id)}
                                        </form>
                                        {p
                                            .flagged
                                            .clone()
                                            .map(|f| {
                                                view! { <p class="badge bad">{format!("Blocked: {f}")}</p> }
                                            })}
                                    </td>
                                    <td>{kind} {attachment}</td>
                                    <td>{when(&p.created_at)}</td>
                                    <td>
                                        {p
                                            .last_used_at
                                            .as_deref()
                                            .map(when)
                                            .unwrap_or_else(|| "never".into())}
                                    </td>
                                    <td>
                                        <form method="post" action=RemovePasskey::PATH>
                                            <input type="hidden" name="id" value=p.id.to_string() />
                                            <button
                                                type="submit"
                                                class="danger small"
                                                disabled=only_one && p.flagged.is_none()
                                                title=if only_one {
                                                    "Your last passkey cannot be removed"
                                                } else {
                                                    "Remove this passkey"
                                                }
                                            >
                                                {format!("Remove {}", p.name)}
                                            </button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <h3>"Add a passkey"</h3>
            <p class="muted">
                "Add a second passkey (another device or a security key) so that losing one device does not lock you out."
            </p>
            <AddPasskeyForm />
        </div>
        <div class="card">
            <h2>"Your sessions"</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Session"</th>
                        <th scope="col">"Last active"</th>
                    </tr>
                </thead>
                <tbody>
                    {account
                        .sessions
                        .into_iter()
                        .map(|s| {
                            view! {
                                <tr>
                                    <td>
                                        <code>{s.fingerprint}</code>
                                        {s
                                            .current
                                            .then(|| {
                                                view! { <span class="badge ok">"this browser"</span> }
                                            })}
                                    </td>
                                    <td>{when(&s.last_active)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <form method="post" action=SignOutEverywhere::PATH>
                <button type="submit" class="secondary">
                    "Sign out everywhere"
                </button>
            </form>
        </div>
    }
}

/// Registers another passkey for the signed-in user.
#[island]
pub fn AddPasskeyForm() -> impl IntoView {
    let hydrated = use_hydrated();
    let (name, set_name) = signal(String::from("Passkey"));
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_error.set(None);
        set_busy.set(true);
        let name = name.get_untracked();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use super::api::{finish_add_passkey, start_add_passkey};
            use crate::session::facade as browser;
            let result = async {
                let options = start_add_passkey().await.map_err(|e| e.to_string())?;
                let credential = browser::create_credential(&options).await?;
                finish_add_passkey(credential, name)
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(()) => browser::go("/account?done=passkey-added"),
                Err(e) => {
                    set_error.set(Some(e));
                    set_busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (name, set_busy);
    };
    view! {
        <form class="inline" on:submit=submit>
            <label for="new-passkey-name" class="sr-only">
                "Name for the new passkey"
            </label>
            <input
                id="new-passkey-name"
                type="text"
                required
                maxlength=PASSKEY_NAME_MAX
                prop:value=name
                on:input=move |ev| set_name.set(event_target_value(&ev))
            />
            <button type="submit" disabled=move || busy.get() || !hydrated.get()>
                "Add a passkey"
            </button>
        </form>
        <ErrorAlert message=error />
        <JsNote hydrated />
    }
}

// ---------------------------------------------------------------------------------------------
// /admin/users

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! {
        <Title text="Users · Passwordless Governance Portal" />
        <Guarded roles=&[Role::Admin]>
            <AdminUsersContent />
        </Guarded>
    }
}

#[component]
fn AdminUsersContent() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filter = UserFilter::from_query(|k| query.get(k));
    let f = filter.clone();
    let users = Resource::new(move || f.clone(), list_users);
    let issued = Resource::new(|| (), |_| take_issued_link());
    let invite = Typed::of(InviteUser::PATH);
    view! {
        <PageHeader
            title="Users"
            subtitle="Invite people, assign roles, disable accounts and issue recovery. Every change is audited."
        />
        <Feedback />
        <Suspense>
            {move || Suspend::new(async move {
                issued
                    .await
                    .ok()
                    .flatten()
                    .map(|link| {
                        view! {
                            <div class="card callout" role="status">
                                <h2>{format!("One-time link for {}", link.for_user)}</h2>
                                <p class="muted">
                                    "Shown once. Send it through a channel you trust; it works once and expires "
                                    {when(&link.expires_at)} "."
                                </p>
                                <p>
                                    <code class="link-box" aria-label="One-time link">
                                        {link.url}
                                    </code>
                                </p>
                            </div>
                        }
                    })
            })}
        </Suspense>
        <div class="card">
            <h2>"Invite a user"</h2>
            <form method="post" action=InviteUser::PATH class="stack">
                <div class="grid two">
                    <div class="field">
                        <label for="username">"User name"</label>
                        <input
                            id="username"
                            name="username"
                            type="text"
                            value=invite.text("username", "")
                            required
                            maxlength=USERNAME_MAX
                            autocapitalize="none"
                            aria-invalid=invite.invalid("username")
                            aria-describedby=invite.described("username", "username")
                        />
                        {invite.message("username", "username")}
                    </div>
                    <div class="field">
                        <label for="display_name">"Display name"</label>
                        <input
                            id="display_name"
                            name="display_name"
                            type="text"
                            value=invite.text("display_name", "")
                            required
                            maxlength=DISPLAY_NAME_MAX
                            aria-invalid=invite.invalid("display_name")
                            aria-describedby=invite.described("display_name", "display_name")
                        />
                        {invite.message("display_name", "display_name")}
                    </div>
                </div>
                <RoleChecks prefix="invite" current=vec![Role::Owner] typed=invite.clone() />
                {invite.message("roles", "invite-roles")}
                <button type="submit">"Create invitation"</button>
            </form>
        </div>
        <div class="card">
            <h2>"Recovery"</h2>
            <p class="muted">
                "Recovery is a high-risk identity event. Before issuing a recovery link, confirm it is you; then state a reason on the user's row."
            </p>
            <ReverifyButton />
        </div>
        <UserFilters filter=filter.clone() />
        <Loaded
            resource=users
            render=move |list| view! { <UserTable list filter=filter.clone() /> }
        />
    }
}

/// Search and filters of the users list: a plain GET form, so the state lives in the address.
#[component]
fn UserFilters(filter: UserFilter) -> impl IntoView {
    view! {
        <form method="get" action="/admin/users" class="card filters" role="search">
            <div class="filter-grid">
                <div>
                    <label for="users-q">"Search people"</label>
                    <input
                        id="users-q"
                        type="search"
                        name="q"
                        value=filter.q.clone()
                        placeholder="User name or display name"
                        autocapitalize="none"
                        spellcheck="false"
                    />
                </div>
                <div>
                    <label for="users-role">"Role"</label>
                    <select id="users-role" name="role">
                        {select_options(
                            vocab_options(Role::ALL, Role::as_str, Role::label),
                            filter.role.map(Role::as_str).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="users-status">"Status"</label>
                    <select id="users-status" name="status">
                        {select_options(
                            vocab_options(UserStatus::ALL, UserStatus::as_str, UserStatus::label),
                            filter.status.map(UserStatus::as_str).unwrap_or_default(),
                            Some("Any"),
                        )}
                    </select>
                </div>
            </div>
            <div class="filter-actions">
                <button type="submit">"Apply filters"</button>
                <a href="/admin/users">"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn RoleChecks(
    #[prop(into)] prefix: String,
    current: Vec<Role>,
    /// The refused form this belongs to, if it was refused: its boxes as they were ticked.
    #[prop(optional)]
    typed: Typed,
) -> impl IntoView {
    view! {
        <fieldset class="roles">
            <legend>"Roles"</legend>
            {Role::ALL
                .iter()
                .map(|r| {
                    let id = format!("{prefix}-role-{}", r.as_str());
                    let for_id = id.clone();
                    let name = format!("role_{}", r.as_str());
                    let checked = typed.checked(&name, current.contains(r));
                    view! {
                        <label for=for_id class="check">
                            <input id=id type="checkbox" name=name value="on" checked=checked />
                            {r.label()}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
fn UserTable(list: UserList, filter: UserFilter) -> impl IntoView {
    let me = crate::session::model::viewer().map(|v| v.id);
    let neighbours = Neighbours {
        prev: list.prev.clone(),
        next: list.next.clone(),
    };
    let empty = list.rows.is_empty();
    let pairs = filter.query_pairs();
    let position = filter.position.clone();
    let shown = match (list.rows.first(), list.rows.last()) {
        (Some(a), Some(b)) => format!(
            "Showing {} of {} by user name, from {} to {}.",
            list.rows.len(),
            list.total,
            a.username,
            b.username
        ),
        _ => "Nobody matches on this page.".to_string(),
    };
    let users = list.rows;
    view! {
        <div class="card">
            <h2>{format!("People ({})", list.total)}</h2>
            <p class="muted small">{shown}</p>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"User"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Roles"</th>
                        <th scope="col">"Access"</th>
                        <th scope="col">"Recovery"</th>
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|u| {
                            let (badge, label) = match u.status {
                                UserStatus::Active => ("badge ok", "active"),
                                UserStatus::Invited => ("badge warn", "invited"),
                                UserStatus::Disabled => ("badge bad", "disabled"),
                            };
                            let id = u.id.to_string();
                            let prefix = format!("u{}", u.id.0.simple());
                            let is_me = me == Some(u.id);
                            let recovery = Typed::of_record(IssueRecovery::PATH, "user", &id);
                            let reason_id = format!("{prefix}-reason");
                            view! {
                                <tr>
                                    <td>
                                        <strong>{u.display_name.clone()}</strong>
                                        <br />
                                        <code>{u.username.clone()}</code>
                                        <br />
                                        <span class="muted small">
                                            {format!(
                                                "{} passkey(s) · since {}",
                                                u.passkeys,
                                                when(&u.created_at),
                                            )}
                                        </span>
                                    </td>
                                    <td>
                                        <span class=badge>{label}</span>
                                    </td>
                                    <td>
                                        <form method="post" action=ChangeRoles::PATH class="stack">
                                            <input type="hidden" name="user" value=id.clone() />
                                            <RoleChecks
                                                prefix=prefix.clone()
                                                current=u.roles.clone()
                                                typed=Typed::of_record(ChangeRoles::PATH, "user", &id)
                                            />
                                            <button type="submit" class="secondary small">
                                                {format!("Save roles of {}", u.username)}
                                            </button>
                                        </form>
                                    </td>
                                    <td>
                                        <form
                                            method="post"
                                            action=SetUserEnabled::PATH
                                            hidden=is_me
                                        >
                                            <input type="hidden" name="user" value=id.clone() />
                                            <input
                                                type="hidden"
                                                name="enabled"
                                                value=if u.status == UserStatus::Disabled {
                                                    "true"
                                                } else {
                                                    "false"
                                                }
                                            />
                                            <button
                                                type="submit"
                                                class=if u.status == UserStatus::Disabled {
                                                    "secondary small"
                                                } else {
                                                    "danger small"
                                                }
                                            >
                                                {if u.status == UserStatus::Disabled {
                                                    format!("Enable {}", u.username)
                                                } else {
                                                    format!("Disable {}", u.username)
                                                }}
                                            </button>
                                        </form>
                                    </td>
                                    <td>
                                        {is_me
                                            .then(|| {
                                                view! {
                                                    <p class="muted small">
                                                        "This is you: another administrator can issue your recovery."
                                                    </p>
                                                }
                                            })}
                                        <form
                                            method="post"
                                            action=IssueRecovery::PATH
                                            class="stack"
                                            hidden=is_me
                                        >
                                            <input type="hidden" name="user" value=id.clone() />
                                            <label for=format!("{prefix}-reason")>"Reason"</label>
                                            <textarea
                                                id=reason_id.clone()
                                                name="reason"
                                                rows="2"
                                                required
                                                maxlength=REASON_MAX
                                                placeholder="e.g. phone lost; identity checked on a video call"
                                                aria-invalid=recovery.invalid("reason")
                                                aria-describedby=recovery.described("reason", &reason_id)
                                            >
                                                {textarea_text(&recovery.text("reason", ""))}
                                            </textarea>
                                            {recovery.message("reason", &reason_id)}
                                            <label class="check">
                                                <input
                                                    type="checkbox"
                                                    name="revoke_old"
                                                    value="on"
                                                    checked=recovery.checked("revoke_old", true)
                                                />
                                                "Revoke old passkeys"
                                            </label>
                                            <button type="submit" class="secondary small">
                                                {format!("Issue recovery for {}", u.username)}
                                            </button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <Pager path="/admin/users" pairs position neighbours empty />
        </div>
    }
}

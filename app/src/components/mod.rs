//! Shared page pieces: the layout, page headers, not-found and error pages.

use crate::accounts::model::Role;
use crate::error::AppError;
use crate::session::api::SignOut;
use crate::session::model::viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The sections of the portal, in navigation order: (path, label, who sees it).
const NAV: &[(&str, &str, Option<&[Role]>)] = &[
    ("/", "Overview", None),
    ("/applications", "Applications", Some(&Role::ALL)),
    ("/catalogue", "Catalogue", Some(&Role::ALL)),
    ("/admin/users", "Users", Some(&[Role::Admin])),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let viewer = viewer();
    let links = NAV
        .iter()
        .filter(|(_, _, roles)| match roles {
            None => true,
            Some(r) => viewer.as_ref().is_some_and(|v| v.has_any(r)),
        })
        .map(|(href, label, _)| {
            view! {
                <li>
                    <A href=*href exact=*href == "/">
                        {*label}
                    </A>
                </li>
            }
        })
        .collect_view();
    let account = match viewer {
        Some(v) => view! {
            <div class="usermenu">
                <A href="/account">{v.display_name.clone()}</A>
                <form method="post" action=SignOut::PATH>
                    <button type="submit" class="link">
                        "Sign out"
                    </button>
                </form>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="usermenu">
                <A href="/signin">"Sign in"</A>
            </div>
        }
        .into_any(),
    };
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">
                    "◆"
                </span>
                <span>"Passwordless Governance Portal"</span>
            </a>
            <nav aria-label="Main">
                <ul>{links}</ul>
            </nav>
            <div class="spacer"></div>
            {account}
        </header>
        <main id="main" class="content">
            {children()}
        </main>
        <footer class="footer">
            <span>"Passkeys only · every change audited"</span>
        </footer>
    }
}

/// The outcome of a plain form post, carried back in the query string (`notice` or `error`).
#[component]
pub fn Feedback() -> impl IntoView {
    let query = use_query_map();
    move || {
        let q = query.get();
        if let Some(e) = q.get("error") {
            Some(
                view! {
                    <div class="alert error" role="alert">
                        {e}
                    </div>
                }
                .into_any(),
            )
        } else {
            q.get("notice").map(|n| {
                view! {
                    <div class="alert ok" role="status">
                        {n}
                    </div>
                }
                .into_any()
            })
        }
    }
}

/// The validation message of a plain form post, shown beside the input it belongs to (the
/// server names the field in `?field=`).
#[component]
pub fn FieldError(#[prop(into)] name: String) -> impl IntoView {
    let query = use_query_map();
    move || {
        let q = query.get();
        (q.get("field").as_deref() == Some(name.as_str()))
            .then(|| q.get("error"))
            .flatten()
            .map(|e| {
                view! {
                    <p class="field-error" role="alert">
                        {e}
                    </p>
                }
            })
    }
}

/// The error of an island's last attempt, if any.
#[component]
pub fn ErrorAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|e| {
            view! {
                <div class="alert error" role="alert">
                    {e}
                </div>
            }
        })
    }
}

/// Renders what a server function loaded, or the error page when it failed.
#[component]
pub fn Loaded<T, F, V>(resource: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => render(value).into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shows `children` to a signed-in user holding one of `roles` (any signed-in user when empty);
/// sends anyone else to sign in, or says they may not see the page.
#[component]
pub fn Guarded(#[prop(optional)] roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    match viewer() {
        None => {
            let next = current_path();
            let target = format!("/signin?next={}", encode_component(&next));
            redirect_page(&target);
            view! {
                <p>
                    <a href=target>"Sign in to continue"</a>
                </p>
            }
            .into_any()
        }
        Some(v) if roles.is_empty() || v.has_any(roles) => children().into_any(),
        Some(_) => view! { <ErrorPage error=AppError::Forbidden /> }.into_any(),
    }
}

#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] subtitle: Option<String>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            {subtitle.map(|s| view! { <p class="lead">{s}</p> })}
        </div>
    }
}

/// The path of the page being rendered (server side).
fn current_path() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|p| p.uri.path().to_string())
            .unwrap_or_else(|| "/".into())
    }
    #[cfg(not(feature = "ssr"))]
    {
        "/".into()
    }
}

/// Percent-encodes a value (a path, a search term) for use in a query string.
pub fn encode_component(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Answers the page request with a redirect (303) to `target`.
pub fn redirect_page(target: &str) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(location)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(target),
    ) {
        resp.set_status(http::StatusCode::SEE_OTHER);
        resp.insert_header(http::header::LOCATION, location);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = target;
}

/// Sets the response status while the page renders on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        resp.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found · Passwordless Governance Portal" />
        <section class="narrow">
            <PageHeader title="Page not found" subtitle="There is nothing at this address." />
            <p>
                <a class="button" href="/">
                    "Back to the overview"
                </a>
            </p>
        </section>
    }
}

/// A page-level error, shown with the message the server chose for people.
#[component]
pub fn ErrorPage(error: crate::error::AppError) -> impl IntoView {
    set_status(error.status_code());
    view! {
        <Title text="Error · Passwordless Governance Portal" />
        <section class="narrow">
            <PageHeader title="That did not work" />
            <div class="alert error" role="alert">
                {error.to_string()}
            </div>
            <p>
                <a class="button" href="/">
                    "Back to the overview"
                </a>
            </p>
        </section>
    }
}

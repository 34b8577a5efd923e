//! The sign-in page and the islands that run passkey ceremonies in the browser.

use super::model::{Readiness, Role, viewer};
use crate::components::{
    ErrorAlert, ErrorPage, Feedback, PageHeader, encode_component, redirect_page,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <Title text="Sign in · Passwordless Governance Portal" />
        <section class="narrow">
            <PageHeader
                title="Sign in"
                subtitle="This portal has no passwords. You sign in with a passkey on this device, a phone or a security key."
            />
            <Feedback />
            <div class="card">
                <h2>"Sign in with a passkey"</h2>
                <SignInForm />
            </div>
            <div class="card">
                <h2>"New here, or lost your passkeys?"</h2>
                <p class="muted">
                    "Your administrator sends you a one-time enrolment link; open it to register your first passkey. "
                    "If you lost every passkey, ask an administrator for a recovery link."
                </p>
                <h3>"Is this browser ready?"</h3>
                <PasskeyReadiness />
            </div>
        </section>
    }
}

/// Where to go after signing in: the `next` query parameter resolved as the browser resolves
/// an address against the portal's own, if the result is on the portal's own origin; home
/// otherwise. (Checking the text alone let `/\host` and `/<tab>/host` through, which browsers
/// read as another host.)
#[cfg(feature = "hydrate")]
fn next_path() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return "/".into();
    };
    let Ok(origin) = location.origin() else {
        return "/".into();
    };
    location
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("next"))
        .and_then(|next| web_sys::Url::new_with_base(&next, &origin).ok())
        .filter(|target| target.origin() == origin)
        .map(|target| format!("{}{}{}", target.pathname(), target.search(), target.hash()))
        .unwrap_or_else(|| "/".into())
}

/// Sign in by user name, or with any passkey this device holds for the portal.
#[island]
pub fn SignInForm() -> impl IntoView {
    let hydrated = use_hydrated();
    let (username, set_username) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let run = move |with_name: bool| {
        set_error.set(None);
        set_busy.set(true);
        let name = with_name.then(|| username.get_untracked());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use super::api::{finish_signin, start_signin};
            use super::browser;
            let result = async {
                let options = start_signin(name).await.map_err(|e| e.to_string())?;
                let credential = browser::get_credential(&options).await?;
                finish_signin(credential).await.map_err(|e| e.to_string())?;
                Ok::<_, String>(())
            }
            .await;
            match result {
                Ok(()) => browser::go(&next_path()),
                Err(e) => {
                    set_error.set(Some(e));
                    set_busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (name, set_busy);
    };
    let disabled = move || busy.get() || !hydrated.get();
    view! {
        <form
            class="stack"
            on:submit=move |ev| {
                ev.prevent_default();
                run(true);
            }
        >
            <div class="field">
                <label for="signin-username">"User name"</label>
                <input
                    id="signin-username"
                    name="username"
                    type="text"
                    autocomplete="username webauthn"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    prop:value=username
                    on:input=move |ev| set_username.set(event_target_value(&ev))
                />
            </div>
            <button type="submit" disabled=disabled>
                "Sign in"
            </button>
        </form>
        <p class="divider">
            <span>"or"</span>
        </p>
        <button type="button" class="secondary" on:click=move |_| run(false) disabled=disabled>
            "Sign in with a passkey, no user name"
        </button>
        <ErrorAlert message=error />
        <Show when=move || busy.get()>
            <p class="muted" role="status">
                "Follow your browser's prompt to use your passkey…"
            </p>
        </Show>
        <JsNote hydrated />
    }
}

/// Says why a control is disabled until the page's WASM runs.
#[component]
pub fn JsNote(hydrated: ReadSignal<bool>) -> impl IntoView {
    view! {
        <Show when=move || !hydrated.get()>
            <p class="muted js-note">
                "Passkeys need JavaScript: turn it on for this site (or wait for the page to finish loading) to continue."
            </p>
        </Show>
    }
}

/// Checks, in the browser, whether passkeys can be used here. Works only once the WASM runs:
/// until then the button stays disabled and a note explains why.
#[island]
pub fn PasskeyReadiness() -> impl IntoView {
    let (status, set_status) = signal(Readiness::Unchecked);
    let hydrated = use_hydrated();
    let check = move |_| {
        set_status.set(Readiness::Checking);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            set_status.set(super::browser::passkey_readiness().await);
        });
    };
    view! {
        <div class="readiness">
            <button
                type="button"
                class="button secondary"
                on:click=check
                disabled=move || !hydrated.get()
            >
                "Check this browser"
            </button>
            <p class="readiness-result" role="status" aria-live="polite">
                {move || status.get().message()}
            </p>
            <JsNote hydrated />
        </div>
    }
}

/// Re-verify with a passkey before a high-risk action (issuing recovery); valid five minutes.
#[island]
pub fn ReverifyButton() -> impl IntoView {
    let hydrated = use_hydrated();
    let (state, set_state) = signal(None::<Result<(), String>>);
    let (busy, set_busy) = signal(false);
    let run = move |_| {
        set_busy.set(true);
        set_state.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use super::api::{finish_reverify, start_reverify};
            let result = async {
                let options = start_reverify().await.map_err(|e| e.to_string())?;
                let credential = super::browser::get_credential(&options).await?;
                finish_reverify(credential).await.map_err(|e| e.to_string())
            }
            .await;
            set_state.set(Some(result));
            set_busy.set(false);
        });
    };
    view! {
        <div class="reverify">
            <button
                type="button"
                class="secondary"
                on:click=run
                disabled=move || busy.get() || !hydrated.get()
            >
                "Confirm it's you with your passkey"
            </button>
            {move || {
                state
                    .get()
                    .map(|r| match r {
                        Ok(()) => {
                            view! {
                                <div class="alert ok" role="status">
                                    "Confirmed. You can issue recovery links for the next five minutes."
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <div class="alert error" role="alert">
                                    {e}
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
            <JsNote hydrated />
        </div>
    }
}

/// False while the page is server-rendered HTML, true once the island's WASM is running.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
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

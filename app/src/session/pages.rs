//! The sign-in page.

use super::model::Readiness;
use crate::components::PageHeader;
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
            <div class="card">
                <h2>"Sign in with a passkey"</h2>
                <p class="muted">
                    "Passkey sign-in opens here once your administrator has enrolled you. "
                    "New here? Your administrator sends you a one-time enrolment link; open it to register your first passkey."
                </p>
                <h3>"Is this browser ready?"</h3>
                <PasskeyReadiness />
            </div>
        </section>
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
            <Show when=move || !hydrated.get()>
                <p class="muted js-note">
                    "Passkeys need JavaScript: turn it on for this site (or wait for the page to finish loading) to sign in."
                </p>
            </Show>
        </div>
    }
}

/// False while the page is server-rendered HTML, true once the island's WASM is running.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

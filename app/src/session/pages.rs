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

/// Checks, in the browser, whether passkeys can be used here. Works only once the WASM runs.
#[island]
pub fn PasskeyReadiness() -> impl IntoView {
    let (status, set_status) = signal(Readiness::Unchecked);
    let check = move |_| {
        set_status.set(Readiness::Checking);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            set_status.set(super::browser::passkey_readiness().await);
        });
    };
    view! {
        <div class="readiness">
            <button type="button" class="button secondary" on:click=check>
                "Check this browser"
            </button>
            <p class="readiness-result" role="status" aria-live="polite">
                {move || status.get().message()}
            </p>
            <noscript>
                <p class="muted">"Passkeys need JavaScript: turn it on for this site to sign in."</p>
            </noscript>
        </div>
    }
}

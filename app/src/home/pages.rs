use crate::components::PageHeader;
use crate::findings::pages::MyFindings;
use crate::session::model::viewer;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Overview · Passwordless Governance Portal" />
        <PageHeader
            title="Passwordless programme governance"
            subtitle="One place to see how every application signs people in, falls back and recovers — and where the weakest path is."
        />
        <div class="grid three">
            <article class="card">
                <h2>"Application owners"</h2>
                <p>
                    "Register applications and declare, per user population, the primary, fallback and recovery methods, device requirements and session rules."
                </p>
            </article>
            <article class="card">
                <h2>"Security"</h2>
                <p>
                    "Set the standard, see every deviation as a finding with an explanation, and approve time-limited exceptions."
                </p>
            </article>
            <article class="card">
                <h2>"Auditors"</h2>
                <p>
                    "Browse read-only evidence: who declared what and when, framework coverage, and a tamper-evident audit trail."
                </p>
            </article>
        </div>
        {viewer().is_some().then(|| view! { <MyFindings /> })}
        <div class="card callout">
            <h2>"This portal practises what it governs"</h2>
            <p>
                "There are no passwords here. You sign in with a passkey; recovery is a high-risk identity event, issued by an administrator and audited."
            </p>
            {match viewer() {
                Some(v) => {
                    view! {
                        <p>
                            "Signed in as " <strong>{v.display_name}</strong> ". "
                            <a href="/account">"Manage your passkeys"</a>
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <a class="button" href="/signin">
                            "Sign in with a passkey"
                        </a>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

//! The application page's section on password removal.

use crate::components::{Loaded, id_param};
use crate::ids::ApplicationId;
use crate::matrix::api::get_readiness;
use crate::matrix::model::ApplicationReadiness;
use leptos::prelude::*;

/// The application page's section: can it remove passwords now, and what blocks it.
#[component]
pub fn ReadinessSection() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let found = Resource::new(move || id, get_readiness);
    view! { <Loaded resource=found render=|r| view! { <Readiness r /> } /> }.into_any()
}

#[component]
fn Readiness(r: ApplicationReadiness) -> impl IntoView {
    if !r.assessed {
        return ().into_any();
    }
    let ready = r.readiness.ready();
    view! {
        <section class="card readiness" id="readiness" aria-labelledby="readiness-title">
            <h2 id="readiness-title">"Password removal"</h2>
            {if ready {
                view! {
                    <p>
                        <span class="badge ok">"✓ Ready"</span>
                        " Every population signs in without a password, falls back and recovers at the policy's level, replaces devices by itself, and no high or critical finding is open."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <p>
                        <span class="badge warn">"Not ready"</span>
                        " Passwords cannot be removed yet. What blocks it:"
                    </p>
                    <ul class="blockers">
                        {r
                            .readiness
                            .blockers
                            .into_iter()
                            .map(|b| view! { <li>{b}</li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

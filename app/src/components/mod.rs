//! Shared page pieces: the layout, page headers, not-found and error pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The sections of the portal, in navigation order.
const NAV: &[(&str, &str)] = &[("/", "Overview"), ("/signin", "Sign in")];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
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
                <ul>
                    {NAV
                        .iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A href=*href exact=true>
                                        {*label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" class="content">
            {children()}
        </main>
        <footer class="footer">
            <span>"Passkeys only · every change audited"</span>
        </footer>
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

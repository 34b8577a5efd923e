//! The HTML shell and the one route list.

use crate::accounts::pages::{AccountPage, AdminUsersPage, EnrolPage};
use crate::catalogue::pages::CataloguePage;
use crate::components::{Layout, NotFound};
use crate::declarations::pages::DeclarationEditorPage;
use crate::home::pages::HomePage;
use crate::registry::pages::{
    ApplicationPage, ApplicationsPage, EditApplicationPage, ImportPage, NewApplicationPage,
};
use crate::session::pages::SignInPage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href="/pkg/portal.css" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Hands the per-request CSP nonce (set by the security-headers middleware) to Leptos, which puts
/// it on the hydration scripts.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    use crate::ssr::CspNonce;
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("signin") view=SignInPage />
                    <Route path=path!("enrol/:token") view=EnrolPage ssr=SsrMode::Async />
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("applications") view=ApplicationsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("applications/new")
                        view=NewApplicationPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("applications/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("applications/:id") view=ApplicationPage ssr=SsrMode::Async />
                    <Route
                        path=path!("applications/:id/edit")
                        view=EditApplicationPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("applications/:id/declaration")
                        view=DeclarationEditorPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("catalogue") view=CataloguePage ssr=SsrMode::Async />
                    <Route path=path!("admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

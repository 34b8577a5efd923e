//! The composition root of the pages: the HTML shell, the layout and navigation, the one route
//! list (pages composed from several features are put together here), and the access table
//! gathered from every feature's slice. Nothing below imports this module.

use crate::accounts::pages::{AccountPage, AdminUsersPage, EnrolPage};
use crate::adoption::pages::{
    AdoptionImportPage, AdoptionPage, ApplicationAdoptionSection, MappingsPage,
};
use crate::catalogue::pages::CataloguePage;
use crate::components::NotFound;
use crate::declarations::pages::{
    DeclarationEditorPage, DeclarationReviewPage, DeclarationSections,
};
use crate::evidence::pages::{
    ApplicationControlsSection, AsOfPage, ControlPage, EventPage, EvidencePage, FrameworksPage,
    VerifyPage,
};
use crate::exceptions::pages::{ExceptionPage, ExceptionsPage, RequestExceptionPage};
use crate::findings::facade::rule_choices;
use crate::findings::pages::{
    ApplicationFindingsSection, DraftImpactPanel, FindingsPage, PolicyPreviewPanel,
};
use crate::home::pages::HomePage;
use crate::integrations::pages::TokensPage;
use crate::matrix::pages::{JourneysPageView, MatrixPageView, ReadinessSection};
use crate::notifications::pages::{
    NotificationsLink, NotificationsPage, WebhookPage, WebhooksPage,
};
use crate::policy::pages::{PolicyEditorPage, PolicyPage};
use crate::registry::pages::{
    ApplicationPage, ApplicationsPage, EditApplicationPage, NewApplicationPage,
};
use crate::session::api::SignOut;
use crate::session::model::{Role, viewer};
use crate::session::pages::SignInPage;
use crate::transfer::pages::{ImportPage, TransferLinks};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
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
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("signin") view=SignInPage />
                    <Route path=path!("enrol/:token") view=EnrolPage ssr=SsrMode::Async />
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                    <Route
                        path=path!("applications")
                        view=|| {
                            view! {
                                <ApplicationsPage>
                                    <TransferLinks />
                                </ApplicationsPage>
                            }
                        }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("applications/new")
                        view=NewApplicationPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("applications/import") view=ImportPage ssr=SsrMode::Async />
                    <Route
                        path=path!("applications/:id")
                        view=|| {
                            view! {
                                <ApplicationPage>
                                    <ReadinessSection />
                                    <ApplicationFindingsSection />
                                    <ApplicationControlsSection />
                                    <ApplicationAdoptionSection />
                                    <DeclarationSections />
                                </ApplicationPage>
                            }
                        }
                        ssr=SsrMode::Async
                    />
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
                    <Route
                        path=path!("applications/:id/declaration/review")
                        view=|| {
                            view! {
                                <DeclarationReviewPage>
                                    <DraftImpactPanel />
                                </DeclarationReviewPage>
                            }
                        }
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("matrix") view=MatrixPageView ssr=SsrMode::Async />
                    <Route path=path!("journeys") view=JourneysPageView ssr=SsrMode::Async />
                    <Route path=path!("findings") view=FindingsPage ssr=SsrMode::Async />
                    <Route path=path!("adoption") view=AdoptionPage ssr=SsrMode::Async />
                    <Route path=path!("frameworks") view=FrameworksPage ssr=SsrMode::Async />
                    <Route path=path!("frameworks/control") view=ControlPage ssr=SsrMode::Async />
                    <Route path=path!("evidence") view=EvidencePage ssr=SsrMode::Async />
                    <Route path=path!("evidence/events/:id") view=EventPage ssr=SsrMode::Async />
                    <Route path=path!("evidence/verify") view=VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("evidence/application") view=AsOfPage ssr=SsrMode::Async />
                    <Route
                        path=path!("adoption/import")
                        view=AdoptionImportPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("adoption/mappings") view=MappingsPage ssr=SsrMode::Async />
                    <Route path=path!("exceptions") view=ExceptionsPage ssr=SsrMode::Async />
                    <Route
                        path=path!("exceptions/new")
                        view=RequestExceptionPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("exceptions/:id") view=ExceptionPage ssr=SsrMode::Async />
                    <Route path=path!("policy") view=PolicyPage ssr=SsrMode::Async />
                    <Route
                        path=path!("policy/edit")
                        view=|| {
                            view! {
                                <PolicyEditorPage rules=rule_choices()>
                                    <PolicyPreviewPanel />
                                </PolicyEditorPage>
                            }
                        }
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("catalogue") view=CataloguePage ssr=SsrMode::Async />
                    <Route path=path!("admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("admin/webhooks") view=WebhooksPage ssr=SsrMode::Async />
                    <Route path=path!("admin/webhooks/:id") view=WebhookPage ssr=SsrMode::Async />
                    <Route path=path!("admin/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("notifications") view=NotificationsPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The sections of the portal, in navigation order: (path, label, who sees it).
const NAV: &[(&str, &str, Option<&[Role]>)] = &[
    ("/", "Overview", None),
    ("/applications", "Applications", Some(Role::ALL)),
    ("/matrix", "Matrix", Some(Role::ALL)),
    ("/findings", "Findings", Some(Role::ALL)),
    ("/adoption", "Adoption", Some(Role::ALL)),
    ("/frameworks", "Frameworks", Some(Role::ALL)),
    (
        "/evidence",
        "Evidence",
        Some(&[Role::Auditor, Role::Security, Role::Admin]),
    ),
    ("/exceptions", "Exceptions", Some(Role::ALL)),
    ("/policy", "Policy", Some(Role::ALL)),
    ("/catalogue", "Catalogue", Some(Role::ALL)),
    ("/admin/users", "Users", Some(&[Role::Admin])),
    ("/admin/webhooks", "Webhooks", Some(&[Role::Admin])),
    ("/admin/tokens", "API tokens", Some(&[Role::Admin])),
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
                <NotificationsLink />
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

/// Every server function and file handler with who may call it, gathered from the features'
/// slices (each declared next to its server functions).
#[cfg(feature = "ssr")]
pub fn access_table()
-> Result<crate::session::facade::AccessTable, crate::session::facade::AccessTableError> {
    crate::session::facade::AccessTable::new(
        &[
            crate::session::access::ENDPOINTS,
            crate::accounts::access::ENDPOINTS,
            crate::notifications::access::ENDPOINTS,
            crate::catalogue::access::ENDPOINTS,
            crate::registry::access::ENDPOINTS,
            crate::declarations::access::ENDPOINTS,
            crate::policy::access::ENDPOINTS,
            crate::findings::access::ENDPOINTS,
            crate::exceptions::access::ENDPOINTS,
            crate::transfer::access::ENDPOINTS,
            crate::matrix::access::ENDPOINTS,
            crate::integrations::access::ENDPOINTS,
            crate::adoption::access::ENDPOINTS,
            crate::evidence::access::ENDPOINTS,
            crate::home::access::ENDPOINTS,
        ],
        &[
            crate::transfer::access::HANDLERS,
            crate::declarations::access::HANDLERS,
            crate::findings::access::HANDLERS,
            crate::exceptions::access::HANDLERS,
            crate::matrix::access::HANDLERS,
            crate::integrations::access::HANDLERS,
            crate::adoption::access::HANDLERS,
            crate::evidence::access::HANDLERS,
        ],
    )
}

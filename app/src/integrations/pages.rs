//! The API tokens page for administrators: the tokens with their state and use, the form that
//! issues one, Revoke buttons, and the secret of the token just issued, shown this once. Every
//! form is a plain post that works without JavaScript.

use super::api::{IssueToken, RevokeToken, list_tokens, take_issued_token};
use super::model::{
    ADOPTION_API_PATH, EXPIRY_DAYS_DEFAULT, EXPIRY_DAYS_MAX, EXPIRY_DAYS_MIN, IssuedToken, Scope,
    TOKEN_NAME_MAX, TokenAdministrators, TokenDraft, TokenState, TokenSummary, USES_PER_MINUTE,
};
use crate::components::{
    Feedback, FieldError, Loaded, PageHeader, aria_describedby, aria_invalid, count, typed,
};
use crate::session::facade::Guarded;
use crate::session::model::Right;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <Title text="API tokens · Passwordless Governance Portal" />
        <Guarded roles=TokenAdministrators::ROLES>
            <TokensContent />
        </Guarded>
    }
}

#[component]
fn TokensContent() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_tokens());
    let issued = Resource::new(|| (), |_| take_issued_token());
    view! {
        <PageHeader
            title="API tokens"
            subtitle="Tokens let scripts send figures to the portal without a person signing in. Each has one scope, expires, and can be revoked at any time."
        />
        <Feedback />
        <Loaded resource=issued render=issued_secret />
        <div class="card">
            <h2>"Tokens"</h2>
            <Loaded resource=tokens render=|t| view! { <TokenTable tokens=t /> } />
        </div>
        <IssueTokenForm />
    }
}

/// The secret of the token just issued, if one was.
fn issued_secret(issued: Option<IssuedToken>) -> impl IntoView {
    issued.map(|issued| view! { <IssuedSecret issued /> })
}

/// The secret of the token just issued: shown this once.
#[component]
fn IssuedSecret(issued: IssuedToken) -> impl IntoView {
    view! {
        <div class="card callout" role="status">
            <h2>{format!("Secret of the token \u{201c}{}\u{201d}", issued.name)}</h2>
            <p>
                <strong>"Copy it now: it will not be shown again."</strong>
                " The portal keeps only a hash of it; if it is lost, revoke the token and issue another."
            </p>
            <p>
                <code class="secret">{issued.secret}</code>
            </p>
            <p class="muted small">
                {format!(
                    "Scope {}, valid until {}. Send it as the header Authorization: Bearer <token> to POST {}.",
                    issued.scope,
                    issued.expires_at,
                    ADOPTION_API_PATH,
                )}
            </p>
        </div>
    }
}

fn state_badge(state: TokenState) -> impl IntoView {
    let class = match state {
        TokenState::Active => "badge ok",
        TokenState::Expired => "badge warn",
        TokenState::Revoked => "badge bad",
    };
    view! { <span class=class>{state.label()}</span> }
}

#[component]
fn TokenTable(tokens: Vec<TokenSummary>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted">"No tokens yet."</p> }.into_any();
    }
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Scope"</th>
                    <th scope="col">"Token"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Uses"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {tokens
                    .into_iter()
                    .map(|t| {
                        let revoke = (t.state != TokenState::Revoked)
                            .then(|| {
                                view! {
                                    <form method="post" action=RevokeToken::PATH class="inline">
                                        <input type="hidden" name="id" value=t.id.to_string() />
                                        <button type="submit" class="secondary small">
                                            "Revoke"
                                        </button>
                                    </form>
                                }
                            });
                        let revoked = t
                            .revoked
                            .clone()
                            .map(|(by, at)| {
                                view! {
                                    <br />
                                    <span class="muted small">{format!("by {by}, {at}")}</span>
                                }
                            });
                        view! {
                            <tr>
                                <td>{t.name.clone()}</td>
                                <td>
                                    <code>{t.scope.clone()}</code>
                                </td>
                                <td>
                                    <code>{format!("{}\u{2026}", t.prefix)}</code>
                                </td>
                                <td>
                                    {t.created_at.clone()} <br />
                                    <span class="muted small">
                                        {format!("by {}", t.created_by)}
                                    </span>
                                </td>
                                <td>{t.expires_at.clone()}</td>
                                <td>{t.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>{count(u64::try_from(t.uses).unwrap_or(0))}</td>
                                <td>{state_badge(t.state)} {revoked}</td>
                                <td>{revoke}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The issue form, prefilled with what was typed when the last attempt was refused.
#[component]
fn IssueTokenForm() -> impl IntoView {
    let draft = typed::<IssueToken>()
        .map(|c| TokenDraft {
            name: c.name,
            days: c.days,
            scope: c.scope.unwrap_or_default(),
        })
        .unwrap_or_else(|| TokenDraft {
            days: EXPIRY_DAYS_DEFAULT.to_string(),
            ..TokenDraft::default()
        });
    let scopes = Scope::ALL
        .iter()
        .map(|s| {
            let selected = draft.scope == s.as_str();
            view! {
                <option value=s.as_str() selected=selected>
                    {format!("{} ({})", s.label(), s.as_str())}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="card">
            <h2>"Issue a token"</h2>
            <form method="post" action=IssueToken::PATH class="stack">
                <label for="name">"Name (what uses it, e.g. the Entra export job)"</label>
                <input
                    id="name"
                    aria-invalid=aria_invalid("name")
                    aria-describedby=aria_describedby("name")
                    type="text"
                    name="name"
                    value=draft.name
                    required
                    maxlength=TOKEN_NAME_MAX
                />
                <FieldError name="name" />
                <label for="scope">"Scope"</label>
                <select
                    id="scope"
                    name="scope"
                    aria-invalid=aria_invalid("scope")
                    aria-describedby=aria_describedby("scope")
                >
                    {scopes}
                </select>
                <FieldError name="scope" />
                <label for="days">
                    {format!("Valid for (days, {EXPIRY_DAYS_MIN} to {EXPIRY_DAYS_MAX})")}
                </label>
                <input
                    id="days"
                    aria-invalid=aria_invalid("days")
                    aria-describedby=aria_describedby("days")
                    type="number"
                    name="days"
                    value=draft.days
                    min=EXPIRY_DAYS_MIN
                    max=EXPIRY_DAYS_MAX
                    step="1"
                    required
                />
                <FieldError name="days" />
                <p class="muted small">
                    {format!(
                        "A token may be used {USES_PER_MINUTE} times a minute; more are answered 429 with Retry-After.",
                    )}
                </p>
                <button type="submit">"Issue token"</button>
            </form>
        </div>
    }
}

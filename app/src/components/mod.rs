//! Page pieces every feature shares and that know no feature: page headers, the outcome of a
//! plain form post, loaded data, not-found and error pages, and small helpers for query strings,
//! route parameters and select options.

pub mod charts;
pub mod paging;

pub use paging::{Neighbours, Pager, Position, list_href};

use crate::error::{AppError, Problem};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::str::FromStr;

/// The outcome of a plain form post (no JavaScript), shown on the page the browser is sent back
/// to. The server keeps it in the session for that one page (see `ssr::request`); nothing of it
/// travels in the address, so no link can make the portal say something in its own voice.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormOutcome {
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The field the error belongs to, so the form can show it beside the input.
    pub field: Option<String>,
    /// Every value refused, each shown beside its field and listed at the top of the page.
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// The server function a refused form was posted to (`/api/…`).
    #[serde(default)]
    pub action: Option<String>,
    /// What was typed into the refused form, field by field (secrets left out), so the form
    /// comes back as the person left it.
    #[serde(default)]
    pub values: Vec<(String, String)>,
}

/// The addresses lists were last shown at in this session (a list's path and its search,
/// filters and position), so that a breadcrumb back to a list finds it as it was left.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListAddresses(pub std::collections::BTreeMap<String, String>);

/// The address of the list at `path` as this session last showed it (its query kept), else
/// `path` itself: what a breadcrumb back to the list links to.
pub fn list_as_left(path: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .extensions
                    .get::<ListAddresses>()
                    .and_then(|l| l.0.get(path).cloned())
            })
            .filter(|q| !q.is_empty())
            .map_or_else(|| path.to_string(), |q| format!("{path}?{q}"))
    }
    #[cfg(not(feature = "ssr"))]
    {
        path.to_string()
    }
}

/// The outcome of the plain form post that led to this page, if any.
pub fn form_outcome() -> Option<FormOutcome> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<FormOutcome>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// What was typed into the form posted to `action` that was refused just before this page (or
/// the form as its server function changed it to be shown again), field by field, if any: the
/// form shows it instead of what is saved.
pub fn typed_pairs(action: &str) -> Option<Vec<(String, String)>> {
    form_outcome()
        .filter(|o| o.action.as_deref() == Some(action))
        .map(|o| o.values)
}

/// What was typed into the refused form of server function `F`, read as its arguments are read
/// (so a form rendered from those arguments shows exactly what was typed).
pub fn typed<F: ServerFn + serde::de::DeserializeOwned>() -> Option<F> {
    #[cfg(feature = "ssr")]
    {
        let pairs = typed_pairs(F::PATH)?;
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        // As the server function reads a form post.
        serde_qs::Config::new(5, false)
            .deserialize_str::<F>(&query)
            .ok()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// A form as the person left it when it was refused: the typed value of each field, else the
/// saved one. For a page with one form of an action, [`Typed::of`]; where several forms of the
/// same action list records, [`Typed::of_record`] picks the one that was posted.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    values: Option<Vec<(String, String)>>,
    problems: Vec<Problem>,
}

impl Typed {
    /// The refused form posted to `action`, if the page follows one.
    pub fn of(action: &str) -> Self {
        Self::when(action, |_| true)
    }

    /// The refused form posted to `action` whose hidden `key` field was `value`.
    pub fn of_record(action: &str, key: &str, value: &str) -> Self {
        Self::when(action, |pairs| {
            pairs.iter().any(|(k, v)| k == key && v == value)
        })
    }

    fn when(action: &str, posted: impl Fn(&[(String, String)]) -> bool) -> Self {
        match (typed_pairs(action), form_outcome()) {
            (Some(values), Some(outcome)) if posted(&values) => Self {
                values: Some(values),
                problems: outcome.problems,
            },
            _ => Self::default(),
        }
    }

    /// Whether this form was the one refused.
    pub fn refused(&self) -> bool {
        self.values.is_some()
    }

    /// The value typed into field `name`, else `saved`.
    pub fn text(&self, name: &str, saved: impl Into<String>) -> String {
        match &self.values {
            Some(values) => values
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => saved.into(),
        }
    }

    /// Whether checkbox `name` was ticked (a form posts only ticked boxes), else `saved`.
    pub fn checked(&self, name: &str, saved: bool) -> bool {
        match &self.values {
            Some(values) => values.iter().any(|(k, _)| k == name),
            None => saved,
        }
    }

    /// The problem of this form on field `problem` (as the server names it), if any.
    pub fn problem(&self, problem: &str) -> Option<String> {
        self.problems
            .iter()
            .find(|p| p.field == problem)
            .map(|p| p.message.clone())
    }

    /// The message shown beside the input with id `input_id`, for field `problem`.
    pub fn message(&self, problem: &str, input_id: &str) -> impl IntoView + use<> {
        let id = format!("{input_id}-error");
        self.problem(problem).map(|e| {
            view! {
                <p class="field-error" id=id>
                    {e}
                </p>
            }
        })
    }

    /// `aria-invalid` for field `problem`.
    pub fn invalid(&self, problem: &str) -> Option<&'static str> {
        self.problem(problem).map(|_| "true")
    }

    /// `aria-describedby` for field `problem` on the input with id `input_id`.
    pub fn described(&self, problem: &str, input_id: &str) -> Option<String> {
        self.problem(problem).map(|_| format!("{input_id}-error"))
    }
}

/// The id of the input that posts `name`: `p[staff][max_session_minutes]` →
/// `p-staff-max_session_minutes`. Problems listed at the top of a page link to it.
pub fn field_id(name: &str) -> String {
    name.replace("][", "-")
        .replace(['[', ']'], "-")
        .trim_end_matches('-')
        .to_string()
}

/// The id of the message shown beside field `name` (its input's `aria-describedby`).
pub fn field_error_id(name: &str) -> String {
    format!("{}-error", field_id(name))
}

/// The problem of the refused form that belongs to field `name`, if any.
pub fn field_problem(name: &str) -> Option<String> {
    let o = form_outcome()?;
    o.problems
        .iter()
        .find(|p| p.field == name)
        .map(|p| p.message.clone())
        .or_else(|| {
            (o.field.as_deref() == Some(name))
                .then(|| o.error.clone())
                .flatten()
        })
}

/// `aria-invalid` for the input that posts `name`: "true" when the refused form named it.
pub fn aria_invalid(name: &str) -> Option<&'static str> {
    field_problem(name).map(|_| "true")
}

/// `aria-describedby` for the input that posts `name`: its message, when there is one.
pub fn aria_describedby(name: &str) -> Option<String> {
    field_problem(name).map(|_| field_error_id(name))
}

/// Words for a field's name where no label is at hand: `p[staff][max_session_minutes]` →
/// "staff · max session minutes"; positions count from 1.
pub fn field_words(name: &str) -> String {
    let parts: Vec<&str> = name.split(['[', ']']).filter(|p| !p.is_empty()).collect();
    let parts = match parts.as_slice() {
        [first, rest @ ..] if !rest.is_empty() && first.len() <= 4 => rest,
        all => all,
    };
    parts
        .iter()
        .map(|p| match p.parse::<usize>() {
            Ok(n) => format!("#{}", n + 1),
            Err(_) => p.replace('_', " "),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Every problem of the refused form, at the top of the page, each a link to its field.
#[component]
fn ProblemList(summary: String, problems: Vec<Problem>) -> impl IntoView {
    view! {
        <div class="alert error problems" role="alert" id="form-problems" tabindex="-1">
            <p>
                <strong>{summary}</strong>
            </p>
            <ul>
                {problems
                    .into_iter()
                    .map(|p| {
                        let href = format!("#{}", field_id(&p.field));
                        view! {
                            <li>
                                <a href=href>{field_words(&p.field)}</a>
                                ": "
                                {p.message}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// Fixed messages a page may be sent to by code (`?done=…`), where no session carries a
/// message (after signing out, the session is gone), or when an island has finished a ceremony.
/// Unknown codes show nothing.
pub fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "signed-out" => "You are signed out.",
        "signed-out-everywhere" => "You are signed out everywhere.",
        "passkey-ready" => "Your passkey is ready. You are signed in.",
        "passkey-added" => "Passkey added.",
        _ => return None,
    })
}

/// The outcome of a plain form post (kept by the server for this page), or a fixed message
/// named by `?done=`.
#[component]
pub fn Feedback() -> impl IntoView {
    let outcome = form_outcome().unwrap_or_default();
    let done = use_query_map()
        .get_untracked()
        .get("done")
        .and_then(|code| done_message(&code));
    if outcome.problems.len() > 1 {
        let summary = outcome.error.unwrap_or_default();
        Some(view! { <ProblemList summary problems=outcome.problems /> }.into_any())
    } else if let Some(e) = outcome.error {
        Some(
            view! {
                <div class="alert error" role="alert">
                    {e}
                </div>
            }
            .into_any(),
        )
    } else {
        outcome.notice.or(done.map(str::to_string)).map(|n| {
            view! {
                <div class="alert ok" role="status">
                    {n}
                </div>
            }
            .into_any()
        })
    }
}

/// The validation message of a refused plain form post, shown beside the input it belongs to
/// (the input names it with [`aria_describedby`]).
#[component]
pub fn FieldError(#[prop(into)] name: String) -> impl IntoView {
    field_problem(&name).map(|e| {
        view! {
            <p class="field-error" id=field_error_id(&name)>
                {e}
            </p>
        }
    })
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

/// Text made safe to place in HTML, in an element or a quoted attribute (for the few places that
/// write HTML as text, such as the matrix's thousands of cells).
pub fn escape_html(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// Text for a `<textarea>`, escaped. Leptos writes a textarea's children as they are (as it
/// does a script's), so without this a `</textarea>` typed by anyone would end the field and
/// what follows would be markup. Only for pages rendered on the server (not inside an island,
/// where the text becomes a text node as it is).
pub fn textarea_text(text: &str) -> String {
    escape_html(text).into_owned()
}

/// The badge class of a finding's severity (the word is always written too: never colour
/// alone).
pub fn severity_class(s: crate::vocab::Severity) -> &'static str {
    use crate::vocab::Severity;
    match s {
        Severity::Critical => "badge bad strong",
        Severity::High => "badge bad",
        Severity::Medium => "badge warn",
        Severity::Low => "badge",
    }
}

/// A count as people read it: 151,249.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
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

/// A filter's fields as query pairs: trimmed, the empty ones left out.
pub fn filled_pairs(fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (*k, v.trim().to_string()))
        .collect()
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

/// The `:id` route parameter as a typed id, if it parses.
pub fn id_param<T: FromStr>() -> Option<T> {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| T::from_str(&v).ok())
}

/// `<option>`s for a select: an optional "any" choice first, then `(value, label)` pairs, with
/// `selected` selected.
pub fn select_options(
    all: Vec<(String, String)>,
    selected: &str,
    any_label: Option<&'static str>,
) -> impl IntoView + use<> {
    let selected = selected.to_string();
    view! {
        {any_label.map(|l| view! { <option value="">{l}</option> })}
        {all
            .into_iter()
            .map(|(value, label)| {
                let is = value == selected;
                view! {
                    <option value=value selected=is>
                        {label}
                    </option>
                }
            })
            .collect_view()}
    }
}

/// `(key, label)` pairs of a closed vocabulary, for [`select_options`].
pub fn vocab_options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (key(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// One headline figure: its value, what it counts (a link when it leads somewhere) and a note.
#[component]
pub fn Figure(
    value: String,
    #[prop(into)] label: String,
    #[prop(optional)] href: Option<String>,
    #[prop(optional, into)] note: Option<String>,
) -> impl IntoView {
    view! {
        <div class="figure">
            <span class="figure-value">{value}</span>
            {match href {
                Some(h) => {
                    view! {
                        <a href=h class="figure-label">
                            {label}
                        </a>
                    }
                        .into_any()
                }
                None => view! { <span class="figure-label">{label}</span> }.into_any(),
            }}
            {note.map(|n| view! { <span class="figure-note">{n}</span> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_known_codes_put_words_on_a_page() {
        assert_eq!(
            super::done_message("signed-out"),
            Some("You are signed out.")
        );
        for forged in ["", "Your account is locked", "signed-out ", "<b>x</b>"] {
            assert_eq!(super::done_message(forged), None, "{forged}");
        }
    }

    #[test]
    fn typed_text_cannot_become_markup() {
        assert_eq!(
            super::escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(super::escape_html("Payroll"), "Payroll");
    }

    #[test]
    fn field_names_become_ids_and_words() {
        assert_eq!(
            super::field_id("p[staff][max_session_minutes]"),
            "p-staff-max_session_minutes"
        );
        assert_eq!(super::field_id("form[name]"), "form-name");
        assert_eq!(super::field_id("reason"), "reason");
        assert_eq!(super::field_error_id("form[name]"), "form-name-error");
        assert_eq!(
            super::field_words("p[staff][max_session_minutes]"),
            "staff · max session minutes"
        );
        assert_eq!(
            super::field_words("p[staff][primary][0][1]"),
            "staff · primary · #1 · #2"
        );
        assert_eq!(super::field_words("form[name]"), "name");
        assert_eq!(super::field_words("justification"), "justification");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        for (n, text) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (20_000, "20,000"),
            (151_249, "151,249"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(super::count(n), text);
        }
    }
}

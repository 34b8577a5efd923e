//! The policy page (`/policy`): the version in force or any earlier one, readably, with its
//! history.

use crate::components::{Feedback, Loaded, PageHeader};
use crate::journey::{
    Names, PopulationJourney, describe_devices, describe_paths, describe_session, duration,
};
use crate::policy::api::show_policy;
use crate::policy::model::{
    Criticality, JourneyRole, Policy, PolicyShown, PolicyVersionSummary, Severity,
};
use crate::session::facade::Guarded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let version = q.get("version").and_then(|v| v.parse::<i32>().ok());
    let as_of = q.get("as_of").filter(|d| !d.is_empty());
    let shown = Resource::new(move || (version, as_of.clone()), |(v, a)| show_policy(v, a));
    view! {
        <Title text="Standard policy · Passwordless Governance Portal" />
        <Guarded>
            <PageHeader
                title="Standard policy"
                subtitle="The organisation's standard journey and what each application must meet, by criticality. Findings are judged against the version in force."
            />
            <Feedback />
            <Loaded resource=shown render=|s| view! { <PolicyView s /> } />
        </Guarded>
    }
}

#[component]
fn PolicyView(s: PolicyShown) -> impl IntoView {
    let current = s.history.first().map(|h| h.version) == Some(s.summary.version);
    let heading = if current {
        format!("Version {} · in force", s.summary.version)
    } else {
        format!("Version {} · superseded", s.summary.version)
    };
    let p = s.policy.clone();
    view! {
        <div class="card">
            <h2>{heading}</h2>
            <p class="muted small">
                {format!(
                    "Saved {} by {}. Reason: {} SHA-256 {}",
                    s.summary.created_at,
                    s.summary.author,
                    s.summary.reason,
                    s.summary.sha256,
                )}
            </p>
            {s.as_of.clone().map(|d| view! { <p class="small">{format!("In force on {d}.")}</p> })}
            {(s.can_edit && current)
                .then(|| {
                    view! {
                        <a class="button" href="/policy/edit">
                            "Edit the policy"
                        </a>
                    }
                })}
        </div>
        <CriticalityTable policy=p.clone() />
        <StandardJourneys policy=p.clone() names=s.names.clone() />
        <BeyondTheStandard policy=p.clone() names=s.names.clone() />
        <ExceptionLimits policy=p />
        <PolicyHistory history=s.history shown=s.summary.version />
    }
}

#[component]
fn CriticalityTable(policy: Policy) -> impl IntoView {
    let row = |label: &'static str, f: &dyn Fn(Criticality) -> String| {
        let cells = Criticality::ALL
            .iter()
            .map(|c| view! { <td>{f(*c)}</td> })
            .collect_view();
        view! {
            <tr>
                <th scope="row">{label}</th>
                {cells}
            </tr>
        }
    };
    let r = |c: Criticality| policy.for_criticality(c).clone();
    view! {
        <section class="card">
            <h2>"Requirements by criticality"</h2>
            <table>
                <caption class="sr-only">"What each criticality requires"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Requirement"</th>
                        {Criticality::ALL
                            .iter()
                            .map(|c| view! { <th scope="col">{c.label()}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {row(
                        "Minimum assurance of the weakest path",
                        &|c| format!("AAL{}", r(c).min_aal),
                    )}
                    {row(
                        "Phishing-resistant primary",
                        &|c| yes(r(c).phishing_resistant_primary).into(),
                    )}
                    {row(
                        "Phishing-resistant step-up",
                        &|c| yes(r(c).phishing_resistant_step_up).into(),
                    )} {row("Longest session", &|c| duration(r(c).max_session_minutes))}
                    {row("Longest idle time", &|c| duration(r(c).max_idle_minutes))}
                    {row(
                        "Re-authentication for sensitive actions",
                        &|c| yes(r(c).reauth_sensitive).into(),
                    )} {row("Break-glass required", &|c| yes(r(c).break_glass_required).into())}
                    {row(
                        "Break-glass drill at least every",
                        &|c| format!("{} days", r(c).max_drill_age_days),
                    )}
                    {row(
                        "Declaration reviewed at least every",
                        &|c| format!("{} days", r(c).review_interval_days),
                    )}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn StandardJourneys(policy: Policy, names: Names) -> impl IntoView {
    let journey = |j: PopulationJourney, title: String| {
        let rows = JourneyRole::ALL
            .iter()
            .map(|role| {
                view! {
                    <tr>
                        <th scope="row">{role.label()}</th>
                        <td>{describe_paths(j.paths(*role), &names)}</td>
                    </tr>
                }
            })
            .collect_view();
        let session = describe_session(j.session.as_ref());
        let devices = describe_devices(j.devices.as_ref());
        let offboarding = j
            .offboarding
            .map(|o| o.label().to_string())
            .unwrap_or_else(|| "not set".into());
        view! {
            <section class="journey">
                <h3>{title}</h3>
                <table class="journey-table">
                    <tbody>
                        {rows} <tr>
                            <th scope="row">"Offboarding"</th>
                            <td>{offboarding}</td>
                        </tr> <tr>
                            <th scope="row">"Session rules"</th>
                            <td>{session}</td>
                        </tr> <tr>
                            <th scope="row">"Devices"</th>
                            <td>{devices}</td>
                        </tr>
                    </tbody>
                </table>
            </section>
        }
    };
    let listed = policy
        .standard
        .iter()
        .map(|j| journey(j.clone(), names.population(&j.population)))
        .collect_view();
    let other = journey(
        policy.default_journey.clone(),
        "Any other population".to_string(),
    );
    view! {
        <section class="card">
            <h2>"Standard journey"</h2>
            <p class="muted small">
                "New declarations start from the standard journey of each population."
            </p>
            <div class="journeys">{listed} {other}</div>
        </section>
    }
}

#[component]
fn BeyondTheStandard(policy: Policy, names: Names) -> impl IntoView {
    let allowed = JourneyRole::ALL
        .iter()
        .map(|role| {
            let ms = policy.allowed.get(role).cloned().unwrap_or_default();
            let text = if ms.is_empty() {
                "nothing beyond the standard".to_string()
            } else {
                ms.iter()
                    .map(|m| names.method(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            view! {
                <tr>
                    <th scope="row">{role.label()}</th>
                    <td>{text}</td>
                </tr>
            }
        })
        .collect_view();
    let never = if policy.never.is_empty() {
        "nothing".to_string()
    } else {
        policy
            .never
            .iter()
            .map(|m| names.method(m))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card">
            <h2>"Beyond the standard"</h2>
            <p class="muted small">
                "A method in a role that is neither in the standard journey nor allowed here is a deviation (rule 12)."
            </p>
            <table>
                <caption class="sr-only">"Methods allowed beyond the standard, by role"</caption>
                <tbody>{allowed}</tbody>
            </table>
            <p>
                <strong>"Never allowed without an exception: "</strong>
                {never}
            </p>
        </section>
    }
}

#[component]
fn ExceptionLimits(policy: Policy) -> impl IntoView {
    let e = policy.exceptions.clone();
    let days = Severity::ALL
        .iter()
        .map(|s| {
            view! {
                <li>
                    {format!(
                        "{}: at most {} days",
                        s.label(),
                        e.max_days.get(s).copied().unwrap_or_default(),
                    )}
                </li>
            }
        })
        .collect_view();
    let overrides = if policy.severity.is_empty() {
        "none: every rule has its default severity".to_string()
    } else {
        policy
            .severity
            .iter()
            .map(|(k, s)| format!("{k} → {}", s.label()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <section class="card">
            <h2>"Exceptions and severities"</h2>
            <ul>{days}</ul>
            <p>
                {format!(
                    "Renewed at most {} times; reminders {} days before expiry and on the day it lapses.",
                    e.renewal_cap,
                    e.reminder_days.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                )}
            </p>
            <p class="small">
                <strong>"Severities set by the policy: "</strong>
                {overrides}
            </p>
        </section>
    }
}

#[component]
fn PolicyHistory(history: Vec<PolicyVersionSummary>, shown: i32) -> impl IntoView {
    let rows = history
        .into_iter()
        .map(|h| {
            view! {
                <tr>
                    <td>
                        {if h.version == shown {
                            view! { <strong>{format!("Version {}", h.version)}</strong> }.into_any()
                        } else {
                            view! {
                                <a href=format!(
                                    "/policy?version={}",
                                    h.version,
                                )>{format!("Version {}", h.version)}</a>
                            }
                                .into_any()
                        }}
                    </td>
                    <td>{h.author}</td>
                    <td>{h.created_at}</td>
                    <td>{h.reason}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"History"</h2>
            <table>
                <caption class="sr-only">"Every version of the policy, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Version"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Saved"</th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form method="get" action="/policy" class="inline">
                <label for="as-of">"In force on"</label>
                <input id="as-of" type="date" name="as_of" />
                <button type="submit" class="small">
                    "Show"
                </button>
            </form>
        </section>
    }
}

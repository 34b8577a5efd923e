use super::api::get_dashboard;
use super::model::{AppLine, AuditorDashboard, Dashboard, OwnerDashboard, SecurityDashboard};
use crate::components::charts::{Chart, Datum, bars, datum, share, trend};
use crate::components::{Loaded, PageHeader, count};
use crate::matrix::model::MatrixFilter;
use crate::matrix::pages::FragmentationFigures;
use crate::session::model::viewer;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Overview · Passwordless Governance Portal" />
        {match viewer() {
            Some(v) => {
                view! {
                    <PageHeader
                        title="Overview"
                        subtitle=format!(
                            "Signed in as {}. The estate at a glance, and what needs you.",
                            v.display_name,
                        )
                    />
                    <Dashboards />
                }
                    .into_any()
            }
            None => view! { <Welcome /> }.into_any(),
        }}
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
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
                    "Read, without changing anything, every application's declared journeys, each version with who submitted it, when and why, and the differences between versions; every change is also kept in a tamper-evident audit trail."
                </p>
            </article>
        </div>
        <div class="card callout">
            <h2>"This portal practises what it governs"</h2>
            <p>
                "There are no passwords here. You sign in with a passkey; recovery is a high-risk identity event, issued by an administrator and audited."
            </p>
            <a class="button" href="/signin">
                "Sign in with a passkey"
            </a>
        </div>
    }
}

#[component]
fn Dashboards() -> impl IntoView {
    let d = Resource::new(|| (), |_| get_dashboard());
    view! { <Loaded resource=d render=|d| view! { <DashboardView d /> } /> }
}

fn severity_data(open: &[u32; 4]) -> Vec<Datum> {
    vec![
        datum("Critical", open[0], "bad"),
        datum("High", open[1], "bad"),
        datum("Medium", open[2], "warn"),
        datum("Low", open[3], "muted"),
    ]
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let e = d.estate.clone();
    let readiness = vec![
        datum("Ready to remove passwords", e.ready, "ok"),
        datum(
            "Not ready",
            e.applications - e.ready.min(e.applications),
            "warn",
        ),
    ];
    let standard = vec![
        datum("On the standard journey", e.on_standard, "ok"),
        datum(
            "Deviating",
            e.applications - e.on_standard.min(e.applications),
            "warn",
        ),
    ];
    view! {
        <section aria-labelledby="estate-title">
            <h2 id="estate-title" class="section-title">
                "The estate"
            </h2>
            <FragmentationFigures figures=d.estate.clone() filter=MatrixFilter::default() />
            <div class="grid two-charts">
                <div class="card">
                    <h3>"Password removal"</h3>
                    <Chart
                        svg=share("c-ready", "Applications ready to remove passwords", &readiness)
                        caption="Password removal"
                        data=readiness.clone()
                    />
                    <p class="small">
                        <a href="/matrix?readiness=blocked&sort=readiness">
                            "See what blocks the others, closest to ready first"
                        </a>
                    </p>
                </div>
                <div class="card">
                    <h3>"Consistency"</h3>
                    <Chart
                        svg=share("c-standard", "Applications on the standard journey", &standard)
                        caption="Consistency"
                        data=standard.clone()
                    />
                    <p class="small">
                        <a href="/journeys">
                            {format!(
                                "{} distinct journeys: see them grouped",
                                count(u64::from(e.distinct_journeys)),
                            )}
                        </a>
                    </p>
                </div>
            </div>
        </section>
        {d.adoption.map(|a| view! { <AdoptionSummary a /> })}
        {d.owner.map(|o| view! { <OwnerSection o /> })}
        {d.security.map(|s| view! { <SecuritySection s /> })}
        {d.auditor.map(|a| view! { <AuditorSection a /> })}
    }
}

/// The estate's adoption in figures, with the way to the adoption page.
#[component]
fn AdoptionSummary(a: crate::adoption::model::AdoptionHeadline) -> impl IntoView {
    use crate::adoption::model::{Period, per, percent};
    let f = a.figures;
    let range = |m: &str| Period::parse(m).map_or(m.to_string(), |p| p.label());
    let concentration = f.concentration.as_ref().map(|c| {
        format!(
            " {} % of help-desk tickets are about {}.",
            c.share.map_or(0.0, |s| (s * 100.0).round()),
            c.stage.label().to_lowercase()
        )
    });
    view! {
        <section aria-labelledby="adoption-title" class="card">
            <h2 id="adoption-title" class="section-title">
                "Adoption"
            </h2>
            <p>
                {format!(
                    "{} to {}: {} of successful sign-ins were passwordless; {} fallback uses per 100 sign-ins; {} help-desk tickets per 1,000 users.",
                    range(&a.from),
                    range(&a.to),
                    percent(f.passwordless_share),
                    per(f.fallback_per_100),
                    per(f.tickets_per_1000_users),
                )} {concentration}
            </p>
            <p class="small">
                <a href="/adoption">
                    "Where people fall back, where tickets concentrate, and where the journey drifts"
                </a>
            </p>
        </section>
    }
}

#[component]
fn AppList(lines: Vec<AppLine>, #[prop(into)] empty: String) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="app-lines">
            {lines
                .into_iter()
                .map(|l| {
                    let href = format!("/applications/{}", l.id);
                    view! {
                        <li>
                            <a href=href>{l.name}</a>
                            " — "
                            <span class="muted">{l.note}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn OwnerSection(o: OwnerDashboard) -> impl IntoView {
    let data = severity_data(&o.open);
    let needs = o.drafts.len() + o.reviews_due.len() + o.expiring.len();
    view! {
        <section aria-labelledby="owner-title">
            <h2 id="owner-title" class="section-title">
                "Your applications"
            </h2>
            <div class="grid two-charts">
                <div class="card">
                    <p>
                        {format!(
                            "You own {} applications; {} can remove passwords now.",
                            count(u64::from(o.applications)),
                            count(u64::from(o.ready)),
                        )} " " <a href="/matrix?owner=mine">"Your applications in the matrix"</a>
                    </p>
                    <h3>"Open findings by severity"</h3>
                    <Chart
                        svg=bars("c-owner", "Open findings of your applications by severity", &data)
                        caption="Open findings of your applications"
                        data=data.clone()
                    />
                </div>
                <div class="card">
                    <h3>{format!("What needs you ({needs})")}</h3>
                    <h4>"Drafts to submit"</h4>
                    <AppList lines=o.drafts empty="No draft waits." />
                    <h4>"Declarations due for review"</h4>
                    <AppList lines=o.reviews_due empty="None is due." />
                    <h4>"Exceptions ending within 30 days"</h4>
                    {if o.expiring.is_empty() {
                        view! { <p class="muted">"None ends soon."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="app-lines">
                                {o
                                    .expiring
                                    .into_iter()
                                    .map(|x| {
                                        let href = format!("/exceptions/{}", x.id);
                                        view! {
                                            <li>
                                                <a href=href>{x.application}</a>
                                                {format!(" — {} — until {}", x.rule, x.until)}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </div>
            </div>
            <div class="card">
                <h3>"Your applications with the most severe open findings"</h3>
                <AppList lines=o.worst empty="None of your applications has an open finding." />
            </div>
        </section>
    }
}

#[component]
fn SecuritySection(s: SecurityDashboard) -> impl IntoView {
    let points: Vec<(String, u32)> = s.trend.iter().map(|p| (p.day.clone(), p.open)).collect();
    let trend_data: Vec<Datum> = s
        .trend
        .iter()
        .map(|p| datum(p.day.clone(), p.open, "line"))
        .collect();
    let rules: Vec<Datum> = s
        .rules
        .iter()
        .map(|(t, n)| datum(t.clone(), *n, "bad"))
        .collect();
    let queue = match (&s.oldest_request, s.queue) {
        (_, 0) => "No exception request waits for a decision.".to_string(),
        (Some(day), n) => {
            format!("{n} exception requests wait for a decision; the oldest since {day}.")
        }
        (None, n) => format!("{n} exception requests wait for a decision."),
    };
    view! {
        <section aria-labelledby="security-title">
            <h2 id="security-title" class="section-title">
                "Security"
            </h2>
            <div class="card">
                <p class="lead-line">
                    <strong>{queue}</strong>
                    " "
                    <a href="/exceptions?view=queue">"Open the queue"</a>
                </p>
            </div>
            <div class="grid two-charts">
                <div class="card">
                    <h3>"Open findings, last 12 weeks"</h3>
                    <Chart
                        svg=trend("c-trend", "Open findings at the end of each week", &points)
                        caption="Open findings per week"
                        data=trend_data
                    />
                </div>
                <div class="card">
                    <h3>"Most frequent deviations"</h3>
                    <Chart
                        svg=bars("c-rules", "Open findings by rule", &rules)
                        caption="Open findings by rule"
                        data=rules.clone()
                    />
                </div>
            </div>
            <div class="card">
                <h3>"Worst deviations"</h3>
                <AppList lines=s.worst empty="No application has an open finding." />
                <p class="small">
                    <a href="/matrix?sort=findings&state=open">"All of them in the matrix"</a>
                </p>
            </div>
        </section>
    }
}

#[component]
fn AuditorSection(a: AuditorDashboard) -> impl IntoView {
    let coverage = vec![
        datum(
            "Meeting the policy",
            a.meeting_policy - a.excepted_only.min(a.meeting_policy),
            "ok",
        ),
        datum("Meeting it through exceptions", a.excepted_only, "accent"),
        datum(
            "Failing it",
            a.applications - a.meeting_policy.min(a.applications),
            "bad",
        ),
    ];
    let chain = if a.chain.intact {
        format!(
            "Verified intact: {} events, checked {}.",
            count(a.chain.events.max(0) as u64),
            a.chain.checked_at
        )
    } else {
        format!(
            "Broken at {} (checked {}).",
            a.chain.problem.clone().unwrap_or_default(),
            a.chain.checked_at
        )
    };
    let (badge_class, badge_text) = if a.chain.intact {
        ("badge ok", "✓ Intact")
    } else {
        ("badge bad", "✕ Broken")
    };
    view! {
        <section aria-labelledby="auditor-title">
            <h2 id="auditor-title" class="section-title">
                "Evidence"
            </h2>
            <div class="grid two-charts">
                <div class="card">
                    <h3>"Coverage"</h3>
                    <p>
                        {format!(
                            "{} applications have a declaration for every population they serve; {} meet the policy with no open finding.",
                            count(u64::from(a.declared)),
                            count(u64::from(a.meeting_policy)),
                        )}
                    </p>
                    <Chart
                        svg=share("c-coverage", "Applications meeting the policy", &coverage)
                        caption="Coverage"
                        data=coverage.clone()
                    />
                </div>
                <div class="card">
                    <h3>"Audit trail"</h3>
                    <p>
                        <span class=badge_class>{badge_text}</span>
                        " "
                        {chain}
                    </p>
                    <p class="small muted">
                        "Every change is an event whose hash covers the one before it; the chain is verified again at most every ten minutes."
                    </p>
                </div>
            </div>
        </section>
    }
}

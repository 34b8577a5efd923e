//! The adoption pages: the estate (`/adoption`), the upload (`/adoption/import`), the name
//! mappings (`/adoption/mappings`) and an application's adoption section beside its journey.

use super::api::{
    RemoveMapping, SaveMapping, get_adoption, get_application_adoption, list_mappings,
    take_adoption_report,
};
use super::model::{
    AdoptionFilter, AdoptionImporters, AdoptionReport, AppRow, ApplicationAdoption, Choice,
    EXPORT_PATH, EstateAdoption, Figures, IMPORT_PAGE, MonthFigures, NameKind, NameMapping,
    Provider, ReportOutcome, UPLOAD_PATH,
};
use super::rules::figures::{per, percent};
use crate::components::charts::{Chart, bars, datum, trend_of};
use crate::components::{
    Feedback, FieldError, Figure, Loaded, PageHeader, aria_describedby, aria_invalid, count,
    id_param, select_options, typed, vocab_options,
};
use crate::ids::ApplicationId;
use crate::session::facade::Guarded;
use crate::session::model::{Right, viewer};
use crate::vocab::Criticality;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn choices(c: &[Choice]) -> Vec<(String, String)> {
    c.iter().map(|c| (c.key.clone(), c.label.clone())).collect()
}

fn href(filter: &AdoptionFilter) -> String {
    let pairs = filter.pairs();
    if pairs.is_empty() {
        return "/adoption".into();
    }
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::components::encode_component(v)))
        .collect();
    format!("/adoption?{}", q.join("&"))
}

#[component]
pub fn AdoptionPage() -> impl IntoView {
    view! {
        <Title text="Adoption · Passwordless Governance Portal" />
        <Guarded>
            <AdoptionContent />
        </Guarded>
    }
}

#[component]
fn AdoptionContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = AdoptionFilter {
        unit: get("unit"),
        criticality: get("criticality"),
        population: get("population"),
        from: get("from"),
        to: get("to"),
    };
    let page = Resource::new(move || filter.clone(), get_adoption);
    view! {
        <PageHeader
            title="Adoption"
            subtitle="What people really do: passwordless sign-ins, how often they fall back, recoveries and help-desk tickets by stage, beside the journeys declared."
        />
        <Feedback />
        <Loaded resource=page render=|e| view! { <EstateView e /> } />
    }
}

/// The headline figures of some figures.
#[component]
fn Headline(f: Figures, #[prop(into)] label: String) -> impl IntoView {
    let (stage, stage_label, stage_note) = match &f.concentration {
        Some(c) => (
            c.stage.label().to_string(),
            format!("holds {} of the tickets", percent(c.share)),
            "tickets concentrate in this stage".to_string(),
        ),
        None => (
            "Spread".to_string(),
            "tickets across the stages".to_string(),
            "no stage holds more than half of them".to_string(),
        ),
    };
    view! {
        <section class="figures" aria-label=label>
            <Figure
                value=percent(f.passwordless_share)
                label="of successful sign-ins were passwordless"
                note=format!("{} of {} sign-ins", count(f.passwordless_sign_ins), count(f.sign_ins))
            />
            <Figure
                value=percent(f.passwordless_success_rate)
                label="of passwordless attempts succeeded"
            />
            <Figure
                value=per(f.fallback_per_100)
                label="fallback uses per 100 sign-ins"
                note=format!("{} fallback uses", count(f.fallback_uses))
            />
            <Figure
                value=per(f.recoveries_per_1000)
                label="recoveries per 1,000 sign-ins"
                note=format!("{} recoveries", count(f.recoveries))
            />
            <Figure
                value=per(f.tickets_per_1000_users)
                label="help-desk tickets per 1,000 users, over the months shown"
                note=format!(
                    "{} tickets · {} active users a month",
                    count(f.tickets),
                    count(f.users),
                )
            />
            <Figure value=stage label=stage_label note=stage_note />
        </section>
    }
}

fn trend_points(trend: &[MonthFigures], pick: fn(&Figures) -> Option<f64>) -> Vec<(String, f64)> {
    trend
        .iter()
        .filter_map(|m| pick(&m.figures).map(|v| (m.label.clone(), v)))
        .collect()
}

/// The trends and the tickets by stage, as charts with their numbers.
#[component]
fn Charts(trend: Vec<MonthFigures>, f: Figures, #[prop(into)] id: String) -> impl IntoView {
    let share = trend_points(&trend, |f| f.passwordless_share.map(|v| v * 100.0));
    let fallback = trend_points(&trend, |f| f.fallback_per_100);
    let pct = |v: f64| format!("{v:.1} %");
    let one = |v: f64| format!("{v:.1}");
    let share_rows: Vec<(String, String)> =
        share.iter().map(|(l, v)| (l.clone(), pct(*v))).collect();
    let fallback_rows: Vec<(String, String)> =
        fallback.iter().map(|(l, v)| (l.clone(), one(*v))).collect();
    let stages: Vec<_> = f
        .stages
        .iter()
        .map(|s| {
            let class = if f.concentration.as_ref().is_some_and(|c| c.stage == s.stage) {
                "bad"
            } else {
                "muted"
            };
            datum(
                s.stage.label(),
                s.tickets.min(u64::from(u32::MAX)) as u32,
                class,
            )
        })
        .collect();
    view! {
        <div class="grid two-charts">
            <article class="card">
                <Chart
                    svg=trend_of(
                        &format!("{id}-share"),
                        "Passwordless share of successful sign-ins, by month",
                        &share,
                        &pct,
                        "in",
                    )
                    caption="Passwordless share by month"
                    data=share_rows
                />
            </article>
            <article class="card">
                <Chart
                    svg=trend_of(
                        &format!("{id}-fallback"),
                        "Fallback uses per 100 sign-ins, by month",
                        &fallback,
                        &one,
                        "in",
                    )
                    caption="Fallback frequency by month"
                    data=fallback_rows
                />
            </article>
            <article class="card">
                <Chart
                    svg=bars(&format!("{id}-stages"), "Help-desk tickets by journey stage", &stages)
                    caption="Tickets by stage"
                    data=stages.clone()
                />
            </article>
        </div>
    }
}

#[component]
fn EstateView(e: EstateAdoption) -> impl IntoView {
    let f = e.filter.clone();
    let period = if e.from.is_empty() {
        "No figures yet".to_string()
    } else {
        format!(
            "{} to {}",
            crate::adoption::model::Period::parse(&e.from).map_or(e.from.clone(), |p| p.label()),
            crate::adoption::model::Period::parse(&e.to).map_or(e.to.clone(), |p| p.label()),
        )
    };
    let status = format!(
        "{period} · {} of {} applications reported figures{}",
        count(u64::from(e.reporting)),
        count(u64::from(e.applications)),
        e.last
            .as_ref()
            .map(|l| format!(
                " · last received {} ({})",
                l.at,
                l.source.label().to_lowercase()
            ))
            .unwrap_or_default()
    );
    let import = e.can_import.then(|| {
        view! {
            <p class="actions">
                <a class="button" href=IMPORT_PAGE>
                    "Send figures"
                </a>
                " "
                <a href="/adoption/mappings">"Provider name mappings"</a>
                " · "
                <a href=format!("{EXPORT_PATH}?format=csv")>"Download CSV"</a>
                " · "
                <a href=format!("{EXPORT_PATH}?format=json")>"JSON"</a>
            </p>
        }
    });
    let empty = e.reporting == 0;
    let body = if empty {
        view! {
            <div class="card">
                <p>
                    "No adoption figures match. Figures arrive from the portal's CSV or JSON (the README describes both), from the API with a token, or from a Microsoft Entra or Okta export."
                </p>
            </div>
        }
            .into_any()
    } else {
        let drift_note = format!(
            "{} application{} drift from the declared journey{}.",
            count(u64::from(e.drifting_total)),
            if e.drifting_total == 1 { "" } else { "s" },
            if e.drifting_total as usize > e.drifting.len() {
                format!(" (the {} most critical shown)", e.drifting.len())
            } else {
                String::new()
            }
        );
        let concentrated_note = format!(
            "{} application{} have more than half of their tickets in one stage.",
            count(u64::from(e.concentrated)),
            if e.concentrated == 1 { "" } else { "s" },
        );
        view! {
            <Headline f=e.figures.clone() label="The estate's adoption" />
            <Charts trend=e.trend.clone() f=e.figures.clone() id="estate" />
            <div class="grid two">
                <section class="card">
                    <h2 class="section-title">"Highest fallback frequency"</h2>
                    <p class="small muted">
                        "Fallback uses per 100 successful sign-ins: where the fallback has become the way in."
                    </p>
                    <RankTable rows=e.worst_fallback.clone() fallback=true />
                </section>
                <section class="card">
                    <h2 class="section-title">"Tickets concentrated in one stage"</h2>
                    <p class="small muted">{concentrated_note}</p>
                    <RankTable rows=e.worst_concentration.clone() fallback=false />
                </section>
            </div>
            <section class="card">
                <h2 class="section-title">"Observed journey drifts from the declared one"</h2>
                <p class="small muted">{drift_note}</p>
                <ul class="drift-list">
                    {e
                        .drifting
                        .iter()
                        .map(|d| {
                            view! {
                                <li>
                                    <a href=format!(
                                        "/applications/{}#adoption",
                                        d.id,
                                    )>{d.name.clone()}</a>
                                    <span class="muted small">
                                        {format!(" · {}", d.criticality.label())}
                                    </span>
                                    <ul>
                                        {d
                                            .drifts
                                            .iter()
                                            .map(|t| view! { <li>{t.clone()}</li> })
                                            .collect_view()}
                                    </ul>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
            .into_any()
    };
    view! {
        <form method="get" action="/adoption" class="card filters" role="search">
            <div class="filter-grid">
                <div>
                    <label for="a-unit">"Business unit"</label>
                    <select id="a-unit" name="unit">
                        {select_options(choices(&e.units), &f.unit, Some("Any"))}
                    </select>
                </div>
                <div>
                    <label for="a-criticality">"Criticality"</label>
                    <select id="a-criticality" name="criticality">
                        {select_options(
                            vocab_options(
                                Criticality::ALL,
                                Criticality::as_str,
                                Criticality::label,
                            ),
                            &f.criticality,
                            Some("Any"),
                        )}
                    </select>
                </div>
                <div>
                    <label for="a-population">"Population"</label>
                    <select id="a-population" name="population">
                        {select_options(choices(&e.populations), &f.population, Some("All people"))}
                    </select>
                </div>
                <div>
                    <label for="a-from">"From"</label>
                    <select id="a-from" name="from">
                        {select_options(choices(&e.months), &e.from, None)}
                    </select>
                </div>
                <div>
                    <label for="a-to">"To"</label>
                    <select id="a-to" name="to">
                        {select_options(choices(&e.months), &e.to, None)}
                    </select>
                </div>
            </div>
            <button type="submit">"Show"</button>
            " "
            <a href="/adoption">"Clear"</a>
        </form>
        <p class="lead-line" role="status">
            {status}
        </p>
        {import}
        {body}
        <p class="small muted">
            "Passwordless means a phishing-resistant method that needs no password (passkeys, security keys, smart cards). A fallback use is a sign-in completed with a method other than the declared primary. Users are the people active in a typical month."
        </p>
        <p class="small">
            <a href=href(&f)>"Link to this view"</a>
        </p>
    }
}

#[component]
fn RankTable(rows: Vec<AppRow>, fallback: bool) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p>"None."</p> }.into_any();
    }
    let head = if fallback {
        "Fallback per 100"
    } else {
        "Stage (share)"
    };
    view! {
        <table class="compact">
            <thead>
                <tr>
                    <th scope="col">"Application"</th>
                    <th scope="col">"Criticality"</th>
                    <th scope="col" class="num">
                        {head}
                    </th>
                    <th scope="col" class="num">
                        "Sign-ins"
                    </th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        let value = if fallback {
                            per(r.figures.fallback_per_100)
                        } else {
                            r.figures
                                .concentration
                                .as_ref()
                                .map(|c| format!("{} ({})", c.stage.label(), percent(c.share)))
                                .unwrap_or_default()
                        };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/applications/{}#adoption", r.id)>{r.name}</a>
                                </td>
                                <td>{r.criticality.label()}</td>
                                <td class="num">{value}</td>
                                <td class="num">{count(r.figures.sign_ins)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The application page's adoption section.
#[component]
pub fn ApplicationAdoptionSection() -> impl IntoView {
    let Some(id) = id_param::<ApplicationId>() else {
        return ().into_any();
    };
    let found = Resource::new(move || id, get_application_adoption);
    view! { <Loaded resource=found render=|a| view! { <AdoptionSection a /> } /> }.into_any()
}

#[component]
fn AdoptionSection(a: ApplicationAdoption) -> impl IntoView {
    if a.trend.is_empty() {
        return view! {
            <section class="card" id="adoption">
                <h2>"Adoption"</h2>
                <p>"No adoption figures received for this application yet."</p>
            </section>
        }
        .into_any();
    }
    let range = format!(
        "{} to {}",
        crate::adoption::model::Period::parse(&a.from).map_or(a.from.clone(), |p| p.label()),
        crate::adoption::model::Period::parse(&a.to).map_or(a.to.clone(), |p| p.label()),
    );
    let drift = if !a.declared {
        view! { <p>"Nothing declared: the observed journey cannot be compared."</p> }.into_any()
    } else if a.drifts.is_empty() {
        view! { <p class="ok">"The observed journey matches the declared one."</p> }.into_any()
    } else {
        view! {
            <div class="alert warn" role="note">
                <strong>"The observed journey drifts from the declared one"</strong>
                <ul>{a.drifts.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" id="adoption">
            <h2>"Adoption"</h2>
            <p class="muted small">{format!("{range}, all populations.")}</p>
            {drift}
            <Headline f=a.figures.clone() label="This application's adoption" />
            <table class="compact">
                <caption>"Sign-ins by method, beside the roles declared"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Method"</th>
                        <th scope="col">"Declared as"</th>
                        <th scope="col" class="num">
                            "Succeeded"
                        </th>
                        <th scope="col" class="num">
                            "Failed"
                        </th>
                        <th scope="col" class="num">
                            "Fallback uses"
                        </th>
                        <th scope="col" class="num">
                            "Recoveries"
                        </th>
                        <th scope="col" class="num">
                            "Enrolments"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {a
                        .methods
                        .iter()
                        .map(|m| {
                            let roles = if m.declared_roles.is_empty() {
                                "Not declared".to_string()
                            } else {
                                m.declared_roles.clone()
                            };
                            let class = if m.declared_roles.is_empty() { "warn" } else { "" };
                            view! {
                                <tr>
                                    <th scope="row">
                                        {m.name.clone()}
                                        {m.passwordless.then_some(" · passwordless")}
                                    </th>
                                    <td class=class>{roles}</td>
                                    <td class="num">{count(m.counts.sign_ins_succeeded)}</td>
                                    <td class="num">{count(m.counts.sign_ins_failed)}</td>
                                    <td class="num">{count(m.counts.fallback_uses)}</td>
                                    <td class="num">{count(m.counts.recoveries)}</td>
                                    <td class="num">{count(m.counts.enrolments)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <Charts trend=a.trend.clone() f=a.figures.clone() id="app" />
        </section>
    }
    .into_any()
}

#[component]
pub fn AdoptionImportPage() -> impl IntoView {
    view! {
        <Title text="Send adoption figures · Passwordless Governance Portal" />
        <Guarded roles=AdoptionImporters::ROLES>
            <ImportContent />
        </Guarded>
    }
}

#[component]
fn ImportContent() -> impl IntoView {
    let report = Resource::new(|| (), |_| take_adoption_report());
    view! {
        <p class="crumbs">
            <a href="/adoption">"Adoption"</a>
            " / "
        </p>
        <PageHeader
            title="Send adoption figures"
            subtitle="The portal's CSV or JSON (described in the README), or an identity provider's sign-in export, counted on the way in. All or nothing: a file with any problem changes nothing. Sending the same application and period again replaces it."
        />
        <Feedback />
        <Loaded resource=report render=|r| r.map(|r| view! { <ReportView report=r /> }) />
        <form method="post" action=UPLOAD_PATH enctype="multipart/form-data" class="card stack">
            <div class="field">
                <label for="adoption-file">"File"</label>
                <input
                    id="adoption-file"
                    type="file"
                    name="file"
                    accept=".csv,.json,text/csv,application/json"
                    required
                />
            </div>
            <div class="field">
                <label for="adoption-format">"Format"</label>
                <select id="adoption-format" name="format">
                    <option value="auto">
                        "By the file's name (.csv or .json, the portal's format)"
                    </option>
                    <option value="csv">"Portal CSV"</option>
                    <option value="json">"Portal JSON"</option>
                    <option value="entra">"Microsoft Entra sign-in logs (JSON export)"</option>
                    <option value="okta">"Okta System Log (JSON)"</option>
                </select>
            </div>
            <label class="check" for="adoption-by-day">
                <input id="adoption-by-day" type="checkbox" name="by_day" value="on" />
                "Providers' exports: count by day rather than by month"
            </label>
            <button type="submit">"Send"</button>
        </form>
    }
}

#[component]
fn ReportView(report: AdoptionReport) -> impl IntoView {
    let head = format!(
        "{}{}{}",
        report.file_name,
        report
            .format
            .map(|f| format!(" · {}", f.label()))
            .unwrap_or_default(),
        if report.sha256.is_empty() {
            String::new()
        } else {
            format!(" · SHA-256 {}", report.sha256)
        }
    );
    let events = report.events.clone().map(|e| {
        view! {
            <p>
                {format!(
                    "{} events read: {} counted, {} without a method to count (such as token refreshes), {} under unmapped names.",
                    count(e.read),
                    count(e.counted),
                    count(e.ignored),
                    count(e.read.saturating_sub(e.counted + e.ignored)),
                )}
            </p>
        }
    });
    let unmapped = (!report.unmapped.is_empty()).then(|| {
        view! {
            <div class="alert warn" role="note">
                <strong>
                    "Names that map to nothing in the portal (their events were not counted)"
                </strong>
                <table class="compact">
                    <thead>
                        <tr>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Name in the export"</th>
                            <th scope="col" class="num">
                                "Events"
                            </th>
                            <th scope="col">""</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report
                            .unmapped
                            .iter()
                            .map(|u| {
                                let link = format!(
                                    "/adoption/mappings?provider={}&kind={}&external={}",
                                    u.provider.key(),
                                    u.kind.as_str(),
                                    crate::components::encode_component(&u.external),
                                );
                                view! {
                                    <tr>
                                        <td>{u.kind.label()}</td>
                                        <td>{u.external.clone()}</td>
                                        <td class="num">{count(u.events)}</td>
                                        <td>
                                            <a href=link>"Map it"</a>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    let outcome = match report.outcome {
        ReportOutcome::Done(s) => view! {
            <div class="alert ok" role="status">
                <strong>
                    {format!(
                        "Stored figures of {} application(s) for {} period(s){}.",
                        count(s.applications),
                        count(s.periods),
                        match (&s.first, &s.last) {
                            (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
                            (Some(a), _) => format!(", {a}"),
                            _ => String::new(),
                        },
                    )}
                </strong>
                <p>
                    {format!(
                        "{} period(s) replaced figures received before; nothing was counted twice.",
                        count(s.replaced),
                    )}
                </p>
                <p>
                    <a href="/adoption">"See the figures"</a>
                </p>
            </div>
        }
        .into_any(),
        ReportOutcome::Refused { problems, total } => view! {
            <div class="alert error" role="alert">
                <strong>
                    {format!(
                        "Nothing was stored: {} problem{} in the file.",
                        count(total),
                        if total == 1 { "" } else { "s" },
                    )}
                </strong>
                <ul>
                    {problems.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                </ul>
                {(total as usize > problems.len())
                    .then(|| {
                        view! { <p>{format!("The first {} are listed.", problems.len())}</p> }
                    })}
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-label="Report of the file sent">
            <p class="small muted">{head}</p>
            {outcome}
            {events}
            {unmapped}
        </section>
    }
}

#[component]
pub fn MappingsPage() -> impl IntoView {
    view! {
        <Title text="Provider name mappings · Passwordless Governance Portal" />
        <Guarded roles=AdoptionImporters::ROLES>
            <MappingsContent />
        </Guarded>
    }
}

#[component]
fn MappingsContent() -> impl IntoView {
    let q = use_query_map().get_untracked();
    // A refused form comes back as typed; otherwise a link from a report fills the name in.
    let (provider, kind, external, portal) = match typed::<SaveMapping>() {
        Some(t) => (
            t.provider.key().to_string(),
            t.kind.as_str().to_string(),
            t.external,
            t.portal,
        ),
        None => (
            q.get("provider").unwrap_or_default(),
            q.get("kind").unwrap_or_default(),
            q.get("external").unwrap_or_default(),
            String::new(),
        ),
    };
    let rows = Resource::new(|| (), |_| list_mappings());
    view! {
        <p class="crumbs">
            <a href="/adoption">"Adoption"</a>
            " / "
        </p>
        <PageHeader
            title="Provider name mappings"
            subtitle="How the names in an identity provider's export map onto the portal's applications and catalogue methods. An application's name maps to the portal's application of the same name unless a row says otherwise; a method maps only through a row. An empty portal name ignores that name on purpose."
        />
        <Feedback />
        <form method="post" action=SaveMapping::PATH class="card stack">
            <h2 class="section-title">"Map a name"</h2>
            <div class="filter-grid">
                <div>
                    <label for="m-provider">"Provider"</label>
                    <select id="m-provider" name="provider">
                        {select_options(
                            vec![
                                ("entra".into(), Provider::Entra.label().into()),
                                ("okta".into(), Provider::Okta.label().into()),
                            ],
                            &provider,
                            None,
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-kind">"Kind"</label>
                    <select id="m-kind" name="kind">
                        {select_options(
                            vocab_options(NameKind::ALL, NameKind::as_str, NameKind::label),
                            &kind,
                            None,
                        )}
                    </select>
                </div>
                <div>
                    <label for="m-external">"Name in the export"</label>
                    <input
                        id="m-external"
                        type="text"
                        name="external"
                        value=external
                        required
                        aria-invalid=aria_invalid("external")
                        aria-describedby=aria_describedby("external")
                    />
                    <FieldError name="external" />
                </div>
                <div>
                    <label for="m-portal">"Portal name (application) or method key"</label>
                    <input
                        id="m-portal"
                        type="text"
                        name="portal"
                        value=portal
                        aria-invalid=aria_invalid("portal")
                        aria-describedby=aria_describedby("portal")
                    />
                    <FieldError name="portal" />
                </div>
            </div>
            <button type="submit">"Save mapping"</button>
        </form>
        <Loaded resource=rows render=|rows| view! { <MappingTable rows /> } />
    }
}

#[component]
fn MappingTable(rows: Vec<NameMapping>) -> impl IntoView {
    let can = viewer().is_some_and(|v| AdoptionImporters::admits(&v));
    view! {
        <table class="card compact">
            <caption>{format!("{} mappings", rows.len())}</caption>
            <thead>
                <tr>
                    <th scope="col">"Provider"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Name in the export"</th>
                    <th scope="col">"Portal"</th>
                    <th scope="col">""</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|m| {
                        let portal = if m.portal.is_empty() {
                            "(ignored)".to_string()
                        } else {
                            m.portal.clone()
                        };
                        view! {
                            <tr>
                                <td>{m.provider.label()}</td>
                                <td>{m.kind.label()}</td>
                                <td>{m.external.clone()}</td>
                                <td>{portal}</td>
                                <td>
                                    {can
                                        .then(|| {
                                            view! {
                                                <form
                                                    method="post"
                                                    action=RemoveMapping::PATH
                                                    class="inline"
                                                >
                                                    <input
                                                        type="hidden"
                                                        name="provider"
                                                        value=m.provider.key()
                                                    />
                                                    <input type="hidden" name="kind" value=m.kind.as_str() />
                                                    <input
                                                        type="hidden"
                                                        name="external"
                                                        value=m.external.clone()
                                                    />
                                                    <button type="submit" class="secondary small">
                                                        "Remove"
                                                    </button>
                                                </form>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

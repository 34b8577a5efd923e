//! The transfer pieces of the pages: export and import links on the applications list, and the
//! import page with the last import's report.

use super::api::take_import_report;
use super::model::{
    EXPORT_PATH, Exporters, IMPORT_PAGE, IMPORT_PATH, ImportOutcome, ImportReport, Importers,
    REPORTED_PROBLEMS_MAX, listing,
};
use crate::components::{Feedback, Loaded, PageHeader, list_as_left};
use crate::session::facade::Guarded;
use crate::session::model::{Right, viewer};
use leptos::prelude::*;
use leptos_meta::Title;

/// Export and import links for the applications list's toolbar, for those who may use them.
#[component]
pub fn TransferLinks() -> impl IntoView {
    let viewer = viewer();
    let can_export = viewer.as_ref().is_some_and(Exporters::admits);
    let can_import = viewer.as_ref().is_some_and(Importers::admits);
    view! {
        {can_export
            .then(|| {
                view! {
                    <a class="button secondary" href=format!("{EXPORT_PATH}?format=csv")>
                        "Export CSV"
                    </a>
                    <a class="button secondary" href=format!("{EXPORT_PATH}?format=json")>
                        "Export JSON"
                    </a>
                }
            })}
        {can_import
            .then(|| {
                view! {
                    <a class="button secondary" href=IMPORT_PAGE>
                        "Import"
                    </a>
                }
            })}
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import applications · Passwordless Governance Portal" />
        <Guarded roles=Importers::ROLES>
            <ImportContent />
        </Guarded>
    }
}

#[component]
fn ImportContent() -> impl IntoView {
    let report = Resource::new(|| (), |_| take_import_report());
    view! {
        <p class="crumbs">
            <a href=list_as_left("/applications")>"Applications"</a>
            " / "
        </p>
        <PageHeader
            title="Import applications"
            subtitle="Applications with their declarations, from the portal's CSV or JSON format (see the README). All or nothing: a file with any problem changes nothing."
        />
        <Feedback />
        <Loaded resource=report render=|r| r.map(|r| view! { <ImportReportView report=r /> }) />
        <form method="post" action=IMPORT_PATH enctype="multipart/form-data" class="card stack">
            <div class="field">
                <label for="import-file">"File (.csv or .json)"</label>
                <input
                    id="import-file"
                    type="file"
                    name="file"
                    accept=".csv,.json,text/csv,application/json"
                    required
                />
            </div>
            <label class="check" for="import-dry-run">
                <input id="import-dry-run" type="checkbox" name="dry_run" value="on" checked=true />
                "Dry run: check the file and report, write nothing"
            </label>
            <button type="submit">"Import"</button>
        </form>
    }
}

#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let head = format!(
        "{} · SHA-256 {}…{}",
        report.file_name,
        &report.sha256[..12.min(report.sha256.len())],
        if report.dry_run { " · dry run" } else { "" }
    );
    match report.outcome {
        ImportOutcome::Done(s) => {
            let verb = if report.dry_run { "Would import" } else { "Imported" };
            view! {
                <div class="alert ok" role="status">
                    <strong>
                        {format!(
                            "{verb} {} application(s), {} with a declaration.",
                            s.applications,
                            s.declarations,
                        )}
                    </strong>
                    <p class="small">{head}</p>
                    {(!s.business_units.is_empty())
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "New business units ({}): {}",
                                        s.business_units.len(),
                                        listing(&s.business_units, 20),
                                    )}
                                </p>
                            }
                        })}
                    {(!s.owners.is_empty())
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "New owner accounts ({}; invite them to enrol a passkey): {}",
                                        s.owners.len(),
                                        listing(&s.owners, 20),
                                    )}
                                </p>
                            }
                        })}
                </div>
            }
                .into_any()
        }
        ImportOutcome::Refused { problems, total } => {
            view! {
                <div class="alert error" role="alert">
                    <strong>
                        {format!("Nothing was imported: {total} problem(s) in the file.")}
                    </strong>
                    <p class="small">{head}</p>
                    <ul class="problems">
                        {problems
                            .into_iter()
                            .map(|p| view! { <li>{p.to_string()}</li> })
                            .collect_view()}
                    </ul>
                    {(total > REPORTED_PROBLEMS_MAX)
                        .then(|| {
                            view! {
                                <p class="small">
                                    {format!(
                                        "Only the first {REPORTED_PROBLEMS_MAX} are listed; `server import --dry-run FILE` lists them all.",
                                    )}
                                </p>
                            }
                        })}
                </div>
            }
                .into_any()
        }
    }
}

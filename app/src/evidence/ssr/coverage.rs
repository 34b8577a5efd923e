//! What the framework pages show: coverage per framework and control, one control's
//! applications in one status with the findings behind them, and one application's status.

use super::status::{EstateStatus, OpenRow, current, open_findings};
use crate::error::AppError;
use crate::evidence::model::{
    AppControl, AppControls, AppFramework, ControlRow, ControlStatus, Counts, Coverage, Drill,
    DrillRow, FindingLine, FrameworkRow, PAGE, RuleRef,
};
use crate::evidence::rules::status::{ControlIndex, OpenFinding, Tally};
use crate::frameworks::model::CatalogueDocument;
use crate::ids::ApplicationId;
use crate::ssr::entities::{application, application_tag};
use crate::ssr::state::AppState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;

fn counts(t: &Tally) -> Counts {
    Counts {
        met: t.met,
        excepted: t.excepted,
        not_met: t.not_met,
        not_applicable: t.not_applicable,
    }
}

fn rules_of(doc: &CatalogueDocument, framework: &str, ids: &[&str]) -> Vec<RuleRef> {
    let mut out: Vec<RuleRef> = doc
        .mappings
        .iter()
        .filter(|m| m.framework == framework && ids.contains(&m.control.as_str()))
        .map(|m| RuleRef {
            key: m.rule.clone(),
            title: crate::findings::facade::rule_title(&m.rule),
            relationship: m.relationship.as_str().to_string(),
        })
        .collect();
    // In the rules' order (their numbers), unknown keys last.
    let number = |r: &RuleRef| {
        r.title
            .split('.')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    out.sort_by(|a, b| number(a).cmp(&number(b)).then(a.key.cmp(&b.key)));
    out.dedup_by(|a, b| a.key == b.key);
    out
}

/// Every framework and control with how many applications meet it, are excepted, fail, or are
/// out of its scope.
pub async fn coverage(state: &AppState, can_import: bool) -> Result<Coverage, AppError> {
    let estate = current(state).await?;
    let doc = crate::frameworks::facade::load(state.db.conn()).await?;
    Ok(Coverage {
        applications: estate.apps.len() as u64,
        frameworks: frameworks(&doc, &estate),
        can_import,
    })
}

fn frameworks(doc: &CatalogueDocument, estate: &EstateStatus) -> Vec<FrameworkRow> {
    doc.frameworks
        .iter()
        .map(|f| FrameworkRow {
            key: f.key.clone(),
            name: f.name.clone(),
            version: f.version.clone(),
            licence: f.licence.clone(),
            url: f.url.clone(),
            applies_to_tag: f.applies_to_tag.clone(),
            controls: f
                .controls
                .iter()
                .map(|c| {
                    let judged = estate.index.find(&f.key, &c.id);
                    let mut ids = vec![c.id.as_str()];
                    if let Some(i) = judged {
                        ids.push(estate.index.controls[i].id.as_str());
                        ids.extend(estate.index.controls[i].aliases.iter().map(String::as_str));
                    }
                    ControlRow {
                        id: c.id.clone(),
                        label: f.label(&c.id),
                        title: c.title.clone(),
                        summary: c.summary.clone(),
                        alias_of: c.alias_of.clone(),
                        rules: rules_of(doc, &f.key, &ids),
                        counts: judged.map(|i| counts(&estate.tallies[i])),
                    }
                })
                .collect(),
        })
        .collect()
}

fn line(r: &OpenRow) -> FindingLine {
    FindingLine {
        key: r.key.clone(),
        rule: crate::findings::facade::rule_title(&r.rule),
        severity: r.severity,
        explanation: r.explanation.clone(),
        exception: r.exception,
    }
}

/// One control's applications in one status, a page at a time (by name), each with the open
/// findings of the rules bearing on the control.
pub async fn drill(
    state: &AppState,
    framework: &str,
    id: &str,
    status: ControlStatus,
    offset: usize,
) -> Result<Drill, AppError> {
    let estate = current(state).await?;
    let i = estate.index.find(framework, id).ok_or(AppError::NotFound)?;
    let control = &estate.index.controls[i];
    let matching: Vec<_> = estate
        .apps
        .iter()
        .filter(|a| a.statuses[i] == status)
        .collect();
    let page: Vec<_> = matching.iter().skip(offset).take(PAGE).collect();
    let ids: Vec<ApplicationId> = page.iter().map(|a| a.id).collect();
    let open = if ids.is_empty() || status == ControlStatus::NotApplicable {
        Vec::new()
    } else {
        open_findings(state.db.conn(), estate.at, Some(&ids)).await?
    };
    let doc = crate::frameworks::facade::load(state.db.conn()).await?;
    let mut ids_cited = vec![control.id.as_str()];
    ids_cited.extend(control.aliases.iter().map(String::as_str));
    Ok(Drill {
        framework: control.framework.clone(),
        framework_name: control.framework_name.clone(),
        id: control.id.clone(),
        label: control.label.clone(),
        title: control.title.clone(),
        aliases: control.aliases.clone(),
        applies_to_tag: control.applies_to_tag.clone(),
        rules: rules_of(&doc, &control.framework, &ids_cited),
        status,
        counts: counts(&estate.tallies[i]),
        rows: page
            .iter()
            .map(|a| DrillRow {
                id: a.id,
                name: a.name.clone(),
                criticality: a.criticality,
                findings: open
                    .iter()
                    .filter(|r| r.application_id == a.id && estate.index.bears(i, &r.rule))
                    .map(line)
                    .collect(),
            })
            .collect(),
        offset,
        more: matching.len() > offset + page.len(),
    })
}

/// One application's status per framework, at `at` (a fixed number of statements).
pub async fn application<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
    at: OffsetDateTime,
    as_of: Option<String>,
) -> Result<AppControls, AppError> {
    let app = application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if app.created_at > at {
        return Ok(AppControls {
            application: app.name,
            registered: false,
            frameworks: Vec::new(),
            as_of,
        });
    }
    let doc = crate::frameworks::facade::load(db).await?;
    let index = ControlIndex::new(&doc);
    let tags: Vec<String> = application_tag::Entity::find()
        .filter(application_tag::Column::ApplicationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    let open = open_findings(db, at, Some(&[id])).await?;
    let mine: Vec<OpenFinding> = open
        .iter()
        .map(|r| OpenFinding {
            rule: &r.rule,
            excepted: r.excepted,
        })
        .collect();
    let statuses = index.statuses(&tags, &mine);
    let frameworks = doc
        .frameworks
        .iter()
        .filter_map(|f| {
            let mut tally = Tally::default();
            let mut controls = Vec::new();
            for (i, c) in index.controls.iter().enumerate() {
                if c.framework != f.key {
                    continue;
                }
                tally.add(statuses[i]);
                if matches!(statuses[i], ControlStatus::NotMet | ControlStatus::Excepted) {
                    controls.push(AppControl {
                        label: c.label.clone(),
                        title: c.title.clone(),
                        status: statuses[i],
                        findings: open
                            .iter()
                            .filter(|r| index.bears(i, &r.rule))
                            .map(line)
                            .collect(),
                    });
                }
            }
            let judged = tally.applicable() + tally.not_applicable;
            (judged > 0).then(|| AppFramework {
                key: f.key.clone(),
                name: f.name.clone(),
                counts: counts(&tally),
                controls,
            })
        })
        .collect();
    Ok(AppControls {
        application: app.name,
        registered: true,
        frameworks,
        as_of,
    })
}

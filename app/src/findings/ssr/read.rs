//! Reading findings: the list (filtered, keyset paged, a fixed number of statements whatever
//! the estate's size) and one application's section.

use super::{Batch, Judge, finding_of};
use crate::audit::facade::head as audit_head;
use crate::catalogue::facade::names;
use crate::components::Position;
use crate::declarations::model::Names;
use crate::error::AppError;
use crate::findings::model::{
    ApplicationFindings, Choice, ExceptionNote, FINDINGS_PAGE, FindingFilter, FindingRow,
    FindingState, FindingsPage, PopulationAssuranceView,
};
use crate::findings::rules::{RULES, Rule};
use crate::ids::{ApplicationId, UserId};
use crate::ssr::clock::display_time;
use crate::ssr::entities::{
    application, application_assessment, application_owner, business_unit, finding,
    finding_exception,
};
use crate::ssr::paging::{Order, keyset_page};
use crate::ssr::remembered::Remembered;
use crate::vocab::ExceptionState;
use crate::vocab::{Criticality, Severity};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{BTreeMap, HashMap};

/// "Office employees · Fallback · Password + SMS one-time code"
fn scope_words(f: &crate::findings::model::Finding, names: &Names) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &f.scope.population {
        parts.push(names.population(p));
    }
    if let Some(r) = f.scope.role {
        parts.push(r.label().to_string());
    }
    if let Some(m) = &f.scope.method {
        parts.push(
            m.split(crate::journey::FACTOR_SEPARATOR)
                .map(|k| names.method(k))
                .collect::<Vec<_>>()
                .join(" + "),
        );
    }
    if parts.is_empty() {
        "Whole application".into()
    } else {
        parts.join(" · ")
    }
}

/// A stored finding in words: its rule ("2. Restricted method in use") and its scope.
pub fn describe(row: &finding::Model, names: &Names) -> (String, String) {
    let finding = finding_of(row);
    let rule = Rule::parse(&finding.rule).map_or_else(
        || finding.rule.clone(),
        |r| format!("{}. {}", r.info().number, r.info().title),
    );
    (rule, scope_words(&finding, names))
}

/// The condition "an approved exception holds for this finding at `now`" (the exception's
/// expiry is read with the clock, so an expiry re-opens the finding by itself).
pub fn excepted_now(now: time::OffsetDateTime) -> sea_orm::sea_query::SimpleExpr {
    let holding = Query::select()
        .expr(Expr::val(1))
        .from(finding_exception::Entity)
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::ApplicationId,
            ))
            .equals((finding::Entity, finding::Column::ApplicationId)),
        )
        .and_where(
            Expr::col((
                finding_exception::Entity,
                finding_exception::Column::FindingKey,
            ))
            .equals((finding::Entity, finding::Column::Key)),
        )
        .and_where(finding_exception::Column::State.eq(ExceptionState::Approved))
        .and_where(finding_exception::Column::ExpiresAt.gt(now))
        .to_owned();
    Expr::exists(holding)
}

/// The exceptions of a page of findings: the one that holds or waits for a decision, per
/// finding (one statement).
async fn notes<C: ConnectionTrait>(
    db: &C,
    rows: &[finding::Model],
    now: time::OffsetDateTime,
) -> Result<HashMap<(ApplicationId, String), ExceptionNote>, AppError> {
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let apps: Vec<ApplicationId> = rows.iter().map(|r| r.application_id).collect();
    let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
    let mut out: HashMap<(ApplicationId, String), ExceptionNote> = HashMap::new();
    for e in finding_exception::Entity::find()
        .filter(finding_exception::Column::ApplicationId.is_in(apps))
        .filter(finding_exception::Column::FindingKey.is_in(keys))
        .filter(
            finding_exception::Column::State
                .is_in([ExceptionState::Requested, ExceptionState::Approved]),
        )
        .order_by_asc(finding_exception::Column::RequestedSort)
        .all(db)
        .await?
    {
        let holds = e.state == ExceptionState::Approved && e.expires_at > now;
        if e.state == ExceptionState::Approved && !holds {
            continue;
        }
        let note = ExceptionNote {
            id: e.id,
            state: e.state,
            until: (e.expires_at - time::Duration::nanoseconds(1))
                .date()
                .to_string(),
        };
        // The one that holds wins over a pending renewal.
        let slot = out
            .entry((e.application_id, e.finding_key))
            .or_insert(note.clone());
        if holds {
            *slot = note;
        }
    }
    Ok(out)
}

fn row_view(row: &finding::Model, application: String, names: &Names) -> FindingRow {
    let finding = finding_of(row);
    let info = Rule::parse(&finding.rule).map(Rule::info);
    FindingRow {
        application_id: row.application_id,
        application,
        scope: scope_words(&finding, names),
        rule_number: info.map_or(0, |i| i.number),
        rule_title: info.map_or_else(|| finding.rule.clone(), |i| i.title.to_string()),
        state: if row.resolved_at.is_some() {
            FindingState::Resolved
        } else {
            FindingState::Open
        },
        opened_at: display_time(row.opened_at),
        resolved_at: row.resolved_at.map(display_time),
        exception: None,
        finding,
    }
}

/// The filter's condition; a value the vocabulary does not know is a bad request.
fn condition(
    f: &FindingFilter,
    unit: Option<crate::ids::BusinessUnitId>,
    viewer: Option<UserId>,
    now: time::OffsetDateTime,
) -> Result<Condition, AppError> {
    let mut c = Condition::all();
    c = match f.state.as_str() {
        "" | "open" => c
            .add(finding::Column::ResolvedAt.is_null())
            .add(excepted_now(now).not()),
        "excepted" => c
            .add(finding::Column::ResolvedAt.is_null())
            .add(excepted_now(now)),
        "resolved" => c.add(finding::Column::ResolvedAt.is_not_null()),
        _ => {
            return Err(AppError::validation(
                "state",
                "Choose open, excepted or resolved.",
            ));
        }
    };
    if !f.rule.is_empty() {
        Rule::parse(&f.rule).ok_or_else(|| AppError::validation("rule", "Unknown rule."))?;
        c = c.add(finding::Column::Rule.eq(f.rule.as_str()));
    }
    if !f.severity.is_empty() {
        let s = Severity::parse(&f.severity)
            .ok_or_else(|| AppError::validation("severity", "Unknown severity."))?;
        // The sort key starts with the severity's rank: a range of it starts the walk of the
        // list's index where that severity starts (the low ones come last of all).
        let (from, to) = super::severity_range(s);
        c = c
            .add(finding::Column::Severity.eq(s))
            .add(finding::Column::SortKey.gte(from))
            .add(finding::Column::SortKey.lt(to));
    }
    if !f.population.is_empty() {
        c = c.add(finding::Column::PopulationKey.eq(f.population.as_str()));
    }
    if !f.method.is_empty() {
        let m = f.method.as_str();
        c = c.add(
            Condition::any()
                .add(finding::Column::Method.eq(m))
                .add(finding::Column::Method.like(format!("{m}+%")))
                .add(finding::Column::Method.like(format!("%+{m}")))
                .add(finding::Column::Method.like(format!("%+{m}+%"))),
        );
    }
    match (f.owner.as_str(), viewer) {
        ("", _) => {}
        ("mine", Some(me)) => {
            let mine = Query::select()
                .column(application_owner::Column::ApplicationId)
                .from(application_owner::Entity)
                .and_where(application_owner::Column::UserId.eq(me))
                .to_owned();
            c = c.add(finding::Column::ApplicationId.in_subquery(mine));
        }
        _ => return Err(AppError::validation("owner", "Choose mine or anyone.")),
    }
    let crit = if f.criticality.is_empty() {
        None
    } else {
        Some(
            Criticality::parse(&f.criticality)
                .ok_or_else(|| AppError::validation("criticality", "Unknown criticality."))?,
        )
    };
    // The application's criticality and unit are copied onto its findings (kept current by
    // every change that judges it again), so these read the findings' own indexes.
    if let Some(crit) = crit {
        c = c.add(finding::Column::Criticality.eq(crit));
    }
    if !f.unit.is_empty() {
        c = match unit {
            Some(unit) => c.add(finding::Column::BusinessUnitId.eq(unit)),
            // A unit nobody has matches nothing.
            None => c.add(Expr::cust("1 = 0")),
        };
    }
    Ok(c)
}

/// A page of the findings list: the page (two statements at most), the count (remembered until
/// the next change), the page's application names and the filters' choices.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    remembered: &Remembered,
    viewer: UserId,
    filter: &FindingFilter,
    position: &Position,
    now: time::OffsetDateTime,
) -> Result<FindingsPage, AppError> {
    let units = business_unit::Entity::find()
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?;
    let unit = units.iter().find(|u| u.name == filter.unit).map(|u| u.id);
    let cond = condition(filter, unit, Some(viewer), now)?;
    let at = audit_head(db).await?;
    // "Mine" differs by viewer; every other filter counts the same for everyone.
    let whose = if filter.owner.is_empty() {
        String::new()
    } else {
        viewer.to_string()
    };
    let total = remembered
        .figure(
            // Exceptions expire at midnight: a count holds for the day at most.
            format!(
                "findings?{}&viewer={whose}&day={}",
                serde_json::to_string(filter).unwrap_or_default(),
                now.date()
            ),
            &at,
            || finding::Entity::find().filter(cond.clone()).count(db),
        )
        .await?;
    let page = keyset_page(
        db,
        || finding::Entity::find().filter(cond.clone()),
        finding::Column::SortKey,
        |r| r.sort_key.as_str(),
        position,
        FINDINGS_PAGE,
        Order::ByIndex,
    )
    .await?;
    let ids: Vec<ApplicationId> = page.rows.iter().map(|r| r.application_id).collect();
    let apps: HashMap<ApplicationId, String> = application::Entity::find()
        .filter(application::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let names = names(db).await?;
    let (policy_version, _) = crate::policy::facade::current(db).await?;
    let mut notes = notes(db, &page.rows, now).await?;
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let app = apps.get(&r.application_id).cloned().unwrap_or_default();
            let mut row = row_view(r, app, &names);
            row.exception = notes.remove(&(r.application_id, r.key.clone()));
            if row.state == FindingState::Open
                && row
                    .exception
                    .as_ref()
                    .is_some_and(|e| e.state == ExceptionState::Approved)
            {
                row.state = FindingState::Excepted;
            }
            row
        })
        .collect();
    let choices = |m: &BTreeMap<String, String>| {
        let mut v: Vec<Choice> = m
            .iter()
            .map(|(k, l)| Choice {
                key: k.clone(),
                label: l.clone(),
            })
            .collect();
        v.sort_by(|a, b| a.label.cmp(&b.label));
        v
    };
    Ok(FindingsPage {
        rows,
        neighbours: page.neighbours,
        total,
        filter: filter.clone(),
        rules: RULES
            .iter()
            .map(|r| Choice {
                key: r.key.to_string(),
                label: format!("{}. {}", r.number, r.title),
            })
            .collect(),
        units: units
            .into_iter()
            .map(|u| Choice {
                key: u.name.clone(),
                label: u.name,
            })
            .collect(),
        populations: choices(&names.populations),
        methods: choices(&names.methods),
        policy_version,
    })
}

/// Every finding matching the filter, in list order (for the CSV of the filtered view).
pub async fn all_matching<C: ConnectionTrait>(
    db: &C,
    filter: &FindingFilter,
    now: time::OffsetDateTime,
) -> Result<Vec<FindingRow>, AppError> {
    let unit = business_unit::Entity::find()
        .filter(business_unit::Column::Name.eq(filter.unit.as_str()))
        .one(db)
        .await?
        .map(|u| u.id);
    let cond = condition(filter, unit, None, now)?;
    let rows = finding::Entity::find()
        .filter(cond)
        .order_by_asc(finding::Column::SortKey)
        .all(db)
        .await?;
    let apps: HashMap<ApplicationId, String> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Name)
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let names = names(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let mut notes = notes(db, chunk, now).await?;
        out.extend(chunk.iter().map(|r| {
            let app = apps.get(&r.application_id).cloned().unwrap_or_default();
            let mut row = row_view(r, app, &names);
            row.exception = notes.remove(&(r.application_id, r.key.clone()));
            if row.state == FindingState::Open
                && row
                    .exception
                    .as_ref()
                    .is_some_and(|e| e.state == ExceptionState::Approved)
            {
                row.state = FindingState::Excepted;
            }
            row
        }));
    }
    Ok(out)
}

/// How many resolved findings the application section lists.
const RESOLVED_SHOWN: u64 = 10;

/// An application's findings section: its assurance (judged now, per population) and its open
/// and recently resolved findings as stored.
pub async fn for_application<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
    now: time::OffsetDateTime,
) -> Result<ApplicationFindings, AppError> {
    let today = now.date();
    let app = application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let assessment = application_assessment::Entity::find_by_id(id)
        .one(db)
        .await?;
    let judge = Judge::load(db).await?;
    let mut providers = HashMap::new();
    let batch = Batch::load(db, &judge, &mut providers, &[id]).await?;
    let populations = if app.archived {
        Vec::new()
    } else {
        batch
            .evaluate(&judge, &providers, &app, today)?
            .populations
            .into_iter()
            .map(|p| PopulationAssuranceView {
                name: judge.names.population(&p.population),
                aal: p.aal,
                phishing_resistant: p.phishing_resistant,
            })
            .collect()
    };
    let open = finding::Entity::find()
        .filter(finding::Column::ApplicationId.eq(id))
        .filter(finding::Column::ResolvedAt.is_null())
        .order_by_asc(finding::Column::SortKey)
        .all(db)
        .await?;
    let resolved = finding::Entity::find()
        .filter(finding::Column::ApplicationId.eq(id))
        .filter(finding::Column::ResolvedAt.is_not_null())
        .order_by_desc(finding::Column::ResolvedAt)
        .limit(RESOLVED_SHOWN)
        .all(db)
        .await?;
    let mut notes = notes(db, &open, now).await?;
    let mut view = |rows: Vec<finding::Model>| -> Vec<FindingRow> {
        rows.iter()
            .map(|r| {
                let mut row = row_view(r, app.name.clone(), &judge.names);
                row.exception = notes.remove(&(r.application_id, r.key.clone()));
                if row
                    .exception
                    .as_ref()
                    .is_some_and(|e| e.state == ExceptionState::Approved)
                {
                    row.state = FindingState::Excepted;
                }
                row
            })
            .collect()
    };
    Ok(ApplicationFindings {
        application_id: id,
        assessed: assessment.is_some(),
        aal: assessment.as_ref().map_or(0, |a| a.aal as u8),
        phishing_resistant: assessment.as_ref().is_some_and(|a| a.phishing_resistant),
        populations,
        open: view(open),
        resolved: view(resolved),
        policy_version: assessment
            .as_ref()
            .map_or(judge.policy_version, |a| a.policy_version),
        evaluated_at: assessment.map(|a| display_time(a.evaluated_at)),
    })
}

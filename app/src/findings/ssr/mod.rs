//! Findings kept current: each application judged by the pure findings function, its rows
//! replaced in the transaction of whatever changed (a declaration, an application's facts, a
//! provider, the policy, the catalogue, an import), in batches whatever the estate's size.

use super::model::{DraftImpact, Evaluation, Finding, ImpactLine};
use super::rules::{Catalogue, Facts, evaluate};
use crate::catalogue::model::MethodView;
use crate::declarations::model::{Declaration, Names};
use crate::error::AppError;
use crate::ids::ApplicationId;
use crate::policy::facade::current;
use crate::policy::model::Policy;
use crate::ssr::derived::{Changed, Derived, Refreshing};
use crate::ssr::entities::{
    application, application_assessment, application_population, auth_method, declaration_version,
    finding, population,
};
use crate::ssr::parallel::map_on_every_core;
use crate::vocab::Severity;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;

pub mod read;

/// Applications judged per batch (each batch costs a fixed number of statements).
pub const CHUNK: usize = 500;
/// Finding rows per insert statement (14 values each, within every backend's parameter limit).
const ROWS_PER_INSERT: usize = 1000;

/// The findings feature as the derived view the composition root registers.
pub struct Findings;

impl Derived for Findings {
    fn refresh<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        changed: &'a Changed,
        now: OffsetDateTime,
    ) -> Refreshing<'a> {
        Box::pin(async move {
            refresh(txn, changed, now).await?;
            Ok(())
        })
    }
}

/// What a refresh did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub applications: usize,
    /// Findings that appeared (or came back).
    pub opened: usize,
    /// Findings that disappeared.
    pub resolved: usize,
    /// Findings open after the refresh, in the applications judged.
    pub open: usize,
}

/// Everything an application is judged with besides its own rows.
pub struct Judge {
    pub policy_version: i32,
    pub policy: Policy,
    pub catalogue: Catalogue,
    pub names: Names,
    /// Population keys in catalogue order (by name), for the served populations' order.
    population_order: Vec<String>,
    /// The controls each rule bears on, as labels (the frameworks' mapping).
    controls: BTreeMap<String, Vec<String>>,
}

impl Judge {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, AppError> {
        let (policy_version, policy) = current(db).await?;
        Self::with_policy(db, policy_version, policy).await
    }

    /// The same with a policy of the caller's (the policy editor's preview).
    pub async fn with_policy<C: ConnectionTrait>(
        db: &C,
        policy_version: i32,
        policy: Policy,
    ) -> Result<Self, AppError> {
        let methods: Vec<MethodView> = auth_method::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(MethodView::from)
            .collect();
        let populations = population::Entity::find()
            .order_by_asc(population::Column::Name)
            .all(db)
            .await?;
        let names = Names {
            methods: methods
                .iter()
                .map(|m| (m.key.clone(), m.name.clone()))
                .collect(),
            populations: populations
                .iter()
                .map(|p| (p.key.clone(), p.name.clone()))
                .collect(),
        };
        Ok(Self {
            policy_version,
            policy,
            catalogue: Catalogue::new(&methods),
            names,
            population_order: populations.into_iter().map(|p| p.key).collect(),
            controls: crate::frameworks::facade::stored_labels_by_rule(db).await?,
        })
    }
}

fn parse_body(v: &declaration_version::Model) -> Result<Declaration, AppError> {
    serde_json::from_str(&v.body).map_err(|e| {
        AppError::internal(format!(
            "stored declaration {} v{}: {e}",
            v.application_id, v.version
        ))
    })
}

/// The latest version of each of `ids` that has one (one statement).
async fn latest_versions<C: ConnectionTrait>(
    db: &C,
    ids: &[ApplicationId],
) -> Result<HashMap<ApplicationId, declaration_version::Model>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(declaration_version::Entity::find()
        .filter(declaration_version::Column::ApplicationId.is_in(ids.to_vec()))
        .filter(Expr::cust(
            "version = (SELECT MAX(w.version) FROM declaration_version w \
             WHERE w.application_id = declaration_version.application_id)",
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.application_id, v))
        .collect())
}

/// The applications to judge for a change: those named and every application federated through
/// one of them (a provider's journey is theirs too); everything for `Everything`.
async fn scope<C: ConnectionTrait>(
    db: &C,
    changed: &Changed,
) -> Result<Vec<ApplicationId>, AppError> {
    let query = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .order_by_asc(application::Column::Id);
    let ids: Vec<ApplicationId> = match changed {
        Changed::Everything => query.into_tuple().all(db).await?,
        Changed::Applications(named) => {
            let mut ids: BTreeSet<ApplicationId> = named.iter().copied().collect();
            let dependents: Vec<ApplicationId> = query
                .filter(application::Column::ProviderId.is_in(named.clone()))
                .into_tuple()
                .all(db)
                .await?;
            ids.extend(dependents);
            ids.into_iter().collect()
        }
    };
    Ok(ids)
}

/// Judges the applications a change touched and replaces their findings and assessments.
pub async fn refresh(
    txn: &DatabaseTransaction,
    changed: &Changed,
    now: OffsetDateTime,
) -> Result<Refreshed, AppError> {
    let ids = scope(txn, changed).await?;
    let judge = Judge::load(txn).await?;
    let mut providers = HashMap::new();
    let mut total = Refreshed::default();
    for chunk in ids.chunks(CHUNK) {
        let r = refresh_chunk(txn, &judge, &mut providers, chunk, now).await?;
        total.applications += r.applications;
        total.opened += r.opened;
        total.resolved += r.resolved;
        total.open += r.open;
    }
    Ok(total)
}

/// The facts and declarations of a batch of applications (a fixed number of statements).
pub struct Batch {
    pub apps: Vec<application::Model>,
    served: HashMap<ApplicationId, Vec<String>>,
    own: HashMap<ApplicationId, declaration_version::Model>,
}

impl Batch {
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        judge: &Judge,
        providers: &mut HashMap<ApplicationId, Option<Declaration>>,
        ids: &[ApplicationId],
    ) -> Result<Self, AppError> {
        let apps = application::Entity::find()
            .filter(application::Column::Id.is_in(ids.to_vec()))
            .order_by_asc(application::Column::Id)
            .all(db)
            .await?;
        let mut keys: HashMap<ApplicationId, BTreeSet<String>> = HashMap::new();
        for p in application_population::Entity::find()
            .filter(application_population::Column::ApplicationId.is_in(ids.to_vec()))
            .all(db)
            .await?
        {
            keys.entry(p.application_id)
                .or_default()
                .insert(p.population_key);
        }
        let served = keys
            .into_iter()
            .map(|(app, keys)| {
                let ordered = judge
                    .population_order
                    .iter()
                    .filter(|k| keys.contains(*k))
                    .cloned()
                    .collect();
                (app, ordered)
            })
            .collect();
        let own = latest_versions(db, ids).await?;
        let missing: Vec<ApplicationId> = apps
            .iter()
            .filter_map(|a| a.provider_id)
            .filter(|p| !providers.contains_key(p))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let found = latest_versions(db, &missing).await?;
        for p in missing {
            let d = found.get(&p).map(parse_body).transpose()?;
            providers.insert(p, d);
        }
        Ok(Self { apps, served, own })
    }

    /// Judges one application of the batch.
    pub fn evaluate(
        &self,
        judge: &Judge,
        providers: &HashMap<ApplicationId, Option<Declaration>>,
        app: &application::Model,
        today: time::Date,
    ) -> Result<Evaluation, AppError> {
        let own = self.own.get(&app.id);
        let declaration = own.map(parse_body).transpose()?;
        let submitted = own.map(|v| v.submitted_at.date());
        Ok(self.judge_with(
            judge,
            providers,
            app,
            declaration.as_ref(),
            submitted,
            today,
        ))
    }

    /// Judges one application of the batch as if `declaration` were its latest version,
    /// submitted on `submitted`.
    pub fn judge_with(
        &self,
        judge: &Judge,
        providers: &HashMap<ApplicationId, Option<Declaration>>,
        app: &application::Model,
        declaration: Option<&Declaration>,
        submitted: Option<time::Date>,
        today: time::Date,
    ) -> Evaluation {
        let provider = app
            .provider_id
            .and_then(|p| providers.get(&p))
            .and_then(|d| d.as_ref());
        let empty = Vec::new();
        let facts = Facts {
            criticality: app.criticality,
            served: self.served.get(&app.id).unwrap_or(&empty),
            federated: app.provider_id.is_some(),
            provider_name: None,
            last_submitted: submitted,
        };
        let mut evaluation = evaluate(
            &facts,
            declaration,
            provider,
            &judge.policy,
            &judge.catalogue,
            &judge.names,
            today,
        );
        for f in &mut evaluation.findings {
            f.controls = judge.controls.get(&f.rule).cloned().unwrap_or_default();
        }
        evaluation
    }
}

/// What submitting `draft` as application `id`'s next version today would do to its findings
/// (the application and its provider as they are; a fixed number of statements).
pub async fn preview_draft<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
    draft: &Declaration,
    now: OffsetDateTime,
) -> Result<DraftImpact, AppError> {
    let judge = Judge::load(db).await?;
    let mut providers = HashMap::new();
    let batch = Batch::load(db, &judge, &mut providers, &[id]).await?;
    let app = batch.apps.first().ok_or(AppError::NotFound)?;
    let today = now.date();
    let before = batch.evaluate(&judge, &providers, app, today)?.findings;
    let after = batch
        .judge_with(&judge, &providers, app, Some(draft), Some(today), today)
        .findings;
    let keys = |fs: &[Finding]| fs.iter().map(|f| f.key.clone()).collect::<BTreeSet<_>>();
    let (was, will) = (keys(&before), keys(&after));
    let line = |f: &Finding| ImpactLine {
        severity: f.severity,
        rule: crate::findings::facade::rule_title(&f.rule),
        explanation: f.explanation.clone(),
    };
    Ok(DraftImpact {
        opened: after
            .iter()
            .filter(|f| !was.contains(&f.key))
            .map(line)
            .collect(),
        resolved: before
            .iter()
            .filter(|f| !will.contains(&f.key))
            .map(line)
            .collect(),
        still_open: after.iter().filter(|f| was.contains(&f.key)).count(),
    })
}

fn rank(s: Severity) -> i16 {
    match s {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

/// The sort keys of one severity: from its rank to the next one.
pub fn severity_range(s: Severity) -> (String, String) {
    let r = rank(s);
    (format!("{r}\u{1f}"), format!("{}", r + 1))
}

/// The findings list's order: most severe first, then by application name and key.
pub fn sort_key(severity: Severity, name_key: &str, key: &str) -> String {
    format!("{}\u{1f}{name_key}\u{1f}{key}", rank(severity))
}

fn row_of(
    app: &application::Model,
    f: &Finding,
    opened_at: OffsetDateTime,
    resolved_at: Option<OffsetDateTime>,
) -> finding::Model {
    finding::Model {
        application_id: app.id,
        key: f.key.clone(),
        sort_key: sort_key(f.severity, &app.name_key, &f.key),
        rule: f.rule.clone(),
        severity: f.severity,
        severity_rank: rank(f.severity),
        population_key: f.scope.population.clone(),
        role: f.scope.role,
        method: f.scope.method.clone(),
        criticality: app.criticality,
        business_unit_id: app.business_unit_id,
        explanation: f.explanation.clone(),
        fix: f.fix.clone(),
        controls: f.controls.join(";"),
        opened_at,
        resolved_at,
    }
}

/// The rows a refresh writes: those that differ from what is stored (the stored ones are
/// deleted first, by their unique sort key); a row judged the same again is left alone, so a
/// policy change writes only the findings it changes.
#[derive(Default)]
struct Writes {
    stale: Vec<String>,
    rows: Vec<finding::Model>,
}

impl Writes {
    fn put(&mut self, row: finding::Model, stored: Option<&finding::Model>) {
        match stored {
            Some(prev) if *prev == row => {}
            Some(prev) => {
                self.stale.push(prev.sort_key.clone());
                self.rows.push(row);
            }
            None => self.rows.push(row),
        }
    }

    async fn apply(self, txn: &DatabaseTransaction) -> Result<(), AppError> {
        for part in self.stale.chunks(ROWS_PER_INSERT) {
            finding::Entity::delete_many()
                .filter(finding::Column::SortKey.is_in(part.to_vec()))
                .exec(txn)
                .await?;
        }
        for part in self.rows.chunks(ROWS_PER_INSERT) {
            finding::Entity::insert_many(
                part.iter()
                    .cloned()
                    .map(|m| ActiveModelTrait::reset_all(m.into_active_model())),
            )
            .exec_without_returning(txn)
            .await?;
        }
        Ok(())
    }
}

pub(crate) fn finding_of(row: &finding::Model) -> Finding {
    Finding {
        rule: row.rule.clone(),
        severity: row.severity,
        scope: super::model::Scope {
            population: row.population_key.clone(),
            role: row.role,
            method: row.method.clone(),
        },
        key: row.key.clone(),
        explanation: row.explanation.clone(),
        fix: row.fix.clone(),
        controls: row
            .controls
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

async fn refresh_chunk(
    txn: &DatabaseTransaction,
    judge: &Judge,
    providers: &mut HashMap<ApplicationId, Option<Declaration>>,
    ids: &[ApplicationId],
    now: OffsetDateTime,
) -> Result<Refreshed, AppError> {
    let batch = Batch::load(txn, judge, providers, ids).await?;
    let mut old: HashMap<ApplicationId, BTreeMap<String, finding::Model>> = HashMap::new();
    for row in finding::Entity::find()
        .filter(finding::Column::ApplicationId.is_in(ids.to_vec()))
        .all(txn)
        .await?
    {
        old.entry(row.application_id)
            .or_default()
            .insert(row.key.clone(), row);
    }
    let today = now.date();
    let mut writes = Writes::default();
    let mut assessments = Vec::new();
    let mut done = Refreshed {
        applications: batch.apps.len(),
        ..Default::default()
    };
    // An archived application is judged no more: its open findings are resolved.
    let evaluations = map_on_every_core(&batch.apps, |app| {
        (!app.archived)
            .then(|| batch.evaluate(judge, providers, app, today))
            .transpose()
    });
    for (app, evaluation) in batch.apps.iter().zip(evaluations) {
        let before = old.remove(&app.id).unwrap_or_default();
        let evaluation = evaluation?;
        let current = evaluation.as_ref().map_or(&[][..], |e| &e.findings[..]);
        let mut kept = BTreeSet::new();
        for f in current {
            kept.insert(f.key.clone());
            let opened_at = match before.get(&f.key) {
                Some(prev) if prev.resolved_at.is_none() => prev.opened_at,
                _ => {
                    done.opened += 1;
                    now
                }
            };
            writes.put(row_of(app, f, opened_at, None), before.get(&f.key));
        }
        done.open += current.len();
        for (key, prev) in &before {
            if kept.contains(key) {
                continue;
            }
            let resolved_at = prev.resolved_at.or_else(|| {
                done.resolved += 1;
                Some(now)
            });
            writes.put(
                row_of(app, &finding_of(prev), prev.opened_at, resolved_at),
                Some(prev),
            );
        }
        if let Some(e) = &evaluation {
            let count = |s: Severity| e.findings.iter().filter(|f| f.severity == s).count() as i32;
            assessments.push(application_assessment::ActiveModel {
                application_id: Set(app.id),
                aal: Set(i16::from(e.aal)),
                phishing_resistant: Set(e.phishing_resistant),
                open_critical: Set(count(Severity::Critical)),
                open_high: Set(count(Severity::High)),
                open_medium: Set(count(Severity::Medium)),
                open_low: Set(count(Severity::Low)),
                policy_version: Set(judge.policy_version),
                evaluated_at: Set(now),
            });
        }
    }
    writes.apply(txn).await?;
    application_assessment::Entity::delete_many()
        .filter(application_assessment::Column::ApplicationId.is_in(ids.to_vec()))
        .exec(txn)
        .await?;
    for part in assessments.chunks(ROWS_PER_INSERT) {
        application_assessment::Entity::insert_many(part.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(done)
}

/// What judging every application against `proposed` would change, counted exactly as a refresh
/// after saving it would count (opened and resolved findings), without writing anything.
pub async fn preview<C: ConnectionTrait>(
    db: &C,
    proposed: Policy,
    now: OffsetDateTime,
) -> Result<crate::policy::model::PolicyPreview, AppError> {
    use crate::policy::model::PolicyPreview;
    let (version, _) = current(db).await?;
    let judge = Judge::with_policy(db, version + 1, proposed).await?;
    let ids: Vec<ApplicationId> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .filter(application::Column::Archived.eq(false))
        .order_by_asc(application::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut providers = HashMap::new();
    let mut p = PolicyPreview::default();
    let mut by_rule: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let batch = Batch::load(db, &judge, &mut providers, chunk).await?;
        let mut open: HashMap<ApplicationId, BTreeMap<String, String>> = HashMap::new();
        for (app, key, rule) in finding::Entity::find()
            .select_only()
            .column(finding::Column::ApplicationId)
            .column(finding::Column::Key)
            .column(finding::Column::Rule)
            .filter(finding::Column::ApplicationId.is_in(chunk.to_vec()))
            .filter(finding::Column::ResolvedAt.is_null())
            .into_tuple::<(ApplicationId, String, String)>()
            .all(db)
            .await?
        {
            open.entry(app).or_default().insert(key, rule);
        }
        let evaluations = map_on_every_core(&batch.apps, |app| {
            batch.evaluate(&judge, &providers, app, now.date())
        });
        for (app, e) in batch.apps.iter().zip(evaluations) {
            let e = e?;
            let before = open.remove(&app.id).unwrap_or_default();
            let after: BTreeMap<&str, &str> = e
                .findings
                .iter()
                .map(|f| (f.key.as_str(), f.rule.as_str()))
                .collect();
            let added: Vec<&str> = after
                .iter()
                .filter(|(k, _)| !before.contains_key(**k))
                .map(|(_, r)| *r)
                .collect();
            let removed: Vec<&String> = before
                .iter()
                .filter(|(k, _)| !after.contains_key(k.as_str()))
                .map(|(_, r)| r)
                .collect();
            p.applications += 1;
            p.open_before += before.len() as u64;
            p.open_after += after.len() as u64;
            p.findings_added += added.len() as u64;
            p.findings_removed += removed.len() as u64;
            if !added.is_empty() || !removed.is_empty() {
                p.applications_changed += 1;
            }
            if before.is_empty() && !after.is_empty() {
                p.applications_newly_failing += 1;
            }
            if !before.is_empty() && after.is_empty() {
                p.applications_newly_clean += 1;
            }
            for r in added {
                by_rule.entry(r.to_string()).or_default().0 += 1;
            }
            for r in removed {
                by_rule.entry(r.clone()).or_default().1 += 1;
            }
        }
    }
    let mut rules: Vec<(String, u64, u64)> = by_rule
        .into_iter()
        .map(|(rule, (a, r))| {
            let title = super::rules::Rule::parse(&rule)
                .map(|r| format!("{}. {}", r.info().number, r.info().title))
                .unwrap_or(rule);
            (title, a, r)
        })
        .collect();
    rules.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(&b.0)));
    p.by_rule = rules;
    Ok(p)
}

/// The setting that records the last day every application was judged.
const JUDGED_ON: &str = "findings_judged_on";

/// Judges every application again once a day, for the rules that depend on the date (a drill
/// growing old, a review falling due). Whichever instance first moves the recorded day forward
/// (a conditional update in the write transaction) does it; the others see the day already
/// taken and do nothing. Returns what the pass did, or `None` when today's pass was done.
pub async fn daily(state: &crate::ssr::state::AppState) -> Result<Option<Refreshed>, AppError> {
    use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
    use crate::ssr::entities::portal_setting;
    let now = state.now();
    let today = now.date().to_string();
    let txn = state.db.begin_write().await?;
    portal_setting::Entity::insert(portal_setting::ActiveModel {
        key: Set(JUDGED_ON.into()),
        value: Set(String::new()),
    })
    .on_conflict_do_nothing_on([portal_setting::Column::Key])
    .exec_without_returning(&txn)
    .await?;
    let taken = portal_setting::Entity::update_many()
        .col_expr(portal_setting::Column::Value, Expr::value(today.clone()))
        .filter(portal_setting::Column::Key.eq(JUDGED_ON))
        .filter(portal_setting::Column::Value.lt(today.as_str()))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !taken {
        return Ok(None);
    }
    let done = refresh(&txn, &Changed::Everything, now).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::System,
            action: AuditAction::FindingsRecomputed,
            subject_type: "findings",
            subject_id: today,
            before: None,
            after: Some(serde_json::json!({
                "applications": done.applications,
                "opened": done.opened,
                "resolved": done.resolved,
                "open": done.open,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_severity_range_holds_exactly_that_severitys_sort_keys() {
        for s in Severity::ALL {
            let (from, to) = severity_range(*s);
            for other in Severity::ALL {
                let key = sort_key(*other, "payroll", "weakest_link/office_employees");
                let inside = key.as_str() >= from.as_str() && key.as_str() < to.as_str();
                assert_eq!(inside, other == s, "{s:?} {other:?} {key:?}");
            }
        }
    }

    #[test]
    fn only_rows_that_differ_from_the_stored_ones_are_written() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let stored = |key: &str, severity: Severity| finding::Model {
            application_id: ApplicationId(uuid::Uuid::nil()),
            key: key.into(),
            sort_key: sort_key(severity, "payroll", key),
            rule: "weakest_link".into(),
            severity,
            severity_rank: rank(severity),
            population_key: Some("office_employees".into()),
            role: None,
            method: None,
            criticality: crate::vocab::Criticality::High,
            business_unit_id: None,
            explanation: "Explained.".into(),
            fix: "Fixed.".into(),
            controls: "IA-2".into(),
            opened_at: at,
            resolved_at: None,
        };
        let same = stored("a", Severity::High);
        let before = stored("b", Severity::High);
        let raised = stored("b", Severity::Critical);
        let new = stored("c", Severity::Low);
        let mut w = Writes::default();
        w.put(same.clone(), Some(&same));
        w.put(raised.clone(), Some(&before));
        w.put(new.clone(), None);
        assert_eq!(
            w.stale,
            vec![before.sort_key],
            "the changed row's old version goes"
        );
        assert_eq!(
            w.rows,
            vec![raised, new],
            "the unchanged row is not written again"
        );
    }
}

//! Declarations: drafts, submitted versions (immutable), history, as-of and differences.

use super::model::{
    Declaration, DeclarationEditor, DeclarationForm, DeclarationReview, DeclarationShown,
    DraftOrigin, Intent, MethodOption, PopulationJourney, PopulationOption, REASON_MAX, Source,
    VersionDetail, VersionSummary,
};
use super::rules::{self, Known};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::catalogue::facade::names;
use crate::error::AppError;
use crate::ids::{ApplicationId, DeclarationVersionId, UserId};
use crate::policy::facade::current as current_policy;
use crate::registry::facade::{can_edit, load, load_for_change, served_populations};
use crate::registry::model::{Editors, Integration, NamedRef};
use crate::session::facade::Granted;
use crate::session::model::CurrentUser;
use crate::ssr::clock::display_time;
use crate::ssr::db::BATCH;
use crate::ssr::derived::Changed;
use crate::ssr::entities::{
    app_user, application, auth_method, declaration_draft, declaration_method, declaration_version,
    population,
};
use crate::ssr::state::AppState;
use crate::validation::{Checks, validate_text_block};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Active catalogue keys (two queries).
pub async fn known<C: ConnectionTrait>(db: &C) -> Result<Known, AppError> {
    Ok(Known {
        methods: auth_method::Entity::find()
            .filter(auth_method::Column::Active.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.key)
            .collect(),
        populations: population::Entity::find()
            .filter(population::Column::Active.eq(true))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.key)
            .collect(),
    })
}

/// The stored form of a declaration: canonical JSON (fields in declaration order). A failure is
/// an error, never an empty body that would be hashed and stored.
pub fn body_json(d: &Declaration) -> Result<String, AppError> {
    serde_json::to_string(d).map_err(|e| AppError::internal(format!("declaration to JSON: {e}")))
}

pub fn sha256_hex(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

fn parse_body(body: &str) -> Result<Declaration, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::internal(format!("stored declaration: {e}")))
}

/// A version ready to be stored.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub id: DeclarationVersionId,
    pub application_id: ApplicationId,
    pub version: i32,
    pub declaration: Declaration,
    pub author: Option<UserId>,
    pub source: Source,
    pub submitted_at: OffsetDateTime,
    /// Why its author submitted it, if they said.
    pub reason: Option<String>,
}

/// Stores versions and their flattened method rows, in batches. Returns each version's body hash.
pub async fn insert_versions<C: ConnectionTrait>(
    db: &C,
    versions: &[NewVersion],
) -> Result<Vec<String>, AppError> {
    let mut hashes = Vec::with_capacity(versions.len());
    for chunk in versions.chunks(BATCH) {
        let mut rows = Vec::with_capacity(chunk.len());
        for v in chunk {
            let body = body_json(&v.declaration)?;
            let sha = sha256_hex(&body);
            hashes.push(sha.clone());
            rows.push(declaration_version::ActiveModel {
                id: Set(v.id),
                application_id: Set(v.application_id),
                version: Set(v.version),
                body: Set(body),
                body_sha256: Set(sha),
                author_id: Set(v.author),
                source: Set(v.source),
                submitted_at: Set(v.submitted_at),
                reason: Set(v.reason.clone()),
            });
        }
        declaration_version::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    let methods: Vec<_> = versions
        .iter()
        .flat_map(|v| {
            rules::flatten(&v.declaration).into_iter().map(move |r| {
                declaration_method::ActiveModel {
                    version_id: Set(v.id),
                    population_key: Set(r.population),
                    role: Set(r.role),
                    position: Set(r.position),
                    path: Set(r.path),
                    method_key: Set(r.method),
                }
            })
        })
        .collect();
    for chunk in methods.chunks(BATCH) {
        declaration_method::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(hashes)
}

async fn latest<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
) -> Result<Option<declaration_version::Model>, AppError> {
    Ok(declaration_version::Entity::find()
        .filter(declaration_version::Column::ApplicationId.eq(app))
        .order_by_desc(declaration_version::Column::Version)
        .one(db)
        .await?)
}

/// The version in force at `at`: the last one submitted at or before it.
async fn as_of<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
    at: OffsetDateTime,
) -> Result<Option<declaration_version::Model>, AppError> {
    Ok(declaration_version::Entity::find()
        .filter(declaration_version::Column::ApplicationId.eq(app))
        .filter(declaration_version::Column::SubmittedAt.lte(at))
        .order_by_desc(declaration_version::Column::SubmittedAt)
        .order_by_desc(declaration_version::Column::Version)
        .one(db)
        .await?)
}

/// Newest first, with authors' names.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
) -> Result<Vec<VersionSummary>, AppError> {
    let rows = declaration_version::Entity::find()
        .filter(declaration_version::Column::ApplicationId.eq(app))
        .order_by_desc(declaration_version::Column::Version)
        .all(db)
        .await?;
    let authors = author_names(db, &rows).await?;
    Ok(rows.iter().map(|v| summary(v, &authors)).collect())
}

async fn author_names<C: ConnectionTrait>(
    db: &C,
    rows: &[declaration_version::Model],
) -> Result<BTreeMap<UserId, String>, AppError> {
    let ids: Vec<UserId> = rows.iter().filter_map(|v| v.author_id).collect();
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

fn summary(v: &declaration_version::Model, authors: &BTreeMap<UserId, String>) -> VersionSummary {
    let source = v.source;
    let author = match (v.author_id.and_then(|a| authors.get(&a)), source) {
        (Some(name), _) => name.clone(),
        (None, Source::Portal) => "unknown".into(),
        (None, other) => other.label().into(),
    };
    VersionSummary {
        id: v.id,
        version: v.version,
        author,
        author_id: v.author_id,
        source,
        submitted_at: display_time(v.submitted_at),
        sha256: v.body_sha256.clone(),
        reason: v.reason.clone(),
    }
}

/// The provider's declaration for a federated application, latest or in force at `at`.
async fn provider_declaration<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    at: Option<OffsetDateTime>,
) -> Result<Option<Declaration>, AppError> {
    let Some(provider) = app.provider_id else {
        return Ok(None);
    };
    let v = match at {
        Some(at) => as_of(db, provider, at).await?,
        None => latest(db, provider).await?,
    };
    v.map(|v| parse_body(&v.body)).transpose()
}

async fn detail_of<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    v: declaration_version::Model,
    at: Option<OffsetDateTime>,
) -> Result<VersionDetail, AppError> {
    let authors = author_names(db, std::slice::from_ref(&v)).await?;
    let declaration = parse_body(&v.body)?;
    let provider = provider_declaration(db, app, at).await?;
    Ok(VersionDetail {
        summary: summary(&v, &authors),
        effective: rules::effective(&declaration, provider.as_ref()),
        declaration,
        provider,
    })
}

/// What the application page asks to see.
#[derive(Clone, Debug, Default)]
pub struct ShowQuery {
    pub version: Option<i32>,
    /// `YYYY-MM-DD`: the version in force at the end of that day (UTC).
    pub as_of: Option<String>,
    pub diff: Option<(i32, i32)>,
}

pub async fn show<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    id: ApplicationId,
    q: &ShowQuery,
) -> Result<DeclarationShown, AppError> {
    let (app, owners) = load(db, id).await?;
    let names = names(db).await?;
    let by_number = |n: i32| {
        declaration_version::Entity::find()
            .filter(declaration_version::Column::ApplicationId.eq(app.id))
            .filter(declaration_version::Column::Version.eq(n))
            .one(db)
    };
    let mut shown_as_of = None;
    let version = if let Some(date) = &q.as_of {
        let day = rules::parse_date(date.trim())
            .ok_or_else(|| AppError::validation("as_of", "Write the date as YYYY-MM-DD."))?;
        let end =
            day.next_day().unwrap_or(day).midnight().assume_utc() - time::Duration::nanoseconds(1);
        shown_as_of = Some(day.to_string());
        match as_of(db, app.id, end).await? {
            Some(v) => Some(detail_of(db, &app, v, Some(end)).await?),
            None => None,
        }
    } else {
        let v = match q.version {
            Some(n) => Some(by_number(n).await?.ok_or(AppError::NotFound)?),
            None => latest(db, app.id).await?,
        };
        match v {
            Some(v) => Some(detail_of(db, &app, v, None).await?),
            None => None,
        }
    };
    let diff = match q.diff {
        Some((a, b)) => {
            let va = by_number(a).await?.ok_or(AppError::NotFound)?;
            let vb = by_number(b).await?.ok_or(AppError::NotFound)?;
            let changes = rules::diff(
                &parse_body(&va.body)?,
                &parse_body(&vb.body)?,
                &names,
                &method_ranks(db).await?,
            );
            Some((a, b, changes))
        }
        None => None,
    };
    let draft_saved_at = declaration_draft::Entity::find_by_id(app.id)
        .one(db)
        .await?
        .map(|d| display_time(d.updated_at));
    let provider = match app.provider_id {
        Some(p) => application::Entity::find_by_id(p)
            .one(db)
            .await?
            .map(NamedRef::from),
        None => None,
    };
    // Nothing of its own to show: a federated application still has the provider's journey.
    let federated = app.integration == Integration::Federated;
    let inherited = match (&version, federated) {
        (None, true) if shown_as_of.is_none() => {
            let served = served_populations(db, app.id).await?;
            provider_declaration(db, &app, None).await?.map(|p| {
                let own = Declaration {
                    populations: served
                        .iter()
                        .map(|key| PopulationJourney {
                            population: key.clone(),
                            ..Default::default()
                        })
                        .collect(),
                    break_glass: None,
                };
                rules::effective(&own, Some(&p))
            })
        }
        _ => None,
    };
    Ok(DeclarationShown {
        application_id: id,
        version,
        inherited,
        as_of: shown_as_of,
        diff,
        names,
        history: versions(db, id).await?,
        draft_saved_at,
        can_edit: can_edit(viewer, &owners) && !app.archived,
        federated,
        provider,
    })
}

/// The catalogue's strength rank of every method (lower is stronger), retired ones included:
/// what tells whether a change strengthens or weakens a journey.
async fn method_ranks<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<String, i32>, AppError> {
    Ok(auth_method::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.key, m.strength_rank))
        .collect())
}

/// The editor's content: the draft, else the latest version, else the standard journey, fitted to
/// the populations the application serves today.
pub async fn editor<C: ConnectionTrait>(
    db: &C,
    editor: &Granted<Editors>,
    id: ApplicationId,
) -> Result<DeclarationEditor, AppError> {
    let (app, _) = load_for_change(db, editor, id, false).await?;
    let federated = app.integration == Integration::Federated;
    let served = served_populations(db, app.id).await?;
    let names = names(db).await?;
    let draft = declaration_draft::Entity::find_by_id(app.id)
        .one(db)
        .await?;
    // New journeys start from the standard policy's standard journey.
    let (_, standard) = current_policy(db).await?;
    let (declaration, origin, draft_saved) = match draft {
        Some(d) => {
            let by = display_name_of(db, d.updated_by).await?;
            (
                parse_body(&d.body)?,
                DraftOrigin::Draft,
                Some((display_time(d.updated_at), by)),
            )
        }
        None => match latest(db, app.id).await? {
            Some(v) => (
                parse_body(&v.body)?,
                DraftOrigin::LatestVersion(v.version),
                None,
            ),
            None => (
                rules::defaults(&served, federated, &standard),
                DraftOrigin::Defaults,
                None,
            ),
        },
    };
    let provider_name = match app.provider_id {
        Some(p) => application::Entity::find_by_id(p)
            .one(db)
            .await?
            .map(|p| p.name),
        None => None,
    };
    let rows = auth_method::Entity::find()
        .filter(auth_method::Column::Active.eq(true))
        .order_by_asc(auth_method::Column::StrengthRank)
        .all(db)
        .await?;
    let traits: Vec<rules::MethodTraits> = rows
        .iter()
        .map(|m| rules::MethodTraits {
            key: m.key.clone(),
            name: m.name.clone(),
            max_aal: m.max_aal,
            phishing_resistant: m.phishing_resistant,
        })
        .collect();
    let weak = rules::weak_choices(&standard, app.criticality, &traits);
    let methods = rows
        .into_iter()
        .map(|m| {
            let caveats = [
                (!m.phishing_resistant, "phishable"),
                (m.restricted, "restricted"),
                (m.needs_personal_phone, "needs a personal phone"),
                (m.needs_managed_device, "needs a managed device"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, word)| word.to_string())
            .collect();
            MethodOption {
                key: m.key,
                name: m.name,
                max_aal: m.max_aal,
                caveats,
            }
        })
        .collect();
    let provider_declaration = if federated {
        provider_declaration(db, &app, None).await?
    } else {
        None
    };
    Ok(DeclarationEditor {
        application_id: id,
        application_name: app.name,
        federated,
        provider_name,
        provider_declaration,
        populations: served
            .iter()
            .map(|k| PopulationOption {
                key: k.clone(),
                name: names.population(k),
            })
            .collect(),
        methods,
        criticality: app.criticality.label().to_lowercase(),
        weak,
        declaration: rules::fit_to(&declaration, &served, federated, &standard),
        origin,
        draft_saved,
    })
}

/// Saves the draft and, when `submit`, turns it into the next immutable version (the draft is
/// then gone). A draft that cannot be submitted yet is still saved, so nothing typed is lost.
/// Returns the new version number when one was submitted.
pub async fn save(
    state: &AppState,
    editor: &Granted<Editors>,
    id: ApplicationId,
    form: &DeclarationForm,
    intent: Intent,
) -> Result<Option<i32>, AppError> {
    let user = editor.user();
    let txn = state.db.begin_write().await?;
    let (app, _) = load_for_change(&txn, editor, id, false).await?;
    let federated = app.integration == Integration::Federated;
    let served = served_populations(&txn, app.id).await?;
    let known = known(&txn).await?;
    let (declaration, mut checks) = rules::read_form(form, &served, &known);
    let now = state.now();
    let body = body_json(&declaration)?;
    let old = declaration_draft::Entity::find_by_id(app.id)
        .one(&txn)
        .await?;
    let before = old.as_ref().map(|d| parse_body(&d.body)).transpose()?;
    if matches!(intent, Intent::Submit | Intent::Review) {
        let names = names(&txn).await?;
        rules::submittable(&declaration, &served, federated, &names, &mut checks);
    }
    if !checks.is_empty() {
        // Keep what could be read as the draft (the page shows everything typed again), then
        // name every problem. A draft that would not change is not written again.
        if before.as_ref() != Some(&declaration) {
            write_draft(&txn, app.id, &body, user, now, old.is_some()).await?;
            audit_draft(&txn, now, user, id, before, &declaration).await?;
            txn.commit().await?;
        }
        return checks.finish().map(|()| None);
    }
    if intent == Intent::Submit {
        let number = submit_version(state, &txn, user, &app, declaration, None, now).await?;
        txn.commit().await?;
        return Ok(Some(number));
    }
    write_draft(&txn, app.id, &body, user, now, old.is_some()).await?;
    audit_draft(&txn, now, user, id, before, &declaration).await?;
    txn.commit().await?;
    Ok(None)
}

/// Makes `declaration` the application's next version (the draft, if any, is gone), audited
/// with the whole version, and judges the application again: all in `txn`.
async fn submit_version(
    state: &AppState,
    txn: &DatabaseTransaction,
    user: &CurrentUser,
    app: &application::Model,
    declaration: Declaration,
    reason: Option<String>,
    now: OffsetDateTime,
) -> Result<i32, AppError> {
    let number = latest(txn, app.id).await?.map_or(1, |v| v.version + 1);
    let version_id = DeclarationVersionId::new();
    let hashes = insert_versions(
        txn,
        &[NewVersion {
            id: version_id,
            application_id: app.id,
            version: number,
            declaration: declaration.clone(),
            author: Some(user.id),
            source: Source::Portal,
            submitted_at: now,
            reason: reason.clone(),
        }],
    )
    .await?;
    declaration_draft::Entity::delete_by_id(app.id)
        .exec(txn)
        .await?;
    record(
        txn,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::DeclarationSubmitted,
            subject_type: "application",
            subject_id: app.id.to_string(),
            before: None,
            after: Some(json!({
                "application": app.name,
                "version_id": version_id,
                "version": number,
                "sha256": hashes.first(),
                "reason": reason,
                "declaration": declaration,
            })),
        },
    )
    .await?;
    state
        .derived
        .refresh(txn, Changed::Applications(vec![app.id]), now)
        .await?;
    Ok(number)
}

/// The display name of the person who saved a draft (empty when unknown).
async fn display_name_of<C: ConnectionTrait>(
    db: &C,
    user: Option<UserId>,
) -> Result<String, AppError> {
    Ok(match user {
        Some(u) => app_user::Entity::find_by_id(u)
            .one(db)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// The stamp of a saved draft: a submission names the draft it reviewed (its content and when
/// it was saved).
fn draft_stamp(d: &declaration_draft::Model) -> String {
    sha256_hex(&format!(
        "{}\n{}",
        d.updated_at.unix_timestamp_nanos(),
        d.body
    ))
}

/// The review before submitting: the draft against the version in force and what still keeps
/// it from being submitted. Without a draft there is nothing to review.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    editor: &Granted<Editors>,
    id: ApplicationId,
) -> Result<DeclarationReview, AppError> {
    let (app, _) = load_for_change(db, editor, id, false).await?;
    let in_force = latest(db, app.id).await?;
    let Some(draft) = declaration_draft::Entity::find_by_id(app.id)
        .one(db)
        .await?
    else {
        // Nothing to review (submitted or discarded meanwhile): the page says so.
        return Ok(DeclarationReview {
            application_id: app.id,
            application_name: app.name.clone(),
            in_force: in_force.as_ref().map(|v| v.version),
            next_version: in_force.as_ref().map_or(1, |v| v.version + 1),
            draft_saved: None,
            draft_stamp: String::new(),
            changes: Vec::new(),
            problems: vec![crate::error::Problem {
                field: "draft".into(),
                message: "There is no draft to review: edit the declaration first.".into(),
            }],
        });
    };
    let proposed = parse_body(&draft.body)?;
    let current = in_force.as_ref().map(|v| parse_body(&v.body)).transpose()?;
    let names = names(db).await?;
    let served = served_populations(db, app.id).await?;
    let mut checks = Checks::new();
    checks.check(rules::validate(&proposed, &served, &known(db).await?));
    rules::submittable(
        &proposed,
        &served,
        app.integration == Integration::Federated,
        &names,
        &mut checks,
    );
    let by = display_name_of(db, draft.updated_by).await?;
    Ok(DeclarationReview {
        application_id: app.id,
        application_name: app.name.clone(),
        in_force: in_force.as_ref().map(|v| v.version),
        next_version: in_force.as_ref().map_or(1, |v| v.version + 1),
        draft_saved: Some((display_time(draft.updated_at), by)),
        draft_stamp: draft_stamp(&draft),
        // A first version is compared with empty journeys: every entry it declares is listed.
        changes: rules::diff(
            &current.unwrap_or_else(|| Declaration {
                populations: proposed
                    .populations
                    .iter()
                    .map(|j| PopulationJourney {
                        population: j.population.clone(),
                        ..Default::default()
                    })
                    .collect(),
                break_glass: None,
            }),
            &proposed,
            &names,
            &method_ranks(db).await?,
        ),
        problems: checks.problems().to_vec(),
    })
}

/// Submits the draft that was reviewed (named by its stamp) as the next version, with the
/// reason given. A draft saved again since the review is refused: review it again.
pub async fn submit_draft(
    state: &AppState,
    editor: &Granted<Editors>,
    id: ApplicationId,
    stamp: &str,
    reason: &str,
) -> Result<i32, AppError> {
    let user = editor.user();
    let reason = validate_text_block("reason", reason, REASON_MAX)?;
    let txn = state.db.begin_write().await?;
    let (app, _) = load_for_change(&txn, editor, id, false).await?;
    let draft = declaration_draft::Entity::find_by_id(app.id)
        .one(&txn)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "There is no draft to submit: it was submitted or discarded meanwhile.".into(),
            )
        })?;
    if draft_stamp(&draft) != stamp {
        return Err(AppError::Conflict(
            "The draft was saved again since you reviewed it: review the differences again.".into(),
        ));
    }
    let served = served_populations(&txn, app.id).await?;
    let declaration = rules::validate(&parse_body(&draft.body)?, &served, &known(&txn).await?)?;
    let names = names(&txn).await?;
    rules::check_submittable(
        &declaration,
        &served,
        app.integration == Integration::Federated,
        &names,
    )?;
    let now = state.now();
    let reason = (!reason.is_empty()).then_some(reason);
    let number = submit_version(state, &txn, user, &app, declaration, reason, now).await?;
    txn.commit().await?;
    Ok(number)
}

/// The draft of an application its editor may change, if there is one (what a preview of the
/// draft's findings judges).
pub async fn draft_of<C: ConnectionTrait>(
    db: &C,
    editor: &Granted<Editors>,
    id: ApplicationId,
) -> Result<Option<Declaration>, AppError> {
    let (app, _) = load_for_change(db, editor, id, false).await?;
    declaration_draft::Entity::find_by_id(app.id)
        .one(db)
        .await?
        .map(|d| parse_body(&d.body))
        .transpose()
}

async fn write_draft<C: ConnectionTrait>(
    db: &C,
    app: ApplicationId,
    body: &str,
    user: &CurrentUser,
    now: OffsetDateTime,
    exists: bool,
) -> Result<(), AppError> {
    let row = declaration_draft::ActiveModel {
        application_id: Set(app),
        body: Set(body.to_string()),
        updated_by: Set(Some(user.id)),
        updated_at: Set(now),
    };
    if exists {
        declaration_draft::Entity::update(row).exec(db).await?;
    } else {
        declaration_draft::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

async fn audit_draft<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    user: &CurrentUser,
    id: ApplicationId,
    before: Option<Declaration>,
    after: &Declaration,
) -> Result<(), AppError> {
    record(
        db,
        now,
        NewAuditEvent {
            actor: Actor::User(user.id),
            action: AuditAction::DeclarationDraftSaved,
            subject_type: "application",
            subject_id: id.to_string(),
            before: before.map(|b| json!(b)),
            after: Some(json!(after)),
        },
    )
    .await?;
    Ok(())
}

/// Throws the draft away (the latest version stays as it is).
pub async fn discard_draft(
    state: &AppState,
    editor: &Granted<Editors>,
    id: ApplicationId,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    load_for_change(&txn, editor, id, false).await?;
    let Some(old) = declaration_draft::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(());
    };
    declaration_draft::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    record(
        &txn,
        state.now(),
        NewAuditEvent {
            actor: Actor::User(editor.id()),
            action: AuditAction::DeclarationDraftDiscarded,
            subject_type: "application",
            subject_id: id.to_string(),
            before: Some(json!(parse_body(&old.body)?)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

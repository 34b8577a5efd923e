//! Applications: queries and persistence. Every change is audited in its own transaction.

use super::model::{
    ApplicationDetail, ApplicationFilter, ApplicationForm, ApplicationList, ApplicationSummary,
    Criticality, EditableApplication, Editors, FormOptions, Lifecycle, ListOptions, ListSort,
    NamedRef, OWNER_SEARCH_LIMIT, OwnerChoice, OwnerFilter, PAGE_SIZE, PersonRef, StatusFilter,
};
use super::rules::{self, Allowed, CheckedApplication, NewApplication};
use crate::accounts::facade::{Person, find_people, search_people};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, head as audit_head, record};
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::notifications::facade::{Notice, notify};
use crate::session::facade::Granted;
use crate::session::model::{CurrentUser, Role, UserStatus};
use crate::ssr::clock::display_time;
use crate::ssr::db::{BATCH, contains_pattern};
use crate::ssr::derived::Changed;
use crate::ssr::entities::{
    app_user, application, application_owner, application_population, application_tag,
    business_unit, declaration_draft, declaration_version, population,
};
use crate::ssr::paging::{KeysetPage, Order, SortKey, keyset_by, keyset_page};
use crate::ssr::remembered::Remembered;
use crate::ssr::state::AppState;
use crate::validation::Checks;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

impl From<application::Model> for NamedRef<ApplicationId> {
    fn from(a: application::Model) -> Self {
        Self {
            id: a.id,
            name: a.name,
        }
    }
}

impl From<business_unit::Model> for NamedRef<BusinessUnitId> {
    fn from(b: business_unit::Model) -> Self {
        Self {
            id: b.id,
            name: b.name,
        }
    }
}

/// Inserts applications with their owners, populations and tags, in batches.
pub async fn insert_applications<C: ConnectionTrait>(
    db: &C,
    apps: &[NewApplication],
    now: OffsetDateTime,
) -> Result<(), AppError> {
    for chunk in apps.chunks(BATCH) {
        application::Entity::insert_many(chunk.iter().map(|n| application::ActiveModel {
            id: Set(n.id),
            name: Set(n.app.name.clone()),
            name_key: Set(rules::name_key(&n.app.name)),
            description: Set(n.app.description.clone()),
            business_unit_id: Set(n.app.business_unit),
            criticality: Set(n.app.criticality),
            integration: Set(n.app.integration),
            lifecycle: Set(n.app.lifecycle),
            is_identity_provider: Set(n.app.is_identity_provider),
            provider_id: Set(n.app.provider),
            archived: Set(n.archived),
            created_at: Set(now),
            updated_at: Set(now),
        }))
        .exec_without_returning(db)
        .await
        .map_err(AppError::taken(
            "name",
            "An application with this name exists.",
        ))?;
    }
    insert_children(db, apps.iter().map(|n| (n.id, &n.app))).await
}

async fn insert_children<'a, C: ConnectionTrait>(
    db: &C,
    apps: impl Iterator<Item = (ApplicationId, &'a CheckedApplication)> + Clone,
) -> Result<(), AppError> {
    let owners: Vec<_> = apps
        .clone()
        .flat_map(|(id, a)| {
            a.owners
                .iter()
                .map(move |u| application_owner::ActiveModel {
                    application_id: Set(id),
                    user_id: Set(*u),
                })
        })
        .collect();
    for chunk in owners.chunks(BATCH) {
        application_owner::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let pops: Vec<_> = apps
        .clone()
        .flat_map(|(id, a)| {
            a.populations
                .iter()
                .map(move |p| application_population::ActiveModel {
                    application_id: Set(id),
                    population_key: Set(p.clone()),
                })
        })
        .collect();
    for chunk in pops.chunks(BATCH) {
        application_population::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let tags: Vec<_> = apps
        .flat_map(|(id, a)| {
            a.tags.iter().map(move |t| application_tag::ActiveModel {
                application_id: Set(id),
                tag: Set(t.clone()),
            })
        })
        .collect();
    for chunk in tags.chunks(BATCH) {
        application_tag::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn person(u: app_user::Model) -> PersonRef {
    PersonRef {
        id: u.id,
        name: u.display_name,
        username: u.username,
    }
}

/// The choices of the application form (three queries; no people).
pub async fn form_options<C: ConnectionTrait>(db: &C) -> Result<FormOptions, AppError> {
    let business_units = business_unit::Entity::find()
        .filter(business_unit::Column::Active.eq(true))
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(NamedRef::from)
        .collect();
    let populations = active_populations(db)
        .await?
        .into_iter()
        .map(|p| (p.key, p.name))
        .collect();
    let providers = application::Entity::find()
        .filter(application::Column::IsIdentityProvider.eq(true))
        .filter(application::Column::Archived.eq(false))
        .order_by_asc(application::Column::NameKey)
        .all(db)
        .await?
        .into_iter()
        .map(NamedRef::from)
        .collect();
    Ok(FormOptions {
        business_units,
        populations,
        providers,
    })
}

/// Active populations in catalogue order (by name).
pub async fn active_populations<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<population::Model>, AppError> {
    Ok(population::Entity::find()
        .filter(population::Column::Active.eq(true))
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?)
}

/// What an application's facts are checked against, the owners narrowed to those of `owners`
/// who may own applications (one query per thousand owners; never the estate's people).
pub async fn allowed<C: ConnectionTrait>(
    db: &C,
    editing: Option<&application::Model>,
    owners: &[UserId],
) -> Result<Allowed, AppError> {
    let eligible = find_people(db, owners, &[], Role::Owner)
        .await?
        .into_iter()
        .filter(Person::eligible)
        .map(|p| p.id)
        .collect();
    allowed_with(db, editing, eligible).await
}

/// What an application's facts are checked against, with the owners already resolved.
async fn allowed_with<C: ConnectionTrait>(
    db: &C,
    editing: Option<&application::Model>,
    owners: BTreeSet<UserId>,
) -> Result<Allowed, AppError> {
    let options = form_options(db).await?;
    let mut business_units: BTreeSet<BusinessUnitId> =
        options.business_units.iter().map(|b| b.id).collect();
    let mut populations: Vec<String> = options.populations.iter().map(|p| p.0.clone()).collect();
    let mut providers: BTreeSet<ApplicationId> = options.providers.iter().map(|p| p.id).collect();
    if let Some(app) = editing {
        // Keep what the application already has even if it was retired since (a provider its
        // owner archived included: archiving never edits the applications federated through it).
        business_units.extend(app.business_unit_id);
        if let Some(p) = app.provider_id {
            let still_provider = application::Entity::find_by_id(p)
                .filter(application::Column::IsIdentityProvider.eq(true))
                .count(db)
                .await?
                > 0;
            if still_provider {
                providers.insert(p);
            }
        }
        let current: Vec<String> = application_population::Entity::find()
            .filter(application_population::Column::ApplicationId.eq(app.id))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.population_key)
            .collect();
        for p in current {
            if !populations.contains(&p) {
                populations.push(p);
            }
        }
    }
    Ok(Allowed {
        business_units,
        populations,
        owners,
        providers,
        editing: editing.map(|a| a.id),
    })
}

/// `people` as the form names them: "Display name (username)", joined.
fn named(people: &[&Person]) -> String {
    people
        .iter()
        .map(|p| format!("{} ({})", p.display_name, p.username))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The owners a form names, the ticked ones (by id) and those typed in "Add owners" (by user
/// name), resolved and checked in one query: each must hold the owner role and not be
/// disabled. A typed name that is unknown or cannot own is refused on `add_owners` and a ticked
/// owner who cannot own on `owners`, naming them. Returns the owners, each once, in form order.
pub async fn resolve_owners<C: ConnectionTrait>(
    db: &C,
    ticked: &[UserId],
    typed: &[String],
) -> Result<Vec<UserId>, AppError> {
    let people = find_people(db, ticked, typed, Role::Owner).await?;
    let by_id: BTreeMap<UserId, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let by_name: BTreeMap<&str, &Person> =
        people.iter().map(|p| (p.username.as_str(), p)).collect();

    let cannot_own: Vec<&Person> = ticked
        .iter()
        .filter_map(|id| by_id.get(id).copied())
        .filter(|p| !p.eligible())
        .collect();
    if ticked.iter().any(|id| !by_id.contains_key(id)) {
        return Err(AppError::validation(
            "owners",
            "Owners must hold the owner role, with an account that is not disabled.",
        ));
    }
    if !cannot_own.is_empty() {
        return Err(AppError::validation(
            "owners",
            format!(
                "Owners must hold the owner role, with an account that is not disabled; untick {}.",
                named(&cannot_own)
            ),
        ));
    }

    let unknown: Vec<&str> = typed
        .iter()
        .map(String::as_str)
        .filter(|n| !by_name.contains_key(n))
        .collect();
    let typed_people: Vec<&Person> = typed
        .iter()
        .filter_map(|n| by_name.get(n.as_str()).copied())
        .collect();
    let without_role: Vec<&Person> = typed_people
        .iter()
        .copied()
        .filter(|p| !p.holds_role)
        .collect();
    let disabled: Vec<&Person> = typed_people
        .iter()
        .copied()
        .filter(|p| p.holds_role && p.status == UserStatus::Disabled)
        .collect();
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!(
            "No account has the user name {}.",
            unknown.join(", ")
        ));
    }
    if !without_role.is_empty() {
        problems.push(format!(
            "Without the owner role (an administrator grants it on the Users page): {}.",
            named(&without_role)
        ));
    }
    if !disabled.is_empty() {
        problems.push(format!("Disabled: {}.", named(&disabled)));
    }
    if !problems.is_empty() {
        return Err(AppError::validation("add_owners", problems.join(" ")));
    }

    let mut owners: Vec<UserId> = Vec::with_capacity(ticked.len() + typed.len());
    for id in ticked
        .iter()
        .copied()
        .chain(typed_people.iter().map(|p| p.id))
    {
        if !owners.contains(&id) {
            owners.push(id);
        }
    }
    Ok(owners)
}

/// At most [`OWNER_SEARCH_LIMIT`] people who may own applications (owner role, not disabled)
/// whose user name or display name contains `q`, for the owner picker (one query).
pub async fn search_owners<C: ConnectionTrait>(
    db: &C,
    _editor: &Granted<Editors>,
    q: &str,
) -> Result<Vec<PersonRef>, AppError> {
    Ok(search_people(db, q, Role::Owner, OWNER_SEARCH_LIMIT)
        .await?
        .into_iter()
        .map(|p| PersonRef {
            id: p.id,
            name: p.display_name,
            username: p.username,
        })
        .collect())
}

pub fn snapshot(a: &CheckedApplication) -> Value {
    json!({
        "name": a.name,
        "description": a.description,
        "business_unit_id": a.business_unit,
        "criticality": a.criticality.as_str(),
        "integration": a.integration.as_str(),
        "lifecycle": a.lifecycle.as_str(),
        "is_identity_provider": a.is_identity_provider,
        "provider_id": a.provider,
        "owners": a.owners,
        "populations": a.populations,
        "tags": a.tags,
    })
}

async fn audit<C: ConnectionTrait>(
    db: &C,
    now: OffsetDateTime,
    actor: &CurrentUser,
    action: AuditAction,
    id: ApplicationId,
    before: Option<Value>,
    after: Value,
) -> Result<(), AppError> {
    record(
        db,
        now,
        NewAuditEvent {
            actor: Actor::User(actor.id),
            action,
            subject_type: "application",
            subject_id: id.to_string(),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Tells the people `editor` made owners of application `id` (not the editor themselves): one
/// notification each, in the change's transaction. The change's own audit event lists the owners
/// before and after.
async fn tell_new_owners(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    editor: &CurrentUser,
    id: ApplicationId,
    name: &str,
    added: Vec<UserId>,
) -> Result<(), AppError> {
    let added: Vec<UserId> = added.into_iter().filter(|u| *u != editor.id).collect();
    if added.is_empty() {
        return Ok(());
    }
    notify(
        txn,
        now,
        Notice {
            users: added.clone(),
            subject_type: "application",
            subject_id: id.to_string(),
            text: format!(
                "{} made you an owner of {name}. Remove yourself from its owners if it is not yours.",
                editor.display_name
            ),
            link: format!("/applications/{id}"),
            event: "application.owners_added",
            event_key: format!("application.owners_added:{id}:{}", uuid::Uuid::new_v4()),
            payload: json!({
                "application_id": id.to_string(),
                "name": name,
                "added": added.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
                "by": editor.id.to_string(),
            }),
        },
    )
    .await
}

/// Registers an application. An owner who is not security or admin always owns what they create.
pub async fn create(
    state: &AppState,
    editor: &Granted<Editors>,
    form: &ApplicationForm,
) -> Result<ApplicationId, AppError> {
    let user = editor.user();
    let mut input = rules::input_from_form(form)?;
    let mut checks = Checks::new();
    let typed = checks
        .check(rules::owner_names(&form.add_owners))
        .unwrap_or_default();
    if !user.has_any(&[Role::Security, Role::Admin]) && !input.owners.contains(&user.id) {
        input.owners.push(user.id);
    }
    let txn = state.db.begin_write().await?;
    if let Some(owners) = checks.check(resolve_owners(&txn, &input.owners, &typed).await) {
        input.owners = owners;
    }
    let owners = input.owners.iter().copied().collect();
    let checked = checks.check(rules::check(
        &input,
        &allowed_with(&txn, None, owners).await?,
    ));
    let checked = checks
        .done(checked)?
        .ok_or_else(|| AppError::validation("name", "Check the facts."))?;
    let id = ApplicationId::new();
    let now = state.now();
    insert_applications(
        &txn,
        &[NewApplication {
            id,
            app: checked.clone(),
            archived: false,
        }],
        now,
    )
    .await?;
    audit(
        &txn,
        now,
        user,
        AuditAction::ApplicationCreated,
        id,
        None,
        snapshot(&checked),
    )
    .await?;
    tell_new_owners(&txn, now, user, id, &checked.name, checked.owners.clone()).await?;
    state
        .derived
        .refresh(&txn, Changed::Applications(vec![id]), now)
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// The application and its owners, or `NotFound`.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
) -> Result<(application::Model, Vec<UserId>), AppError> {
    let app = application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let owners = application_owner::Entity::find()
        .filter(application_owner::Column::ApplicationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.user_id)
        .collect();
    Ok((app, owners))
}

/// Loads the application for a change by `user`: it must exist, the user must be allowed to edit
/// it, and (unless `archived_ok`) it must not be archived.
pub async fn load_for_change<C: ConnectionTrait>(
    db: &C,
    editor: &Granted<Editors>,
    id: ApplicationId,
    archived_ok: bool,
) -> Result<(application::Model, Vec<UserId>), AppError> {
    let user = editor.user();
    // One change at a time per application (PostgreSQL; SQLite's write transaction already is).
    application::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?;
    let (app, owners) = load(db, id).await?;
    if !rules::can_edit(user, &owners) {
        return Err(AppError::Forbidden);
    }
    if app.archived && !archived_ok {
        return Err(AppError::Conflict(
            "This application is archived: restore it before changing it.".into(),
        ));
    }
    Ok((app, owners))
}

/// The stored facts of an application, as a checked value (for audit snapshots).
async fn current<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    owners: Vec<UserId>,
) -> Result<CheckedApplication, AppError> {
    let populations = application_population::Entity::find()
        .filter(application_population::Column::ApplicationId.eq(app.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.population_key)
        .collect();
    let tags = tags_of(db, app.id).await?;
    Ok(CheckedApplication {
        name: app.name.clone(),
        description: app.description.clone(),
        business_unit: app.business_unit_id,
        criticality: app.criticality,
        integration: app.integration,
        lifecycle: app.lifecycle,
        is_identity_provider: app.is_identity_provider,
        provider: app.provider_id,
        owners,
        populations,
        tags,
    })
}

/// Edits an application's facts.
pub async fn update(
    state: &AppState,
    editor: &Granted<Editors>,
    id: ApplicationId,
    form: &ApplicationForm,
) -> Result<(), AppError> {
    let mut input = rules::input_from_form(form)?;
    let mut checks = Checks::new();
    let typed = checks
        .check(rules::owner_names(&form.add_owners))
        .unwrap_or_default();
    let txn = state.db.begin_write().await?;
    let (app, owners) = load_for_change(&txn, editor, id, false).await?;
    let user = editor.user();
    if let Some(owners) = checks.check(resolve_owners(&txn, &input.owners, &typed).await) {
        input.owners = owners;
    }
    let named = input.owners.iter().copied().collect();
    let checked = checks.check(rules::check(
        &input,
        &allowed_with(&txn, Some(&app), named).await?,
    ));
    let checked = checks
        .done(checked)?
        .ok_or_else(|| AppError::validation("name", "Check the facts."))?;
    if app.is_identity_provider && !checked.is_identity_provider {
        let dependants = application::Entity::find()
            .filter(application::Column::ProviderId.eq(app.id))
            .count(&txn)
            .await?;
        if dependants > 0 {
            return Err(AppError::validation(
                "identity_provider",
                format!("{dependants} application(s) federate through this one: move them first."),
            ));
        }
    }
    let before = current(&txn, &app, owners).await?;
    application::Entity::update(application::ActiveModel {
        id: Set(app.id),
        name: Set(checked.name.clone()),
        name_key: Set(rules::name_key(&checked.name)),
        description: Set(checked.description.clone()),
        business_unit_id: Set(checked.business_unit),
        criticality: Set(checked.criticality),
        integration: Set(checked.integration),
        lifecycle: Set(checked.lifecycle),
        is_identity_provider: Set(checked.is_identity_provider),
        provider_id: Set(checked.provider),
        updated_at: Set(state.now()),
        ..Default::default()
    })
    .exec(&txn)
    .await
    .map_err(AppError::taken(
        "name",
        "An application with this name exists.",
    ))?;
    application_owner::Entity::delete_many()
        .filter(application_owner::Column::ApplicationId.eq(app.id))
        .exec(&txn)
        .await?;
    application_population::Entity::delete_many()
        .filter(application_population::Column::ApplicationId.eq(app.id))
        .exec(&txn)
        .await?;
    application_tag::Entity::delete_many()
        .filter(application_tag::Column::ApplicationId.eq(app.id))
        .exec(&txn)
        .await?;
    insert_children(&txn, std::iter::once((id, &checked))).await?;
    audit(
        &txn,
        state.now(),
        user,
        AuditAction::ApplicationUpdated,
        id,
        Some(snapshot(&before)),
        snapshot(&checked),
    )
    .await?;
    let added = checked
        .owners
        .iter()
        .filter(|u| !before.owners.contains(u))
        .copied()
        .collect();
    tell_new_owners(&txn, state.now(), user, id, &checked.name, added).await?;
    state
        .derived
        .refresh(&txn, Changed::Applications(vec![id]), state.now())
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Archives or restores an application. Archiving an identity provider others federate through
/// is its owners' call alone: the applications federated through it keep naming it (nobody's
/// application is edited behind their back) and are still judged on its journey, and their owners
/// are notified in the same transaction to choose another provider.
pub async fn set_archived(
    state: &AppState,
    editor: &Granted<Editors>,
    id: ApplicationId,
    archived: bool,
) -> Result<(), AppError> {
    let txn = state.db.begin_write().await?;
    let (app, _) = load_for_change(&txn, editor, id, true).await?;
    let user = editor.user();
    if app.archived == archived {
        return Ok(());
    }
    let dependants: Vec<ApplicationId> = if archived && app.is_identity_provider {
        application::Entity::find()
            .select_only()
            .column(application::Column::Id)
            .filter(application::Column::ProviderId.eq(app.id))
            .filter(application::Column::Archived.eq(false))
            .order_by_asc(application::Column::Id)
            .into_tuple()
            .all(&txn)
            .await?
    } else {
        Vec::new()
    };
    let now = state.now();
    application::Entity::update(application::ActiveModel {
        id: Set(app.id),
        archived: Set(archived),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let mut after = json!({ "name": app.name, "archived": archived });
    if !dependants.is_empty() {
        after["federated_through_it"] =
            json!(dependants.iter().map(|d| d.to_string()).collect::<Vec<_>>());
    }
    audit(
        &txn,
        now,
        user,
        AuditAction::ApplicationArchived,
        id,
        Some(json!({ "name": app.name, "archived": app.archived })),
        after,
    )
    .await?;
    tell_dependants(&txn, now, user, &app, &dependants).await?;
    state
        .derived
        .refresh(&txn, Changed::Applications(vec![id]), now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Tells the owners of the applications federated through `provider`, just archived, to choose
/// another provider (one notification each, whatever the number of their applications).
async fn tell_dependants(
    txn: &DatabaseTransaction,
    now: OffsetDateTime,
    editor: &CurrentUser,
    provider: &application::Model,
    dependants: &[ApplicationId],
) -> Result<(), AppError> {
    if dependants.is_empty() {
        return Ok(());
    }
    let mut owners = Vec::new();
    for chunk in dependants.chunks(BATCH) {
        owners.extend(
            application_owner::Entity::find()
                .select_only()
                .column(application_owner::Column::UserId)
                .filter(application_owner::Column::ApplicationId.is_in(chunk.to_vec()))
                .into_tuple::<UserId>()
                .all(txn)
                .await?,
        );
    }
    owners.retain(|u| *u != editor.id);
    if owners.is_empty() {
        return Ok(());
    }
    notify(
        txn,
        now,
        Notice {
            users: owners,
            subject_type: "application",
            subject_id: provider.id.to_string(),
            text: format!(
                "{} archived {}, the identity provider {} active application(s) federate \
                 through. If one of yours does, choose another identity provider for it.",
                editor.display_name,
                provider.name,
                dependants.len()
            ),
            link: format!("/applications/{}", provider.id),
            event: "application.provider_archived",
            event_key: format!(
                "application.provider_archived:{}:{}",
                provider.id,
                uuid::Uuid::new_v4()
            ),
            payload: json!({
                "provider_id": provider.id.to_string(),
                "name": provider.name,
                "dependants": dependants.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "by": editor.id.to_string(),
            }),
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// How a page query reaches the rows a filter matches, chosen by how many match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Many match: walk the names in order and test each row (the membership filters as
    /// correlated `EXISTS` probes), stopping after a page.
    Walk,
    /// Few match: collect them (memberships as `IN` lists) and sort them.
    Collect,
}

/// Below one match in this many applications, the matches are collected and sorted rather than
/// found by walking the names (a walk reads about a page times this many rows).
const WALK_AT_LEAST_ONE_IN: u64 = 50;

/// `application.id` is in `table` where `key_column` is `value` (a membership filter: served
/// population, tag, owner), written for `reach`.
fn member_of<E: EntityTrait>(
    reach: Reach,
    app_column: E::Column,
    key_column: E::Column,
    value: impl Into<sea_orm::Value>,
) -> sea_orm::sea_query::SimpleExpr {
    let table = E::default();
    match reach {
        Reach::Collect => application::Column::Id.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(app_column)
                .from(table)
                .and_where(Expr::col(key_column).eq(value))
                .to_owned(),
        ),
        Reach::Walk => Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::val(1))
                .from(table)
                .and_where(
                    Expr::col((table, app_column))
                        .equals((application::Entity, application::Column::Id)),
                )
                .and_where(Expr::col((table, key_column)).eq(value))
                .to_owned(),
        ),
    }
}

/// The applications a filter matches, as a condition (the position aside).
fn matching(
    backend: DbBackend,
    viewer: &CurrentUser,
    filter: &ApplicationFilter,
    reach: Reach,
) -> Condition {
    let mut cond = Condition::all();
    match filter.status {
        StatusFilter::Archived => cond = cond.add(application::Column::Archived.eq(true)),
        StatusFilter::All => {}
        StatusFilter::Active => cond = cond.add(application::Column::Archived.eq(false)),
    }
    let q = filter.q.trim();
    if !q.is_empty() {
        // SQLite's LIKE ignores ASCII case already (and its lower() folds nothing else), so
        // lower() there would only cost a call per row; PostgreSQL's LIKE needs it.
        let description = match backend {
            DbBackend::Sqlite => Expr::col(application::Column::Description),
            _ => Expr::expr(Func::lower(Expr::col(application::Column::Description))),
        };
        cond = cond.add(
            Condition::any()
                .add(Expr::col(application::Column::NameKey).like(contains_pattern(q)))
                .add(description.like(contains_pattern(q))),
        );
    }
    if let Some(bu) = filter.business_unit {
        cond = cond.add(application::Column::BusinessUnitId.eq(bu));
    }
    if let Some(c) = filter.criticality {
        cond = cond.add(application::Column::Criticality.eq(c));
    }
    if let Some(i) = filter.integration {
        cond = cond.add(application::Column::Integration.eq(i));
    }
    if let Some(l) = filter.lifecycle {
        cond = cond.add(application::Column::Lifecycle.eq(l));
    }
    if let Some(p) = filter.provider {
        cond = cond.add(application::Column::ProviderId.eq(p));
    }
    let population = filter.population.trim();
    if !population.is_empty() {
        cond = cond.add(member_of::<application_population::Entity>(
            reach,
            application_population::Column::ApplicationId,
            application_population::Column::PopulationKey,
            population,
        ));
    }
    let tag = filter.tag.trim();
    if !tag.is_empty() {
        cond = cond.add(member_of::<application_tag::Entity>(
            reach,
            application_tag::Column::ApplicationId,
            application_tag::Column::Tag,
            tag,
        ));
    }
    if filter.owner == OwnerFilter::Mine {
        cond = cond.add(member_of::<application_owner::Entity>(
            reach,
            application_owner::Column::ApplicationId,
            application_owner::Column::UserId,
            viewer.id,
        ));
    }
    cond
}

/// What a filter's count is remembered under: the search and filters as the address carries
/// them, and the viewer when the filter is "mine".
fn count_key(viewer: &CurrentUser, filter: &ApplicationFilter) -> String {
    // The order changes no count.
    let trimmed = ApplicationFilter {
        q: filter.q.trim().to_string(),
        sort: ListSort::default(),
        ..filter.clone()
    };
    let mut key = String::from("applications");
    for (k, v) in trimmed.query_pairs() {
        key.push_str(&format!("&{k}={}", crate::components::encode_component(&v)));
    }
    if filter.owner == OwnerFilter::Mine {
        key.push_str(&format!("&viewer={}", viewer.id));
    }
    key
}

/// One page of applications matching the filter, in a fixed number of statements whatever the
/// estate's size and the page's depth: the audit head, the counts of the filter and of the estate
/// (only when the head moved since they were last counted), the page (keyset paging by name, reached by walking the names
/// or by collecting the few matches, as the count says) and on a later page one probe for a
/// neighbour, then for the page's rows only their owners, populations, versions (numbers and
/// dates), drafts and providers' names, the two small catalogues (business units, populations)
/// the filters offer, and the provider's name when the list is narrowed to one.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    remembered: &Remembered,
    viewer: &CurrentUser,
    filter: &ApplicationFilter,
) -> Result<ApplicationList, AppError> {
    let backend = db.get_database_backend();
    let at = audit_head(db).await?;
    let count = |cond: Condition| application::Entity::find().filter(cond).count(db);
    let total = remembered
        .figure(count_key(viewer, filter), &at, || {
            count(matching(backend, viewer, filter, Reach::Collect))
        })
        .await?;
    let estate = remembered
        .figure("applications&status=all".into(), &at, || {
            count(Condition::all())
        })
        .await?;
    // Knowing how many match out of how many, walk the names in order when many do (a page is
    // found early), or collect the few and sort them (a walk would read the estate to find them).
    let reach = if total * WALK_AT_LEAST_ONE_IN < estate {
        Reach::Collect
    } else {
        Reach::Walk
    };
    let cond = matching(backend, viewer, filter, reach);
    let matching = || application::Entity::find().filter(cond.clone());
    let KeysetPage {
        rows: apps,
        neighbours,
    } = match filter.sort {
        ListSort::Name => {
            keyset_page(
                db,
                matching,
                application::Column::NameKey,
                |a| a.name_key.as_str(),
                &filter.position,
                PAGE_SIZE,
                match reach {
                    Reach::Walk => Order::ByIndex,
                    Reach::Collect => Order::BySort,
                },
            )
            .await?
        }
        // Other orders are computed keys no index holds: the matching rows are sorted.
        sort => {
            keyset_by(
                db,
                matching,
                SortKey::computed(sort_key_sql(sort)),
                |a| rules::sort_key(sort, a.criticality, a.lifecycle, &a.name_key),
                &filter.position,
                PAGE_SIZE,
            )
            .await?
        }
    };
    let ids: Vec<ApplicationId> = apps.iter().map(|a| a.id).collect();

    let mut owners: BTreeMap<ApplicationId, Vec<String>> = BTreeMap::new();
    let mut populations: BTreeMap<ApplicationId, Vec<String>> = BTreeMap::new();
    let mut versions: BTreeMap<ApplicationId, (i32, OffsetDateTime)> = BTreeMap::new();
    let mut drafts: BTreeSet<ApplicationId> = BTreeSet::new();
    let mut providers: BTreeMap<ApplicationId, String> = BTreeMap::new();
    // Every population once (retired ones too: rows still name them), for rows and filters.
    let all_populations = population::Entity::find()
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?;
    if !ids.is_empty() {
        for (o, name) in owner_names(db, &ids).await? {
            owners.entry(o).or_default().push(name);
        }
        let names: BTreeMap<&str, &str> = all_populations
            .iter()
            .map(|p| (p.key.as_str(), p.name.as_str()))
            .collect();
        for (app, key) in application_population::Entity::find()
            .select_only()
            .column(application_population::Column::ApplicationId)
            .column(application_population::Column::PopulationKey)
            .filter(application_population::Column::ApplicationId.is_in(ids.clone()))
            .into_tuple::<(ApplicationId, String)>()
            .all(db)
            .await?
        {
            let name = names
                .get(key.as_str())
                .map_or(key.clone(), |n| n.to_string());
            populations.entry(app).or_default().push(name);
        }
        for names in populations.values_mut() {
            names.sort();
        }
        // Every version of the page's applications (numbers and dates only): the latest one
        // and when it was submitted.
        for (app, version, at) in declaration_version::Entity::find()
            .select_only()
            .column(declaration_version::Column::ApplicationId)
            .column(declaration_version::Column::Version)
            .column(declaration_version::Column::SubmittedAt)
            .filter(declaration_version::Column::ApplicationId.is_in(ids.clone()))
            .into_tuple::<(ApplicationId, i32, OffsetDateTime)>()
            .all(db)
            .await?
        {
            let latest = versions.entry(app).or_insert((version, at));
            if version > latest.0 {
                *latest = (version, at);
            }
        }
        drafts = declaration_draft::Entity::find()
            .select_only()
            .column(declaration_draft::Column::ApplicationId)
            .filter(declaration_draft::Column::ApplicationId.is_in(ids.clone()))
            .into_tuple::<ApplicationId>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        // Asked whether or not the page has federated applications: a page costs the same.
        providers = application_names(db, apps.iter().filter_map(|a| a.provider_id)).await?;
    }
    // The provider the list is narrowed to, named for the filter's label.
    let narrowed_to = match filter.provider {
        Some(p) => application_names(db, [p])
            .await?
            .into_iter()
            .next()
            .map(|(id, name)| NamedRef { id, name }),
        None => None,
    };
    // Every business unit once: names for the rows (inactive ones too), choices for the filter.
    let units = business_unit::Entity::find()
        .order_by_asc(business_unit::Column::Name)
        .all(db)
        .await?;
    let bu_names: BTreeMap<BusinessUnitId, String> =
        units.iter().map(|b| (b.id, b.name.clone())).collect();
    let options = ListOptions {
        business_units: units
            .into_iter()
            .filter(|b| b.active)
            .map(NamedRef::from)
            .collect(),
        provider: narrowed_to,
        populations: all_populations
            .into_iter()
            .filter(|p| p.active)
            .map(|p| (p.key, p.name))
            .collect(),
    };
    let rows = apps
        .into_iter()
        .map(|a| ApplicationSummary {
            id: a.id,
            business_unit: a.business_unit_id.and_then(|b| bu_names.get(&b).cloned()),
            criticality: a.criticality,
            integration: a.integration,
            lifecycle: a.lifecycle,
            is_identity_provider: a.is_identity_provider,
            archived: a.archived,
            owners: owners.remove(&a.id).unwrap_or_default(),
            populations: populations.remove(&a.id).unwrap_or_default(),
            provider: a.provider_id.map(|id| NamedRef {
                id,
                name: providers.get(&id).cloned().unwrap_or_default(),
            }),
            version: versions.get(&a.id).map(|v| v.0),
            has_draft: drafts.contains(&a.id),
            last_changed: versions
                .get(&a.id)
                .map_or(a.updated_at, |v| std::cmp::Ord::max(v.1, a.updated_at))
                .date()
                .to_string(),
            name: a.name,
        })
        .collect();
    Ok(ApplicationList {
        rows,
        total,
        neighbours,
        can_create: rules::can_create(viewer),
        options,
    })
}

/// The list's key for order `sort` as the database computes it: the rank of the criticality or
/// lifecycle stage ([`rules::sort_key`]'s), then the name key.
fn sort_key_sql(sort: ListSort) -> SimpleExpr {
    let case = |column: &str, ranks: Vec<(&str, char)>| {
        let whens: String = ranks
            .into_iter()
            .map(|(value, rank)| format!(" WHEN '{value}' THEN '{rank}'"))
            .collect();
        format!("(CASE \"application\".\"{column}\"{whens} ELSE '9' END)")
    };
    let rank = match sort {
        ListSort::Name => {
            return Expr::col((application::Entity, application::Column::NameKey));
        }
        ListSort::Criticality => case(
            "criticality",
            Criticality::ALL
                .iter()
                .map(|c| (c.as_str(), rules::criticality_rank(*c)))
                .collect(),
        ),
        ListSort::Lifecycle => case(
            "lifecycle",
            Lifecycle::ALL
                .iter()
                .map(|l| (l.as_str(), rules::lifecycle_rank(*l)))
                .collect(),
        ),
    };
    Expr::cust(format!("{rank} || \"application\".\"name_key\""))
}

/// The names of the applications `ids` (one statement, asked even for none).
pub async fn application_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = ApplicationId>,
) -> Result<BTreeMap<ApplicationId, String>, AppError> {
    let ids: BTreeSet<ApplicationId> = ids.into_iter().collect();
    Ok(application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Name)
        .filter(application::Column::Id.is_in(ids))
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Ownership rows joined to their users, selecting the application id; callers add the user
/// columns they need.
pub fn owners_with_users() -> sea_orm::Select<application_owner::Entity> {
    application_owner::Entity::find()
        .select_only()
        .column(application_owner::Column::ApplicationId)
        .join(
            sea_orm::JoinType::InnerJoin,
            application_owner::Entity::belongs_to(app_user::Entity)
                .from(application_owner::Column::UserId)
                .to(app_user::Column::Id)
                .into(),
        )
}

/// (application id, owner's display name) for these applications, in one query.
async fn owner_names<C: ConnectionTrait>(
    db: &C,
    ids: &[ApplicationId],
) -> Result<Vec<(ApplicationId, String)>, AppError> {
    Ok(owners_with_users()
        .filter(application_owner::Column::ApplicationId.is_in(ids.to_vec()))
        .column(app_user::Column::DisplayName)
        .order_by_asc(app_user::Column::DisplayName)
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?)
}

/// The latest version number per application (one query).
pub async fn latest_versions<C: ConnectionTrait>(
    db: &C,
    ids: &[ApplicationId],
) -> Result<BTreeMap<ApplicationId, i32>, AppError> {
    Ok(declaration_version::Entity::find()
        .select_only()
        .column(declaration_version::Column::ApplicationId)
        .column_as(declaration_version::Column::Version.max(), "version")
        .filter(declaration_version::Column::ApplicationId.is_in(ids.to_vec()))
        .group_by(declaration_version::Column::ApplicationId)
        .into_tuple::<(ApplicationId, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Everything the application page shows except the declaration itself.
pub async fn detail<C: ConnectionTrait>(
    db: &C,
    viewer: &CurrentUser,
    id: ApplicationId,
) -> Result<ApplicationDetail, AppError> {
    let (app, owner_ids) = load(db, id).await?;
    let owners = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(owner_ids.clone()))
        .order_by_asc(app_user::Column::DisplayName)
        .all(db)
        .await?
        .into_iter()
        .map(person)
        .collect();
    let populations = served_with_names(db, app.id).await?;
    let tags = tags_of(db, app.id).await?;
    let business_unit = match app.business_unit_id {
        Some(b) => business_unit::Entity::find_by_id(b)
            .one(db)
            .await?
            .map(NamedRef::from),
        None => None,
    };
    let provider = match app.provider_id {
        Some(p) => application::Entity::find_by_id(p)
            .one(db)
            .await?
            .map(NamedRef::from),
        None => None,
    };
    // An identity provider may have thousands: the page counts them and links to the list.
    let dependants = if app.is_identity_provider {
        application::Entity::find()
            .filter(application::Column::ProviderId.eq(app.id))
            .filter(application::Column::Archived.eq(false))
            .count(db)
            .await?
    } else {
        0
    };
    let may_edit = rules::can_edit(viewer, &owner_ids);
    Ok(ApplicationDetail {
        id,
        can_edit: may_edit && !app.archived,
        can_archive: may_edit,
        criticality: app.criticality,
        integration: app.integration,
        lifecycle: app.lifecycle,
        name: app.name,
        description: app.description,
        business_unit,
        is_identity_provider: app.is_identity_provider,
        provider,
        archived: app.archived,
        owners,
        populations,
        tags,
        created_at: display_time(app.created_at),
        updated_at: display_time(app.updated_at),
        dependants,
    })
}

/// The populations an application serves, in catalogue order (by name): (key, name).
async fn served_with_names<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
) -> Result<Vec<(String, String)>, AppError> {
    let keys: BTreeSet<String> = application_population::Entity::find()
        .filter(application_population::Column::ApplicationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.population_key)
        .collect();
    Ok(population::Entity::find()
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter(|p| keys.contains(&p.key))
        .map(|p| (p.key, p.name))
        .collect())
}

/// The keys of the populations an application serves, in catalogue order (by name).
pub async fn served_populations<C: ConnectionTrait>(
    db: &C,
    id: ApplicationId,
) -> Result<Vec<String>, AppError> {
    Ok(served_with_names(db, id)
        .await?
        .into_iter()
        .map(|(key, _)| key)
        .collect())
}

/// An application's tags, sorted.
async fn tags_of<C: ConnectionTrait>(db: &C, id: ApplicationId) -> Result<Vec<String>, AppError> {
    Ok(application_tag::Entity::find()
        .filter(application_tag::Column::ApplicationId.eq(id))
        .order_by_asc(application_tag::Column::Tag)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect())
}

/// The form values of an existing application and its current owners, for the edit page.
pub async fn form_of<C: ConnectionTrait>(
    db: &C,
    editor: &Granted<Editors>,
    id: ApplicationId,
) -> Result<EditableApplication, AppError> {
    let (app, owner_ids) = load_for_change(db, editor, id, false).await?;
    let mut owners: Vec<OwnerChoice> = find_people(db, &owner_ids, &[], Role::Owner)
        .await?
        .into_iter()
        .map(|p| OwnerChoice {
            eligible: p.eligible(),
            person: PersonRef {
                id: p.id,
                name: p.display_name,
                username: p.username,
            },
        })
        .collect();
    owners.sort_by(|a, b| {
        (&a.person.name, &a.person.username).cmp(&(&b.person.name, &b.person.username))
    });
    let c = current(db, &app, owner_ids).await?;
    let form = ApplicationForm {
        name: c.name,
        description: c.description,
        business_unit: c.business_unit.map(|b| b.to_string()).unwrap_or_default(),
        criticality: c.criticality.as_str().into(),
        integration: c.integration.as_str().into(),
        lifecycle: c.lifecycle.as_str().into(),
        identity_provider: c.is_identity_provider.then(|| "on".into()),
        provider: c.provider.map(|p| p.to_string()).unwrap_or_default(),
        owners: c
            .owners
            .iter()
            .map(|o| (super::model::owner_key(*o), "on".into()))
            .collect(),
        populations: c
            .populations
            .iter()
            .map(|p| (p.clone(), "on".into()))
            .collect(),
        tags: c.tags.join(", "),
        add_owners: String::new(),
    };
    Ok(EditableApplication { form, owners })
}

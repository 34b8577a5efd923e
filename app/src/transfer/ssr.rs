//! Export, import and generation against the database. Loads use a fixed number of queries
//! whatever the estate's size; an import or a generated estate is written in one transaction with
//! the registry's and the declarations' batched inserts, and audited by one event.

use super::generate;
use super::model::{ApplicationRecord, Format, ImportProblem, ImportSummary, Importers};
use super::rules::{self, Existing, Plan, Sourced};
use crate::accounts::facade::{NewUser, insert_users};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::catalogue::facade::insert_business_units;
use crate::declarations::facade::{NewVersion, insert_versions, known};
use crate::declarations::model::{Declaration, Source};
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::registry::facade::{Allowed, allowed, insert_applications, owners_with_users};
use crate::session::facade::Granted;
use crate::session::model::{Role, UserStatus};
use crate::ssr::entities::{
    app_user, application, application_population, application_tag, business_unit,
    declaration_version, population, user_role,
};
use crate::ssr::state::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Export.

/// Every application, archived ones too, sorted by name key, with its latest submitted
/// declaration (six queries).
pub async fn load_records<C: ConnectionTrait>(db: &C) -> Result<Vec<ApplicationRecord>, AppError> {
    let apps = application::Entity::find().all(db).await?;
    let names: HashMap<ApplicationId, String> =
        apps.iter().map(|a| (a.id, a.name.clone())).collect();
    let units: HashMap<BusinessUnitId, String> = business_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let mut owners: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for (app, username) in owners_with_users()
        .column(app_user::Column::Username)
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
    {
        owners.entry(app).or_default().push(username);
    }
    // Served populations in catalogue order (by name), as the registry lists them.
    let order: HashMap<String, usize> = population::Entity::find()
        .order_by_asc(population::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p.key, i))
        .collect();
    let mut populations: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for p in application_population::Entity::find().all(db).await? {
        populations
            .entry(p.application_id)
            .or_default()
            .push(p.population_key);
    }
    let mut tags: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for t in application_tag::Entity::find().all(db).await? {
        tags.entry(t.application_id).or_default().push(t.tag);
    }
    let latest: HashMap<ApplicationId, String> = declaration_version::Entity::find()
        .select_only()
        .column(declaration_version::Column::ApplicationId)
        .column(declaration_version::Column::Body)
        .filter(Expr::cust(
            r#""declaration_version"."version" = (SELECT MAX("w"."version") FROM "declaration_version" AS "w" WHERE "w"."application_id" = "declaration_version"."application_id")"#,
        ))
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let mut records = Vec::with_capacity(apps.len());
    let mut sorted = apps;
    sorted.sort_by(|a, b| a.name_key.cmp(&b.name_key));
    for a in sorted {
        let mut own = owners.remove(&a.id).unwrap_or_default();
        own.sort();
        let mut served = populations.remove(&a.id).unwrap_or_default();
        served.sort_by_key(|p| (order.get(p).copied().unwrap_or(usize::MAX), p.clone()));
        let mut t = tags.remove(&a.id).unwrap_or_default();
        t.sort_by_key(|t| t.to_lowercase());
        let declaration = latest
            .get(&a.id)
            .map(|body| serde_json::from_str::<Declaration>(body))
            .transpose()
            .map_err(|e| AppError::internal(format!("stored declaration of {}: {e}", a.id)))?;
        records.push(ApplicationRecord {
            description: a.description,
            business_unit: a.business_unit_id.and_then(|b| units.get(&b).cloned()),
            criticality: a.criticality.as_str().into(),
            integration: a.integration.as_str().into(),
            lifecycle: a.lifecycle.as_str().into(),
            archived: a.archived,
            identity_provider: a.is_identity_provider,
            provider: a.provider_id.and_then(|p| names.get(&p).cloned()),
            owners: own,
            tags: t,
            populations: served,
            declaration,
            name: a.name,
        });
    }
    Ok(records)
}

pub fn encode(records: &[ApplicationRecord], format: Format) -> Result<Vec<u8>, AppError> {
    match format {
        Format::Csv => rules::encode_csv(records),
        Format::Json => rules::encode_json(records),
    }
}

/// The estate as a file.
pub async fn export<C: ConnectionTrait>(db: &C, format: Format) -> Result<Vec<u8>, AppError> {
    encode(&load_records(db).await?, format)
}

// ---------------------------------------------------------------------------------------------
// Import.

pub fn decode(bytes: &[u8], format: Format) -> (Vec<Sourced>, Vec<ImportProblem>) {
    match format {
        Format::Csv => rules::decode_csv(bytes),
        Format::Json => rules::decode_json(bytes),
    }
}

/// What the portal holds that an import resolves names against (a fixed number of queries).
pub async fn load_existing<C: ConnectionTrait>(db: &C) -> Result<Existing, AppError> {
    let business_units = business_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.name.to_lowercase(), b.id))
        .collect();
    let owners: BTreeSet<UserId> = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::Owner))
        .select_only()
        .column(user_role::Column::UserId)
        .into_tuple::<UserId>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let accounts = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Username)
        .column(app_user::Column::Id)
        .column(app_user::Column::Status)
        .into_tuple::<(String, UserId, UserStatus)>()
        .all(db)
        .await?;
    // Who may own what the file names: the owner role, not disabled (as the form checks).
    let eligible_owners: BTreeSet<UserId> = accounts
        .iter()
        .filter(|(_, id, status)| owners.contains(id) && *status != UserStatus::Disabled)
        .map(|(_, id, _)| *id)
        .collect();
    let users = accounts
        .into_iter()
        .map(|(name, id, _)| (name, (id, owners.contains(&id))))
        .collect();
    let applications = application::Entity::find()
        .select_only()
        .column(application::Column::NameKey)
        .column(application::Column::Id)
        .into_tuple::<(String, ApplicationId)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let archived_providers = application::Entity::find()
        .filter(application::Column::IsIdentityProvider.eq(true))
        .filter(application::Column::Archived.eq(true))
        .select_only()
        .column(application::Column::Id)
        .into_tuple::<ApplicationId>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(Existing {
        business_units,
        users,
        applications,
        allowed: Allowed {
            owners: eligible_owners,
            ..allowed(db, None, &[]).await?
        },
        archived_providers,
        known: known(db).await?,
    })
}

/// Writes a plan: business units, owner accounts (invited, owner role, display name = user
/// name), applications, then each declaration as version 1. Batched throughout.
pub async fn apply<C: ConnectionTrait>(
    db: &C,
    plan: Plan,
    now: OffsetDateTime,
    source: Source,
    author: Option<UserId>,
) -> Result<(), AppError> {
    insert_business_units(db, &plan.business_units).await?;
    let users: Vec<NewUser<'_>> = plan
        .owners
        .iter()
        .map(|(id, username)| NewUser {
            id: *id,
            username,
            display_name: username,
            status: UserStatus::Invited,
            roles: &[Role::Owner],
        })
        .collect();
    insert_users(db, &users, now).await?;
    insert_applications(db, &plan.applications, now).await?;
    let versions: Vec<NewVersion> = plan
        .declarations
        .into_iter()
        .map(|(id, application_id, declaration)| NewVersion {
            id,
            application_id,
            version: 1,
            declaration,
            author,
            source,
            submitted_at: now,
        })
        .collect();
    insert_versions(db, &versions).await?;
    Ok(())
}

/// The SHA-256 of a file (hex), as import events name it.
pub fn file_sha256(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

/// An import's result: what was (or, on a dry run, would be) created, or every problem found.
pub type ImportResult = Result<ImportSummary, Vec<ImportProblem>>;

/// Who imports: a signed-in importer (the web upload), or the operator at the host's command
/// line.
pub enum ImportedBy<'a> {
    User(&'a Granted<Importers>),
    HostOperator,
}

impl ImportedBy<'_> {
    fn actor(&self) -> Actor {
        match self {
            Self::User(g) => Actor::User(g.id()),
            Self::HostOperator => Actor::HostOperator,
        }
    }

    fn author(&self) -> Option<UserId> {
        match self {
            Self::User(g) => Some(g.id()),
            Self::HostOperator => None,
        }
    }
}

/// Imports a file all or nothing: decode, resolve and check every record, and only when nothing
/// is wrong write everything in one transaction with one `applications.imported` event. A dry
/// run stops before writing.
pub async fn import(
    state: &AppState,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
    by: ImportedBy<'_>,
) -> Result<ImportResult, AppError> {
    let (sourced, mut problems) = decode(bytes, format);
    let mut planned = |existing: &Existing| {
        let planned = rules::plan(&sourced, existing, &mut Uuid::new_v4);
        match planned {
            Ok(plan) if problems.is_empty() => Ok(plan),
            Ok(_) => Err(std::mem::take(&mut problems)),
            Err(mut more) => {
                problems.append(&mut more);
                problems.sort_by_key(|p| p.row);
                Err(std::mem::take(&mut problems))
            }
        }
    };
    if dry_run {
        let existing = load_existing(state.db.conn()).await?;
        return Ok(planned(&existing).map(|p| p.summary()));
    }
    let txn = state.db.begin_write().await?;
    let existing = load_existing(&txn).await?;
    let plan = match planned(&existing) {
        Ok(plan) => plan,
        Err(problems) => return Ok(Err(problems)),
    };
    let summary = plan.summary();
    let now = state.now();
    let sha256 = file_sha256(bytes);
    apply(&txn, plan, now, Source::Import, by.author()).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: by.actor(),
            action: AuditAction::ApplicationsImported,
            subject_type: "applications",
            subject_id: sha256.clone(),
            before: None,
            after: Some(json!({
                "sha256": sha256,
                "format": format.extension(),
                "bytes": bytes.len(),
                "applications": summary.applications,
                "declarations": summary.declarations,
                "business_units_created": summary.business_units,
                "owners_created": summary.owners,
                "dry_run": false,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(summary))
}

// ---------------------------------------------------------------------------------------------
// Generation.

/// Fills an empty registry with a generated estate of `apps` applications (deterministic for a
/// seed, ids included), checked and written exactly like an import, audited as
/// `estate.generated` by the host operator.
pub async fn generate_estate(
    state: &AppState,
    apps: usize,
    seed: u64,
) -> Result<ImportSummary, AppError> {
    let txn = state.db.begin_write().await?;
    let present = application::Entity::find().count(&txn).await?;
    if present > 0 {
        return Err(AppError::Conflict(format!(
            "The portal already has {present} application(s): the generator only fills an empty \
             registry. Use a fresh database."
        )));
    }
    let existing = load_existing(&txn).await?;
    let sourced: Vec<Sourced> = generate::estate(apps, seed, &existing.known)
        .into_iter()
        .enumerate()
        .map(|(i, record)| Sourced {
            record,
            row: i + 1,
            population_rows: BTreeMap::new(),
        })
        .collect();
    let mut ids = generate::id_stream(seed);
    let plan = rules::plan(&sourced, &existing, &mut || ids.uuid()).map_err(|problems| {
        let first: Vec<String> = problems.iter().take(5).map(|p| p.to_string()).collect();
        AppError::Conflict(format!(
            "The generated estate does not fit this portal ({} problem(s)): {}",
            problems.len(),
            first.join("; ")
        ))
    })?;
    let summary = plan.summary();
    let now = state.now();
    apply(&txn, plan, now, Source::Generator, None).await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor: Actor::HostOperator,
            action: AuditAction::EstateGenerated,
            subject_type: "applications",
            subject_id: format!("seed:{seed}"),
            before: None,
            after: Some(json!({
                "seed": seed,
                "applications": summary.applications,
                "declarations": summary.declarations,
                "business_units_created": summary.business_units.len(),
                "owners_created": summary.owners.len(),
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(summary)
}

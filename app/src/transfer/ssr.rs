//! Export, import and generation against the database. An export streams: it reads one snapshot
//! of the estate in keyset-paged batches of a fixed number of queries each and hands on each
//! batch's piece of the file as it goes. An import is decoded and planned off the async workers
//! against a read snapshot, then checked again and written in one short transaction with the
//! registry's and the declarations' batched inserts, and audited by one event; so is a generated
//! estate.

use super::generate;
use super::model::{ApplicationRecord, Format, ImportProblem, ImportSummary, Importers};
use super::rules::{self, Encoder, Existing, Plan, Sourced};
use crate::accounts::facade::{NewUser, ensure_users, insert_users};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::catalogue::facade::{ensure_business_units, insert_business_units};
use crate::declarations::facade::{NewVersion, insert_versions, known};
use crate::declarations::model::{Declaration, Source};
use crate::error::AppError;
use crate::ids::{ApplicationId, BusinessUnitId, UserId};
use crate::registry::facade::{
    Allowed, allowed, application_names, insert_applications, owners_with_users,
};
use crate::session::facade::Granted;
use crate::session::model::{Role, UserStatus};
use crate::ssr::db::Db;
use crate::ssr::derived::Changed;
use crate::ssr::entities::{
    app_user, application, application_owner, application_population, application_tag,
    business_unit, declaration_version, population, user_role,
};
use crate::ssr::state::AppState;
use futures::Stream;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Export.

/// Applications read, encoded and handed on at a time by an export: each batch is five queries
/// (six when some of them federate) and one piece of the file.
pub const EXPORT_BATCH: u64 = 500;

/// The small tables every batch of an export looks names up in, loaded once.
struct Lookups {
    units: HashMap<BusinessUnitId, String>,
    /// Population key → its place in the catalogue's order (by name), as the registry lists them.
    order: HashMap<String, usize>,
}

impl Lookups {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, AppError> {
        let units = business_unit::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let order = population::Entity::find()
            .order_by_asc(population::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p.key, i))
            .collect();
        Ok(Self { units, order })
    }
}

/// The applications after `after` in name-key order (byte order on every database, as the file
/// has always been sorted), at most `limit` of them, each with its latest submitted declaration,
/// and the last one's name key: a fixed number of queries whatever the estate's size.
async fn load_batch<C: ConnectionTrait>(
    db: &C,
    lookups: &Lookups,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<ApplicationRecord>, Option<String>), AppError> {
    let mut apps = application::Entity::find();
    if db.get_database_backend() == DbBackend::Postgres {
        // Byte order whatever the database's collation, so that both backends write one file.
        if let Some(after) = after {
            apps = apps.filter(Expr::cust_with_values(
                r#""application"."name_key" COLLATE "C" > $1"#,
                [after.to_string()],
            ));
        }
        apps = apps.order_by(
            Expr::cust(r#""application"."name_key" COLLATE "C""#),
            Order::Asc,
        );
    } else {
        if let Some(after) = after {
            apps = apps.filter(application::Column::NameKey.gt(after));
        }
        apps = apps.order_by_asc(application::Column::NameKey);
    }
    let apps = apps.limit(limit).all(db).await?;
    let Some(last) = apps.last().map(|a| a.name_key.clone()) else {
        return Ok((Vec::new(), None));
    };
    let ids: Vec<ApplicationId> = apps.iter().map(|a| a.id).collect();

    let mut owners: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for (app, username) in owners_with_users()
        .column(app_user::Column::Username)
        .filter(application_owner::Column::ApplicationId.is_in(ids.clone()))
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
    {
        owners.entry(app).or_default().push(username);
    }
    let mut populations: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for p in application_population::Entity::find()
        .filter(application_population::Column::ApplicationId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        populations
            .entry(p.application_id)
            .or_default()
            .push(p.population_key);
    }
    let mut tags: HashMap<ApplicationId, Vec<String>> = HashMap::new();
    for t in application_tag::Entity::find()
        .filter(application_tag::Column::ApplicationId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        tags.entry(t.application_id).or_default().push(t.tag);
    }
    let latest: HashMap<ApplicationId, String> = declaration_version::Entity::find()
        .select_only()
        .column(declaration_version::Column::ApplicationId)
        .column(declaration_version::Column::Body)
        .filter(declaration_version::Column::ApplicationId.is_in(ids))
        .filter(Expr::cust(
            r#""declaration_version"."version" = (SELECT MAX("w"."version") FROM "declaration_version" AS "w" WHERE "w"."application_id" = "declaration_version"."application_id")"#,
        ))
        .into_tuple::<(ApplicationId, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // Providers by id, for just this batch's applications (wherever the provider sorts).
    let providers = application_names(db, apps.iter().filter_map(|a| a.provider_id)).await?;

    let mut records = Vec::with_capacity(apps.len());
    for a in apps {
        let mut own = owners.remove(&a.id).unwrap_or_default();
        own.sort();
        let mut served = populations.remove(&a.id).unwrap_or_default();
        served.sort_by_key(|p| {
            (
                lookups.order.get(p).copied().unwrap_or(usize::MAX),
                p.clone(),
            )
        });
        let mut t = tags.remove(&a.id).unwrap_or_default();
        t.sort_by_key(|t| t.to_lowercase());
        let declaration = latest
            .get(&a.id)
            .map(|body| serde_json::from_str::<Declaration>(body))
            .transpose()
            .map_err(|e| AppError::internal(format!("stored declaration of {}: {e}", a.id)))?;
        records.push(ApplicationRecord {
            description: a.description,
            business_unit: a
                .business_unit_id
                .and_then(|b| lookups.units.get(&b).cloned()),
            criticality: a.criticality.as_str().into(),
            integration: a.integration.as_str().into(),
            lifecycle: a.lifecycle.as_str().into(),
            archived: a.archived,
            identity_provider: a.is_identity_provider,
            provider: a.provider_id.and_then(|p| providers.get(&p).cloned()),
            owners: own,
            tags: t,
            populations: served,
            declaration,
            name: a.name,
        });
    }
    Ok((records, Some(last)))
}

/// An export under way: one read snapshot of the estate, read and encoded a batch at a time, so
/// that memory stays flat however large the estate (every application, archived ones too,
/// sorted by name key, with its latest submitted declaration).
pub struct Export {
    /// Open until the last piece is handed on.
    snapshot: Option<DatabaseTransaction>,
    lookups: Lookups,
    encoder: Option<Encoder>,
    /// The name key the next batch starts after.
    after: Option<String>,
}

impl Export {
    /// Opens the snapshot and loads the small tables (two queries).
    pub async fn start(db: &Db, format: Format) -> Result<Self, AppError> {
        let snapshot = db.begin_read().await?;
        let lookups = Lookups::load(&snapshot).await?;
        Ok(Self {
            snapshot: Some(snapshot),
            lookups,
            encoder: Some(Encoder::new(format)),
            after: None,
        })
    }

    /// The next batch of records (empty at the end), and `None` once the snapshot is closed.
    async fn next_records(&mut self) -> Result<Option<Vec<ApplicationRecord>>, AppError> {
        let Some(snapshot) = &self.snapshot else {
            return Ok(None);
        };
        let (records, last) =
            load_batch(snapshot, &self.lookups, self.after.as_deref(), EXPORT_BATCH).await?;
        if (records.len() as u64) < EXPORT_BATCH
            && let Some(snapshot) = self.snapshot.take()
        {
            snapshot.commit().await?;
        }
        self.after = last;
        Ok(Some(records))
    }

    /// The next piece of the file (the first opens it, the last closes it), or `None` once the
    /// whole file has been handed on.
    pub async fn next_piece(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        let Some(records) = self.next_records().await? else {
            return Ok(None);
        };
        let Some(encoder) = self.encoder.as_mut() else {
            return Ok(None);
        };
        let mut piece = encoder.batch(&records)?;
        if self.snapshot.is_none()
            && let Some(encoder) = self.encoder.take()
        {
            piece.extend(encoder.finish()?);
        }
        Ok(Some(piece))
    }

    /// The pieces as a stream that owns the snapshot (for a streamed response body), empty ones
    /// left out: it ends after the last piece, or at the first error. Dropped part-way (the client went away), it
    /// rolls the snapshot back.
    pub fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static {
        futures::stream::try_unfold(self, |mut export| async move {
            while let Some(piece) = export.next_piece().await? {
                if !piece.is_empty() {
                    return Ok(Some((piece, export)));
                }
            }
            Ok::<_, AppError>(None)
        })
    }
}

/// Every record at once, from one snapshot, read in the export's batches (small estates and
/// tests; an export streams instead).
pub async fn load_records(db: &Db) -> Result<Vec<ApplicationRecord>, AppError> {
    let snapshot = db.begin_read().await?;
    let lookups = Lookups::load(&snapshot).await?;
    let mut records = Vec::new();
    let mut after = None;
    loop {
        let (mut batch, last) =
            load_batch(&snapshot, &lookups, after.as_deref(), EXPORT_BATCH).await?;
        let more = batch.len() as u64 == EXPORT_BATCH;
        records.append(&mut batch);
        after = last;
        if !more {
            break;
        }
    }
    snapshot.commit().await?;
    Ok(records)
}

/// The estate as one file in memory: the streamed export's pieces put together (tests and
/// small estates).
pub async fn export(db: &Db, format: Format) -> Result<Vec<u8>, AppError> {
    let mut export = Export::start(db, format).await?;
    let mut file = Vec::new();
    while let Some(piece) = export.next_piece().await? {
        file.extend(piece);
    }
    Ok(file)
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
    insert_users(db, &new_owners(&plan.owners), now).await?;
    write_applications(db, plan, now, source, author).await
}

/// The owner accounts a plan creates: invited, the owner role, the user name as display name.
fn new_owners(owners: &[(UserId, String)]) -> Vec<NewUser<'_>> {
    owners
        .iter()
        .map(|(id, username)| NewUser {
            id: *id,
            username,
            display_name: username,
            status: UserStatus::Invited,
            roles: &[Role::Owner],
        })
        .collect()
}

/// Writes a plan's applications, then each declaration as version 1 (its business units and
/// owner accounts exist).
async fn write_applications<C: ConnectionTrait>(
    db: &C,
    plan: Plan,
    now: OffsetDateTime,
    source: Source,
    author: Option<UserId>,
) -> Result<(), AppError> {
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
            reason: None,
        })
        .collect();
    insert_versions(db, &versions).await?;
    Ok(())
}

/// Creates the business units and owner accounts a plan needs, conflict-safe: one created
/// meanwhile by a concurrent import (another instance, another operator) is used as if it had
/// been there when the plan was made; one created meanwhile that the plan cannot use (a unit
/// retired, an account without the owner role or disabled) is a problem of the file. Returns
/// the plan with the ids of what it uses and, in its units and owners, only what was created
/// here.
async fn claim_names<C: ConnectionTrait>(
    db: &C,
    mut plan: Plan,
    now: OffsetDateTime,
) -> Result<Result<Plan, Vec<ImportProblem>>, AppError> {
    let mut problems = Vec::new();
    let units = ensure_business_units(db, &plan.business_units).await?;
    let mut unit_of: HashMap<BusinessUnitId, BusinessUnitId> = HashMap::new();
    plan.business_units.retain(|(planned, name)| {
        let Some(unit) = units.get(name) else {
            problems.push(file_problem(format!(
                "business unit “{name}” could not be created; import the file again"
            )));
            return false;
        };
        if !unit.active {
            problems.push(file_problem(format!(
                "business unit “{name}” was created and retired while this file was imported; \
                 restore it or name another"
            )));
        }
        unit_of.insert(*planned, unit.id);
        unit.created
    });
    let accounts = ensure_users(db, &new_owners(&plan.owners), now).await?;
    let mut user_of: HashMap<UserId, UserId> = HashMap::new();
    plan.owners.retain(|(planned, username)| {
        let Some(account) = accounts.get(username) else {
            problems.push(file_problem(format!(
                "owner “{username}” could not be created; import the file again"
            )));
            return false;
        };
        if !account.fits {
            problems.push(file_problem(format!(
                "owner “{username}”: an account of this name was created while this file was \
                 imported, without the owner role or disabled (grant the role first)"
            )));
        }
        user_of.insert(*planned, account.id);
        account.created
    });
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    for a in &mut plan.applications {
        if let Some(unit) = a.app.business_unit.as_mut()
            && let Some(actual) = unit_of.get(unit)
        {
            *unit = *actual;
        }
        for owner in &mut a.app.owners {
            if let Some(actual) = user_of.get(owner) {
                *owner = *actual;
            }
        }
    }
    Ok(Ok(plan))
}

fn file_problem(message: String) -> ImportProblem {
    ImportProblem {
        row: 0,
        application: String::new(),
        message,
    }
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

/// A file read for an import: what identifies it, and its records with the problems found
/// reading them. The file's bytes are gone once it is read.
pub struct ImportFile {
    /// The SHA-256 of the file (hex).
    pub sha256: String,
    /// The file's size in bytes.
    pub size: usize,
    pub format: Format,
    sourced: Vec<Sourced>,
    problems: Vec<ImportProblem>,
}

/// Fingerprints and decodes a file on a blocking thread (not on the async workers), dropping the
/// bytes there as soon as they are decoded.
pub async fn read_file(bytes: Vec<u8>, format: Format) -> Result<ImportFile, AppError> {
    off_the_workers(move || {
        let sha256 = file_sha256(&bytes);
        let size = bytes.len();
        let (sourced, problems) = decode(&bytes, format);
        drop(bytes);
        ImportFile {
            sha256,
            size,
            format,
            sourced,
            problems,
        }
    })
    .await
}

/// The SHA-256 of a file, computed on a blocking thread.
pub async fn fingerprint(bytes: Vec<u8>) -> Result<String, AppError> {
    off_the_workers(move || file_sha256(&bytes)).await
}

/// Runs CPU-bound work (decoding, planning) on the blocking pool, so that the async workers go
/// on answering requests meanwhile.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

type Planned = Result<Plan, Vec<ImportProblem>>;

/// Plans on the blocking pool: the records and what the portal holds move in and come back out
/// with the plan.
async fn plan_off_the_workers(
    sourced: Vec<Sourced>,
    existing: Existing,
) -> Result<(Vec<Sourced>, Existing, Planned), AppError> {
    off_the_workers(move || {
        let planned = rules::plan(&sourced, &existing, &mut Uuid::new_v4);
        (sourced, existing, planned)
    })
    .await
}

/// An import planned against a snapshot of the portal, not yet written.
pub struct PlannedImport {
    sha256: String,
    size: usize,
    format: Format,
    /// Kept to plan again should the portal change before the write.
    sourced: Vec<Sourced>,
    /// What the plan was made against.
    existing: Existing,
    plan: Plan,
}

impl PlannedImport {
    pub fn summary(&self) -> ImportSummary {
        self.plan.summary()
    }
}

/// Resolves and checks every record against a read snapshot of the portal, outside any write
/// lock and off the async workers: a plan, or every problem of the file (reading and planning).
pub async fn plan_import(
    state: &AppState,
    file: ImportFile,
) -> Result<Result<PlannedImport, Vec<ImportProblem>>, AppError> {
    let snapshot = state.db.begin_read().await?;
    let existing = load_existing(&snapshot).await?;
    snapshot.commit().await?;
    let ImportFile {
        sha256,
        size,
        format,
        sourced,
        mut problems,
    } = file;
    let (sourced, existing, planned) = plan_off_the_workers(sourced, existing).await?;
    Ok(match planned {
        Ok(plan) if problems.is_empty() => Ok(PlannedImport {
            sha256,
            size,
            format,
            sourced,
            existing,
            plan,
        }),
        Ok(_) => Err(problems),
        Err(mut more) => {
            problems.append(&mut more);
            problems.sort_by_key(|p| p.row);
            Err(problems)
        }
    })
}

/// Writes a planned import in one short write transaction with one `applications.imported`
/// event, and a `user.created` event for each owner account it creates. What the plan relied on
/// is checked again under the lock (names still free, business units and owner accounts still
/// absent, owners and providers still eligible): when the portal changed since the plan was
/// made, the file is planned again against what it holds now, so the import is refused or
/// written exactly as if it had been planned under the lock. On PostgreSQL the lock does not
/// exclude a concurrent import, so business units and owner accounts are created conflict-safe
/// (one created meanwhile is used); an application name taken meanwhile refuses the import as
/// a conflict.
pub async fn write_import(
    state: &AppState,
    planned: PlannedImport,
    by: ImportedBy<'_>,
) -> Result<ImportResult, AppError> {
    let PlannedImport {
        sha256,
        size,
        format,
        sourced,
        existing,
        plan,
    } = planned;
    let txn = state.db.begin_write().await?;
    let current = load_existing(&txn).await?;
    let plan = if current.same_as(&existing) {
        drop((sourced, existing, current));
        plan
    } else {
        tracing::info!("the portal changed while the import was planned: planning it again");
        drop((plan, existing));
        match plan_off_the_workers(sourced, current).await?.2 {
            Ok(plan) => plan,
            Err(problems) => return Ok(Err(problems)),
        }
    };
    let now = state.now();
    // Business units and owner accounts first, conflict-safe: a concurrent import creating the
    // same ones is no reason to refuse this one.
    let plan = match claim_names(&txn, plan, now).await? {
        Ok(plan) => plan,
        Err(problems) => return Ok(Err(problems)),
    };
    let summary = plan.summary();
    let created: Vec<(UserId, String)> = plan.owners.clone();
    write_applications(&txn, plan, now, Source::Import, by.author())
        .await
        .map_err(|e| match e {
            // Only a concurrent change can take a name between the check and the write.
            AppError::Validation { field, .. } if field == "name" => AppError::Conflict(
                "An application this file names was created by someone else while the file was \
                 imported, so nothing was imported. Import the file again to see which."
                    .into(),
            ),
            other => other,
        })?;
    // Each account created is recorded as accounts created by hand are, by whoever imported.
    for (id, username) in &created {
        record(
            &txn,
            now,
            NewAuditEvent {
                actor: by.actor(),
                action: AuditAction::UserCreated,
                subject_type: "user",
                subject_id: id.to_string(),
                before: None,
                after: Some(json!({
                    "username": username,
                    "display_name": username,
                    "roles": ["owner"],
                    "status": UserStatus::Invited.as_str(),
                    "via": "import",
                    "import_sha256": sha256,
                })),
            },
        )
        .await?;
    }
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
                "bytes": size,
                "applications": summary.applications,
                "declarations": summary.declarations,
                "business_units_created": summary.business_units,
                "owners_created": summary.owners,
                "dry_run": false,
            })),
        },
    )
    .await?;
    state
        .derived
        .refresh(&txn, Changed::Everything, now)
        .await?;
    txn.commit().await?;
    // The tables may have grown by thousands of rows: let the planner know.
    state.db.optimize().await?;
    Ok(Ok(summary))
}

/// Imports a file all or nothing: resolve and check every record (outside the write lock, off
/// the async workers), and only when nothing is wrong write everything in one short transaction
/// with one `applications.imported` event. A dry run stops before writing and never takes the
/// write lock.
pub async fn import(
    state: &AppState,
    file: ImportFile,
    dry_run: bool,
    by: ImportedBy<'_>,
) -> Result<ImportResult, AppError> {
    let planned = match plan_import(state, file).await? {
        Ok(planned) => planned,
        Err(problems) => return Ok(Err(problems)),
    };
    if dry_run {
        return Ok(Ok(planned.summary()));
    }
    write_import(state, planned, by).await
}

// ---------------------------------------------------------------------------------------------
// Generation.

/// The generated estate's security team: three invited security users (they sign in once an
/// administrator issues them a link), who decide the generated exceptions.
async fn generate_deciders<C: sea_orm::ConnectionTrait>(
    db: &C,
    seed: u64,
    now: time::OffsetDateTime,
) -> Result<Vec<UserId>, AppError> {
    const TEAM: &[(&str, &str)] = &[
        ("sec.amara", "Amara Okafor (security)"),
        ("sec.jonas", "Jonas Lindqvist (security)"),
        ("sec.priya", "Priya Raman (security)"),
    ];
    let ids: Vec<UserId> = (0..TEAM.len() as u64)
        .map(|i| {
            UserId(uuid::Uuid::from_u64_pair(
                seed ^ 0x5EC0_0000_0000_0000,
                i + 1,
            ))
        })
        .collect();
    let users: Vec<NewUser<'_>> = TEAM
        .iter()
        .zip(&ids)
        .map(|((username, display_name), id)| NewUser {
            id: *id,
            username,
            display_name,
            status: UserStatus::Invited,
            roles: &[Role::Security],
        })
        .collect();
    insert_users(db, &users, now).await?;
    Ok(ids)
}

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
    let (_, standard) = crate::policy::facade::current(&txn).await?;
    let base = standard.clone();
    let planned = off_the_workers(move || {
        let sourced: Vec<Sourced> = generate::estate(apps, seed, &existing.known, &base)
            .into_iter()
            .enumerate()
            .map(|(i, record)| Sourced {
                record,
                row: i + 1,
                population_rows: BTreeMap::new(),
            })
            .collect();
        let mut ids = generate::id_stream(seed);
        rules::plan(&sourced, &existing, &mut || ids.uuid())
    })
    .await?;
    let plan = planned.map_err(|problems| {
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
    // A policy history like a programme's: the standard tightened twice since it was shipped.
    for (policy, reason) in generate::policy_history(&standard) {
        crate::policy::facade::record_version(&txn, &policy, reason, Actor::HostOperator, now)
            .await?;
    }
    state
        .derived
        .refresh(&txn, Changed::Everything, now)
        .await?;
    // Exceptions in every state, decided by security users who own nothing and requested
    // nothing.
    let deciders = generate_deciders(&txn, seed, now).await?;
    let (_, latest) = crate::policy::facade::current(&txn).await?;
    let exceptions =
        crate::exceptions::facade::generate(&txn, seed, now, &latest.exceptions, &deciders).await?;
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
                "security_users_created": deciders.len(),
                "exceptions": exceptions.by_state,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    // The tables grew from nothing: let the planner know.
    state.db.optimize().await?;
    Ok(summary)
}

//! The mapping table: an identity provider's names for applications and methods and the
//! portal's for them. Admins and security edit it; each change is audited in its own
//! transaction.

use crate::adoption::model::{NameKind, NameMapping, Provider};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::error::AppError;
use crate::ssr::db::Db;
use crate::ssr::entities::adoption_name_map;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use time::OffsetDateTime;

/// The longest name either side.
pub const NAME_MAX: usize = 200;

fn to_mapping(row: adoption_name_map::Model) -> Option<NameMapping> {
    Some(NameMapping {
        provider: Provider::parse(&row.provider)?,
        kind: row.kind,
        external: row.external,
        portal: row.portal,
    })
}

/// Every mapping, by provider, kind and name.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<NameMapping>, AppError> {
    Ok(adoption_name_map::Entity::find()
        .order_by_asc(adoption_name_map::Column::Provider)
        .order_by_asc(adoption_name_map::Column::Kind)
        .order_by_asc(adoption_name_map::Column::ExternalKey)
        .all(db)
        .await?
        .into_iter()
        .filter_map(to_mapping)
        .collect())
}

/// The mappings of one provider.
pub async fn of_provider<C: ConnectionTrait>(
    db: &C,
    provider: Provider,
) -> Result<Vec<NameMapping>, AppError> {
    Ok(adoption_name_map::Entity::find()
        .filter(adoption_name_map::Column::Provider.eq(provider.key()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(to_mapping)
        .collect())
}

/// Sets what one external name maps to (creating or replacing the row); audited.
pub async fn save(
    db: &Db,
    now: OffsetDateTime,
    actor: Actor,
    mapping: NameMapping,
) -> Result<(), AppError> {
    let external = mapping.external.trim().to_string();
    let portal = mapping.portal.trim().to_string();
    if external.is_empty() || external.len() > NAME_MAX {
        return Err(AppError::validation(
            "external",
            format!("Write the name as the provider's export has it (1 to {NAME_MAX} characters)."),
        ));
    }
    if portal.len() > NAME_MAX {
        return Err(AppError::validation(
            "portal",
            format!("At most {NAME_MAX} characters."),
        ));
    }
    let key = external.to_lowercase();
    let txn = db.begin_write().await?;
    let before = adoption_name_map::Entity::find_by_id((
        mapping.provider.key().to_string(),
        mapping.kind,
        key.clone(),
    ))
    .one(&txn)
    .await?;
    if let Some(b) = &before {
        adoption_name_map::Entity::delete_by_id((
            b.provider.clone(),
            b.kind,
            b.external_key.clone(),
        ))
        .exec(&txn)
        .await?;
    }
    adoption_name_map::Entity::insert(adoption_name_map::ActiveModel {
        provider: Set(mapping.provider.key().to_string()),
        kind: Set(mapping.kind),
        external_key: Set(key),
        external: Set(external.clone()),
        portal: Set(portal.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor,
            action: AuditAction::AdoptionMappingChanged,
            subject_type: "adoption_name_map",
            subject_id: format!(
                "{}/{}/{}",
                mapping.provider.key(),
                mapping.kind.as_str(),
                external
            ),
            before: before.map(|b| json!({ "portal": b.portal })),
            after: Some(json!({ "portal": portal })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes one mapping; audited. A mapping that is not there is "not found".
pub async fn remove(
    db: &Db,
    now: OffsetDateTime,
    actor: Actor,
    provider: Provider,
    kind: NameKind,
    external: &str,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let id = (
        provider.key().to_string(),
        kind,
        external.trim().to_lowercase(),
    );
    let Some(before) = adoption_name_map::Entity::find_by_id(id.clone())
        .one(&txn)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    adoption_name_map::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    record(
        &txn,
        now,
        NewAuditEvent {
            actor,
            action: AuditAction::AdoptionMappingChanged,
            subject_type: "adoption_name_map",
            subject_id: format!("{}/{}/{}", provider.key(), kind.as_str(), before.external),
            before: Some(json!({ "portal": before.portal })),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

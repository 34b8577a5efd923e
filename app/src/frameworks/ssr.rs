//! The catalogue in the database: read whole (it is small: a few frameworks, dozens of
//! controls), and merged from a document, one framework at a time, audited, with every
//! application's findings re-labelled in the same transaction.

use super::model::{
    CatalogueDocument, ControlDoc, FORMAT, FrameworkDoc, Imported, MappingDoc, Relationship,
};
use crate::audit::facade::{Actor, AuditAction, NewAuditEvent, record};
use crate::catalogue::model::CatalogueAdministrators;
use crate::error::AppError;
use crate::session::facade::Granted;
use crate::ssr::derived::Changed;
use crate::ssr::entities::{control, framework, rule_control};
use crate::ssr::state::AppState;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The whole catalogue, in its order (three statements).
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<CatalogueDocument, AppError> {
    let frameworks = framework::Entity::find()
        .order_by_asc(framework::Column::Position)
        .order_by_asc(framework::Column::Key)
        .all(db)
        .await?;
    let mut controls: BTreeMap<String, Vec<control::Model>> = BTreeMap::new();
    for c in control::Entity::find()
        .order_by_asc(control::Column::Framework)
        .order_by_asc(control::Column::Position)
        .all(db)
        .await?
    {
        controls.entry(c.framework.clone()).or_default().push(c);
    }
    let mappings = rule_control::Entity::find()
        .order_by_asc(rule_control::Column::RuleKey)
        .order_by_asc(rule_control::Column::Framework)
        .order_by_asc(rule_control::Column::ControlId)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(MappingDoc {
                relationship: Relationship::parse(&m.relationship)?,
                rule: m.rule_key,
                framework: m.framework,
                control: m.control_id,
            })
        })
        .collect();
    Ok(CatalogueDocument {
        format: FORMAT.into(),
        frameworks: frameworks
            .into_iter()
            .map(|f| FrameworkDoc {
                controls: controls
                    .remove(&f.key)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| ControlDoc {
                        id: c.control_id,
                        title: c.title,
                        summary: c.summary,
                        alias_of: c.alias_of,
                    })
                    .collect(),
                key: f.key,
                name: f.name,
                version: f.version,
                short: f.short,
                licence: f.licence,
                url: f.url,
                applies_to_tag: f.applies_to_tag,
            })
            .collect(),
        mappings,
    })
}

/// The controls each finding rule bears on, as labels (what findings carry).
pub async fn labels_by_rule<C: ConnectionTrait>(
    db: &C,
) -> Result<BTreeMap<String, Vec<String>>, AppError> {
    Ok(super::rules::labels_by_rule(&load(db).await?))
}

/// Merges a checked document as an administrator (see [`merge`]).
pub async fn import(
    state: &AppState,
    admin: &Granted<CatalogueAdministrators>,
    doc: &CatalogueDocument,
    source: &str,
) -> Result<Imported, AppError> {
    merge(state, Actor::User(admin.id()), doc, source).await
}

/// Merges a checked document from the host's command line (see [`merge`]).
pub async fn import_as_host(
    state: &AppState,
    doc: &CatalogueDocument,
    source: &str,
) -> Result<Imported, AppError> {
    merge(state, Actor::HostOperator, doc, source).await
}

/// Each framework of the document replaces the one with its key (its controls and every
/// mapping to them) or is added after the others; frameworks the document does not name stay
/// as they are. One transaction: the rows, one `frameworks.changed` event (the frameworks as
/// they were and as they are, the document's SHA-256 and where it came from), and the findings
/// re-labelled.
async fn merge(
    state: &AppState,
    actor: Actor,
    doc: &CatalogueDocument,
    source: &str,
) -> Result<Imported, AppError> {
    let text = serde_json::to_string(doc).map_err(AppError::internal)?;
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let txn = state.db.begin_write().await?;
    let before = load(&txn).await?;
    let mut next_position = framework::Entity::find()
        .select_only()
        .column(framework::Column::Position)
        .order_by_desc(framework::Column::Position)
        .into_tuple::<i32>()
        .one(&txn)
        .await?
        .map_or(0, |p| p + 1);
    let keys: Vec<String> = doc.frameworks.iter().map(|f| f.key.clone()).collect();
    let mut imported = Imported::default();
    let mut positions = BTreeMap::new();
    for f in &doc.frameworks {
        match before.framework(&f.key) {
            Some(_) => {
                imported.replaced.push(f.key.clone());
                let old = framework::Entity::find_by_id(f.key.clone())
                    .one(&txn)
                    .await?
                    .map_or(next_position, |m| m.position);
                positions.insert(f.key.clone(), old);
            }
            None => {
                imported.added.push(f.key.clone());
                positions.insert(f.key.clone(), next_position);
                next_position += 1;
            }
        }
    }
    rule_control::Entity::delete_many()
        .filter(rule_control::Column::Framework.is_in(keys.clone()))
        .exec(&txn)
        .await?;
    control::Entity::delete_many()
        .filter(control::Column::Framework.is_in(keys.clone()))
        .exec(&txn)
        .await?;
    framework::Entity::delete_many()
        .filter(framework::Column::Key.is_in(keys.clone()))
        .exec(&txn)
        .await?;
    framework::Entity::insert_many(doc.frameworks.iter().map(|f| framework::ActiveModel {
        key: Set(f.key.clone()),
        name: Set(f.name.trim().to_string()),
        version: Set(f.version.trim().to_string()),
        short: Set(f.short.trim().to_string()),
        licence: Set(f.licence.trim().to_string()),
        url: Set(f.url.clone()),
        applies_to_tag: Set(f.applies_to_tag.as_ref().map(|t| t.trim().to_lowercase())),
        position: Set(positions.get(&f.key).copied().unwrap_or(0)),
    }))
    .exec_without_returning(&txn)
    .await?;
    let controls: Vec<control::ActiveModel> = doc
        .frameworks
        .iter()
        .flat_map(|f| {
            f.controls
                .iter()
                .enumerate()
                .map(move |(i, c)| control::ActiveModel {
                    framework: Set(f.key.clone()),
                    control_id: Set(c.id.clone()),
                    title: Set(c.title.trim().to_string()),
                    summary: Set(c.summary.as_ref().map(|s| s.trim().to_string())),
                    alias_of: Set(c.alias_of.clone()),
                    position: Set(i as i32),
                })
        })
        .collect();
    imported.controls = controls.len();
    for part in controls.chunks(500) {
        control::Entity::insert_many(part.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    imported.mappings = doc.mappings.len();
    for part in doc.mappings.chunks(500) {
        rule_control::Entity::insert_many(part.iter().map(|m| rule_control::ActiveModel {
            rule_key: Set(m.rule.clone()),
            framework: Set(m.framework.clone()),
            control_id: Set(m.control.clone()),
            relationship: Set(m.relationship.as_str().to_string()),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    let of = |d: &CatalogueDocument| {
        json!({
            "frameworks": d.frameworks.iter().filter(|f| keys.contains(&f.key)).collect::<Vec<_>>(),
            "mappings": d.mappings.iter().filter(|m| keys.contains(&m.framework)).collect::<Vec<_>>(),
        })
    };
    let mut after = of(doc);
    after["sha256"] = json!(sha256);
    after["source"] = json!(source);
    record(
        &txn,
        state.now(),
        NewAuditEvent {
            actor,
            action: AuditAction::FrameworksChanged,
            subject_type: "framework",
            subject_id: keys.join(","),
            before: (!imported.replaced.is_empty()).then(|| of(&before)),
            after: Some(after),
        },
    )
    .await?;
    // Findings carry the labels of the controls they bear on.
    state
        .derived
        .refresh(&txn, Changed::Everything, state.now())
        .await?;
    txn.commit().await?;
    Ok(imported)
}

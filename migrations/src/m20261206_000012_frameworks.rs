//! Frameworks and evidence.
//! - `framework`, `control`, `rule_control`: the control catalogue and the mapping of each finding
//!   rule to the controls it bears on (OSCAL relationship words), shipped from
//!   `frameworks_v1.json` (the same format the portal imports and exports). A control may be an
//!   alias of another of its framework (`alias_of`: the CSF 1.1 id PR.AC-1 for PR.AA-01).
//!   A framework with `applies_to_tag` applies only to applications carrying that tag.
//! - `audit_checkpoint`: the chain's head signed by the portal's Ed25519 key (sequence, hash, when,
//!   the public key and the signature), on a schedule and with every export.
//! - indexes on the audit trail's actor, action and subject (each with the sequence), for the
//!   evidence browser's filters.
//! - `chain_check`: each verification of the chain (scheduled or asked for): when, the outcome,
//!   how many events, against which checkpoint, and what was wrong.

use sea_orm_migration::prelude::*;
use serde_json::Value as Json;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Framework {
    Table,
    Key,
    Name,
    Version,
    Short,
    Licence,
    Url,
    AppliesToTag,
    Position,
}

// The column is `control_id` (what rule_control's foreign key names too).
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Control {
    Table,
    Framework,
    ControlId,
    Title,
    Summary,
    AliasOf,
    Position,
}

#[derive(DeriveIden)]
enum RuleControl {
    Table,
    RuleKey,
    Framework,
    ControlId,
    Relationship,
}

#[derive(DeriveIden)]
enum AuditCheckpoint {
    Table,
    Seq,
    Hash,
    SignedAt,
    PublicKey,
    Signature,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    Actor,
    Action,
    SubjectId,
}

#[derive(DeriveIden)]
enum ChainCheck {
    Table,
    Id,
    CheckedAt,
    Intact,
    Events,
    CheckpointSeq,
    Detail,
}

/// The shipped catalogue and mapping (the portal's tests read the same file).
const SHIPPED: &str = include_str!("frameworks_v1.json");

fn text(v: &Json, key: &str) -> Option<String> {
    v.get(key).and_then(Json::as_str).map(str::to_string)
}

fn required(v: &Json, key: &str) -> Result<String, DbErr> {
    text(v, key).ok_or_else(|| DbErr::Custom(format!("frameworks_v1.json: `{key}` missing")))
}

fn list<'a>(v: &'a Json, key: &str) -> Result<&'a Vec<Json>, DbErr> {
    v.get(key)
        .and_then(Json::as_array)
        .ok_or_else(|| DbErr::Custom(format!("frameworks_v1.json: `{key}` missing")))
}

fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use Framework as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(
                    ColumnDef::new(F::Key)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(F::Name).string_len(200).not_null())
                .col(ColumnDef::new(F::Version).string_len(100).not_null())
                .col(ColumnDef::new(F::Short).string_len(32).not_null())
                .col(ColumnDef::new(F::Licence).text().not_null())
                .col(ColumnDef::new(F::Url).text().not_null())
                .col(ColumnDef::new(F::AppliesToTag).string_len(64).null())
                .col(ColumnDef::new(F::Position).integer().not_null())
                .to_owned(),
        )
        .await?;
        use Control as C;
        m.create_table(
            Table::create()
                .table(C::Table)
                .col(ColumnDef::new(C::Framework).string_len(64).not_null())
                .col(ColumnDef::new(C::ControlId).string_len(64).not_null())
                .col(ColumnDef::new(C::Title).text().not_null())
                .col(ColumnDef::new(C::Summary).text().null())
                .col(ColumnDef::new(C::AliasOf).string_len(64).null())
                .col(ColumnDef::new(C::Position).integer().not_null())
                .primary_key(Index::create().col(C::Framework).col(C::ControlId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_control_framework")
                        .from(C::Table, C::Framework)
                        .to(F::Table, F::Key)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        use RuleControl as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(ColumnDef::new(R::RuleKey).string_len(64).not_null())
                .col(ColumnDef::new(R::Framework).string_len(64).not_null())
                .col(ColumnDef::new(R::ControlId).string_len(64).not_null())
                .col(ColumnDef::new(R::Relationship).string_len(32).not_null())
                .primary_key(
                    Index::create()
                        .col(R::RuleKey)
                        .col(R::Framework)
                        .col(R::ControlId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_rule_control_control")
                        .from_tbl(R::Table)
                        .from_col(R::Framework)
                        .from_col(R::ControlId)
                        .to_tbl(C::Table)
                        .to_col(C::Framework)
                        .to_col(C::ControlId)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        use AuditCheckpoint as K;
        m.create_table(
            Table::create()
                .table(K::Table)
                .col(
                    ColumnDef::new(K::Seq)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(K::Hash).string_len(64).not_null())
                .col(at(K::SignedAt))
                .col(ColumnDef::new(K::PublicKey).string_len(64).not_null())
                .col(ColumnDef::new(K::Signature).string_len(128).not_null())
                .to_owned(),
        )
        .await?;
        use ChainCheck as H;
        m.create_table(
            Table::create()
                .table(H::Table)
                .col(
                    ColumnDef::new(H::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(at(H::CheckedAt))
                .col(ColumnDef::new(H::Intact).boolean().not_null())
                .col(ColumnDef::new(H::Events).big_integer().not_null())
                .col(ColumnDef::new(H::CheckpointSeq).big_integer().null())
                .col(ColumnDef::new(H::Detail).text().not_null())
                .to_owned(),
        )
        .await?;

        // The evidence browser's filters page backwards through the trail by sequence.
        for (name, col) in [
            ("ix_audit_event_actor", AuditEvent::Actor),
            ("ix_audit_event_action", AuditEvent::Action),
            ("ix_audit_event_subject", AuditEvent::SubjectId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AuditEvent::Table)
                    .col(col)
                    .col(AuditEvent::Seq)
                    .to_owned(),
            )
            .await?;
        }

        let doc: Json = serde_json::from_str(SHIPPED)
            .map_err(|e| DbErr::Custom(format!("frameworks_v1.json: {e}")))?;
        let mut frameworks = Query::insert()
            .into_table(F::Table)
            .columns([
                F::Key,
                F::Name,
                F::Version,
                F::Short,
                F::Licence,
                F::Url,
                F::AppliesToTag,
                F::Position,
            ])
            .to_owned();
        let mut controls = Query::insert()
            .into_table(C::Table)
            .columns([
                C::Framework,
                C::ControlId,
                C::Title,
                C::Summary,
                C::AliasOf,
                C::Position,
            ])
            .to_owned();
        for (i, f) in list(&doc, "frameworks")?.iter().enumerate() {
            let key = required(f, "key")?;
            frameworks.values_panic([
                key.clone().into(),
                required(f, "name")?.into(),
                required(f, "version")?.into(),
                required(f, "short")?.into(),
                required(f, "licence")?.into(),
                required(f, "url")?.into(),
                text(f, "applies_to_tag").into(),
                (i as i32).into(),
            ]);
            for (j, c) in list(f, "controls")?.iter().enumerate() {
                controls.values_panic([
                    key.clone().into(),
                    required(c, "id")?.into(),
                    required(c, "title")?.into(),
                    text(c, "summary").into(),
                    text(c, "alias_of").into(),
                    (j as i32).into(),
                ]);
            }
        }
        m.exec_stmt(frameworks).await?;
        m.exec_stmt(controls).await?;
        let mut mappings = Query::insert()
            .into_table(R::Table)
            .columns([R::RuleKey, R::Framework, R::ControlId, R::Relationship])
            .to_owned();
        for r in list(&doc, "mappings")? {
            mappings.values_panic([
                required(r, "rule")?.into(),
                required(r, "framework")?.into(),
                required(r, "control")?.into(),
                required(r, "relationship")?.into(),
            ]);
        }
        m.exec_stmt(mappings).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_audit_event_actor",
            "ix_audit_event_action",
            "ix_audit_event_subject",
        ] {
            m.drop_index(Index::drop().name(name).table(AuditEvent::Table).to_owned())
                .await?;
        }
        for table in [
            ChainCheck::Table.into_iden(),
            AuditCheckpoint::Table.into_iden(),
            RuleControl::Table.into_iden(),
            Control::Table.into_iden(),
            Framework::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Foundation: people and their passkeys, one-time enrolment tokens, server-side sessions and the
//! append-only, hash-chained audit trail.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    DisplayName,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserRole {
    Table,
    UserId,
    Role,
    GrantedAt,
}

#[derive(DeriveIden)]
enum Passkey {
    Table,
    Id,
    UserId,
    CredentialId,
    Name,
    Credential,
    SignCount,
    BackupEligible,
    BackupState,
    Attachment,
    CreatedAt,
    LastUsedAt,
    FlaggedAt,
    FlagReason,
}

#[derive(DeriveIden)]
enum EnrolmentToken {
    Table,
    Id,
    TokenHash,
    Purpose,
    UserId,
    IssuedBy,
    Reason,
    RevokeOldPasskeys,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum WebSession {
    Table,
    Id,
    UserId,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    OccurredAt,
    Actor,
    Action,
    SubjectType,
    SubjectId,
    Before,
    After,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

/// Hash that the first event of a chain points back to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppUser::Table)
                .col(ColumnDef::new(AppUser::Id).uuid().not_null().primary_key())
                .col(
                    ColumnDef::new(AppUser::Username)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(AppUser::DisplayName)
                        .string_len(120)
                        .not_null(),
                )
                .col(ColumnDef::new(AppUser::Status).string_len(16).not_null())
                .col(
                    ColumnDef::new(AppUser::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AppUser::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserRole::Table)
                .col(ColumnDef::new(UserRole::UserId).uuid().not_null())
                .col(ColumnDef::new(UserRole::Role).string_len(16).not_null())
                .col(
                    ColumnDef::new(UserRole::GrantedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(Index::create().col(UserRole::UserId).col(UserRole::Role))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserRole::Table, UserRole::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Passkey::Table)
                .col(ColumnDef::new(Passkey::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Passkey::UserId).uuid().not_null())
                // A credential id belongs to one account only: unique across the whole portal.
                .col(
                    ColumnDef::new(Passkey::CredentialId)
                        .string_len(1400)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Passkey::Name).string_len(80).not_null())
                .col(ColumnDef::new(Passkey::Credential).text().not_null())
                .col(ColumnDef::new(Passkey::SignCount).big_integer().not_null())
                .col(ColumnDef::new(Passkey::BackupEligible).boolean().not_null())
                .col(ColumnDef::new(Passkey::BackupState).boolean().not_null())
                .col(ColumnDef::new(Passkey::Attachment).string_len(32).null())
                .col(
                    ColumnDef::new(Passkey::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Passkey::LastUsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Passkey::FlaggedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Passkey::FlagReason).string_len(200).null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Passkey::Table, Passkey::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_passkey_user")
                .table(Passkey::Table)
                .col(Passkey::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EnrolmentToken::Table)
                .col(
                    ColumnDef::new(EnrolmentToken::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                // SHA-256 of the secret in hex; the secret itself is never stored.
                .col(
                    ColumnDef::new(EnrolmentToken::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(EnrolmentToken::Purpose)
                        .string_len(16)
                        .not_null(),
                )
                .col(ColumnDef::new(EnrolmentToken::UserId).uuid().null())
                .col(ColumnDef::new(EnrolmentToken::IssuedBy).uuid().null())
                .col(
                    ColumnDef::new(EnrolmentToken::Reason)
                        .string_len(500)
                        .null(),
                )
                .col(
                    ColumnDef::new(EnrolmentToken::RevokeOldPasskeys)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(EnrolmentToken::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(EnrolmentToken::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(EnrolmentToken::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(EnrolmentToken::Table, EnrolmentToken::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebSession::Table)
                .col(
                    ColumnDef::new(WebSession::Id)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(WebSession::UserId).uuid().null())
                .col(ColumnDef::new(WebSession::Data).text().not_null())
                // Unix seconds: compared as integers on both backends.
                .col(
                    ColumnDef::new(WebSession::ExpiresAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_web_session_expires")
                .table(WebSession::Table)
                .col(WebSession::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_web_session_user")
                .table(WebSession::Table)
                .col(WebSession::UserId)
                .to_owned(),
        )
        .await?;

        // Every field of an event is stored as text so that its hash can be recomputed from the
        // exact bytes stored, on either backend.
        m.create_table(
            Table::create()
                .table(AuditEvent::Table)
                .col(
                    ColumnDef::new(AuditEvent::Seq)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AuditEvent::OccurredAt)
                        .string_len(40)
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvent::Actor).string_len(200).not_null())
                .col(ColumnDef::new(AuditEvent::Action).string_len(64).not_null())
                .col(
                    ColumnDef::new(AuditEvent::SubjectType)
                        .string_len(64)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuditEvent::SubjectId)
                        .string_len(200)
                        .not_null(),
                )
                .col(ColumnDef::new(AuditEvent::Before).text().null())
                .col(ColumnDef::new(AuditEvent::After).text().null())
                .col(
                    ColumnDef::new(AuditEvent::PrevHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(AuditEvent::Hash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_audit_subject", AuditEvent::SubjectId),
            ("idx_audit_actor", AuditEvent::Actor),
            ("idx_audit_action", AuditEvent::Action),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AuditEvent::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        // The chain head: one row, advanced inside each writer's transaction. Its row lock is what
        // orders concurrent writers, across processes, on PostgreSQL; on SQLite the write
        // transaction (BEGIN IMMEDIATE) already does.
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(
                    ColumnDef::new(AuditHead::Id)
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuditHead::Seq).big_integer().not_null())
                .col(ColumnDef::new(AuditHead::Hash).string_len(64).not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), GENESIS.into()])
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        for sql in append_only_triggers(m.get_database_backend()) {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP TABLE IF EXISTS audit_event CASCADE")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_event_append_only()")
                .await?;
        } else {
            m.drop_table(Table::drop().table(AuditEvent::Table).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebSession::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(EnrolmentToken::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Passkey::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(UserRole::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AppUser::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// Triggers that make the audit trail append-only at the database itself.
fn append_only_triggers(backend: DbBackend) -> Vec<&'static str> {
    match backend {
        DbBackend::Postgres => vec![
            r#"CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
               END;
               $$"#,
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event \
             FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event \
             FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
        ],
        _ => vec![
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event \
             BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END",
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event \
             BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END",
        ],
    }
}

//! Paths that combine factors. Each role of a journey holds paths, each one or more methods used
//! together ("a password with an authenticator code"), and assurance is computed per path from
//! the kind of factor each method is:
//! - `auth_method.factor`: multi-factor on its own, something you know, something you have,
//!   federated sign-in, or a procedure (a help-desk reset, a temporary access pass);
//! - `declaration_method.path`: which path of its role a method row belongs to. Rows written
//!   before paths existed were one method per path, so their path is their position. Submitted
//!   versions themselves are evidence and stay byte for byte as they were: a bare method key in a
//!   stored document reads as a one-method path.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthMethod {
    Table,
    Key,
    Factor,
}

#[derive(DeriveIden)]
enum DeclarationMethod {
    Table,
    Path,
    Position,
}

/// The shipped methods' kinds of factor; any other (an administrator's own) starts as
/// "something you have" and is set in the catalogue page.
const FACTORS: &[(&str, &str)] = &[
    ("smart_card", "multi_factor"),
    ("security_key", "multi_factor"),
    ("platform_passkey", "multi_factor"),
    ("synced_passkey", "multi_factor"),
    ("federated_idp", "federation"),
    ("push_number_matching", "possession"),
    ("totp_app", "possession"),
    ("hardware_otp", "possession"),
    ("push_plain", "possession"),
    ("sms_otp", "possession"),
    ("voice_call", "possession"),
    ("recovery_codes", "possession"),
    ("email_link", "possession"),
    ("password", "knowledge"),
    ("temporary_access_pass", "procedure"),
    ("helpdesk_proofing", "procedure"),
    ("manager_attestation", "procedure"),
    ("helpdesk_kba", "procedure"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the guard lifted below must come back on the same
    /// connection that lifted it (SQLite would otherwise run each statement on any connection
    /// of the pool, and one may still read the schema from before the guard was lifted).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AuthMethod::Table)
                .add_column(
                    ColumnDef::new(AuthMethod::Factor)
                        .string_len(16)
                        .not_null()
                        .default("possession"),
                )
                .to_owned(),
        )
        .await?;
        for (key, factor) in FACTORS {
            m.exec_stmt(
                Query::update()
                    .table(AuthMethod::Table)
                    .value(AuthMethod::Factor, *factor)
                    .and_where(Expr::col(AuthMethod::Key).eq(*key))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(DeclarationMethod::Table)
                .add_column(
                    ColumnDef::new(DeclarationMethod::Path)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        // The rows are evidence and their table refuses updates: this one filling of a new
        // column (which changes no recorded fact) lifts the guard for the statement only.
        let backend = m.get_database_backend();
        let conn = m.get_connection();
        let (lift, restore) = match backend {
            DbBackend::Postgres => (
                "ALTER TABLE declaration_method DISABLE TRIGGER declaration_method_immutable",
                "ALTER TABLE declaration_method ENABLE TRIGGER declaration_method_immutable",
            ),
            _ => (
                "DROP TRIGGER declaration_method_no_update",
                "CREATE TRIGGER declaration_method_no_update BEFORE UPDATE ON declaration_method \
                 BEGIN SELECT RAISE(ABORT, 'declaration_method is immutable: UPDATE refused'); END",
            ),
        };
        conn.execute_unprepared(lift).await?;
        m.exec_stmt(
            Query::update()
                .table(DeclarationMethod::Table)
                .value(
                    DeclarationMethod::Path,
                    Expr::col(DeclarationMethod::Position),
                )
                .to_owned(),
        )
        .await?;
        conn.execute_unprepared(restore).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(DeclarationMethod::Table)
                .drop_column(DeclarationMethod::Path)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AuthMethod::Table)
                .drop_column(AuthMethod::Factor)
                .to_owned(),
        )
        .await
    }
}

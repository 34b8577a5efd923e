//! Passkey ceremonies: server-side WebAuthn state, one row per ceremony, consumed exactly once;
//! and installation settings (random keys generated on first start).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebauthnCeremony {
    Table,
    Id,
    SessionId,
    Kind,
    State,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum PortalSetting {
    Table,
    Key,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebauthnCeremony::Table)
                .col(
                    ColumnDef::new(WebauthnCeremony::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                // The browser session the ceremony belongs to (its tower-sessions id).
                .col(
                    ColumnDef::new(WebauthnCeremony::SessionId)
                        .string_len(64)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebauthnCeremony::Kind)
                        .string_len(24)
                        .not_null(),
                )
                .col(ColumnDef::new(WebauthnCeremony::State).text().not_null())
                .col(
                    ColumnDef::new(WebauthnCeremony::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebauthnCeremony::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webauthn_ceremony_expires")
                .table(WebauthnCeremony::Table)
                .col(WebauthnCeremony::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PortalSetting::Table)
                .col(
                    ColumnDef::new(PortalSetting::Key)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(PortalSetting::Value).text().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PortalSetting::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebauthnCeremony::Table).to_owned())
            .await
    }
}

//! Sessions that really end: each user carries a session epoch that every request compares with
//! the one its session was signed in under (ending a user's sessions raises it, so a session
//! written back by a request still in flight is dead all the same), and sessions are stored under
//! a hash of their id. Sessions and ceremonies stored under the plain ids cannot be found under
//! the hashes: they are removed, so upgrading signs everyone out once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum WebSession {
    Table,
}

#[derive(DeriveIden)]
enum WebauthnCeremony {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AppUser::Table)
                .add_column(
                    ColumnDef::new(AppUser::SessionEpoch)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        m.exec_stmt(Query::delete().from_table(WebSession::Table).to_owned())
            .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(WebauthnCeremony::Table)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(Query::delete().from_table(WebSession::Table).to_owned())
            .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(WebauthnCeremony::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AppUser::Table)
                .drop_column(AppUser::SessionEpoch)
                .to_owned(),
        )
        .await
    }
}

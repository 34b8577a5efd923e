//! Keyset paging of the applications list: the list always filters on archiving and reads in name
//! order, so one index on both answers every page by walking it in order (an archived filter that
//! matches nothing costs nothing), whatever the estate's size.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    Archived,
    NameKey,
}

const INDEX: &str = "idx_application_archived_name_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(Application::Table)
                .col(Application::Archived)
                .col(Application::NameKey)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(Application::Table)
                .to_owned(),
        )
        .await
    }
}

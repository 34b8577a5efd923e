//! Why a version was submitted: the reason its author gave when reviewing the differences before
//! submitting (optional; versions imported or generated have none). Added beside the immutable
//! version's other columns; the triggers that refuse updates and deletes keep guarding the row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeclarationVersion {
    Table,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(DeclarationVersion::Table)
                .add_column(ColumnDef::new(DeclarationVersion::Reason).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(DeclarationVersion::Table)
                .drop_column(DeclarationVersion::Reason)
                .to_owned(),
        )
        .await
    }
}

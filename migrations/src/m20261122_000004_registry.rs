//! The application registry and journey declarations: applications with their owners,
//! populations and tags; one editable draft per application; submitted versions, immutable at the
//! database itself; and each version flattened to (population, role, position, method) rows for
//! the consistency matrix.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    BusinessUnitId,
    Criticality,
    Integration,
    Lifecycle,
    IsIdentityProvider,
    ProviderId,
    Archived,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApplicationOwner {
    Table,
    ApplicationId,
    UserId,
}

#[derive(DeriveIden)]
enum ApplicationPopulation {
    Table,
    ApplicationId,
    PopulationKey,
}

#[derive(DeriveIden)]
enum ApplicationTag {
    Table,
    ApplicationId,
    Tag,
}

#[derive(DeriveIden)]
enum DeclarationDraft {
    Table,
    ApplicationId,
    Body,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeclarationVersion {
    Table,
    Id,
    ApplicationId,
    Version,
    Body,
    BodySha256,
    AuthorId,
    Source,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum DeclarationMethod {
    Table,
    VersionId,
    PopulationKey,
    Role,
    Position,
    MethodKey,
}

#[derive(DeriveIden)]
enum BusinessUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Population {
    Table,
    Key,
}

#[derive(DeriveIden)]
enum AuthMethod {
    Table,
    Key,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Application::Table)
                .col(
                    ColumnDef::new(Application::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Application::Name).string_len(120).not_null())
                .col(
                    ColumnDef::new(Application::NameKey)
                        .string_len(120)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Application::Description).text().not_null())
                .col(ColumnDef::new(Application::BusinessUnitId).uuid().null())
                .col(
                    ColumnDef::new(Application::Criticality)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Application::Integration)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Application::Lifecycle)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Application::IsIdentityProvider)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(Application::ProviderId).uuid().null())
                .col(ColumnDef::new(Application::Archived).boolean().not_null())
                .col(
                    ColumnDef::new(Application::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Application::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_application_business_unit",
                    (Application::Table, Application::BusinessUnitId),
                    (BusinessUnit::Table, BusinessUnit::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_application_provider",
                    (Application::Table, Application::ProviderId),
                    (Application::Table, Application::Id),
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_application_business_unit", Application::BusinessUnitId),
            ("idx_application_provider", Application::ProviderId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Application::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(ApplicationOwner::Table)
                .col(
                    ColumnDef::new(ApplicationOwner::ApplicationId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(ApplicationOwner::UserId).uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(ApplicationOwner::ApplicationId)
                        .col(ApplicationOwner::UserId),
                )
                .foreign_key(&mut fk(
                    "fk_application_owner_application",
                    (ApplicationOwner::Table, ApplicationOwner::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_application_owner_user",
                    (ApplicationOwner::Table, ApplicationOwner::UserId),
                    (AppUser::Table, AppUser::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_application_owner_user")
                .table(ApplicationOwner::Table)
                .col(ApplicationOwner::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApplicationPopulation::Table)
                .col(
                    ColumnDef::new(ApplicationPopulation::ApplicationId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationPopulation::PopulationKey)
                        .string_len(48)
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(ApplicationPopulation::ApplicationId)
                        .col(ApplicationPopulation::PopulationKey),
                )
                .foreign_key(&mut fk(
                    "fk_application_population_application",
                    (
                        ApplicationPopulation::Table,
                        ApplicationPopulation::ApplicationId,
                    ),
                    (Application::Table, Application::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_application_population_population",
                    (
                        ApplicationPopulation::Table,
                        ApplicationPopulation::PopulationKey,
                    ),
                    (Population::Table, Population::Key),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_application_population_key")
                .table(ApplicationPopulation::Table)
                .col(ApplicationPopulation::PopulationKey)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApplicationTag::Table)
                .col(
                    ColumnDef::new(ApplicationTag::ApplicationId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationTag::Tag)
                        .string_len(48)
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(ApplicationTag::ApplicationId)
                        .col(ApplicationTag::Tag),
                )
                .foreign_key(&mut fk(
                    "fk_application_tag_application",
                    (ApplicationTag::Table, ApplicationTag::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_application_tag_tag")
                .table(ApplicationTag::Table)
                .col(ApplicationTag::Tag)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeclarationDraft::Table)
                .col(
                    ColumnDef::new(DeclarationDraft::ApplicationId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(DeclarationDraft::Body).text().not_null())
                .col(ColumnDef::new(DeclarationDraft::UpdatedBy).uuid().null())
                .col(
                    ColumnDef::new(DeclarationDraft::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_declaration_draft_application",
                    (DeclarationDraft::Table, DeclarationDraft::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeclarationVersion::Table)
                .col(
                    ColumnDef::new(DeclarationVersion::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(DeclarationVersion::ApplicationId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationVersion::Version)
                        .integer()
                        .not_null(),
                )
                .col(ColumnDef::new(DeclarationVersion::Body).text().not_null())
                .col(
                    ColumnDef::new(DeclarationVersion::BodySha256)
                        .string_len(64)
                        .not_null(),
                )
                .col(ColumnDef::new(DeclarationVersion::AuthorId).uuid().null())
                .col(
                    ColumnDef::new(DeclarationVersion::Source)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationVersion::SubmittedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_declaration_version_application",
                    (DeclarationVersion::Table, DeclarationVersion::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_declaration_version_author",
                    (DeclarationVersion::Table, DeclarationVersion::AuthorId),
                    (AppUser::Table, AppUser::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_declaration_version_application_version")
                .table(DeclarationVersion::Table)
                .col(DeclarationVersion::ApplicationId)
                .col(DeclarationVersion::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_declaration_version_submitted")
                .table(DeclarationVersion::Table)
                .col(DeclarationVersion::ApplicationId)
                .col(DeclarationVersion::SubmittedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DeclarationMethod::Table)
                .col(
                    ColumnDef::new(DeclarationMethod::VersionId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationMethod::PopulationKey)
                        .string_len(48)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationMethod::Role)
                        .string_len(24)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationMethod::Position)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(DeclarationMethod::MethodKey)
                        .string_len(48)
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(DeclarationMethod::VersionId)
                        .col(DeclarationMethod::PopulationKey)
                        .col(DeclarationMethod::Role)
                        .col(DeclarationMethod::Position),
                )
                .foreign_key(&mut fk(
                    "fk_declaration_method_version",
                    (DeclarationMethod::Table, DeclarationMethod::VersionId),
                    (DeclarationVersion::Table, DeclarationVersion::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_declaration_method_method",
                    (DeclarationMethod::Table, DeclarationMethod::MethodKey),
                    (AuthMethod::Table, AuthMethod::Key),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_declaration_method_method")
                .table(DeclarationMethod::Table)
                .col(DeclarationMethod::MethodKey)
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        for sql in immutable_triggers(m.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DeclarationMethod::Table.into_iden(),
            DeclarationVersion::Table.into_iden(),
            DeclarationDraft::Table.into_iden(),
            ApplicationTag::Table.into_iden(),
            ApplicationPopulation::Table.into_iden(),
            ApplicationOwner::Table.into_iden(),
            Application::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS declaration_immutable()")
                .await?;
        }
        Ok(())
    }
}

/// Submitted declaration versions (and their flattened rows) are evidence: the database refuses
/// to change or delete them.
fn immutable_triggers(backend: DbBackend) -> Vec<String> {
    let tables = ["declaration_version", "declaration_method"];
    match backend {
        DbBackend::Postgres => {
            let mut v = vec![
                r#"CREATE FUNCTION declaration_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN
                     RAISE EXCEPTION '% is immutable: % refused', TG_TABLE_NAME, TG_OP;
                   END;
                   $$"#
                .to_string(),
            ];
            for t in tables {
                v.push(format!(
                    "CREATE TRIGGER {t}_immutable BEFORE UPDATE OR DELETE ON {t} \
                     FOR EACH ROW EXECUTE FUNCTION declaration_immutable()"
                ));
                v.push(format!(
                    "CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} \
                     FOR EACH STATEMENT EXECUTE FUNCTION declaration_immutable()"
                ));
            }
            v
        }
        _ => tables
            .iter()
            .flat_map(|t| {
                ["UPDATE", "DELETE"].map(|op| {
                    format!(
                        "CREATE TRIGGER {t}_no_{} BEFORE {op} ON {t} \
                         BEGIN SELECT RAISE(ABORT, '{t} is immutable: {op} refused'); END",
                        op.to_lowercase()
                    )
                })
            })
            .collect(),
    }
}

//! The standard policy and the findings judged against it.
//! - `policy_version`: every version of the standard policy as one JSON document with its
//!   SHA-256, immutable at the database itself like declaration versions; version 1, the shipped
//!   default, is written here.
//! - `finding`: each application's deviations from the policy, replaced per application whenever
//!   something they derive from changes; a deviation that disappears stays as resolved with its
//!   time, and one that comes back is opened again.
//! - `application_assessment`: per application, the effective assurance of its weakest path,
//!   whether it is phishing-resistant end to end, and its open findings by severity.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PolicyVersion {
    Table,
    Version,
    Body,
    BodySha256,
    AuthorId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Finding {
    Table,
    ApplicationId,
    Key,
    SortKey,
    Rule,
    Severity,
    SeverityRank,
    PopulationKey,
    Role,
    Method,
    Criticality,
    BusinessUnitId,
    Explanation,
    Fix,
    Controls,
    OpenedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum ApplicationAssessment {
    Table,
    ApplicationId,
    Aal,
    PhishingResistant,
    OpenCritical,
    OpenHigh,
    OpenMedium,
    OpenLow,
    PolicyVersion,
    EvaluatedAt,
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

/// The shipped standard policy (the same file the portal's tests read as `policy::rules::shipped`),
/// stored byte for byte.
const SHIPPED: &str = include_str!("policy_v1.json");
/// The SHA-256 of `SHIPPED` (a test checks every stored version against its hash).
const SHIPPED_SHA256: &str = "3f6307dfa9eebc0c58fd36f731d4d8f21a605cc2cf758dba5c1580e0b008bfeb";

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
                .table(PolicyVersion::Table)
                .col(
                    ColumnDef::new(PolicyVersion::Version)
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(PolicyVersion::Body).text().not_null())
                .col(
                    ColumnDef::new(PolicyVersion::BodySha256)
                        .string_len(64)
                        .not_null(),
                )
                .col(ColumnDef::new(PolicyVersion::AuthorId).uuid().null())
                .col(ColumnDef::new(PolicyVersion::Reason).text().not_null())
                .col(
                    ColumnDef::new(PolicyVersion::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_policy_version_author",
                    (PolicyVersion::Table, PolicyVersion::AuthorId),
                    (AppUser::Table, AppUser::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(PolicyVersion::Table)
                .columns([
                    PolicyVersion::Version,
                    PolicyVersion::Body,
                    PolicyVersion::BodySha256,
                    PolicyVersion::Reason,
                    PolicyVersion::CreatedAt,
                ])
                .values_panic([
                    1.into(),
                    SHIPPED.into(),
                    SHIPPED_SHA256.into(),
                    "The standard shipped with the portal.".into(),
                    Expr::current_timestamp(),
                ])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Finding::Table)
                .col(ColumnDef::new(Finding::ApplicationId).uuid().not_null())
                .col(ColumnDef::new(Finding::Key).string_len(400).not_null())
                .col(ColumnDef::new(Finding::SortKey).string_len(700).not_null())
                .col(ColumnDef::new(Finding::Rule).string_len(48).not_null())
                .col(ColumnDef::new(Finding::Severity).string_len(16).not_null())
                .col(
                    ColumnDef::new(Finding::SeverityRank)
                        .small_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Finding::PopulationKey).string_len(64).null())
                .col(ColumnDef::new(Finding::Role).string_len(32).null())
                .col(ColumnDef::new(Finding::Method).string_len(200).null())
                // The application's criticality and business unit, copied in whenever its
                // findings are written (every change of them judges it again), so that the list
                // filters by them off an index instead of through the application table.
                .col(
                    ColumnDef::new(Finding::Criticality)
                        .string_len(16)
                        .not_null(),
                )
                .col(ColumnDef::new(Finding::BusinessUnitId).uuid().null())
                .col(ColumnDef::new(Finding::Explanation).text().not_null())
                .col(ColumnDef::new(Finding::Fix).text().not_null())
                .col(ColumnDef::new(Finding::Controls).text().not_null())
                .col(
                    ColumnDef::new(Finding::OpenedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Finding::ResolvedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .primary_key(
                    Index::create()
                        .col(Finding::ApplicationId)
                        .col(Finding::Key),
                )
                .foreign_key(&mut fk(
                    "fk_finding_application",
                    (Finding::Table, Finding::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .to_owned(),
        )
        .await?;
        // The findings list pages open (or resolved) findings by their sort key: most severe
        // first, then by application and key.
        m.create_index(
            Index::create()
                .name("uq_finding_sort_key")
                .table(Finding::Table)
                .col(Finding::SortKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_finding_state_sort")
                .table(Finding::Table)
                .col(Finding::ResolvedAt)
                .col(Finding::SortKey)
                .to_owned(),
        )
        .await?;
        // A rule's open findings in list order: the page is read off the index however common
        // the rule (with the rule alone, a common one was sorted whole). Partial, because
        // PostgreSQL does not take `resolved_at IS NULL` as an equality that keeps the order of
        // the columns after it: with (rule, resolved_at, sort_key) it sorted a common rule's
        // findings whole (82 ms at 20,000 applications; 0.14 ms with this index).
        m.create_index(
            Index::create()
                .name("idx_finding_open_rule_sort")
                .table(Finding::Table)
                .col(Finding::Rule)
                .col(Finding::SortKey)
                .and_where(Expr::col(Finding::ResolvedAt).is_null())
                .to_owned(),
        )
        .await?;

        // The open findings of a criticality, and of a business unit, in list order.
        for (name, column) in [
            ("idx_finding_open_criticality_sort", Finding::Criticality),
            ("idx_finding_open_unit_sort", Finding::BusinessUnitId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Finding::Table)
                    .col(column)
                    .col(Finding::SortKey)
                    .and_where(Expr::col(Finding::ResolvedAt).is_null())
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(ApplicationAssessment::Table)
                .col(
                    ColumnDef::new(ApplicationAssessment::ApplicationId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::Aal)
                        .small_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::PhishingResistant)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::OpenCritical)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::OpenHigh)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::OpenMedium)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::OpenLow)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::PolicyVersion)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ApplicationAssessment::EvaluatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_application_assessment_application",
                    (
                        ApplicationAssessment::Table,
                        ApplicationAssessment::ApplicationId,
                    ),
                    (Application::Table, Application::Id),
                ))
                .to_owned(),
        )
        .await?;

        let conn = m.get_connection();
        for sql in immutable_triggers(m.get_database_backend()) {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApplicationAssessment::Table.into_iden(),
            Finding::Table.into_iden(),
            PolicyVersion::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS policy_immutable()")
                .await?;
        }
        Ok(())
    }
}

/// Policy versions are evidence: the database refuses to change or delete them.
fn immutable_triggers(backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            r#"CREATE FUNCTION policy_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 RAISE EXCEPTION '% is immutable: % refused', TG_TABLE_NAME, TG_OP;
               END;
               $$"#
            .to_string(),
            "CREATE TRIGGER policy_version_immutable BEFORE UPDATE OR DELETE ON policy_version \
             FOR EACH ROW EXECUTE FUNCTION policy_immutable()"
                .to_string(),
            "CREATE TRIGGER policy_version_no_truncate BEFORE TRUNCATE ON policy_version \
             FOR EACH STATEMENT EXECUTE FUNCTION policy_immutable()"
                .to_string(),
        ],
        _ => ["UPDATE", "DELETE"]
            .map(|op| {
                format!(
                    "CREATE TRIGGER policy_version_no_{} BEFORE {op} ON policy_version \
                     BEGIN SELECT RAISE(ABORT, 'policy_version is immutable: {op} refused'); END",
                    op.to_lowercase()
                )
            })
            .to_vec(),
    }
}

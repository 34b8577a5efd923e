//! Exceptions and what follows from them.
//! - `finding_exception`: time-limited acceptances of one finding (by application and finding
//!   key), with their whole life: request, decision, end (withdrawn, revoked, renewed, expired).
//!   At most one request per finding waits for a decision (a partial unique index).
//! - `exception_reminder`: one row per (exception, threshold) once its reminder went out; the
//!   primary key makes each reminder happen once however many instances race for it.
//! - `notification`: the in-app notification list of each user.
//! - `webhook`, `webhook_delivery`, `webhook_attempt`: outgoing webhooks admins configure, the
//!   events queued for each (unique per webhook and event) and every delivery attempt.
//! - `job_lease`: which instance runs a background job, until when.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FindingException {
    Table,
    Id,
    ApplicationId,
    FindingKey,
    Rule,
    Severity,
    State,
    Justification,
    CompensatingControls,
    ExpiresAt,
    RequestedBy,
    RequestedAt,
    RenewsId,
    RenewalNumber,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    EndedBy,
    EndedAt,
    EndReason,
    RequestedSort,
    ExpirySort,
}

#[derive(DeriveIden)]
enum ExceptionReminder {
    Table,
    ExceptionId,
    Threshold,
    SentAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    UserId,
    CreatedAt,
    CreatedSort,
    SubjectType,
    SubjectId,
    Text,
    Link,
    ReadAt,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Description,
    Secret,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    EventKey,
    Event,
    Body,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    DeliveryId,
    AttemptedAt,
    StatusCode,
    Error,
    DurationMs,
}

#[derive(DeriveIden)]
enum JobLease {
    Table,
    Name,
    Holder,
    LeasedUntil,
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

fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn at_null(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use FindingException as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(ColumnDef::new(E::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(E::ApplicationId).uuid().not_null())
                .col(ColumnDef::new(E::FindingKey).string_len(400).not_null())
                .col(ColumnDef::new(E::Rule).string_len(48).not_null())
                .col(ColumnDef::new(E::Severity).string_len(16).not_null())
                .col(ColumnDef::new(E::State).string_len(16).not_null())
                .col(ColumnDef::new(E::Justification).text().not_null())
                .col(ColumnDef::new(E::CompensatingControls).text().not_null())
                .col(at(E::ExpiresAt))
                .col(ColumnDef::new(E::RequestedBy).uuid().not_null())
                .col(at(E::RequestedAt))
                .col(ColumnDef::new(E::RenewsId).uuid().null())
                .col(ColumnDef::new(E::RenewalNumber).integer().not_null())
                .col(ColumnDef::new(E::DecidedBy).uuid().null())
                .col(at_null(E::DecidedAt))
                .col(ColumnDef::new(E::DecisionReason).text().null())
                .col(ColumnDef::new(E::EndedBy).uuid().null())
                .col(at_null(E::EndedAt))
                .col(ColumnDef::new(E::EndReason).text().null())
                // The lists' orders, unique: the time and the id.
                .col(ColumnDef::new(E::RequestedSort).string_len(80).not_null())
                .col(ColumnDef::new(E::ExpirySort).string_len(80).not_null())
                .foreign_key(&mut fk(
                    "fk_exception_application",
                    (E::Table, E::ApplicationId),
                    (Application::Table, Application::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_exception_requester",
                    (E::Table, E::RequestedBy),
                    (AppUser::Table, AppUser::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_exception_decider",
                    (E::Table, E::DecidedBy),
                    (AppUser::Table, AppUser::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_exception_renews",
                    (E::Table, E::RenewsId),
                    (E::Table, E::Id),
                ))
                .to_owned(),
        )
        .await?;
        // One request per finding waits for a decision at a time.
        m.create_index(
            Index::create()
                .name("uq_exception_one_request")
                .table(E::Table)
                .col(E::ApplicationId)
                .col(E::FindingKey)
                .unique()
                .and_where(Expr::col(E::State).eq("requested"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_exception_finding",
                vec![E::ApplicationId, E::FindingKey],
            ),
            (
                "idx_exception_state_requested",
                vec![E::State, E::RequestedSort],
            ),
            ("idx_exception_state_expiry", vec![E::State, E::ExpirySort]),
            (
                "idx_exception_requester",
                vec![E::RequestedBy, E::RequestedSort],
            ),
            ("idx_exception_requested_sort", vec![E::RequestedSort]),
            ("idx_exception_renews", vec![E::RenewsId]),
        ] {
            let mut index = Index::create().name(name).table(E::Table).to_owned();
            for c in cols {
                index.col(c);
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(ExceptionReminder::Table)
                .col(
                    ColumnDef::new(ExceptionReminder::ExceptionId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ExceptionReminder::Threshold)
                        .integer()
                        .not_null(),
                )
                .col(at(ExceptionReminder::SentAt))
                .primary_key(
                    Index::create()
                        .col(ExceptionReminder::ExceptionId)
                        .col(ExceptionReminder::Threshold),
                )
                .foreign_key(&mut fk(
                    "fk_exception_reminder_exception",
                    (ExceptionReminder::Table, ExceptionReminder::ExceptionId),
                    (E::Table, E::Id),
                ))
                .to_owned(),
        )
        .await?;

        use Notification as N;
        m.create_table(
            Table::create()
                .table(N::Table)
                .col(ColumnDef::new(N::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(N::UserId).uuid().not_null())
                .col(at(N::CreatedAt))
                .col(ColumnDef::new(N::CreatedSort).string_len(80).not_null())
                .col(ColumnDef::new(N::SubjectType).string_len(32).not_null())
                .col(ColumnDef::new(N::SubjectId).string_len(64).not_null())
                .col(ColumnDef::new(N::Text).text().not_null())
                .col(ColumnDef::new(N::Link).string_len(400).not_null())
                .col(at_null(N::ReadAt))
                .foreign_key(&mut fk(
                    "fk_notification_user",
                    (N::Table, N::UserId),
                    (AppUser::Table, AppUser::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notification_user_sort")
                .table(N::Table)
                .col(N::UserId)
                .col(N::CreatedSort)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notification_unread")
                .table(N::Table)
                .col(N::UserId)
                .and_where(Expr::col(N::ReadAt).is_null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Webhook::Table)
                .col(ColumnDef::new(Webhook::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Webhook::Url).string_len(2000).not_null())
                .col(
                    ColumnDef::new(Webhook::Description)
                        .string_len(200)
                        .not_null(),
                )
                .col(ColumnDef::new(Webhook::Secret).string_len(128).not_null())
                .col(ColumnDef::new(Webhook::Active).boolean().not_null())
                .col(ColumnDef::new(Webhook::CreatedBy).uuid().null())
                .col(at(Webhook::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_webhook_creator",
                    (Webhook::Table, Webhook::CreatedBy),
                    (AppUser::Table, AppUser::Id),
                ))
                .to_owned(),
        )
        .await?;

        use WebhookDelivery as D;
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(ColumnDef::new(D::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(D::WebhookId).uuid().not_null())
                .col(ColumnDef::new(D::EventKey).string_len(200).not_null())
                .col(ColumnDef::new(D::Event).string_len(48).not_null())
                .col(ColumnDef::new(D::Body).text().not_null())
                .col(ColumnDef::new(D::State).string_len(16).not_null())
                .col(ColumnDef::new(D::Attempts).integer().not_null())
                .col(at_null(D::NextAttemptAt))
                .col(at_null(D::ClaimedUntil))
                .col(at(D::CreatedAt))
                .col(at_null(D::DeliveredAt))
                .foreign_key(&mut fk(
                    "fk_webhook_delivery_webhook",
                    (D::Table, D::WebhookId),
                    (Webhook::Table, Webhook::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_webhook_delivery_event")
                .table(D::Table)
                .col(D::WebhookId)
                .col(D::EventKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_delivery_due")
                .table(D::Table)
                .col(D::State)
                .col(D::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_delivery_created")
                .table(D::Table)
                .col(D::WebhookId)
                .col(D::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookAttempt::Table)
                .col(
                    ColumnDef::new(WebhookAttempt::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(WebhookAttempt::DeliveryId).uuid().not_null())
                .col(at(WebhookAttempt::AttemptedAt))
                .col(ColumnDef::new(WebhookAttempt::StatusCode).integer().null())
                .col(ColumnDef::new(WebhookAttempt::Error).text().null())
                .col(
                    ColumnDef::new(WebhookAttempt::DurationMs)
                        .integer()
                        .not_null(),
                )
                .foreign_key(&mut fk(
                    "fk_webhook_attempt_delivery",
                    (WebhookAttempt::Table, WebhookAttempt::DeliveryId),
                    (D::Table, D::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_attempt_delivery")
                .table(WebhookAttempt::Table)
                .col(WebhookAttempt::DeliveryId)
                .col(WebhookAttempt::AttemptedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(JobLease::Table)
                .col(
                    ColumnDef::new(JobLease::Name)
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(JobLease::Holder).string_len(64).not_null())
                .col(at(JobLease::LeasedUntil))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Renewals point at the exceptions they renew (restricted): unlink them first.
        m.exec_stmt(
            Query::update()
                .table(FindingException::Table)
                .value(FindingException::RenewsId, Expr::cust("NULL"))
                .to_owned(),
        )
        .await?;
        for table in [
            JobLease::Table.into_iden(),
            WebhookAttempt::Table.into_iden(),
            WebhookDelivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            Notification::Table.into_iden(),
            ExceptionReminder::Table.into_iden(),
            FindingException::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

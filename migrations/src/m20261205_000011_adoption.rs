//! Adoption figures and the tokens scripts send them with.
//! - `adoption_batch`: one row per ingestion (file, command, API call, provider export): where it
//!   came from, who or which token sent it, when, and how many periods it replaced.
//! - `adoption_period`: one row per (application, period, population) reported: active users and
//!   help-desk tickets by journey stage. `period` is `YYYY-MM` or `YYYY-MM-DD`, `month` the month
//!   it falls in (what the figures group by), `population` empty for "all its people".
//! - `adoption_method`: one row per (application, period, population, method): sign-ins succeeded
//!   and failed, fallback uses, recoveries and enrolments. Counts only: no person is stored.
//! - `adoption_name_map`: how an identity provider's names for applications and methods map onto
//!   the portal's (admins edit it), shipped with the providers' documented method names.
//! - `api_token`: tokens admins issue per integration, scoped (ingestion only), expiring, stored
//!   as a SHA-256 of the secret, revocable, with their last use and a per-minute use counter (the
//!   rate limit, decided in the database so every instance shares it).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdoptionBatch {
    Table,
    Id,
    Source,
    FileName,
    Sha256,
    SubmittedBy,
    TokenId,
    ReceivedAt,
    Periods,
    Rows,
}

#[derive(DeriveIden)]
enum AdoptionPeriod {
    Table,
    ApplicationId,
    Period,
    Population,
    Month,
    Users,
    TicketsEnrolment,
    TicketsBiometricRegistration,
    TicketsAuthenticatorMigration,
    TicketsLostDeviceRecovery,
    TicketsReauthenticationAfterReset,
    TicketsOther,
    BatchId,
}

#[derive(DeriveIden)]
enum AdoptionMethod {
    Table,
    ApplicationId,
    Period,
    Population,
    Method,
    Month,
    SignInsSucceeded,
    SignInsFailed,
    FallbackUses,
    Recoveries,
    Enrolments,
}

#[derive(DeriveIden)]
enum AdoptionNameMap {
    Table,
    Provider,
    Kind,
    ExternalKey,
    External,
    Portal,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    Scope,
    SecretHash,
    Prefix,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedBy,
    RevokedAt,
    LastUsedAt,
    Uses,
    WindowStart,
    WindowCount,
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

fn count(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c)
        .big_integer()
        .not_null()
        .default(0)
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

/// The documented method names of both providers and the catalogue keys they stand for (an
/// empty key: read past on purpose, e.g. a factor satisfied earlier in the session): a frozen
/// copy of `app::adoption::rules::providers::default_mappings` as this migration shipped it
/// (where the reasons for each mapping are written). Entra: the `authenticationMethod` values
/// of a sign-in's `authenticationDetails`; Okta: the factor types and authenticator names of
/// its events.
#[rustfmt::skip]
const METHOD_NAMES: &[(&str, &str, &str)] = &[
    ("entra", "Password", "password"),
    ("entra", "FIDO2 security key", "security_key"),
    ("entra", "Passkey (device-bound)", "security_key"),
    ("entra", "Windows Hello for Business", "platform_passkey"),
    ("entra", "Passkey (Microsoft Authenticator)", "platform_passkey"),
    ("entra", "Passkey (synced)", "synced_passkey"),
    ("entra", "Mobile app notification", "push_number_matching"),
    ("entra", "Microsoft Authenticator (passwordless)", "push_number_matching"),
    ("entra", "Passwordless phone sign-in", "push_number_matching"),
    ("entra", "OATH verification code", "totp_app"),
    ("entra", "Software OATH token", "totp_app"),
    ("entra", "Text message", "sms_otp"),
    ("entra", "SMS", "sms_otp"),
    ("entra", "Phone call approval (Authentication phone)", "voice_call"),
    ("entra", "Phone call approval (Alternate phone)", "voice_call"),
    ("entra", "Phone call approval (Office phone)", "voice_call"),
    ("entra", "Voice", "voice_call"),
    ("entra", "Temporary Access Pass", "temporary_access_pass"),
    ("entra", "X.509 Certificate", "smart_card"),
    ("entra", "Certificate-based authentication", "smart_card"),
    ("entra", "Email OTP", "email_link"),
    ("entra", "Previously satisfied", ""),
    ("entra", "Satisfied by token", ""),
    ("okta", "Password", "password"),
    ("okta", "OKTA_PASSWORD", "password"),
    ("okta", "fido_webauthn", "security_key"),
    ("okta", "webauthn", "security_key"),
    ("okta", "FIDO2 (WebAuthn)", "security_key"),
    ("okta", "Security Key or Biometric", "security_key"),
    ("okta", "fido_u2f", "security_key"),
    ("okta", "Security Key (U2F)", "security_key"),
    ("okta", "signed_nonce", "platform_passkey"),
    ("okta", "Okta FastPass", "platform_passkey"),
    ("okta", "Okta Verify (FastPass)", "platform_passkey"),
    ("okta", "push", "push_plain"),
    ("okta", "OKTA_VERIFY_PUSH", "push_plain"),
    ("okta", "Okta Verify Push", "push_plain"),
    ("okta", "token:software:totp", "totp_app"),
    ("okta", "OKTA_SOFT_TOKEN", "totp_app"),
    ("okta", "GOOGLE_OTP", "totp_app"),
    ("okta", "Google Authenticator", "totp_app"),
    ("okta", "Okta Verify TOTP", "totp_app"),
    ("okta", "token:hardware", "hardware_otp"),
    ("okta", "YubiKey", "hardware_otp"),
    ("okta", "YubiKey Authenticator", "hardware_otp"),
    ("okta", "sms", "sms_otp"),
    ("okta", "SMS Authentication", "sms_otp"),
    ("okta", "call", "voice_call"),
    ("okta", "Voice Call Authentication", "voice_call"),
    ("okta", "email", "email_link"),
    ("okta", "Email Authentication", "email_link"),
    ("okta", "Smart Card IdP", "smart_card"),
    ("okta", "Smart Card Authenticator", "smart_card"),
    ("okta", "CERTIFICATE", "smart_card"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use AdoptionBatch as B;
        m.create_table(
            Table::create()
                .table(B::Table)
                .col(ColumnDef::new(B::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(B::Source).string_len(16).not_null())
                .col(ColumnDef::new(B::FileName).text().null())
                .col(ColumnDef::new(B::Sha256).string_len(64).null())
                .col(ColumnDef::new(B::SubmittedBy).uuid().null())
                .col(ColumnDef::new(B::TokenId).uuid().null())
                .col(at(B::ReceivedAt))
                .col(ColumnDef::new(B::Periods).big_integer().not_null())
                .col(ColumnDef::new(B::Rows).big_integer().not_null())
                .to_owned(),
        )
        .await?;

        use AdoptionPeriod as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(ColumnDef::new(P::ApplicationId).uuid().not_null())
                .col(ColumnDef::new(P::Period).string_len(10).not_null())
                .col(ColumnDef::new(P::Population).string_len(64).not_null())
                .col(ColumnDef::new(P::Month).string_len(7).not_null())
                .col(count(P::Users))
                .col(count(P::TicketsEnrolment))
                .col(count(P::TicketsBiometricRegistration))
                .col(count(P::TicketsAuthenticatorMigration))
                .col(count(P::TicketsLostDeviceRecovery))
                .col(count(P::TicketsReauthenticationAfterReset))
                .col(count(P::TicketsOther))
                .col(ColumnDef::new(P::BatchId).uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(P::ApplicationId)
                        .col(P::Period)
                        .col(P::Population),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_adoption_period_application")
                        .from(P::Table, P::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_adoption_period_batch")
                        .from(P::Table, P::BatchId)
                        .to(B::Table, B::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_adoption_period_month")
                .table(P::Table)
                .col(P::Month)
                .col(P::ApplicationId)
                .to_owned(),
        )
        .await?;

        use AdoptionMethod as M;
        m.create_table(
            Table::create()
                .table(M::Table)
                .col(ColumnDef::new(M::ApplicationId).uuid().not_null())
                .col(ColumnDef::new(M::Period).string_len(10).not_null())
                .col(ColumnDef::new(M::Population).string_len(64).not_null())
                .col(ColumnDef::new(M::Method).string_len(64).not_null())
                .col(ColumnDef::new(M::Month).string_len(7).not_null())
                .col(count(M::SignInsSucceeded))
                .col(count(M::SignInsFailed))
                .col(count(M::FallbackUses))
                .col(count(M::Recoveries))
                .col(count(M::Enrolments))
                .primary_key(
                    Index::create()
                        .col(M::ApplicationId)
                        .col(M::Period)
                        .col(M::Population)
                        .col(M::Method),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_adoption_method_application")
                        .from(M::Table, M::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_adoption_method_month")
                .table(M::Table)
                .col(M::Month)
                .col(M::ApplicationId)
                .to_owned(),
        )
        .await?;

        use AdoptionNameMap as N;
        m.create_table(
            Table::create()
                .table(N::Table)
                .col(ColumnDef::new(N::Provider).string_len(16).not_null())
                .col(ColumnDef::new(N::Kind).string_len(16).not_null())
                .col(ColumnDef::new(N::ExternalKey).string_len(200).not_null())
                .col(ColumnDef::new(N::External).string_len(200).not_null())
                .col(ColumnDef::new(N::Portal).string_len(200).not_null())
                .primary_key(
                    Index::create()
                        .col(N::Provider)
                        .col(N::Kind)
                        .col(N::ExternalKey),
                )
                .to_owned(),
        )
        .await?;
        let mut insert = Query::insert()
            .into_table(N::Table)
            .columns([N::Provider, N::Kind, N::ExternalKey, N::External, N::Portal])
            .to_owned();
        for (provider, external, portal) in METHOD_NAMES {
            insert.values_panic([
                (*provider).into(),
                "method".into(),
                external.to_lowercase().into(),
                (*external).into(),
                (*portal).into(),
            ]);
        }
        m.exec_stmt(insert).await?;

        use ApiToken as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(ColumnDef::new(T::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(T::Name).string_len(100).not_null())
                .col(ColumnDef::new(T::Scope).string_len(32).not_null())
                .col(
                    ColumnDef::new(T::SecretHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(T::Prefix).string_len(16).not_null())
                .col(ColumnDef::new(T::CreatedBy).uuid().not_null())
                .col(at(T::CreatedAt))
                .col(at(T::ExpiresAt))
                .col(ColumnDef::new(T::RevokedBy).uuid().null())
                .col(at_null(T::RevokedAt))
                .col(at_null(T::LastUsedAt))
                .col(count(T::Uses))
                .col(count(T::WindowStart))
                .col(count(T::WindowCount))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_token_creator")
                        .from(T::Table, T::CreatedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_token_revoker")
                        .from(T::Table, T::RevokedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiToken::Table.into_iden(),
            AdoptionNameMap::Table.into_iden(),
            AdoptionMethod::Table.into_iden(),
            AdoptionPeriod::Table.into_iden(),
            AdoptionBatch::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

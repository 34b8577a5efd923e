//! Catalogues: authentication methods (with the attributes the findings rules use), the user
//! populations applications serve, and business units. Shipped with defaults; admins edit them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthMethod {
    Table,
    Key,
    Name,
    Category,
    PhishingResistant,
    MaxAal,
    Syncable,
    Restricted,
    NeedsPersonalPhone,
    NeedsManagedDevice,
    SharedWorkstationOk,
    StrengthRank,
    Description,
    Active,
}

#[derive(DeriveIden)]
enum Population {
    Table,
    Key,
    Name,
    Description,
    Active,
}

#[derive(DeriveIden)]
enum BusinessUnit {
    Table,
    Id,
    Name,
    Active,
}

/// (key, name, category, phishing-resistant, highest AAL, syncable, restricted, needs a personal
/// phone, needs a managed device, usable on a shared workstation, description). Listed strongest
/// first: the position is the strength rank.
type MethodRow = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    i32,
    bool,
    bool,
    bool,
    bool,
    bool,
    &'static str,
);

#[rustfmt::skip]
const METHODS: &[MethodRow] = &[
    ("smart_card", "Smart card / PIV", "pki", true, 3, false, false, false, true, true,
     "Certificate on a smart card with PIN; hardware-bound, phishing-resistant."),
    ("security_key", "FIDO2 security key", "fido", true, 3, false, false, false, false, true,
     "Roaming FIDO2 authenticator with PIN or biometrics; works on shared workstations."),
    ("platform_passkey", "Device-bound platform passkey", "fido", true, 3, false, false, false, false, false,
     "Passkey bound to one device's secure hardware (Windows Hello, Touch ID, Android)."),
    ("synced_passkey", "Synced passkey", "fido", true, 2, true, false, false, false, false,
     "Passkey synchronised by a provider across a person's devices: AAL2 at most (SP 800-63B rev. 4)."),
    ("federated_idp", "Federated sign-in (central identity provider)", "federation", false, 2, false, false, false, false, true,
     "Sign-in delegated to the central identity provider; its assurance is that of the provider's journey."),
    ("push_number_matching", "Push with number matching", "app", false, 2, false, false, true, false, false,
     "Approval in an authenticator app with a number shown at sign-in; resists push fatigue."),
    ("totp_app", "Authenticator app (TOTP)", "otp", false, 2, false, false, true, false, false,
     "Time-based one-time code from an app; replayable within its window, phishable."),
    ("hardware_otp", "Hardware OTP token", "otp", false, 2, false, false, false, false, true,
     "One-time code from a hardware token; phishable."),
    ("push_plain", "Plain push approval", "app", false, 2, false, false, true, false, false,
     "Approve or deny in an app without number matching; prone to push fatigue."),
    ("temporary_access_pass", "Temporary access pass", "bootstrap", false, 1, false, false, false, false, true,
     "Time-limited passcode issued after identity proofing to enrol a first credential."),
    ("helpdesk_proofing", "Help-desk reset with identity proofing", "helpdesk", false, 1, false, false, false, false, true,
     "Help desk re-establishes access after verifying identity against evidence."),
    ("recovery_codes", "Recovery codes", "recovery", false, 1, false, false, false, false, true,
     "Pre-issued single-use codes; as strong as where they are kept."),
    ("sms_otp", "SMS one-time code", "otp", false, 2, false, true, true, false, false,
     "Code by text message: a restricted authenticator (SP 800-63B 5.2.10), exposed to SIM swap."),
    ("voice_call", "Voice call code", "otp", false, 2, false, true, true, false, false,
     "Code read out by phone call: a restricted authenticator (SP 800-63B 5.2.10)."),
    ("email_link", "Email link or code", "email", false, 1, false, false, false, false, true,
     "Link or code sent by email: not an acceptable out-of-band channel (SP 800-63B 5.1.3.1)."),
    ("manager_attestation", "Manager or peer attestation", "helpdesk", false, 1, false, false, false, false, true,
     "Access restored on a colleague's word; no proof of the person's identity."),
    ("password", "Password", "knowledge", false, 1, false, false, false, false, true,
     "Memorised secret: the legacy path a passwordless programme removes."),
    ("helpdesk_kba", "Help-desk reset with knowledge questions", "helpdesk", false, 1, false, false, false, false, true,
     "Help desk resets access after questions whose answers are often public or guessable."),
];

const POPULATIONS: &[(&str, &str, &str)] = &[
    (
        "office_employees",
        "Office employees",
        "Staff on managed laptops in offices or at home.",
    ),
    (
        "frontline_shift",
        "Frontline and shift workers",
        "Workers without a company phone, often on shared devices.",
    ),
    (
        "contractors",
        "Contractors",
        "External staff with time-limited engagements.",
    ),
    (
        "partners",
        "Partners",
        "People of partner organisations reaching selected applications.",
    ),
    (
        "privileged_admins",
        "Privileged administrators",
        "People with administrative access to systems and data.",
    ),
    (
        "shared_workstation",
        "Shared-workstation users",
        "People who sign in on kiosks or shared terminals.",
    ),
    (
        "byod_remote",
        "BYOD and remote users",
        "People on personal devices or outside the corporate network.",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthMethod::Table)
                .col(
                    ColumnDef::new(AuthMethod::Key)
                        .string_len(48)
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AuthMethod::Name)
                        .string_len(120)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(AuthMethod::Category)
                        .string_len(24)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthMethod::PhishingResistant)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(AuthMethod::MaxAal).integer().not_null())
                .col(ColumnDef::new(AuthMethod::Syncable).boolean().not_null())
                .col(ColumnDef::new(AuthMethod::Restricted).boolean().not_null())
                .col(
                    ColumnDef::new(AuthMethod::NeedsPersonalPhone)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthMethod::NeedsManagedDevice)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthMethod::SharedWorkstationOk)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthMethod::StrengthRank)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthMethod::Description)
                        .string_len(500)
                        .not_null(),
                )
                .col(ColumnDef::new(AuthMethod::Active).boolean().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Population::Table)
                .col(
                    ColumnDef::new(Population::Key)
                        .string_len(48)
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Population::Name)
                        .string_len(120)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(Population::Description)
                        .string_len(500)
                        .not_null(),
                )
                .col(ColumnDef::new(Population::Active).boolean().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BusinessUnit::Table)
                .col(
                    ColumnDef::new(BusinessUnit::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(BusinessUnit::Name)
                        .string_len(120)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(BusinessUnit::Active).boolean().not_null())
                .to_owned(),
        )
        .await?;

        let mut methods = Query::insert()
            .into_table(AuthMethod::Table)
            .columns([
                AuthMethod::Key,
                AuthMethod::Name,
                AuthMethod::Category,
                AuthMethod::PhishingResistant,
                AuthMethod::MaxAal,
                AuthMethod::Syncable,
                AuthMethod::Restricted,
                AuthMethod::NeedsPersonalPhone,
                AuthMethod::NeedsManagedDevice,
                AuthMethod::SharedWorkstationOk,
                AuthMethod::StrengthRank,
                AuthMethod::Description,
                AuthMethod::Active,
            ])
            .to_owned();
        for (
            rank,
            (key, name, category, pr, aal, sync, restricted, phone, managed, shared, desc),
        ) in METHODS.iter().enumerate()
        {
            methods.values_panic([
                (*key).into(),
                (*name).into(),
                (*category).into(),
                (*pr).into(),
                (*aal).into(),
                (*sync).into(),
                (*restricted).into(),
                (*phone).into(),
                (*managed).into(),
                (*shared).into(),
                (rank as i32 + 1).into(),
                (*desc).into(),
                true.into(),
            ]);
        }
        m.exec_stmt(methods).await?;

        let mut populations = Query::insert()
            .into_table(Population::Table)
            .columns([
                Population::Key,
                Population::Name,
                Population::Description,
                Population::Active,
            ])
            .to_owned();
        for (key, name, desc) in POPULATIONS {
            populations.values_panic([(*key).into(), (*name).into(), (*desc).into(), true.into()]);
        }
        m.exec_stmt(populations).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BusinessUnit::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Population::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AuthMethod::Table).to_owned())
            .await
    }
}

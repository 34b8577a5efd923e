//! The portal's schema history. Migrations are frozen once landed: each declares its own
//! identifiers (never the application's entities) and has a working `down`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_ceremonies;
mod m20261122_000003_catalogues;
mod m20261122_000004_registry;
mod m20261130_000005_list_paging;
mod m20261201_000006_paths;
mod m20261201_000007_policy_findings;
mod m20261202_000008_exceptions;
mod m20261203_000009_session_hardening;
mod m20261204_000010_version_reason;
mod m20261205_000011_adoption;
mod m20261206_000012_frameworks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_ceremonies::Migration),
            Box::new(m20261122_000003_catalogues::Migration),
            Box::new(m20261122_000004_registry::Migration),
            Box::new(m20261130_000005_list_paging::Migration),
            Box::new(m20261201_000006_paths::Migration),
            Box::new(m20261201_000007_policy_findings::Migration),
            Box::new(m20261202_000008_exceptions::Migration),
            Box::new(m20261203_000009_session_hardening::Migration),
            Box::new(m20261204_000010_version_reason::Migration),
            Box::new(m20261205_000011_adoption::Migration),
            Box::new(m20261206_000012_frameworks::Migration),
        ]
    }
}

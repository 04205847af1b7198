//! Accolade's schema migrations, applied in order at server start (`accolade migrate up|down|status`).
//!
//! Every migration has an `up` and a `down`; they are written with sea-query so the same code
//! runs on SQLite and PostgreSQL. Entities in `accolade-db` are generated from the migrated schema.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261130_000001_foundation;
mod m20261130_000002_badges;
mod m20261130_000003_realtime;
mod m20261130_000004_claims;
mod m20261130_000005_backpack;

/// The ordered list of Accolade migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261130_000001_foundation::Migration),
            Box::new(m20261130_000002_badges::Migration),
            Box::new(m20261130_000003_realtime::Migration),
            Box::new(m20261130_000004_claims::Migration),
            Box::new(m20261130_000005_backpack::Migration),
        ]
    }
}

//! Column helpers shared by the migrations.

use sea_orm_migration::prelude::*;

/// A `timestamptz NOT NULL` column.
pub fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// A nullable `timestamptz` column.
pub fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

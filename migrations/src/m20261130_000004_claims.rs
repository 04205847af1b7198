//! QR claiming: claim codes (rotating, static, sheet), their audiences, single-use sheet
//! tokens, claims, and peer offers.

use sea_orm_migration::prelude::*;

use crate::common::{ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000004_claims"
    }
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Classes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BadgeClasses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ClaimCodes {
    Table,
    Id,
    SchoolId,
    BadgeClassId,
    CreatedBy,
    Title,
    Audience,
    Mode,
    RotationSecs,
    StartsAt,
    EndsAt,
    MaxClaims,
    AllowRepeat,
    Status,
    Secret,
    StaticTokenHash,
    ManualPrefix,
    ManualSuffix,
    ClaimCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClaimCodeClasses {
    Table,
    ClaimCodeId,
    ClassId,
}

#[derive(DeriveIden)]
enum ClaimSheetTokens {
    Table,
    Id,
    ClaimCodeId,
    TokenHash,
    ManualHash,
    UsedBy,
    UsedAt,
}

#[derive(DeriveIden)]
enum Claims {
    Table,
    Id,
    ClaimCodeId,
    UserId,
    AwardId,
    DedupeKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PeerOffers {
    Table,
    Id,
    SchoolId,
    OffererId,
    BadgeClassId,
    TokenHash,
    ExpiresAt,
    UsedBy,
    UsedAt,
    NominationId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ClaimCodes::Table)
                .col(
                    ColumnDef::new(ClaimCodes::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ClaimCodes::SchoolId).uuid().not_null())
                .col(ColumnDef::new(ClaimCodes::BadgeClassId).uuid().not_null())
                .col(ColumnDef::new(ClaimCodes::CreatedBy).uuid().not_null())
                .col(ColumnDef::new(ClaimCodes::Title).string_len(200).not_null())
                .col(
                    ColumnDef::new(ClaimCodes::Audience)
                        .string_len(16)
                        .not_null(),
                )
                .col(ColumnDef::new(ClaimCodes::Mode).string_len(16).not_null())
                .col(
                    ColumnDef::new(ClaimCodes::RotationSecs)
                        .integer()
                        .not_null(),
                )
                .col(ts(ClaimCodes::StartsAt))
                .col(ts(ClaimCodes::EndsAt))
                .col(ColumnDef::new(ClaimCodes::MaxClaims).integer().null())
                .col(
                    ColumnDef::new(ClaimCodes::AllowRepeat)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ColumnDef::new(ClaimCodes::Status).string_len(16).not_null())
                .col(ColumnDef::new(ClaimCodes::Secret).string_len(64).not_null())
                .col(
                    ColumnDef::new(ClaimCodes::StaticTokenHash)
                        .string_len(64)
                        .null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(ClaimCodes::ManualPrefix)
                        .string_len(8)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(ClaimCodes::ManualSuffix)
                        .string_len(8)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ClaimCodes::ClaimCount)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ts(ClaimCodes::CreatedAt))
                .col(ts(ClaimCodes::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ClaimCodes::Table, ClaimCodes::SchoolId)
                        .to(Schools::Table, Schools::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ClaimCodes::Table, ClaimCodes::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ClaimCodeClasses::Table)
                .col(
                    ColumnDef::new(ClaimCodeClasses::ClaimCodeId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(ClaimCodeClasses::ClassId).uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(ClaimCodeClasses::ClaimCodeId)
                        .col(ClaimCodeClasses::ClassId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ClaimCodeClasses::Table, ClaimCodeClasses::ClaimCodeId)
                        .to(ClaimCodes::Table, ClaimCodes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ClaimCodeClasses::Table, ClaimCodeClasses::ClassId)
                        .to(Classes::Table, Classes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ClaimSheetTokens::Table)
                .col(
                    ColumnDef::new(ClaimSheetTokens::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ClaimSheetTokens::ClaimCodeId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ClaimSheetTokens::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(ClaimSheetTokens::ManualHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(ClaimSheetTokens::UsedBy).uuid().null())
                .col(ts_null(ClaimSheetTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ClaimSheetTokens::Table, ClaimSheetTokens::ClaimCodeId)
                        .to(ClaimCodes::Table, ClaimCodes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Claims::Table)
                .col(ColumnDef::new(Claims::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Claims::ClaimCodeId).uuid().not_null())
                .col(ColumnDef::new(Claims::UserId).uuid().not_null())
                .col(ColumnDef::new(Claims::AwardId).uuid().not_null())
                .col(ColumnDef::new(Claims::DedupeKey).uuid().null())
                .col(ts(Claims::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Claims::Table, Claims::ClaimCodeId)
                        .to(ClaimCodes::Table, ClaimCodes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Claims::Table, Claims::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One claim per student and code (`dedupe_key` = user id), unless the code allows
        // repeats (NULL, never colliding).
        m.create_index(
            Index::create()
                .name("ux_claims_once")
                .table(Claims::Table)
                .col(Claims::ClaimCodeId)
                .col(Claims::DedupeKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_claims_code_created")
                .table(Claims::Table)
                .col(Claims::ClaimCodeId)
                .col(Claims::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PeerOffers::Table)
                .col(
                    ColumnDef::new(PeerOffers::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(PeerOffers::SchoolId).uuid().not_null())
                .col(ColumnDef::new(PeerOffers::OffererId).uuid().not_null())
                .col(ColumnDef::new(PeerOffers::BadgeClassId).uuid().not_null())
                .col(
                    ColumnDef::new(PeerOffers::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ts(PeerOffers::ExpiresAt))
                .col(ColumnDef::new(PeerOffers::UsedBy).uuid().null())
                .col(ts_null(PeerOffers::UsedAt))
                .col(ColumnDef::new(PeerOffers::NominationId).uuid().null())
                .col(ts(PeerOffers::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PeerOffers::Table, PeerOffers::OffererId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PeerOffers::Table, PeerOffers::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PeerOffers::Table.into_iden(),
            Claims::Table.into_iden(),
            ClaimSheetTokens::Table.into_iden(),
            ClaimCodeClasses::Table.into_iden(),
            ClaimCodes::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Badges: images, badge classes with immutable revisions and class scopes, peer nominations,
//! awards (Open Badges assertions) and idempotency records.

use sea_orm_migration::prelude::*;

use crate::common::{ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000002_badges"
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
enum Images {
    Table,
    Id,
    SchoolId,
    ContentType,
    Bytes,
    Sha256,
    Width,
    Height,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BadgeClasses {
    Table,
    Id,
    SchoolId,
    CreatedBy,
    Name,
    Description,
    CriteriaNarrative,
    CriteriaUrl,
    ImageId,
    Tags,
    ExpiresAfterDays,
    Scope,
    PeerNominable,
    Moderation,
    Repeatable,
    CurrentRevisionId,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BadgeClassScopes {
    Table,
    BadgeClassId,
    ClassId,
}

#[derive(DeriveIden)]
enum BadgeRevisions {
    Table,
    Id,
    BadgeClassId,
    SchoolId,
    Revision,
    Name,
    Description,
    CriteriaNarrative,
    CriteriaUrl,
    ImageId,
    Tags,
    Json,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    Id,
    SchoolId,
    BadgeClassId,
    NominatorId,
    NomineeId,
    ClassId,
    Narrative,
    EvidenceUrl,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    AwardId,
    Source,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    SchoolId,
    BadgeClassId,
    RevisionId,
    RecipientId,
    IssuedBy,
    NominationId,
    Source,
    Narrative,
    EvidenceUrl,
    EvidenceNarrative,
    IdentityType,
    IdentityHash,
    Salt,
    IssuedOn,
    ExpiresAt,
    ExclusiveKey,
    Hidden,
    RevokedAt,
    RevokedBy,
    RevocationReason,
    Json,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    UserId,
    Key,
    Scope,
    Status,
    Response,
    CreatedAt,
}

fn fk_school<T: IntoIden + 'static>(table: T, col: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Schools::Table, Schools::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Images::Table)
                .col(ColumnDef::new(Images::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Images::SchoolId).uuid().not_null())
                .col(
                    ColumnDef::new(Images::ContentType)
                        .string_len(32)
                        .not_null(),
                )
                .col(ColumnDef::new(Images::Bytes).blob().not_null())
                .col(ColumnDef::new(Images::Sha256).string_len(64).not_null())
                .col(ColumnDef::new(Images::Width).integer().null())
                .col(ColumnDef::new(Images::Height).integer().null())
                .col(ts(Images::CreatedAt))
                .foreign_key(&mut fk_school(Images::Table, Images::SchoolId))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BadgeClasses::Table)
                .col(
                    ColumnDef::new(BadgeClasses::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(BadgeClasses::SchoolId).uuid().not_null())
                .col(ColumnDef::new(BadgeClasses::CreatedBy).uuid().null())
                .col(
                    ColumnDef::new(BadgeClasses::Name)
                        .string_len(200)
                        .not_null(),
                )
                .col(ColumnDef::new(BadgeClasses::Description).text().not_null())
                .col(
                    ColumnDef::new(BadgeClasses::CriteriaNarrative)
                        .text()
                        .null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::CriteriaUrl)
                        .string_len(2048)
                        .null(),
                )
                .col(ColumnDef::new(BadgeClasses::ImageId).uuid().not_null())
                .col(ColumnDef::new(BadgeClasses::Tags).json_binary().not_null())
                .col(
                    ColumnDef::new(BadgeClasses::ExpiresAfterDays)
                        .integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::Scope)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::PeerNominable)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::Moderation)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::Repeatable)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeClasses::CurrentRevisionId)
                        .uuid()
                        .null(),
                )
                .col(ts_null(BadgeClasses::ArchivedAt))
                .col(ts(BadgeClasses::CreatedAt))
                .col(ts(BadgeClasses::UpdatedAt))
                .foreign_key(&mut fk_school(BadgeClasses::Table, BadgeClasses::SchoolId))
                .foreign_key(
                    ForeignKey::create()
                        .from(BadgeClasses::Table, BadgeClasses::ImageId)
                        .to(Images::Table, Images::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_badge_classes_school")
                .table(BadgeClasses::Table)
                .col(BadgeClasses::SchoolId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BadgeClassScopes::Table)
                .col(
                    ColumnDef::new(BadgeClassScopes::BadgeClassId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(BadgeClassScopes::ClassId).uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(BadgeClassScopes::BadgeClassId)
                        .col(BadgeClassScopes::ClassId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(BadgeClassScopes::Table, BadgeClassScopes::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(BadgeClassScopes::Table, BadgeClassScopes::ClassId)
                        .to(Classes::Table, Classes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BadgeRevisions::Table)
                .col(
                    ColumnDef::new(BadgeRevisions::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(BadgeRevisions::BadgeClassId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(BadgeRevisions::SchoolId).uuid().not_null())
                .col(
                    ColumnDef::new(BadgeRevisions::Revision)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeRevisions::Name)
                        .string_len(200)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeRevisions::Description)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BadgeRevisions::CriteriaNarrative)
                        .text()
                        .null(),
                )
                .col(
                    ColumnDef::new(BadgeRevisions::CriteriaUrl)
                        .string_len(2048)
                        .null(),
                )
                .col(ColumnDef::new(BadgeRevisions::ImageId).uuid().not_null())
                .col(
                    ColumnDef::new(BadgeRevisions::Tags)
                        .json_binary()
                        .not_null(),
                )
                .col(ColumnDef::new(BadgeRevisions::Json).text().not_null())
                .col(ts(BadgeRevisions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(BadgeRevisions::Table, BadgeRevisions::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(BadgeRevisions::Table, BadgeRevisions::ImageId)
                        .to(Images::Table, Images::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_badge_revisions_class_rev")
                .table(BadgeRevisions::Table)
                .col(BadgeRevisions::BadgeClassId)
                .col(BadgeRevisions::Revision)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Awards::Table)
                .col(ColumnDef::new(Awards::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Awards::SchoolId).uuid().not_null())
                .col(ColumnDef::new(Awards::BadgeClassId).uuid().not_null())
                .col(ColumnDef::new(Awards::RevisionId).uuid().not_null())
                .col(ColumnDef::new(Awards::RecipientId).uuid().not_null())
                .col(ColumnDef::new(Awards::IssuedBy).uuid().null())
                .col(
                    ColumnDef::new(Awards::NominationId)
                        .uuid()
                        .null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Awards::Source).string_len(16).not_null())
                .col(ColumnDef::new(Awards::Narrative).text().null())
                .col(ColumnDef::new(Awards::EvidenceUrl).string_len(2048).null())
                .col(ColumnDef::new(Awards::EvidenceNarrative).text().null())
                .col(
                    ColumnDef::new(Awards::IdentityType)
                        .string_len(8)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Awards::IdentityHash)
                        .string_len(80)
                        .not_null(),
                )
                .col(ColumnDef::new(Awards::Salt).string_len(64).not_null())
                .col(ts(Awards::IssuedOn))
                .col(ts_null(Awards::ExpiresAt))
                .col(ColumnDef::new(Awards::ExclusiveKey).uuid().null())
                .col(
                    ColumnDef::new(Awards::Hidden)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ts_null(Awards::RevokedAt))
                .col(ColumnDef::new(Awards::RevokedBy).uuid().null())
                .col(
                    ColumnDef::new(Awards::RevocationReason)
                        .string_len(500)
                        .null(),
                )
                .col(ColumnDef::new(Awards::Json).text().not_null())
                .col(ts(Awards::CreatedAt))
                .foreign_key(&mut fk_school(Awards::Table, Awards::SchoolId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Awards::Table, Awards::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Awards::Table, Awards::RevisionId)
                        .to(BadgeRevisions::Table, BadgeRevisions::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Awards::Table, Awards::RecipientId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A non-repeatable badge is held once: `exclusive_key` is the badge class id for live
        // awards of non-repeatable badges and NULL otherwise (NULLs never collide).
        m.create_index(
            Index::create()
                .name("ux_awards_exclusive")
                .table(Awards::Table)
                .col(Awards::RecipientId)
                .col(Awards::ExclusiveKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_awards_recipient")
                .table(Awards::Table)
                .col(Awards::RecipientId)
                .col(Awards::IssuedOn)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_awards_badge_class")
                .table(Awards::Table)
                .col(Awards::BadgeClassId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Nominations::Table)
                .col(
                    ColumnDef::new(Nominations::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Nominations::SchoolId).uuid().not_null())
                .col(ColumnDef::new(Nominations::BadgeClassId).uuid().not_null())
                .col(ColumnDef::new(Nominations::NominatorId).uuid().not_null())
                .col(ColumnDef::new(Nominations::NomineeId).uuid().not_null())
                .col(ColumnDef::new(Nominations::ClassId).uuid().not_null())
                .col(ColumnDef::new(Nominations::Narrative).text().not_null())
                .col(
                    ColumnDef::new(Nominations::EvidenceUrl)
                        .string_len(2048)
                        .null(),
                )
                .col(
                    ColumnDef::new(Nominations::Status)
                        .string_len(16)
                        .not_null(),
                )
                .col(ColumnDef::new(Nominations::DecidedBy).uuid().null())
                .col(ts_null(Nominations::DecidedAt))
                .col(
                    ColumnDef::new(Nominations::DecisionReason)
                        .string_len(1000)
                        .null(),
                )
                .col(ColumnDef::new(Nominations::AwardId).uuid().null())
                .col(
                    ColumnDef::new(Nominations::Source)
                        .string_len(16)
                        .not_null(),
                )
                .col(ts(Nominations::CreatedAt))
                .col(ts(Nominations::UpdatedAt))
                .foreign_key(&mut fk_school(Nominations::Table, Nominations::SchoolId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::BadgeClassId)
                        .to(BadgeClasses::Table, BadgeClasses::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::NominatorId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::NomineeId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::ClassId)
                        .to(Classes::Table, Classes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_nominations_queue")
                .table(Nominations::Table)
                .col(Nominations::SchoolId)
                .col(Nominations::Status)
                .col(Nominations::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_nominations_nominator")
                .table(Nominations::Table)
                .col(Nominations::NominatorId)
                .col(Nominations::CreatedAt)
                .to_owned(),
        )
        .await?;
        // At most one open nomination per nominee and badge, whoever nominated (partial index;
        // the same SQL works on SQLite and PostgreSQL).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_nominations_open ON nominations (nominee_id, badge_class_id) \
                 WHERE status IN ('pending', 'returned')",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(
                    ColumnDef::new(IdempotencyKeys::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(IdempotencyKeys::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(IdempotencyKeys::Key)
                        .string_len(255)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(IdempotencyKeys::Scope)
                        .string_len(64)
                        .not_null(),
                )
                .col(ColumnDef::new(IdempotencyKeys::Status).integer().not_null())
                .col(ColumnDef::new(IdempotencyKeys::Response).text().not_null())
                .col(ts(IdempotencyKeys::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(IdempotencyKeys::Table, IdempotencyKeys::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_idempotency_user_key")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::UserId)
                .col(IdempotencyKeys::Key)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            Nominations::Table.into_iden(),
            Awards::Table.into_iden(),
            BadgeRevisions::Table.into_iden(),
            BadgeClassScopes::Table.into_iden(),
            BadgeClasses::Table.into_iden(),
            Images::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

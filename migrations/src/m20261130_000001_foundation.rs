//! Foundation: schools, users, classes, enrolments, sessions, refresh tokens, sign-in cards and
//! the audit log.

use sea_orm_migration::prelude::*;

use crate::common::{ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000001_foundation"
    }
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    Slug,
    Name,
    Timezone,
    WeeklyNominationAllowance,
    AllowPublicSharing,
    EmailSender,
    SourcedId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SchoolId,
    SourcedId,
    Role,
    DisplayName,
    GivenName,
    FamilyName,
    Email,
    Handle,
    Grade,
    PasswordHash,
    Active,
    EmailNotifications,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Classes {
    Table,
    Id,
    SchoolId,
    SourcedId,
    Title,
    ClassCode,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Enrollments {
    Table,
    Id,
    SchoolId,
    ClassId,
    UserId,
    Role,
    SourcedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    SchoolId,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SigninCards {
    Table,
    Id,
    SchoolId,
    UserId,
    ClassId,
    CodeHash,
    IssuedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    SchoolId,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Before,
    After,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Schools::Table)
                    .col(ColumnDef::new(Schools::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(Schools::Slug)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Schools::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Schools::Timezone).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Schools::WeeklyNominationAllowance)
                            .integer()
                            .not_null()
                            .default(5),
                    )
                    .col(
                        ColumnDef::new(Schools::AllowPublicSharing)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Schools::EmailSender).string_len(320).null())
                    .col(ColumnDef::new(Schools::SourcedId).string_len(255).null())
                    .col(ts(Schools::CreatedAt))
                    .col(ts(Schools::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Users::SchoolId).uuid().not_null())
                    .col(ColumnDef::new(Users::SourcedId).string_len(255).null())
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Users::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::GivenName).string_len(200).null())
                    .col(ColumnDef::new(Users::FamilyName).string_len(200).null())
                    .col(ColumnDef::new(Users::Email).string_len(320).null())
                    .col(
                        ColumnDef::new(Users::Handle)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Users::Grade).string_len(16).null())
                    .col(ColumnDef::new(Users::PasswordHash).string_len(255).null())
                    .col(
                        ColumnDef::new(Users::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(Users::EmailNotifications)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ts(Users::CreatedAt))
                    .col(ts(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_school_sourced")
                    .table(Users::Table)
                    .col(Users::SchoolId)
                    .col(Users::SourcedId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_school_email")
                    .table(Users::Table)
                    .col(Users::SchoolId)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Classes::Table)
                    .col(ColumnDef::new(Classes::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Classes::SchoolId).uuid().not_null())
                    .col(ColumnDef::new(Classes::SourcedId).string_len(255).null())
                    .col(ColumnDef::new(Classes::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Classes::ClassCode).string_len(64).null())
                    .col(
                        ColumnDef::new(Classes::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ts(Classes::CreatedAt))
                    .col(ts(Classes::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Classes::Table, Classes::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_classes_school_sourced")
                    .table(Classes::Table)
                    .col(Classes::SchoolId)
                    .col(Classes::SourcedId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrollments::Table)
                    .col(
                        ColumnDef::new(Enrollments::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Enrollments::SchoolId).uuid().not_null())
                    .col(ColumnDef::new(Enrollments::ClassId).uuid().not_null())
                    .col(ColumnDef::new(Enrollments::UserId).uuid().not_null())
                    .col(ColumnDef::new(Enrollments::Role).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Enrollments::SourcedId)
                            .string_len(255)
                            .null(),
                    )
                    .col(ts(Enrollments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::ClassId)
                            .to(Classes::Table, Classes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrollments::Table, Enrollments::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_enrollments_class_user")
                    .table(Enrollments::Table)
                    .col(Enrollments::ClassId)
                    .col(Enrollments::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollments_user")
                    .table(Enrollments::Table)
                    .col(Enrollments::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(ColumnDef::new(Sessions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                    .col(ColumnDef::new(Sessions::SchoolId).uuid().not_null())
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::LastUsedAt))
                    .col(ts_null(Sessions::RevokedAt))
                    .col(
                        ColumnDef::new(Sessions::RevokedReason)
                            .string_len(64)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(
                        ColumnDef::new(RefreshTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(RefreshTokens::SessionId).uuid().not_null())
                    .col(
                        ColumnDef::new(RefreshTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ts(RefreshTokens::CreatedAt))
                    .col(ts(RefreshTokens::ExpiresAt))
                    .col(ts_null(RefreshTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SigninCards::Table)
                    .col(
                        ColumnDef::new(SigninCards::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SigninCards::SchoolId).uuid().not_null())
                    .col(ColumnDef::new(SigninCards::UserId).uuid().not_null())
                    .col(ColumnDef::new(SigninCards::ClassId).uuid().null())
                    .col(
                        ColumnDef::new(SigninCards::CodeHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(SigninCards::IssuedBy).uuid().null())
                    .col(ts(SigninCards::CreatedAt))
                    .col(ts(SigninCards::ExpiresAt))
                    .col(ts_null(SigninCards::UsedAt))
                    .col(ts_null(SigninCards::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SigninCards::Table, SigninCards::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_signin_cards_user")
                    .table(SigninCards::Table)
                    .col(SigninCards::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AuditLog::SchoolId).uuid().not_null())
                    .col(ColumnDef::new(AuditLog::ActorId).uuid().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(
                        ColumnDef::new(AuditLog::TargetType)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::TargetId).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Before).json_binary().null())
                    .col(ColumnDef::new(AuditLog::After).json_binary().null())
                    .col(ts(AuditLog::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditLog::Table, AuditLog::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_school_created")
                    .table(AuditLog::Table)
                    .col(AuditLog::SchoolId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            SigninCards::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            Enrollments::Table.into_iden(),
            Classes::Table.into_iden(),
            Users::Table.into_iden(),
            Schools::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

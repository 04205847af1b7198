//! Realtime and e-mail: stored events with a per-user sequence, WebSocket tickets, and the
//! e-mail outbox with per-user digest preferences.

use sea_orm_migration::prelude::*;

use crate::common::{ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000003_realtime"
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
    EmailDigest,
    LastDigestAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    SchoolId,
    Type,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserEvents {
    Table,
    UserId,
    Seq,
    EventId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EventCursors {
    Table,
    UserId,
    LastSeq,
}

#[derive(DeriveIden)]
enum WsTickets {
    Table,
    Id,
    TokenHash,
    UserId,
    SessionId,
    AccessExpiresAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    SchoolId,
    UserId,
    ToAddress,
    Kind,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(ColumnDef::new(Events::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Events::SchoolId).uuid().not_null())
                .col(ColumnDef::new(Events::Type).string_len(64).not_null())
                .col(ColumnDef::new(Events::Data).text().not_null())
                .col(ts(Events::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Events::Table, Events::SchoolId)
                        .to(Schools::Table, Schools::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_events_created")
                .table(Events::Table)
                .col(Events::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserEvents::Table)
                .col(ColumnDef::new(UserEvents::UserId).uuid().not_null())
                .col(ColumnDef::new(UserEvents::Seq).big_integer().not_null())
                .col(ColumnDef::new(UserEvents::EventId).uuid().not_null())
                .col(ts(UserEvents::CreatedAt))
                .primary_key(Index::create().col(UserEvents::UserId).col(UserEvents::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserEvents::Table, UserEvents::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserEvents::Table, UserEvents::EventId)
                        .to(Events::Table, Events::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_user_events_event")
                .table(UserEvents::Table)
                .col(UserEvents::EventId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EventCursors::Table)
                .col(
                    ColumnDef::new(EventCursors::UserId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(EventCursors::LastSeq)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(EventCursors::Table, EventCursors::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WsTickets::Table)
                .col(
                    ColumnDef::new(WsTickets::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(WsTickets::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(WsTickets::UserId).uuid().not_null())
                .col(ColumnDef::new(WsTickets::SessionId).uuid().not_null())
                .col(ts(WsTickets::AccessExpiresAt))
                .col(ts(WsTickets::ExpiresAt))
                .col(ts_null(WsTickets::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WsTickets::Table, WsTickets::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmailOutbox::Table)
                .col(
                    ColumnDef::new(EmailOutbox::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(EmailOutbox::SchoolId).uuid().not_null())
                .col(ColumnDef::new(EmailOutbox::UserId).uuid().null())
                .col(
                    ColumnDef::new(EmailOutbox::ToAddress)
                        .string_len(320)
                        .not_null(),
                )
                .col(ColumnDef::new(EmailOutbox::Kind).string_len(32).not_null())
                .col(
                    ColumnDef::new(EmailOutbox::Subject)
                        .string_len(300)
                        .not_null(),
                )
                .col(ColumnDef::new(EmailOutbox::TextBody).text().not_null())
                .col(ColumnDef::new(EmailOutbox::HtmlBody).text().not_null())
                .col(
                    ColumnDef::new(EmailOutbox::Status)
                        .string_len(16)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(EmailOutbox::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ts(EmailOutbox::NextAttemptAt))
                .col(ts_null(EmailOutbox::LockedUntil))
                .col(
                    ColumnDef::new(EmailOutbox::LastError)
                        .string_len(1000)
                        .null(),
                )
                .col(ts(EmailOutbox::CreatedAt))
                .col(ts_null(EmailOutbox::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailOutbox::Table, EmailOutbox::SchoolId)
                        .to(Schools::Table, Schools::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_email_outbox_due")
                .table(EmailOutbox::Table)
                .col(EmailOutbox::Status)
                .col(EmailOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(
                    ColumnDef::new(Users::EmailDigest)
                        .string_len(16)
                        .not_null()
                        .default("daily"),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ts_null(Users::LastDigestAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Users::LastDigestAt, Users::EmailDigest] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for table in [
            EmailOutbox::Table.into_iden(),
            WsTickets::Table.into_iden(),
            EventCursors::Table.into_iden(),
            UserEvents::Table.into_iden(),
            Events::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Backpack and sharing: collections of awards with ordered items and comments, the slug
//! history behind 301 redirects after a rename, deduplicated page views, follows, blocks and
//! cheers; the school's public-sharing grade rule, the per-student admin override, the
//! students' public-page opt-ins and the account-deletion marker.

use sea_orm_migration::prelude::*;

use crate::common::{ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000005_backpack"
    }
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    PublicSharingMinGrade,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PublicSharing,
    ShowNamePublicly,
    AllowIndexing,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Collections {
    Table,
    Id,
    SchoolId,
    OwnerId,
    Title,
    Subtitle,
    Slug,
    Visibility,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CollectionItems {
    Table,
    Id,
    CollectionId,
    AwardId,
    Position,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CollectionSlugs {
    Table,
    Id,
    CollectionId,
    OwnerId,
    Slug,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PageViews {
    Table,
    Id,
    SchoolId,
    OwnerId,
    Page,
    Day,
    VisitorHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Follows {
    Table,
    Id,
    SchoolId,
    FollowerId,
    FolloweeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    Id,
    SchoolId,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Cheers {
    Table,
    Id,
    SchoolId,
    AwardId,
    UserId,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn id_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

fn uuid_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().to_owned()
}

async fn unique(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table).unique();
    for c in cols {
        idx.col(c);
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // NULL = no grade rule; otherwise students whose roster grade is below it (or unknown)
        // may not make anything public unless an admin allows them individually.
        m.alter_table(
            Table::alter()
                .table(Schools::Table)
                .add_column(
                    ColumnDef::new(Schools::PublicSharingMinGrade)
                        .integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(Users::PublicSharing)
                .string_len(16)
                .not_null()
                .default("default")
                .to_owned(),
            ColumnDef::new(Users::ShowNamePublicly)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Users::AllowIndexing)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ts_null(Users::DeletedAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Collections::Table)
                .col(id_col(Collections::Id))
                .col(uuid_col(Collections::SchoolId))
                .col(uuid_col(Collections::OwnerId))
                .col(
                    ColumnDef::new(Collections::Title)
                        .string_len(120)
                        .not_null(),
                )
                .col(ColumnDef::new(Collections::Subtitle).string_len(280).null())
                .col(ColumnDef::new(Collections::Slug).string_len(80).not_null())
                .col(
                    ColumnDef::new(Collections::Visibility)
                        .string_len(16)
                        .not_null()
                        .default("private"),
                )
                .col(ts(Collections::CreatedAt))
                .col(ts(Collections::UpdatedAt))
                .foreign_key(&mut fk(
                    (Collections::Table, Collections::SchoolId),
                    (Schools::Table, Schools::Id),
                ))
                .foreign_key(&mut fk(
                    (Collections::Table, Collections::OwnerId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_collections_owner_slug",
            Collections::Table,
            vec![
                Collections::OwnerId.into_iden(),
                Collections::Slug.into_iden(),
            ],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CollectionItems::Table)
                .col(id_col(CollectionItems::Id))
                .col(uuid_col(CollectionItems::CollectionId))
                .col(uuid_col(CollectionItems::AwardId))
                .col(
                    ColumnDef::new(CollectionItems::Position)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CollectionItems::Comment)
                        .string_len(280)
                        .null(),
                )
                .col(ts(CollectionItems::CreatedAt))
                .foreign_key(&mut fk(
                    (CollectionItems::Table, CollectionItems::CollectionId),
                    (Collections::Table, Collections::Id),
                ))
                .foreign_key(&mut fk(
                    (CollectionItems::Table, CollectionItems::AwardId),
                    (Awards::Table, Awards::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_collection_items_award",
            CollectionItems::Table,
            vec![
                CollectionItems::CollectionId.into_iden(),
                CollectionItems::AwardId.into_iden(),
            ],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CollectionSlugs::Table)
                .col(id_col(CollectionSlugs::Id))
                .col(uuid_col(CollectionSlugs::CollectionId))
                .col(uuid_col(CollectionSlugs::OwnerId))
                .col(
                    ColumnDef::new(CollectionSlugs::Slug)
                        .string_len(80)
                        .not_null(),
                )
                .col(ts(CollectionSlugs::CreatedAt))
                .foreign_key(&mut fk(
                    (CollectionSlugs::Table, CollectionSlugs::CollectionId),
                    (Collections::Table, Collections::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_collection_slugs_owner_slug",
            CollectionSlugs::Table,
            vec![
                CollectionSlugs::OwnerId.into_iden(),
                CollectionSlugs::Slug.into_iden(),
            ],
        )
        .await?;

        // One row per page, day and visitor; the visitor is only a keyed hash that changes
        // every day, never an IP address.
        m.create_table(
            Table::create()
                .table(PageViews::Table)
                .col(id_col(PageViews::Id))
                .col(uuid_col(PageViews::SchoolId))
                .col(uuid_col(PageViews::OwnerId))
                .col(ColumnDef::new(PageViews::Page).string_len(64).not_null())
                .col(ColumnDef::new(PageViews::Day).string_len(10).not_null())
                .col(
                    ColumnDef::new(PageViews::VisitorHash)
                        .string_len(64)
                        .not_null(),
                )
                .col(ts(PageViews::CreatedAt))
                .foreign_key(&mut fk(
                    (PageViews::Table, PageViews::OwnerId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_page_views_visit",
            PageViews::Table,
            vec![
                PageViews::Page.into_iden(),
                PageViews::Day.into_iden(),
                PageViews::VisitorHash.into_iden(),
            ],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Follows::Table)
                .col(id_col(Follows::Id))
                .col(uuid_col(Follows::SchoolId))
                .col(uuid_col(Follows::FollowerId))
                .col(uuid_col(Follows::FolloweeId))
                .col(ts(Follows::CreatedAt))
                .foreign_key(&mut fk(
                    (Follows::Table, Follows::FollowerId),
                    (Users::Table, Users::Id),
                ))
                .foreign_key(&mut fk(
                    (Follows::Table, Follows::FolloweeId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_follows_pair",
            Follows::Table,
            vec![
                Follows::FollowerId.into_iden(),
                Follows::FolloweeId.into_iden(),
            ],
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_follows_followee")
                .table(Follows::Table)
                .col(Follows::FolloweeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Blocks::Table)
                .col(id_col(Blocks::Id))
                .col(uuid_col(Blocks::SchoolId))
                .col(uuid_col(Blocks::BlockerId))
                .col(uuid_col(Blocks::BlockedId))
                .col(ts(Blocks::CreatedAt))
                .foreign_key(&mut fk(
                    (Blocks::Table, Blocks::BlockerId),
                    (Users::Table, Users::Id),
                ))
                .foreign_key(&mut fk(
                    (Blocks::Table, Blocks::BlockedId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_blocks_pair",
            Blocks::Table,
            vec![Blocks::BlockerId.into_iden(), Blocks::BlockedId.into_iden()],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Cheers::Table)
                .col(id_col(Cheers::Id))
                .col(uuid_col(Cheers::SchoolId))
                .col(uuid_col(Cheers::AwardId))
                .col(uuid_col(Cheers::UserId))
                .col(ts(Cheers::CreatedAt))
                .foreign_key(&mut fk(
                    (Cheers::Table, Cheers::AwardId),
                    (Awards::Table, Awards::Id),
                ))
                .foreign_key(&mut fk(
                    (Cheers::Table, Cheers::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        unique(
            m,
            "ux_cheers_award_user",
            Cheers::Table,
            vec![Cheers::AwardId.into_iden(), Cheers::UserId.into_iden()],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Cheers::Table.into_iden(),
            Blocks::Table.into_iden(),
            Follows::Table.into_iden(),
            PageViews::Table.into_iden(),
            CollectionSlugs::Table.into_iden(),
            CollectionItems::Table.into_iden(),
            Collections::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for col in [
            Users::DeletedAt,
            Users::AllowIndexing,
            Users::ShowNamePublicly,
            Users::PublicSharing,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Schools::Table)
                .drop_column(Schools::PublicSharingMinGrade)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

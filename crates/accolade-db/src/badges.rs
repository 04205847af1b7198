//! The badge class aggregate: uploaded images, badge classes, their class scopes and their
//! immutable revisions (each revision's hosted OB 2.0 BadgeClass JSON is stored as issued).

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::{awards, badge_class_scopes, badge_classes, badge_revisions, images};

pub use badge_classes::Model as BadgeClass;
pub use badge_revisions::Model as Revision;
pub use images::Model as Image;

/// Stores an already checked image.
pub async fn insert_image(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    content_type: &str,
    bytes: Vec<u8>,
    sha256: String,
    width: Option<i32>,
    height: Option<i32>,
) -> Result<Image, DbErr> {
    images::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        content_type: Set(content_type.to_owned()),
        bytes: Set(bytes),
        sha256: Set(sha256),
        width: Set(width),
        height: Set(height),
        created_at: Set(crate::now()),
    }
    .insert(conn)
    .await
}

/// An image by id (images are public once used by a badge; uploads are scoped by the caller).
pub async fn image(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Image>, DbErr> {
    images::Entity::find_by_id(id).one(conn).await
}

/// An image of `school_id`.
pub async fn image_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<Image>, DbErr> {
    images::Entity::find_by_id(id)
        .filter(images::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// Inserts a badge class row (the caller then adds scopes and the first revision).
pub async fn insert_class(conn: &impl ConnectionTrait, m: BadgeClass) -> Result<BadgeClass, DbErr> {
    let am: badge_classes::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// Saves every field of a badge class (sets `updated_at`).
pub async fn save_class(conn: &impl ConnectionTrait, m: BadgeClass) -> Result<BadgeClass, DbErr> {
    let mut am: badge_classes::ActiveModel = m.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}

/// A badge class of `school_id`.
pub async fn class_by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<BadgeClass>, DbErr> {
    badge_classes::Entity::find_by_id(id)
        .filter(badge_classes::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// A badge class by id regardless of school (public OB hosting only).
pub async fn class_by_id_public(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<BadgeClass>, DbErr> {
    badge_classes::Entity::find_by_id(id).one(conn).await
}

/// Badge classes of a school, by name; archived ones only when asked.
pub async fn classes_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    include_archived: bool,
) -> Result<Vec<BadgeClass>, DbErr> {
    let mut q = badge_classes::Entity::find().filter(badge_classes::Column::SchoolId.eq(school_id));
    if !include_archived {
        q = q.filter(badge_classes::Column::ArchivedAt.is_null());
    }
    q.order_by_asc(badge_classes::Column::Name)
        .order_by_asc(badge_classes::Column::Id)
        .all(conn)
        .await
}

/// Deletes a badge class (its scopes and revisions cascade).
pub async fn delete_class(conn: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    awards::Entity::delete_many()
        .filter(awards::Column::BadgeClassId.eq(id))
        .exec(conn)
        .await?;
    badge_classes::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Class ids a badge class is limited to (empty for whole-school badges).
pub async fn scope_class_ids(
    conn: &impl ConnectionTrait,
    badge_class_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(badge_class_scopes::Entity::find()
        .filter(badge_class_scopes::Column::BadgeClassId.eq(badge_class_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.class_id)
        .collect())
}

/// Replaces the scope classes of a badge class.
pub async fn set_scope(
    conn: &impl ConnectionTrait,
    badge_class_id: Uuid,
    class_ids: &[Uuid],
) -> Result<(), DbErr> {
    badge_class_scopes::Entity::delete_many()
        .filter(badge_class_scopes::Column::BadgeClassId.eq(badge_class_id))
        .exec(conn)
        .await?;
    for class_id in class_ids {
        badge_class_scopes::ActiveModel {
            badge_class_id: Set(badge_class_id),
            class_id: Set(*class_id),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Inserts a revision.
pub async fn insert_revision(conn: &impl ConnectionTrait, m: Revision) -> Result<Revision, DbErr> {
    let am: badge_revisions::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// Rewrites a revision that no award uses yet.
pub async fn save_revision(conn: &impl ConnectionTrait, m: Revision) -> Result<Revision, DbErr> {
    let am: badge_revisions::ActiveModel = m.into();
    am.reset_all().update(conn).await
}

/// A revision by id.
pub async fn revision(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Revision>, DbErr> {
    badge_revisions::Entity::find_by_id(id).one(conn).await
}

/// A revision by badge class and number.
pub async fn revision_by_number(
    conn: &impl ConnectionTrait,
    badge_class_id: Uuid,
    number: i32,
) -> Result<Option<Revision>, DbErr> {
    badge_revisions::Entity::find()
        .filter(badge_revisions::Column::BadgeClassId.eq(badge_class_id))
        .filter(badge_revisions::Column::Revision.eq(number))
        .one(conn)
        .await
}

/// Number of awards (revoked or not) issued under a revision.
pub async fn awards_under_revision(
    conn: &impl ConnectionTrait,
    revision_id: Uuid,
) -> Result<u64, DbErr> {
    awards::Entity::find()
        .filter(awards::Column::RevisionId.eq(revision_id))
        .count(conn)
        .await
}

/// `(live, total)` award counts of a badge class.
pub async fn award_counts(
    conn: &impl ConnectionTrait,
    badge_class_id: Uuid,
) -> Result<(u64, u64), DbErr> {
    let total = awards::Entity::find()
        .filter(awards::Column::BadgeClassId.eq(badge_class_id))
        .count(conn)
        .await?;
    let live = awards::Entity::find()
        .filter(awards::Column::BadgeClassId.eq(badge_class_id))
        .filter(awards::Column::RevokedAt.is_null())
        .count(conn)
        .await?;
    Ok((live, total))
}

/// Locks a badge class row for the rest of the transaction on PostgreSQL (`FOR UPDATE`); a
/// plain read on SQLite, where the writer gate already serialises writers.
pub async fn lock_class(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<BadgeClass>, DbErr> {
    let q = badge_classes::Entity::find_by_id(id);
    match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => q.lock_exclusive().one(conn).await,
        _ => q.one(conn).await,
    }
}

/// Touches `updated_at` (used to serialise concurrent revision changes).
pub async fn touch(conn: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    badge_classes::Entity::update_many()
        .col_expr(badge_classes::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(badge_classes::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

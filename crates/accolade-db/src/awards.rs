//! The award aggregate: issued Open Badges assertions. The hosted assertion JSON is stored at
//! issue time and never rewritten, so the hosted and baked documents stay byte-identical.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::awards;

pub use awards::Model as Award;

/// Inserts an award. Errors: unique violation when the recipient already holds the
/// (non-repeatable) badge (`ux_awards_exclusive`) or the nomination already has an award.
pub async fn insert(conn: &impl ConnectionTrait, m: Award) -> Result<Award, DbErr> {
    let am: awards::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// An award of `school_id`.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<Award>, DbErr> {
    awards::Entity::find_by_id(id)
        .filter(awards::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// An award by id regardless of school: public hosted verification only.
pub async fn by_id_public(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Award>, DbErr> {
    awards::Entity::find_by_id(id).one(conn).await
}

/// The award made for a nomination, if any.
pub async fn by_nomination(
    conn: &impl ConnectionTrait,
    nomination_id: Uuid,
) -> Result<Option<Award>, DbErr> {
    awards::Entity::find()
        .filter(awards::Column::NominationId.eq(nomination_id))
        .one(conn)
        .await
}

/// True when the recipient holds a live (not revoked) award of the badge class.
pub async fn holds(
    conn: &impl ConnectionTrait,
    recipient_id: Uuid,
    badge_class_id: Uuid,
) -> Result<bool, DbErr> {
    Ok(awards::Entity::find()
        .filter(awards::Column::RecipientId.eq(recipient_id))
        .filter(awards::Column::BadgeClassId.eq(badge_class_id))
        .filter(awards::Column::RevokedAt.is_null())
        .count(conn)
        .await?
        > 0)
}

/// A recipient's awards, newest first.
pub async fn by_recipient(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    recipient_id: Uuid,
    offset: u64,
    limit: u64,
) -> Result<Vec<Award>, DbErr> {
    awards::Entity::find()
        .filter(awards::Column::SchoolId.eq(school_id))
        .filter(awards::Column::RecipientId.eq(recipient_id))
        .order_by_desc(awards::Column::IssuedOn)
        .order_by_desc(awards::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Awards of a school, optionally of one badge class, newest first.
pub async fn in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    badge_class_id: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Award>, DbErr> {
    let mut q = awards::Entity::find().filter(awards::Column::SchoolId.eq(school_id));
    if let Some(b) = badge_class_id {
        q = q.filter(awards::Column::BadgeClassId.eq(b));
    }
    q.order_by_desc(awards::Column::IssuedOn)
        .order_by_desc(awards::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Revoked awards of a school (for the issuer's revocation list), oldest first.
pub async fn revoked_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
) -> Result<Vec<Award>, DbErr> {
    awards::Entity::find()
        .filter(awards::Column::SchoolId.eq(school_id))
        .filter(awards::Column::RevokedAt.is_not_null())
        .order_by_asc(awards::Column::RevokedAt)
        .all(conn)
        .await
}

/// Revokes a live award; returns false if it was already revoked. Frees the recipient to be
/// awarded a non-repeatable badge again.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    id: Uuid,
    by: Option<Uuid>,
    reason: &str,
) -> Result<bool, DbErr> {
    let res = awards::Entity::update_many()
        .col_expr(awards::Column::RevokedAt, Expr::value(Some(crate::now())))
        .col_expr(awards::Column::RevokedBy, Expr::value(by))
        .col_expr(
            awards::Column::RevocationReason,
            Expr::value(Some(reason.to_owned())),
        )
        .col_expr(
            awards::Column::ExclusiveKey,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(awards::Column::Id.eq(id))
        .filter(awards::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Hides or shows an award on the recipient's profile.
pub async fn set_hidden(conn: &impl ConnectionTrait, id: Uuid, hidden: bool) -> Result<(), DbErr> {
    awards::Entity::update_many()
        .col_expr(awards::Column::Hidden, Expr::value(hidden))
        .filter(awards::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Number of awards in a school (live and revoked).
pub async fn count_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    live_only: bool,
) -> Result<u64, DbErr> {
    let mut q = awards::Entity::find().filter(awards::Column::SchoolId.eq(school_id));
    if live_only {
        q = q.filter(awards::Column::RevokedAt.is_null());
    }
    q.count(conn).await
}

/// Awards of a school issued by `issuer` (direct awards and approved nominations), newest
/// first.
pub async fn issued_by(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    issuer: Uuid,
    offset: u64,
    limit: u64,
) -> Result<Vec<Award>, DbErr> {
    awards::Entity::find()
        .filter(awards::Column::SchoolId.eq(school_id))
        .filter(awards::Column::IssuedBy.eq(issuer))
        .order_by_desc(awards::Column::IssuedOn)
        .order_by_desc(awards::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

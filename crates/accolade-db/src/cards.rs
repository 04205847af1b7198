//! Sign-in cards: one-time codes printed for students without e-mail or password.
//!
//! Only a SHA-256 of each code is stored. Issuing new cards for a student revokes their unused
//! ones; a card works once and until `expires_at`.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::signin_cards;
use crate::Timestamp;

/// Revokes every unused, unrevoked card of a user. Returns how many.
pub async fn revoke_unused(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    let res = signin_cards::Entity::update_many()
        .col_expr(signin_cards::Column::RevokedAt, Expr::value(crate::now()))
        .filter(signin_cards::Column::UserId.eq(user_id))
        .filter(signin_cards::Column::UsedAt.is_null())
        .filter(signin_cards::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// Stores a new card.
pub async fn insert(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user_id: Uuid,
    class_id: Option<Uuid>,
    code_hash: String,
    issued_by: Option<Uuid>,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    signin_cards::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        user_id: Set(user_id),
        class_id: Set(class_id),
        code_hash: Set(code_hash),
        issued_by: Set(issued_by),
        created_at: Set(crate::now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Consumes a live card by code hash and returns `(school_id, user_id)`; `None` when unknown,
/// used, revoked or expired. Exactly one of two racing callers succeeds.
pub async fn consume(
    conn: &impl ConnectionTrait,
    code_hash: &str,
) -> Result<Option<(Uuid, Uuid)>, DbErr> {
    let now = crate::now();
    let Some(card) = signin_cards::Entity::find()
        .filter(signin_cards::Column::CodeHash.eq(code_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if card.used_at.is_some() || card.revoked_at.is_some() || card.expires_at <= now {
        return Ok(None);
    }
    let res = signin_cards::Entity::update_many()
        .col_expr(signin_cards::Column::UsedAt, Expr::value(now))
        .filter(signin_cards::Column::Id.eq(card.id))
        .filter(signin_cards::Column::UsedAt.is_null())
        .filter(signin_cards::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok((res.rows_affected == 1).then_some((card.school_id, card.user_id)))
}

//! The claim aggregate: claim codes (rotating, static or sheet), their audiences, single-use
//! sheet tokens, the claims made with them, and peer offers.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::{claim_code_classes, claim_codes, claim_sheet_tokens, claims, peer_offers};

pub use claim_codes::Model as ClaimCode;
pub use claim_sheet_tokens::Model as SheetToken;
pub use claims::Model as Claim;
pub use peer_offers::Model as PeerOffer;

/// Inserts a claim code.
pub async fn insert_code(conn: &impl ConnectionTrait, m: ClaimCode) -> Result<ClaimCode, DbErr> {
    let am: claim_codes::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// A claim code of `school_id`.
pub async fn code_by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<ClaimCode>, DbErr> {
    claim_codes::Entity::find_by_id(id)
        .filter(claim_codes::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// A claim code by id in any school (token resolution; the caller then checks the school).
pub async fn code_by_id_any(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<ClaimCode>, DbErr> {
    claim_codes::Entity::find_by_id(id).one(conn).await
}

/// The code whose static token hashes to `hash`.
pub async fn code_by_static_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<ClaimCode>, DbErr> {
    claim_codes::Entity::find()
        .filter(claim_codes::Column::StaticTokenHash.eq(hash))
        .one(conn)
        .await
}

/// The code with this manual-code prefix (4 Crockford characters, unique).
pub async fn code_by_prefix(
    conn: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Option<ClaimCode>, DbErr> {
    claim_codes::Entity::find()
        .filter(claim_codes::Column::ManualPrefix.eq(prefix))
        .one(conn)
        .await
}

/// Codes of a school, newest first; only those created by `creator` when given.
pub async fn codes_in_school(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    creator: Option<Uuid>,
) -> Result<Vec<ClaimCode>, DbErr> {
    let mut q = claim_codes::Entity::find().filter(claim_codes::Column::SchoolId.eq(school_id));
    if let Some(c) = creator {
        q = q.filter(claim_codes::Column::CreatedBy.eq(c));
    }
    q.order_by_desc(claim_codes::Column::CreatedAt)
        .all(conn)
        .await
}

/// Sets the status (`active`, `paused`, `closed`); closed codes never reopen. Returns false
/// when nothing changed.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[&str],
    to: &str,
) -> Result<bool, DbErr> {
    let mut cond = Condition::any();
    for f in from {
        cond = cond.add(claim_codes::Column::Status.eq(*f));
    }
    let res = claim_codes::Entity::update_many()
        .col_expr(claim_codes::Column::Status, Expr::value(to))
        .col_expr(claim_codes::Column::UpdatedAt, Expr::value(crate::now()))
        .filter(claim_codes::Column::Id.eq(id))
        .filter(cond)
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Counts one claim if the limit allows: `UPDATE … SET claim_count = claim_count + 1 WHERE
/// claim_count < max`. Returns false when the limit is reached (the claim must fail).
pub async fn count_claim(
    conn: &impl ConnectionTrait,
    id: Uuid,
    max: Option<i32>,
) -> Result<bool, DbErr> {
    let mut q = claim_codes::Entity::update_many()
        .col_expr(
            claim_codes::Column::ClaimCount,
            Expr::col(claim_codes::Column::ClaimCount).add(1),
        )
        .filter(claim_codes::Column::Id.eq(id));
    if let Some(max) = max {
        q = q.filter(claim_codes::Column::ClaimCount.lt(max));
    }
    Ok(q.exec(conn).await?.rows_affected == 1)
}

/// Current claim count.
pub async fn claim_count(conn: &impl ConnectionTrait, id: Uuid) -> Result<i32, DbErr> {
    Ok(claim_codes::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map_or(0, |c| c.claim_count))
}

/// Replaces a code's audience classes.
pub async fn set_classes(
    conn: &impl ConnectionTrait,
    code_id: Uuid,
    class_ids: &[Uuid],
) -> Result<(), DbErr> {
    claim_code_classes::Entity::delete_many()
        .filter(claim_code_classes::Column::ClaimCodeId.eq(code_id))
        .exec(conn)
        .await?;
    for c in class_ids {
        claim_code_classes::ActiveModel {
            claim_code_id: Set(code_id),
            class_id: Set(*c),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// A code's audience classes (empty = whole school).
pub async fn class_ids(conn: &impl ConnectionTrait, code_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(claim_code_classes::Entity::find()
        .filter(claim_code_classes::Column::ClaimCodeId.eq(code_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.class_id)
        .collect())
}

/// Stores a sheet token (hashes of its QR token and of its manual code).
pub async fn insert_sheet_token(
    conn: &impl ConnectionTrait,
    code_id: Uuid,
    token_hash: String,
    manual_hash: String,
) -> Result<(), DbErr> {
    claim_sheet_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        claim_code_id: Set(code_id),
        token_hash: Set(token_hash),
        manual_hash: Set(manual_hash),
        used_by: Set(None),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// A sheet token by the hash of its QR token or of its manual code.
pub async fn sheet_token(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<SheetToken>, DbErr> {
    claim_sheet_tokens::Entity::find()
        .filter(
            Condition::any()
                .add(claim_sheet_tokens::Column::TokenHash.eq(hash))
                .add(claim_sheet_tokens::Column::ManualHash.eq(hash)),
        )
        .one(conn)
        .await
}

/// Uses a sheet token for `user`: true when this call used it.
pub async fn use_sheet_token(
    conn: &impl ConnectionTrait,
    id: Uuid,
    user: Uuid,
) -> Result<bool, DbErr> {
    let res = claim_sheet_tokens::Entity::update_many()
        .col_expr(claim_sheet_tokens::Column::UsedBy, Expr::value(Some(user)))
        .col_expr(
            claim_sheet_tokens::Column::UsedAt,
            Expr::value(Some(crate::now())),
        )
        .filter(claim_sheet_tokens::Column::Id.eq(id))
        .filter(claim_sheet_tokens::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The student's existing claim of a code, if any.
pub async fn claim_of(
    conn: &impl ConnectionTrait,
    code_id: Uuid,
    user: Uuid,
) -> Result<Option<Claim>, DbErr> {
    claims::Entity::find()
        .filter(claims::Column::ClaimCodeId.eq(code_id))
        .filter(claims::Column::UserId.eq(user))
        .order_by_asc(claims::Column::CreatedAt)
        .one(conn)
        .await
}

/// Records a claim. Errors: unique violation when the student already claimed a code that does
/// not allow repeats.
pub async fn insert_claim(
    conn: &impl ConnectionTrait,
    code_id: Uuid,
    user: Uuid,
    award_id: Uuid,
    allow_repeat: bool,
) -> Result<Claim, DbErr> {
    claims::ActiveModel {
        id: Set(Uuid::now_v7()),
        claim_code_id: Set(code_id),
        user_id: Set(user),
        award_id: Set(award_id),
        dedupe_key: Set((!allow_repeat).then_some(user)),
        created_at: Set(crate::now()),
    }
    .insert(conn)
    .await
}

/// Claims of a code, newest first.
pub async fn claims_of_code(
    conn: &impl ConnectionTrait,
    code_id: Uuid,
    limit: u64,
) -> Result<Vec<Claim>, DbErr> {
    claims::Entity::find()
        .filter(claims::Column::ClaimCodeId.eq(code_id))
        .order_by_desc(claims::Column::CreatedAt)
        .order_by_desc(claims::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Stores a peer offer.
pub async fn insert_offer(conn: &impl ConnectionTrait, m: PeerOffer) -> Result<PeerOffer, DbErr> {
    let am: peer_offers::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// A peer offer by token hash.
pub async fn offer_by_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<PeerOffer>, DbErr> {
    peer_offers::Entity::find()
        .filter(peer_offers::Column::TokenHash.eq(hash))
        .one(conn)
        .await
}

/// Uses an offer once; true when this call used it.
pub async fn use_offer(
    conn: &impl ConnectionTrait,
    id: Uuid,
    user: Uuid,
    nomination: Uuid,
) -> Result<bool, DbErr> {
    let res = peer_offers::Entity::update_many()
        .col_expr(peer_offers::Column::UsedBy, Expr::value(Some(user)))
        .col_expr(peer_offers::Column::UsedAt, Expr::value(Some(crate::now())))
        .col_expr(
            peer_offers::Column::NominationId,
            Expr::value(Some(nomination)),
        )
        .filter(peer_offers::Column::Id.eq(id))
        .filter(peer_offers::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

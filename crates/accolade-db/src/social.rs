//! Friends inside one school: follows, blocks and cheers on awards.
//!
//! Every row carries the school id and every query filters on it; the callers check that both
//! people belong to that school.

use sea_orm::{
    sea_query::OnConflict, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::{blocks, cheers, follows};

pub use cheers::Model as Cheer;
pub use follows::Model as Follow;

/// `follower` follows `followee`; returns false when already following.
pub async fn follow(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    follower: Uuid,
    followee: Uuid,
) -> Result<bool, DbErr> {
    let n = follows::Entity::insert(follows::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        follower_id: Set(follower),
        followee_id: Set(followee),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([follows::Column::FollowerId, follows::Column::FolloweeId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

/// Removes a follow; returns false when there was none.
pub async fn unfollow(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    follower: Uuid,
    followee: Uuid,
) -> Result<bool, DbErr> {
    let res = follows::Entity::delete_many()
        .filter(follows::Column::SchoolId.eq(school_id))
        .filter(follows::Column::FollowerId.eq(follower))
        .filter(follows::Column::FolloweeId.eq(followee))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Ids of the people `user` follows, oldest follow first.
pub async fn following(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(follows::Entity::find()
        .filter(follows::Column::SchoolId.eq(school_id))
        .filter(follows::Column::FollowerId.eq(user))
        .order_by_asc(follows::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| f.followee_id)
        .collect())
}

/// Ids of the people following `user`, oldest follow first.
pub async fn followers(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(follows::Entity::find()
        .filter(follows::Column::SchoolId.eq(school_id))
        .filter(follows::Column::FolloweeId.eq(user))
        .order_by_asc(follows::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| f.follower_id)
        .collect())
}

/// `blocker` blocks `blocked`: records the block and removes the follows both ways. Returns
/// false when already blocked.
pub async fn block(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    blocker: Uuid,
    blocked: Uuid,
) -> Result<bool, DbErr> {
    unfollow(conn, school_id, blocked, blocker).await?;
    unfollow(conn, school_id, blocker, blocked).await?;
    let n = blocks::Entity::insert(blocks::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        blocker_id: Set(blocker),
        blocked_id: Set(blocked),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([blocks::Column::BlockerId, blocks::Column::BlockedId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

/// Lifts a block; returns false when there was none.
pub async fn unblock(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    blocker: Uuid,
    blocked: Uuid,
) -> Result<bool, DbErr> {
    let res = blocks::Entity::delete_many()
        .filter(blocks::Column::SchoolId.eq(school_id))
        .filter(blocks::Column::BlockerId.eq(blocker))
        .filter(blocks::Column::BlockedId.eq(blocked))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// True when either of the two has blocked the other.
pub async fn blocked_either_way(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    a: Uuid,
    b: Uuid,
) -> Result<bool, DbErr> {
    Ok(blocks::Entity::find()
        .filter(blocks::Column::SchoolId.eq(school_id))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(blocks::Column::BlockerId.eq(a))
                        .add(blocks::Column::BlockedId.eq(b)),
                )
                .add(
                    Condition::all()
                        .add(blocks::Column::BlockerId.eq(b))
                        .add(blocks::Column::BlockedId.eq(a)),
                ),
        )
        .count(conn)
        .await?
        > 0)
}

/// Ids of the people `user` has blocked.
pub async fn blocked_by(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(blocks::Entity::find()
        .filter(blocks::Column::SchoolId.eq(school_id))
        .filter(blocks::Column::BlockerId.eq(user))
        .order_by_asc(blocks::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.blocked_id)
        .collect())
}

/// `user` cheers `award`; returns false when they already had (one cheer per person).
pub async fn cheer(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    award: Uuid,
    user: Uuid,
) -> Result<bool, DbErr> {
    let n = cheers::Entity::insert(cheers::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        award_id: Set(award),
        user_id: Set(user),
        created_at: Set(crate::now()),
    })
    .on_conflict(
        OnConflict::columns([cheers::Column::AwardId, cheers::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

/// Takes a cheer back; returns false when there was none.
pub async fn uncheer(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    award: Uuid,
    user: Uuid,
) -> Result<bool, DbErr> {
    let res = cheers::Entity::delete_many()
        .filter(cheers::Column::SchoolId.eq(school_id))
        .filter(cheers::Column::AwardId.eq(award))
        .filter(cheers::Column::UserId.eq(user))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Cheers on an award, oldest first.
pub async fn cheers_of(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    award: Uuid,
) -> Result<Vec<Cheer>, DbErr> {
    cheers::Entity::find()
        .filter(cheers::Column::SchoolId.eq(school_id))
        .filter(cheers::Column::AwardId.eq(award))
        .order_by_asc(cheers::Column::CreatedAt)
        .order_by_asc(cheers::Column::Id)
        .all(conn)
        .await
}

/// Removes every follow, block and cheer made by or about `user` (account deletion).
pub async fn forget_user(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user: Uuid,
) -> Result<(), DbErr> {
    follows::Entity::delete_many()
        .filter(follows::Column::SchoolId.eq(school_id))
        .filter(
            Condition::any()
                .add(follows::Column::FollowerId.eq(user))
                .add(follows::Column::FolloweeId.eq(user)),
        )
        .exec(conn)
        .await?;
    blocks::Entity::delete_many()
        .filter(blocks::Column::SchoolId.eq(school_id))
        .filter(
            Condition::any()
                .add(blocks::Column::BlockerId.eq(user))
                .add(blocks::Column::BlockedId.eq(user)),
        )
        .exec(conn)
        .await?;
    cheers::Entity::delete_many()
        .filter(cheers::Column::SchoolId.eq(school_id))
        .filter(cheers::Column::UserId.eq(user))
        .exec(conn)
        .await?;
    Ok(())
}

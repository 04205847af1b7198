//! Idempotency records: the stored response of a request made with an `Idempotency-Key`, so a
//! retry returns the same result instead of acting twice.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::idempotency_keys;

pub use idempotency_keys::Model as IdempotencyRecord;

/// The record for `(user, key)`, if any.
pub async fn find(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
) -> Result<Option<IdempotencyRecord>, DbErr> {
    idempotency_keys::Entity::find()
        .filter(idempotency_keys::Column::UserId.eq(user_id))
        .filter(idempotency_keys::Column::Key.eq(key))
        .one(conn)
        .await
}

/// Stores a response. Errors: unique violation when a concurrent request stored one first.
pub async fn store(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    scope: &str,
    status: u16,
    response: String,
) -> Result<(), DbErr> {
    idempotency_keys::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        scope: Set(scope.to_owned()),
        status: Set(i32::from(status)),
        response: Set(response),
        created_at: Set(crate::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

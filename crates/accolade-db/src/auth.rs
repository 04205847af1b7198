//! The session aggregate: sign-in sessions and their rotating refresh tokens.
//!
//! A session is one refresh-token *family*: every refresh consumes the presented token and issues
//! a successor in the same session. Presenting an already-consumed token is treated as theft and
//! revokes the whole session (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP §4.14).

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use crate::entities::{refresh_tokens, sessions};
use crate::Timestamp;

pub use sessions::Model as Session;

/// Creates a session for a user and returns its id.
pub async fn create_session(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    school_id: Uuid,
) -> Result<Uuid, DbErr> {
    let now = crate::now();
    let id = Uuid::now_v7();
    sessions::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        school_id: Set(school_id),
        created_at: Set(now),
        last_used_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// Stores the hash (hex SHA-256) of a new refresh token for `session_id`.
pub async fn insert_refresh_token(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    token_hash: String,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(token_hash),
        created_at: Set(crate::now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// What happened to a presented refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was live and is now consumed; issue a successor in this session.
    Rotated {
        /// Session (family) id.
        session_id: Uuid,
        /// Owner.
        user_id: Uuid,
    },
    /// The token had already been consumed: the session is now revoked.
    Reused {
        /// The revoked session.
        session_id: Uuid,
    },
    /// Unknown, expired, or its session was already revoked.
    Invalid,
}

/// Atomically consumes a refresh token.
///
/// The consuming `UPDATE … WHERE used_at IS NULL` succeeds for exactly one caller even when two
/// refreshes race (row lock on PostgreSQL; the writer gate on SQLite); the loser sees a consumed
/// token and the session is revoked, as for any reuse.
pub async fn rotate(conn: &impl ConnectionTrait, token_hash: &str) -> Result<RotateOutcome, DbErr> {
    let now = crate::now();
    let Some(token) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(RotateOutcome::Invalid);
    };
    let Some(session) = sessions::Entity::find_by_id(token.session_id)
        .one(conn)
        .await?
    else {
        return Ok(RotateOutcome::Invalid);
    };
    if session.revoked_at.is_some() {
        return Ok(RotateOutcome::Invalid);
    }
    if token.used_at.is_some() {
        revoke_session(conn, session.id, "refresh_token_reuse").await?;
        return Ok(RotateOutcome::Reused {
            session_id: session.id,
        });
    }
    if token.expires_at <= now {
        return Ok(RotateOutcome::Invalid);
    }
    let res = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(token.id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        revoke_session(conn, session.id, "refresh_token_reuse").await?;
        return Ok(RotateOutcome::Reused {
            session_id: session.id,
        });
    }
    sessions::Entity::update_many()
        .col_expr(sessions::Column::LastUsedAt, Expr::value(now))
        .filter(sessions::Column::Id.eq(session.id))
        .exec(conn)
        .await?;
    Ok(RotateOutcome::Rotated {
        session_id: session.id,
        user_id: session.user_id,
    })
}

/// The session a refresh token belongs to, if the token is known.
pub async fn session_of_token(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<Session>, DbErr> {
    let Some(token) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    sessions::Entity::find_by_id(token.session_id)
        .one(conn)
        .await
}

/// Revokes a session (logout, reuse detection). Idempotent; returns true if it was live.
pub async fn revoke_session(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    reason: &str,
) -> Result<bool, DbErr> {
    let res = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(crate::now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Revokes every live session of a user (deactivation, password change by an admin).
pub async fn revoke_all_for_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    reason: &str,
) -> Result<u64, DbErr> {
    let res = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(crate::now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// A session by id.
pub async fn session(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Session>, DbErr> {
    sessions::Entity::find_by_id(id).one(conn).await
}

/// Revokes every live session of a user except `keep` (after a password change).
pub async fn revoke_all_except(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Uuid,
    reason: &str,
) -> Result<u64, DbErr> {
    let res = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(crate::now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::Id.ne(keep))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// The live session a refresh token belongs to, looked up WITHOUT consuming the token (browser
/// sessions keep their refresh token in an `HttpOnly` cookie and present it on every request).
/// `None` when the token is unknown, already used (rotated), expired, or its session revoked.
pub async fn live_session_of_token(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<Session>, DbErr> {
    let Some(token) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if token.used_at.is_some() || token.expires_at <= crate::now() {
        return Ok(None);
    }
    Ok(sessions::Entity::find_by_id(token.session_id)
        .one(conn)
        .await?
        .filter(|s| s.revoked_at.is_none()))
}

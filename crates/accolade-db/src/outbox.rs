//! The e-mail outbox: messages are queued in the same transaction as the action that causes
//! them and sent later by a background sender, with retries and backoff, so an SMTP outage
//! loses nothing and never slows a request.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::email_outbox;
use crate::Timestamp;

pub use email_outbox::Model as OutboxMail;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// Tenant.
    pub school_id: Uuid,
    /// The user it is for, if any.
    pub user_id: Option<Uuid>,
    /// Recipient address.
    pub to: String,
    /// Kind: `award`, `decision`, `digest`.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// Queues a message (status `pending`, due now).
pub async fn enqueue(conn: &impl ConnectionTrait, m: NewMail) -> Result<Uuid, DbErr> {
    let now = crate::now();
    let id = Uuid::now_v7();
    email_outbox::ActiveModel {
        id: Set(id),
        school_id: Set(m.school_id),
        user_id: Set(m.user_id),
        to_address: Set(m.to),
        kind: Set(m.kind),
        subject: Set(m.subject),
        text_body: Set(m.text),
        html_body: Set(m.html),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// Claims up to `limit` due messages for `lease` (so another node does not send them too) and
/// returns them.
pub async fn claim_due(
    conn: &impl ConnectionTrait,
    limit: u64,
    lease: chrono::Duration,
) -> Result<Vec<OutboxMail>, DbErr> {
    let now = crate::now();
    let due = email_outbox::Entity::find()
        .filter(email_outbox::Column::Status.eq("pending"))
        .filter(email_outbox::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(email_outbox::Column::LockedUntil.is_null())
                .add(email_outbox::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(email_outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(conn)
        .await?;
    let until = now + lease;
    let mut claimed = Vec::new();
    for m in due {
        let res = email_outbox::Entity::update_many()
            .col_expr(email_outbox::Column::LockedUntil, Expr::value(Some(until)))
            .filter(email_outbox::Column::Id.eq(m.id))
            .filter(email_outbox::Column::Status.eq("pending"))
            .filter(
                Condition::any()
                    .add(email_outbox::Column::LockedUntil.is_null())
                    .add(email_outbox::Column::LockedUntil.lt(now)),
            )
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            claimed.push(m);
        }
    }
    Ok(claimed)
}

/// Marks a message sent.
pub async fn mark_sent(conn: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::Status, Expr::value("sent"))
        .col_expr(
            email_outbox::Column::SentAt,
            Expr::value(Some(crate::now())),
        )
        .col_expr(
            email_outbox::Column::LockedUntil,
            Expr::value(Option::<Timestamp>::None),
        )
        .filter(email_outbox::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried at `next` unless `give_up`, then status `failed`.
pub async fn mark_failed(
    conn: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
    next: Timestamp,
    give_up: bool,
) -> Result<(), DbErr> {
    let err: String = error.chars().take(1000).collect();
    email_outbox::Entity::update_many()
        .col_expr(
            email_outbox::Column::Attempts,
            Expr::col(email_outbox::Column::Attempts).add(1),
        )
        .col_expr(email_outbox::Column::LastError, Expr::value(Some(err)))
        .col_expr(email_outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            email_outbox::Column::LockedUntil,
            Expr::value(Option::<Timestamp>::None),
        )
        .col_expr(
            email_outbox::Column::Status,
            Expr::value(if give_up { "failed" } else { "pending" }),
        )
        .filter(email_outbox::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Messages of a school by status (for admins and tests).
pub async fn by_status(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    status: &str,
) -> Result<Vec<OutboxMail>, DbErr> {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::SchoolId.eq(school_id))
        .filter(email_outbox::Column::Status.eq(status))
        .order_by_asc(email_outbox::Column::CreatedAt)
        .all(conn)
        .await
}

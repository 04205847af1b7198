//! The event aggregate: realtime events stored per recipient with a per-user increasing `seq`,
//! so a client can resume after a disconnect (`last_seq`) and never miss or repeat one; and
//! single-use WebSocket tickets.

use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use uuid::Uuid;

use crate::entities::{event_cursors, events, user_events, ws_tickets};
use crate::{Notice, Timestamp, WriteTxn};

/// PostgreSQL channel carrying event ids between nodes.
pub const EVENTS_CHANNEL: &str = "accolade_events";
/// PostgreSQL channel carrying control messages (`session:{id}`, `user:{id}`).
pub const CONTROL_CHANNEL: &str = "accolade_control";

/// One event as one user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Recipient.
    pub user_id: Uuid,
    /// The recipient's sequence number (1, 2, 3, … per user).
    pub seq: i64,
    /// Event id (shared by every recipient).
    pub event_id: Uuid,
    /// Type, e.g. `award.issued`.
    pub event_type: String,
    /// JSON payload text.
    pub data: String,
}

async fn next_seq(conn: &impl ConnectionTrait, user_id: Uuid) -> Result<i64, DbErr> {
    event_cursors::Entity::insert(event_cursors::ActiveModel {
        user_id: Set(user_id),
        last_seq: Set(0),
    })
    .on_conflict(
        OnConflict::column(event_cursors::Column::UserId)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(conn)
    .await?;
    // The UPDATE takes the row lock on PostgreSQL, so concurrent writers get distinct numbers.
    event_cursors::Entity::update_many()
        .col_expr(
            event_cursors::Column::LastSeq,
            Expr::col(event_cursors::Column::LastSeq).add(1),
        )
        .filter(event_cursors::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let row = event_cursors::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("event cursor".into()))?;
    Ok(row.last_seq)
}

/// Stores an event for `recipients` (duplicates ignored) inside `txn` and arranges its delivery
/// after commit: `pg_notify` on PostgreSQL (transactional: sent only if the transaction
/// commits), the commit hook on SQLite. Returns the event id, or `None` with no recipients.
pub async fn record(
    txn: &WriteTxn,
    school_id: Uuid,
    event_type: &str,
    data: &serde_json::Value,
    recipients: &[Uuid],
) -> Result<Option<Uuid>, DbErr> {
    let mut users: Vec<Uuid> = recipients.to_vec();
    users.sort();
    users.dedup();
    if users.is_empty() {
        return Ok(None);
    }
    let id = Uuid::now_v7();
    let now = crate::now();
    events::ActiveModel {
        id: Set(id),
        school_id: Set(school_id),
        r#type: Set(event_type.to_owned()),
        data: Set(data.to_string()),
        created_at: Set(now),
    }
    .insert(&**txn)
    .await?;
    for user in users {
        let seq = next_seq(&**txn, user).await?;
        user_events::ActiveModel {
            user_id: Set(user),
            seq: Set(seq),
            event_id: Set(id),
            created_at: Set(now),
        }
        .insert(&**txn)
        .await?;
    }
    publish(txn, Notice::Event(id)).await?;
    Ok(Some(id))
}

/// Queues a control message (e.g. `session:{id}` to close that session's sockets).
pub async fn control(txn: &WriteTxn, message: String) -> Result<(), DbErr> {
    publish(txn, Notice::Control(message)).await
}

async fn publish(txn: &WriteTxn, notice: Notice) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        let (channel, payload) = match &notice {
            Notice::Event(id) => (EVENTS_CHANNEL, id.to_string()),
            Notice::Control(c) => (CONTROL_CHANNEL, c.clone()),
        };
        txn.execute(Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2)",
            [channel.into(), payload.into()],
        ))
        .await?;
    } else {
        txn.notice(notice);
    }
    Ok(())
}

async fn join(
    conn: &impl ConnectionTrait,
    rows: Vec<user_events::Model>,
) -> Result<Vec<StoredEvent>, DbErr> {
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.event_id).collect();
    ids.sort();
    ids.dedup();
    let evs = events::Entity::find()
        .filter(events::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            evs.iter()
                .find(|e| e.id == r.event_id)
                .map(|e| StoredEvent {
                    user_id: r.user_id,
                    seq: r.seq,
                    event_id: e.id,
                    event_type: e.r#type.clone(),
                    data: e.data.clone(),
                })
        })
        .collect())
}

/// A user's events with `seq > after`, in order, at most `limit`.
pub async fn for_user_after(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    after: i64,
    limit: u64,
) -> Result<Vec<StoredEvent>, DbErr> {
    let rows = user_events::Entity::find()
        .filter(user_events::Column::UserId.eq(user_id))
        .filter(user_events::Column::Seq.gt(after))
        .order_by_asc(user_events::Column::Seq)
        .limit(limit)
        .all(conn)
        .await?;
    join(conn, rows).await
}

/// Every recipient's copy of one event (for delivery).
pub async fn by_event(
    conn: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<Vec<StoredEvent>, DbErr> {
    let rows = user_events::Entity::find()
        .filter(user_events::Column::EventId.eq(event_id))
        .all(conn)
        .await?;
    join(conn, rows).await
}

/// `(oldest retained seq, latest seq)` of a user; `(None, 0)` when none was ever stored.
pub async fn bounds(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<(Option<i64>, i64), DbErr> {
    let latest = event_cursors::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .map_or(0, |c| c.last_seq);
    let oldest = user_events::Entity::find()
        .filter(user_events::Column::UserId.eq(user_id))
        .order_by_asc(user_events::Column::Seq)
        .one(conn)
        .await?
        .map(|r| r.seq);
    Ok((oldest, latest))
}

/// Deletes events older than `cutoff` and, per user, all but the newest `keep` (retention).
/// Returns how many per-user rows went.
pub async fn prune(
    conn: &impl ConnectionTrait,
    cutoff: Timestamp,
    keep: i64,
) -> Result<u64, DbErr> {
    let mut removed = user_events::Entity::delete_many()
        .filter(user_events::Column::CreatedAt.lt(cutoff))
        .exec(conn)
        .await?
        .rows_affected;
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "DELETE FROM user_events ue USING event_cursors c \
             WHERE ue.user_id = c.user_id AND ue.seq <= c.last_seq - $1"
        }
        _ => {
            "DELETE FROM user_events WHERE seq <= \
             (SELECT c.last_seq FROM event_cursors c WHERE c.user_id = user_events.user_id) - ?"
        }
    };
    removed += conn
        .execute(Statement::from_sql_and_values(backend, sql, [keep.into()]))
        .await?
        .rows_affected();
    conn.execute(Statement::from_string(
        backend,
        "DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM user_events ue WHERE ue.event_id = events.id)",
    ))
    .await?;
    Ok(removed)
}

/// A single-use WebSocket ticket.
pub use ws_tickets::Model as Ticket;

/// Stores a ticket (hash of the secret).
pub async fn insert_ticket(
    conn: &impl ConnectionTrait,
    token_hash: String,
    user_id: Uuid,
    session_id: Uuid,
    access_expires_at: Timestamp,
    expires_at: Timestamp,
) -> Result<(), DbErr> {
    ws_tickets::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        session_id: Set(session_id),
        access_expires_at: Set(access_expires_at),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Consumes a live ticket; `None` if unknown, used or expired. One of two racing callers wins.
pub async fn consume_ticket(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<Ticket>, DbErr> {
    let now = crate::now();
    let Some(t) = ws_tickets::Entity::find()
        .filter(ws_tickets::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if t.used_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    let res = ws_tickets::Entity::update_many()
        .col_expr(ws_tickets::Column::UsedAt, Expr::value(Some(now)))
        .filter(ws_tickets::Column::Id.eq(t.id))
        .filter(ws_tickets::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((res.rows_affected == 1).then_some(t))
}

/// Deletes tickets that expired before `cutoff`.
pub async fn prune_tickets(conn: &impl ConnectionTrait, cutoff: Timestamp) -> Result<u64, DbErr> {
    Ok(ws_tickets::Entity::delete_many()
        .filter(ws_tickets::Column::ExpiresAt.lt(cutoff))
        .exec(conn)
        .await?
        .rows_affected)
}

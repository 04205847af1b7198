//! Account deletion: erasing a user's personal data while keeping the rows other records point
//! at (awards, nominations, audit entries) as an anonymous tombstone.

use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::entities::{
    audit_log, email_outbox, event_cursors, idempotency_keys, nominations, refresh_tokens,
    sessions, signin_cards, user_events, users, ws_tickets,
};

/// Anonymises the user row of `user_id` in `school_id` and deletes their sessions, refresh
/// tokens, sign-in cards, stored events, WebSocket tickets, idempotency records and e-mails
/// (sent or not: they hold the address), and clears the before/after state of audit entries about them (the entries
/// themselves stay: action, time, actor), empties the narratives and evidence of nominations
/// they wrote and withdraws pending or returned nominations by or for them. The handle becomes `deleted-{id}` so it stays unique
/// and reveals nothing. Returns false when there is no such (not yet deleted) user.
///
/// Collections, follows, blocks and cheers are removed by their own modules; revoking awards
/// is the caller's job (it needs the hosted-URL service).
pub async fn erase(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    user_id: Uuid,
) -> Result<bool, DbErr> {
    let now = crate::now();
    let res = users::Entity::update_many()
        .col_expr(users::Column::DisplayName, Expr::value("Deleted user"))
        .col_expr(
            users::Column::GivenName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            users::Column::FamilyName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(users::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(
            users::Column::Handle,
            Expr::value(format!("deleted-{}", user_id.simple())),
        )
        .col_expr(
            users::Column::SourcedId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(users::Column::Grade, Expr::value(Option::<String>::None))
        .col_expr(
            users::Column::PasswordHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(users::Column::Active, Expr::value(false))
        .col_expr(users::Column::EmailNotifications, Expr::value(false))
        .col_expr(users::Column::ShowNamePublicly, Expr::value(false))
        .col_expr(users::Column::AllowIndexing, Expr::value(false))
        .col_expr(users::Column::DeletedAt, Expr::value(Some(now)))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::SchoolId.eq(school_id))
        .filter(users::Column::DeletedAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Ok(false);
    }
    let session_ids: Vec<Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::Id)
        .filter(sessions::Column::UserId.eq(user_id))
        .into_tuple()
        .all(conn)
        .await?;
    if !session_ids.is_empty() {
        refresh_tokens::Entity::delete_many()
            .filter(refresh_tokens::Column::SessionId.is_in(session_ids))
            .exec(conn)
            .await?;
    }
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    signin_cards::Entity::delete_many()
        .filter(signin_cards::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    user_events::Entity::delete_many()
        .filter(user_events::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    event_cursors::Entity::delete_many()
        .filter(event_cursors::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    ws_tickets::Entity::delete_many()
        .filter(ws_tickets::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    email_outbox::Entity::delete_many()
        .filter(email_outbox::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    // The student's own words go; pending nominations by or for them leave the queue.
    nominations::Entity::update_many()
        .col_expr(nominations::Column::Narrative, Expr::value(""))
        .col_expr(
            nominations::Column::EvidenceUrl,
            Expr::value(Option::<String>::None),
        )
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(nominations::Column::NominatorId.eq(user_id))
        .exec(conn)
        .await?;
    nominations::Entity::update_many()
        .col_expr(nominations::Column::Status, Expr::value("withdrawn"))
        .col_expr(nominations::Column::UpdatedAt, Expr::value(now))
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(
            nominations::Column::NominatorId
                .eq(user_id)
                .or(nominations::Column::NomineeId.eq(user_id)),
        )
        .filter(nominations::Column::Status.is_in(["pending", "returned"]))
        .exec(conn)
        .await?;
    audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::Before,
            Expr::value(Option::<serde_json::Value>::None),
        )
        .col_expr(
            audit_log::Column::After,
            Expr::value(Option::<serde_json::Value>::None),
        )
        .filter(audit_log::Column::SchoolId.eq(school_id))
        .filter(audit_log::Column::TargetId.eq(user_id.to_string()))
        .exec(conn)
        .await?;
    Ok(true)
}

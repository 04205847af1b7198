//! The nomination aggregate: peer nominations and their moderation state.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use uuid::Uuid;

use crate::entities::{enrollments, nominations};
use crate::Timestamp;

pub use nominations::Model as Nomination;

/// Inserts a nomination. Errors: unique violation when the nominee already has an open
/// nomination for the badge (`ux_nominations_open`).
pub async fn insert(conn: &impl ConnectionTrait, m: Nomination) -> Result<Nomination, DbErr> {
    let am: nominations::ActiveModel = m.into();
    am.reset_all().insert(conn).await
}

/// A nomination of `school_id`.
pub async fn by_id(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    id: Uuid,
) -> Result<Option<Nomination>, DbErr> {
    nominations::Entity::find_by_id(id)
        .filter(nominations::Column::SchoolId.eq(school_id))
        .one(conn)
        .await
}

/// Nominations made by a student since `since` (for the weekly allowance; withdrawn ones
/// still count, so withdrawing cannot be used to exceed it).
pub async fn count_by_nominator_since(
    conn: &impl ConnectionTrait,
    nominator_id: Uuid,
    since: Timestamp,
) -> Result<u64, DbErr> {
    nominations::Entity::find()
        .filter(nominations::Column::NominatorId.eq(nominator_id))
        .filter(nominations::Column::Source.eq("peer"))
        .filter(nominations::Column::CreatedAt.gte(since))
        .count(conn)
        .await
}

/// A student's own nominations (as nominator), newest first.
pub async fn by_nominator(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    nominator_id: Uuid,
    offset: u64,
    limit: u64,
) -> Result<Vec<Nomination>, DbErr> {
    nominations::Entity::find()
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(nominations::Column::NominatorId.eq(nominator_id))
        .order_by_desc(nominations::Column::CreatedAt)
        .order_by_desc(nominations::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Nominations of a student as nominee, newest first (their data export).
pub async fn for_nominee(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    nominee_id: Uuid,
) -> Result<Vec<Nomination>, DbErr> {
    nominations::Entity::find()
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(nominations::Column::NomineeId.eq(nominee_id))
        .order_by_desc(nominations::Column::CreatedAt)
        .order_by_desc(nominations::Column::Id)
        .all(conn)
        .await
}

/// Filter of the moderation queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only classes taught by this teacher (None for admins: the whole school).
    pub teacher_id: Option<Uuid>,
    /// Only this class.
    pub class_id: Option<Uuid>,
    /// Only this badge class.
    pub badge_class_id: Option<Uuid>,
}

/// Pending nominations, oldest first.
pub async fn queue(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    filter: &QueueFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<Nomination>, DbErr> {
    let mut q = nominations::Entity::find()
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(nominations::Column::Status.eq("pending"));
    if let Some(t) = filter.teacher_id {
        let taught = enrollments::Entity::find()
            .select_only()
            .column(enrollments::Column::ClassId)
            .filter(enrollments::Column::UserId.eq(t))
            .filter(enrollments::Column::Role.eq("teacher"))
            .into_query();
        q = q.filter(nominations::Column::ClassId.in_subquery(taught));
    }
    if let Some(c) = filter.class_id {
        q = q.filter(nominations::Column::ClassId.eq(c));
    }
    if let Some(b) = filter.badge_class_id {
        q = q.filter(nominations::Column::BadgeClassId.eq(b));
    }
    q.order_by_asc(nominations::Column::CreatedAt)
        .order_by_asc(nominations::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

/// Moves a nomination from one of `from` states to `to`, atomically; returns false when it
/// was not in one of those states (someone else decided first).
pub async fn transition(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[&str],
    to: &str,
    decided_by: Option<Uuid>,
    reason: Option<String>,
) -> Result<bool, DbErr> {
    let now = crate::now();
    let mut cond = Condition::any();
    for f in from {
        cond = cond.add(nominations::Column::Status.eq(*f));
    }
    let mut upd = nominations::Entity::update_many()
        .col_expr(nominations::Column::Status, Expr::value(to))
        .col_expr(nominations::Column::UpdatedAt, Expr::value(now));
    if decided_by.is_some() {
        upd = upd
            .col_expr(nominations::Column::DecidedBy, Expr::value(decided_by))
            .col_expr(nominations::Column::DecidedAt, Expr::value(Some(now)))
            .col_expr(nominations::Column::DecisionReason, Expr::value(reason));
    }
    let res = upd
        .filter(nominations::Column::Id.eq(id))
        .filter(cond)
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records the award made for an approved nomination.
pub async fn set_award(conn: &impl ConnectionTrait, id: Uuid, award_id: Uuid) -> Result<(), DbErr> {
    nominations::Entity::update_many()
        .col_expr(nominations::Column::AwardId, Expr::value(Some(award_id)))
        .filter(nominations::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Saves every field (revisions by the nominator).
pub async fn save(conn: &impl ConnectionTrait, m: Nomination) -> Result<Nomination, DbErr> {
    let mut am: nominations::ActiveModel = m.into();
    am = am.reset_all();
    am.updated_at = Set(crate::now());
    am.update(conn).await
}

/// Counts of nominations by status for a school (for reports and tests).
pub async fn count_by_status(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    status: &str,
) -> Result<u64, DbErr> {
    nominations::Entity::find()
        .filter(nominations::Column::SchoolId.eq(school_id))
        .filter(nominations::Column::Status.eq(status))
        .count(conn)
        .await
}

//! The audit log: who did what, when, with before/after state. Append-only.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::audit_log;

pub use audit_log::Model as AuditEntry;

/// One action to record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// Tenant.
    pub school_id: Uuid,
    /// Acting user; `None` for the CLI and the system.
    pub actor_id: Option<Uuid>,
    /// Dotted action name, e.g. `"user.update"`.
    pub action: &'a str,
    /// Target kind, e.g. `"user"`.
    pub target_type: &'a str,
    /// Target id.
    pub target_id: Option<String>,
    /// State before (no secrets: never password hashes or tokens).
    pub before: Option<serde_json::Value>,
    /// State after.
    pub after: Option<serde_json::Value>,
}

/// Appends an entry; call inside the same transaction as the change it records.
pub async fn record(conn: &impl ConnectionTrait, r: Record<'_>) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(r.school_id),
        actor_id: Set(r.actor_id),
        action: Set(r.action.to_owned()),
        target_type: Set(r.target_type.to_owned()),
        target_id: Set(r.target_id),
        before: Set(r.before),
        after: Set(r.after),
        created_at: Set(crate::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Newest entries of a school first; `offset`/`limit` paginate, `action` filters by prefix.
pub async fn list(
    conn: &impl ConnectionTrait,
    school_id: Uuid,
    action_prefix: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<Vec<AuditEntry>, DbErr> {
    let mut q = audit_log::Entity::find().filter(audit_log::Column::SchoolId.eq(school_id));
    if let Some(prefix) = action_prefix {
        let cleaned: String = prefix
            .chars()
            .filter(|c| !matches!(c, '%' | '_' | '\\'))
            .collect();
        q = q.filter(audit_log::Column::Action.like(format!("{cleaned}%")));
    }
    q.order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await
}

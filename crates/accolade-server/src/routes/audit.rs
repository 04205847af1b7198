//! `GET /api/v1/audit`: the school's audit log, newest first (admins only).

use accolade_proto::{AuditEntry, Page};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::policy;
use crate::state::AppState;

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only actions starting with this, e.g. `user.`.
    pub action: Option<String>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// The audit log of the caller's school.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    policy::require_admin(&auth)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let rows = accolade_db::audit::list(
        state.db.conn(),
        auth.school_id(),
        q.action.as_deref(),
        offset,
        limit + 1,
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            actor_id: r.actor_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            before: r.before,
            after: r.after,
            created_at: r.created_at.with_timezone(&chrono::Utc),
        })
        .collect();
    Ok(Json(super::page(items, offset, limit)))
}

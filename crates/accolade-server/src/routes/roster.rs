//! `POST /api/v1/roster/import`: admins upload a OneRoster 1.1 zip or a class-list CSV.

use accolade_proto::ImportReport;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;

use crate::error::{ApiError, ApiResult};
use crate::extract::AuthUser;
use crate::policy;
use crate::state::AppState;

/// Import a roster into the caller's school. The body is the raw file: a OneRoster 1.1 CSV
/// bulk export as `.zip` (`Content-Type: application/zip`) or a class list
/// (`text/csv`, header `name,email,class`).
///
/// Errors: 422 `roster_rejected` when a file is broken as a whole (nothing is changed); 413 when
/// larger than `max_upload_bytes`. Bad rows are listed in `problems` and the rest imports.
#[utoipa::path(post, path = "/api/v1/roster/import", tag = "roster",
    request_body(content = Vec<u8>, content_type = "application/zip"),
    responses((status = 200, body = ImportReport), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    auth: AuthUser,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    policy::require_admin(&auth)?;
    if body.is_empty() {
        return Err(ApiError::RosterRejected("the upload is empty".into()));
    }
    let source = tokio::task::spawn_blocking(move || accolade_roster::load_bytes(&body))
        .await
        .map_err(|e| ApiError::Internal(format!("parse task: {e}")))?
        .map_err(|e| ApiError::RosterRejected(e.to_string()))?;
    let school = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let report = crate::import::apply(&state.db, &school, source, Some(auth.id())).await?;
    Ok(Json(report))
}

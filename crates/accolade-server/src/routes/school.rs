//! `/api/v1/school`: the caller's school and its settings.

use accolade_db::schools::School as SchoolRow;
use accolade_proto::{School, UpdateSchoolRequest};
use axum::extract::State;
use axum::Json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;
use crate::{audit_json, policy, validate};

/// Wire form of a school.
pub fn to_school(s: &SchoolRow) -> School {
    School {
        id: s.id,
        slug: s.slug.clone(),
        name: s.name.clone(),
        timezone: s.timezone.clone(),
        weekly_nomination_allowance: s.weekly_nomination_allowance.max(0) as u32,
        allow_public_sharing: s.allow_public_sharing,
        email_sender: s.email_sender.clone(),
    }
}

/// The caller's school.
#[utoipa::path(get, path = "/api/v1/school", tag = "school",
    responses((status = 200, body = School)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<School>> {
    let school = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    Ok(Json(to_school(&school)))
}

/// Change school settings (admins only); audited with before/after.
#[utoipa::path(patch, path = "/api/v1/school", tag = "school", request_body = UpdateSchoolRequest,
    responses((status = 200, body = School), (status = 403, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn patch(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<UpdateSchoolRequest>,
) -> ApiResult<Json<School>> {
    policy::require_admin(&auth)?;
    let name = req
        .name
        .as_deref()
        .map(|n| validate::text("name", n, 200))
        .transpose()?;
    let tz = req
        .timezone
        .as_deref()
        .map(validate::timezone)
        .transpose()?;
    if let Some(a) = req.weekly_nomination_allowance {
        if a > 100 {
            return Err(ApiError::field(
                "weekly_nomination_allowance",
                "must be 0–100",
            ));
        }
    }
    let sender = req
        .email_sender
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| validate::email("email_sender", s))
        .transpose()?;
    let txn = state.db.begin_write().await?;
    let before = accolade_db::schools::by_id(&*txn, auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let mut s = before.clone();
    if let Some(n) = name {
        s.name = n;
    }
    if let Some(t) = tz {
        s.timezone = t;
    }
    if let Some(a) = req.weekly_nomination_allowance {
        s.weekly_nomination_allowance = a as i32;
    }
    if let Some(p) = req.allow_public_sharing {
        s.allow_public_sharing = p;
    }
    if req.email_sender.is_some() {
        s.email_sender = sender;
    }
    let saved = accolade_db::schools::save(&*txn, s).await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: saved.id,
            actor_id: Some(auth.id()),
            action: "school.update",
            target_type: "school",
            target_id: Some(saved.id.to_string()),
            before: Some(audit_json::school(&before)),
            after: Some(audit_json::school(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(to_school(&saved)))
}

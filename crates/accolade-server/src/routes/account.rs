//! A student's data: sharing choices, the school's sharing policy, export (zip) and account
//! deletion — by the student, or by an admin on their behalf.

use accolade_proto::{
    DeleteAccountRequest, SharingPolicy, SharingSettings, UpdateSharingSettings, UserSharing,
};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use uuid::Uuid;

use super::collections::require_student;
use crate::backpack;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::policy;
use crate::state::AppState;

async fn settings_of(
    state: &AppState,
    user: &accolade_db::users::User,
) -> ApiResult<SharingSettings> {
    let school = accolade_db::schools::by_id(state.db.conn(), user.school_id)
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    Ok(SharingSettings {
        show_name_publicly: user.show_name_publicly,
        allow_indexing: user.allow_indexing,
        public_allowed: backpack::public_allowed(&school, user),
    })
}

/// My public-page choices, and whether my school lets me make collections public.
#[utoipa::path(get, path = "/api/v1/me/sharing", tag = "backpack",
    responses((status = 200, body = SharingSettings)), security(("bearer" = [])))]
pub async fn get_sharing(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<SharingSettings>> {
    Ok(Json(settings_of(&state, &auth.user).await?))
}

/// Change my public-page choices: show my display name on public pages, let search engines
/// index them. Both are off by default.
#[utoipa::path(patch, path = "/api/v1/me/sharing", tag = "backpack",
    request_body = UpdateSharingSettings,
    responses((status = 200, body = SharingSettings)), security(("bearer" = [])))]
pub async fn patch_sharing(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<UpdateSharingSettings>,
) -> ApiResult<Json<SharingSettings>> {
    let txn = state.db.begin_write().await?;
    let mut user = accolade_db::users::by_id(&*txn, auth.school_id(), auth.id())
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    if let Some(v) = req.show_name_publicly {
        user.show_name_publicly = v;
    }
    if let Some(v) = req.allow_indexing {
        user.allow_indexing = v;
    }
    let user = accolade_db::users::save(&*txn, user).await?;
    txn.commit().await?;
    Ok(Json(settings_of(&state, &user).await?))
}

/// The school's public-sharing policy.
#[utoipa::path(get, path = "/api/v1/school/sharing", tag = "backpack",
    responses((status = 200, body = SharingPolicy)), security(("bearer" = [])))]
pub async fn get_policy(
    State(state): State<AppState>,
    auth: AuthUser,
) -> ApiResult<Json<SharingPolicy>> {
    let s = accolade_db::schools::by_id(state.db.conn(), auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    Ok(Json(SharingPolicy {
        allow_public_sharing: s.allow_public_sharing,
        min_grade: s.public_sharing_min_grade,
    }))
}

/// Set the school's public-sharing policy (admins). The policy is checked whenever a student
/// makes a collection public, and on every public read: collections already `public` of a
/// student no longer allowed are shown to the school only (their setting is kept).
#[utoipa::path(put, path = "/api/v1/school/sharing", tag = "backpack",
    request_body = SharingPolicy,
    responses((status = 200, body = SharingPolicy), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn put_policy(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<SharingPolicy>,
) -> ApiResult<Json<SharingPolicy>> {
    policy::require_admin(&auth)?;
    if req.min_grade.is_some_and(|g| !(0..=13).contains(&g)) {
        return Err(ApiError::field("min_grade", "must be between 0 and 13"));
    }
    let txn = state.db.begin_write().await?;
    let mut s = accolade_db::schools::by_id(&*txn, auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let before = serde_json::json!({"allow_public_sharing": s.allow_public_sharing, "min_grade": s.public_sharing_min_grade});
    s.allow_public_sharing = req.allow_public_sharing;
    s.public_sharing_min_grade = req.min_grade;
    accolade_db::schools::save(&*txn, s).await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "school.sharing",
            target_type: "school",
            target_id: Some(auth.school_id().to_string()),
            before: Some(before),
            after: Some(serde_json::to_value(&req).unwrap_or_default()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(req))
}

/// Allow or deny public sharing for one student whatever their grade, or go back to the
/// school's rule (admins).
#[utoipa::path(put, path = "/api/v1/users/{id}/sharing", tag = "backpack", params(("id" = Uuid, Path)),
    request_body = UserSharing,
    responses((status = 200, body = UserSharing), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn put_user_sharing(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UserSharing>,
) -> ApiResult<Json<UserSharing>> {
    policy::require_admin(&auth)?;
    let txn = state.db.begin_write().await?;
    let mut user = accolade_db::users::by_id(&*txn, auth.school_id(), id)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(ApiError::NotFound("user"))?;
    let school = accolade_db::schools::by_id(&*txn, auth.school_id())
        .await?
        .ok_or(ApiError::NotFound("school"))?;
    let before = user.public_sharing.clone();
    user.public_sharing = req.public_sharing.as_str().to_owned();
    let user = accolade_db::users::save(&*txn, user).await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "user.sharing",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            before: Some(serde_json::json!({ "public_sharing": before })),
            after: Some(serde_json::json!({ "public_sharing": user.public_sharing })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Json(UserSharing {
        public_sharing: req.public_sharing,
        public_allowed: backpack::public_allowed(&school, &user),
    }))
}

fn zip_response(bytes: Vec<u8>, handle: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"accolade-{handle}.zip\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Download everything of mine in one zip (students): every badge as baked PNG and SVG and as
/// OB 2.0 JSON, my collections and nominations as JSON, and a readable `index.html`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "backpack",
    responses((status = 200, content_type = "application/zip", description = "the export")),
    security(("bearer" = [])))]
pub async fn export_me(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Response> {
    require_student(&auth)?;
    let bytes = backpack::export_zip(&state, auth.school_id(), auth.id()).await?;
    Ok(zip_response(bytes, &auth.user.handle))
}

/// A student's export, downloaded by an admin on their behalf (recorded in the audit log).
#[utoipa::path(get, path = "/api/v1/users/{id}/export", tag = "backpack", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/zip", description = "the export"),
              (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn export_user(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    policy::require_admin(&auth)?;
    let user = accolade_db::users::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .filter(|u| u.role == "student" && u.deleted_at.is_none())
        .ok_or(ApiError::NotFound("student"))?;
    let bytes = backpack::export_zip(&state, auth.school_id(), user.id).await?;
    let txn = state.db.begin_write().await?;
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "user.export",
            target_type: "user",
            target_id: Some(user.id.to_string()),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(zip_response(bytes, &user.handle))
}

/// Delete my account (students; body `{"confirm": true}`): personal data and collections are
/// removed, my badges are revoked with the reason "recipient account deleted" (their hosted
/// addresses answer 410), and I am signed out everywhere.
#[utoipa::path(delete, path = "/api/v1/me", tag = "backpack", request_body = DeleteAccountRequest,
    responses((status = 204), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn delete_me(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<DeleteAccountRequest>,
) -> ApiResult<StatusCode> {
    require_student(&auth)?;
    if !req.confirm {
        return Err(ApiError::field("confirm", "must be true"));
    }
    backpack::delete_account(&state, auth.id(), auth.school_id(), auth.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a student's account on their behalf (admins); same effects as `DELETE /api/v1/me`.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "backpack", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn delete_user(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    policy::require_admin(&auth)?;
    let user = accolade_db::users::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .filter(|u| u.role == "student" && u.deleted_at.is_none())
        .ok_or(ApiError::NotFound("student"))?;
    backpack::delete_account(&state, auth.id(), auth.school_id(), user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

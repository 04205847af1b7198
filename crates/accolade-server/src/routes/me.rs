//! `/api/v1/me`: the signed-in user's own profile and password.

use accolade_db::users::User;
use accolade_proto::{ChangePasswordRequest, EmailDigest, Me, Role, UpdateMeRequest};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, AuthUser};
use crate::password;
use crate::state::AppState;
use crate::validate;

/// The wire form of the signed-in user.
pub async fn to_me(state: &AppState, user: &User) -> ApiResult<Me> {
    let school = accolade_db::schools::by_id(state.db.conn(), user.school_id)
        .await?
        .ok_or_else(|| ApiError::Internal("user without school".into()))?;
    Ok(Me {
        id: user.id,
        school_id: user.school_id,
        school_slug: school.slug,
        role: Role::parse(&user.role).unwrap_or(Role::Student),
        display_name: user.display_name.clone(),
        handle: user.handle.clone(),
        email: user.email.clone(),
        email_notifications: user.email_notifications,
        email_digest: EmailDigest::parse(&user.email_digest).unwrap_or_default(),
    })
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = Me), (status = 401, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get_me(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Me>> {
    Ok(Json(to_me(&state, &auth.user).await?))
}

/// Change display name, handle or notification preferences (`email_notifications`,
/// `email_digest`).
///
/// Errors: 422 `invalid_input` (e.g. a control character in `display_name`), 409 `conflict`
/// (handle taken).
#[utoipa::path(patch, path = "/api/v1/me", tag = "me", request_body = UpdateMeRequest,
    responses((status = 200, body = Me), (status = 422, body = accolade_proto::Problem),
              (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn patch_me(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<UpdateMeRequest>,
) -> ApiResult<Json<Me>> {
    let display_name = req
        .display_name
        .as_deref()
        .map(validate::display_name)
        .transpose()?;
    let handle = req.handle.as_deref().map(validate::handle).transpose()?;
    let txn = state.db.begin_write().await?;
    let mut user = accolade_db::users::by_id(&*txn, auth.school_id(), auth.id())
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    if let Some(name) = display_name {
        user.display_name = name;
    }
    if let Some(h) = handle {
        if h != user.handle && accolade_db::users::handle_taken(&*txn, &h).await? {
            return Err(ApiError::Conflict("that handle is taken".into()));
        }
        user.handle = h;
    }
    if let Some(n) = req.email_notifications {
        user.email_notifications = n;
    }
    if let Some(d) = req.email_digest {
        user.email_digest = d.as_str().to_owned();
    }
    let saved = accolade_db::users::save(&*txn, user).await?;
    txn.commit().await?;
    Ok(Json(to_me(&state, &saved).await?))
}

/// Change one's own password. Other sessions are ended; this one stays.
///
/// Errors: 400 `invalid_password`, 401 `invalid_credentials` (wrong current password).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "me", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 400, body = accolade_proto::Problem),
              (status = 401, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    let new = password::normalise(&req.new_password, true)?;
    if let Some(existing) = auth.user.password_hash.clone() {
        let current = password::normalise(req.current_password.as_deref().unwrap_or(""), false)?;
        if !state.hasher.verify(current, Some(existing)).await? {
            return Err(ApiError::InvalidCredentials);
        }
    }
    let hash = state.hasher.hash(new).await?;
    let txn = state.db.begin_write().await?;
    let mut user = accolade_db::users::by_id(&*txn, auth.school_id(), auth.id())
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    user.password_hash = Some(hash);
    accolade_db::users::save(&*txn, user).await?;
    accolade_db::auth::revoke_all_except(&*txn, auth.id(), auth.claims.sid, "password_changed")
        .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

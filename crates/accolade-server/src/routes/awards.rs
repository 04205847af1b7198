//! `/api/v1/awards`: direct awards by teachers, a student's own badges, hiding, revocation.

use std::collections::BTreeSet;

use accolade_proto::{
    Award, AwardSource, CreateAwardsRequest, CreateAwardsResponse, Page, RevokeRequest,
    SkippedRecipient, UpdateAwardRequest,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::badges::{self as svc, IssueInput, ViewCache};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use crate::{idempotency, policy, validate};

/// Award a badge directly to one student, a list, and/or a whole class (teachers and admins),
/// in one transaction. Students who already hold a non-repeatable badge, or are outside the
/// badge's scope, are listed in `skipped`; a request for a single student fails instead.
///
/// Errors: 409 `already_held` (single recipient), 404, 422.
#[utoipa::path(post, path = "/api/v1/awards", tag = "awards", request_body = CreateAwardsRequest,
    responses((status = 201, body = CreateAwardsResponse), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateAwardsRequest>,
) -> ApiResult<Response> {
    policy::require_staff(&auth)?;
    let narrative = req
        .narrative
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|n| validate::long_text("narrative", n, 1000))
        .transpose()?;
    let evidence_url = req
        .evidence_url
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|u| validate::url("evidence_url", u))
        .transpose()?;
    if req.recipient_ids.len() > 1000 {
        return Err(ApiError::field(
            "recipient_ids",
            "at most 1000 recipients per request",
        ));
    }
    if req.recipient_ids.is_empty() && req.class_id.is_none() {
        return Err(ApiError::field(
            "recipient_ids",
            "give recipients or a class",
        ));
    }
    let key = idempotency::key(&headers)?;
    // The whole request is part of the scope: the same key with a different body is refused.
    let scope = format!("award:{}", serde_json::to_string(&req).unwrap_or_default());
    let base = state.config.base_url().to_owned();
    let txn = state.db.begin_write().await?;
    if let Some(replayed) = idempotency::replay(&*txn, auth.id(), key.as_deref(), &scope).await? {
        return Ok(replayed);
    }
    let badge = accolade_db::badges::class_by_id(&*txn, auth.school_id(), req.badge_class_id)
        .await?
        .ok_or(ApiError::NotFound("badge class"))?;
    if badge.archived_at.is_some() {
        return Err(ApiError::Conflict("this badge is archived".into()));
    }
    let mut ids: BTreeSet<Uuid> = req.recipient_ids.iter().copied().collect();
    if let Some(class_id) = req.class_id {
        let class = accolade_db::classes::by_id(&*txn, auth.school_id(), class_id)
            .await?
            .ok_or(ApiError::NotFound("class"))?;
        for (u, role) in accolade_db::classes::members(&*txn, auth.school_id(), class.id).await? {
            if role == "student" {
                ids.insert(u.id);
            }
        }
    }
    let single = ids.len() == 1 && req.class_id.is_none();
    let mut awards = Vec::new();
    let mut skipped = Vec::new();
    for id in ids {
        let skip = |code: &str| SkippedRecipient {
            recipient_id: id,
            code: code.into(),
        };
        let Some(user) = accolade_db::users::by_id(&*txn, auth.school_id(), id)
            .await?
            .filter(|u| u.active && u.role == "student")
        else {
            if single {
                return Err(ApiError::NotFound("student"));
            }
            skipped.push(skip("not_found"));
            continue;
        };
        if !svc::in_scope(&*txn, &badge, user.id).await? {
            if single {
                return Err(ApiError::Forbidden(
                    "this student is outside the badge's classes",
                ));
            }
            skipped.push(skip("not_in_scope"));
            continue;
        }
        match svc::issue(
            &txn,
            &base,
            IssueInput {
                badge_class: badge.clone(),
                recipient: user,
                issued_by: Some(auth.id()),
                source: AwardSource::Direct,
                nomination_id: None,
                narrative: narrative.clone(),
                evidence_url: evidence_url.clone(),
                evidence_narrative: None,
            },
        )
        .await
        {
            Ok(a) => {
                crate::notify::award_issued(&txn, &base, &a).await?;
                awards.push(a);
            }
            Err(ApiError::AlreadyHeld) if !single => skipped.push(skip("already_held")),
            Err(e) => return Err(e),
        }
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "award.create",
            target_type: "badge_class",
            target_id: Some(badge.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "awards": awards.iter().map(|a| a.id).collect::<Vec<_>>(),
                "skipped": skipped.len(),
            })),
        },
    )
    .await?;
    let mut cache = ViewCache::default();
    let mut views = Vec::new();
    for a in &awards {
        views.push(svc::award_view(&*txn, &base, &mut cache, a).await?);
    }
    let body = CreateAwardsResponse {
        awards: views,
        skipped,
    };
    idempotency::remember(
        &*txn,
        auth.id(),
        key.as_deref(),
        &scope,
        StatusCode::CREATED,
        &body,
    )
    .await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Query of award lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwardsQuery {
    /// Only this badge class (staff list).
    pub badge_class_id: Option<Uuid>,
    /// Only this student (staff list).
    pub recipient_id: Option<Uuid>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

/// The caller's own badges (the backpack), newest first, hidden ones included (flagged).
#[utoipa::path(get, path = "/api/v1/me/awards", tag = "awards", params(AwardsQuery),
    responses((status = 200, body = Page<Award>)), security(("bearer" = [])))]
pub async fn mine(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<AwardsQuery>,
) -> ApiResult<Json<Page<Award>>> {
    list_for(&state, &auth, auth.id(), &q).await
}

async fn list_for(
    state: &AppState,
    auth: &AuthUser,
    recipient: Uuid,
    q: &AwardsQuery,
) -> ApiResult<Json<Page<Award>>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let conn = state.db.conn();
    let rows =
        accolade_db::awards::by_recipient(conn, auth.school_id(), recipient, offset, limit + 1)
            .await?;
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for a in &rows {
        out.push(svc::award_view(conn, state.config.base_url(), &mut cache, a).await?);
    }
    Ok(Json(super::page(out, offset, limit)))
}

/// Awards of the school (teachers and admins), newest first; filter by badge or student.
#[utoipa::path(get, path = "/api/v1/awards", tag = "awards", params(AwardsQuery),
    responses((status = 200, body = Page<Award>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<AwardsQuery>,
) -> ApiResult<Json<Page<Award>>> {
    policy::require_staff(&auth)?;
    if let Some(r) = q.recipient_id {
        accolade_db::users::by_id(state.db.conn(), auth.school_id(), r)
            .await?
            .ok_or(ApiError::NotFound("student"))?;
        return list_for(&state, &auth, r, &q).await;
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let offset = super::decode_cursor(q.cursor.as_deref())?;
    let conn = state.db.conn();
    let rows =
        accolade_db::awards::in_school(conn, auth.school_id(), q.badge_class_id, offset, limit + 1)
            .await?;
    let mut cache = ViewCache::default();
    let mut out = Vec::new();
    for a in &rows {
        out.push(svc::award_view(conn, state.config.base_url(), &mut cache, a).await?);
    }
    Ok(Json(super::page(out, offset, limit)))
}

async fn load_visible(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<accolade_db::awards::Award> {
    let a = accolade_db::awards::by_id(state.db.conn(), auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    if a.recipient_id != auth.id() && !auth.role.is_staff() {
        return Err(ApiError::NotFound("award"));
    }
    Ok(a)
}

/// One award: its recipient, or staff of the school.
#[utoipa::path(get, path = "/api/v1/awards/{id}", tag = "awards", params(("id" = Uuid, Path)),
    responses((status = 200, body = Award), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Award>> {
    let a = load_visible(&state, &auth, id).await?;
    let mut cache = ViewCache::default();
    Ok(Json(
        svc::award_view(state.db.conn(), state.config.base_url(), &mut cache, &a).await?,
    ))
}

/// Hide an award from (or show it on) one's profile (the recipient).
#[utoipa::path(patch, path = "/api/v1/awards/{id}", tag = "awards", params(("id" = Uuid, Path)),
    request_body = UpdateAwardRequest,
    responses((status = 200, body = Award), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateAwardRequest>,
) -> ApiResult<Json<Award>> {
    let txn = state.db.begin_write().await?;
    let a = accolade_db::awards::by_id(&*txn, auth.school_id(), id)
        .await?
        .filter(|a| a.recipient_id == auth.id())
        .ok_or(ApiError::NotFound("award"))?;
    accolade_db::awards::set_hidden(&*txn, a.id, req.hidden).await?;
    let a = accolade_db::awards::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    let mut cache = ViewCache::default();
    let view = svc::award_view(&*txn, state.config.base_url(), &mut cache, &a).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Revoke an award with a reason (teachers and admins). Its hosted assertion then answers 410
/// and it appears in the issuer's revocation list.
///
/// Errors: 409 `conflict` when already revoked.
#[utoipa::path(post, path = "/api/v1/awards/{id}/revoke", tag = "awards", params(("id" = Uuid, Path)),
    request_body = RevokeRequest,
    responses((status = 200, body = Award), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> ApiResult<Json<Award>> {
    policy::require_staff(&auth)?;
    let reason = validate::long_text("reason", &req.reason, 500)?;
    let txn = state.db.begin_write().await?;
    let a = accolade_db::awards::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    if !accolade_db::awards::revoke(&*txn, a.id, Some(auth.id()), &reason).await? {
        return Err(ApiError::Conflict("this award is already revoked".into()));
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "award.revoke",
            target_type: "award",
            target_id: Some(a.id.to_string()),
            before: Some(serde_json::json!({"revoked": false})),
            after: Some(serde_json::json!({"revoked": true, "reason": reason})),
        },
    )
    .await?;
    let a = accolade_db::awards::by_id(&*txn, auth.school_id(), id)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    crate::notify::award_revoked(&txn, state.config.base_url(), &a).await?;
    let mut cache = ViewCache::default();
    let view = svc::award_view(&*txn, state.config.base_url(), &mut cache, &a).await?;
    txn.commit().await?;
    Ok(Json(view))
}

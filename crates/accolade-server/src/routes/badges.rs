//! `/api/v1/images` and `/api/v1/badge-classes`: badge images and badge classes.

use accolade_db::badges::BadgeClass as BadgeClassRow;
use accolade_proto::{
    BadgeClass, BadgeScope, CreateBadgeClassRequest, Image, Moderation, UpdateBadgeClassRequest,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::badges as svc;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use crate::{policy, validate};

/// Upload a badge image (teachers and admins). The body is the raw PNG or SVG file: at most
/// 512 KiB, PNG at most 2048×2048 (read from the header, before any decoding), SVG without
/// scripts, event handlers, `foreignObject`, `javascript:` or external references.
///
/// Errors: 413 or 422 `invalid_image`.
#[utoipa::path(post, path = "/api/v1/images", tag = "badges",
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 201, body = Image), (status = 413, body = accolade_proto::Problem),
              (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn upload_image(
    State(state): State<AppState>,
    auth: AuthUser,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Image>)> {
    policy::require_staff(&auth)?;
    let checked = accolade_openbadges::check_image(&body).map_err(|e| ApiError::InvalidImage {
        too_large: matches!(e, accolade_openbadges::ImageError::TooLarge { .. }),
        message: e.to_string(),
    })?;
    let content_type = checked.kind.mime_type();
    let sha = hex::encode(Sha256::digest(&body));
    let txn = state.db.begin_write().await?;
    let img = accolade_db::badges::insert_image(
        &*txn,
        auth.school_id(),
        content_type,
        body.to_vec(),
        sha,
        checked.width.map(|w| w as i32),
        checked.height.map(|h| h as i32),
    )
    .await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Image {
            id: img.id,
            url: svc::image_url(state.config.base_url(), img.id),
            content_type: content_type.to_owned(),
            width: checked.width,
            height: checked.height,
        }),
    ))
}

/// Query of `GET /api/v1/badge-classes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived badge classes (staff).
    #[serde(default)]
    pub include_archived: bool,
    /// Only peer-nominable ones.
    #[serde(default)]
    pub peer_nominable: bool,
}

/// Badge classes of the school (students see active ones only).
#[utoipa::path(get, path = "/api/v1/badge-classes", tag = "badges", params(ListQuery),
    responses((status = 200, body = Vec<BadgeClass>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<BadgeClass>>> {
    let conn = state.db.conn();
    let rows = accolade_db::badges::classes_in_school(
        conn,
        auth.school_id(),
        q.include_archived && auth.role.is_staff(),
    )
    .await?;
    let mut out = Vec::new();
    for c in rows
        .iter()
        .filter(|c| !q.peer_nominable || c.peer_nominable)
    {
        out.push(svc::badge_class_view(conn, state.config.base_url(), c).await?);
    }
    Ok(Json(out))
}

/// One badge class of the school.
#[utoipa::path(get, path = "/api/v1/badge-classes/{id}", tag = "badges", params(("id" = Uuid, Path)),
    responses((status = 200, body = BadgeClass), (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<BadgeClass>> {
    let conn = state.db.conn();
    let c = accolade_db::badges::class_by_id(conn, auth.school_id(), id)
        .await?
        .filter(|c| auth.role.is_staff() || c.archived_at.is_none())
        .ok_or(ApiError::NotFound("badge class"))?;
    Ok(Json(
        svc::badge_class_view(conn, state.config.base_url(), &c).await?,
    ))
}

struct Fields {
    name: String,
    description: String,
    criteria_narrative: Option<String>,
    criteria_url: Option<String>,
    tags: Vec<String>,
}

fn check_fields(
    name: &str,
    description: &str,
    criteria_narrative: Option<&str>,
    criteria_url: Option<&str>,
    tags: &[String],
) -> ApiResult<Fields> {
    let name = validate::text("name", name, 100)?;
    let description = validate::long_text("description", description, 2000)?;
    let criteria_narrative = criteria_narrative
        .filter(|s| !s.trim().is_empty())
        .map(|s| validate::long_text("criteria_narrative", s, 5000))
        .transpose()?;
    let criteria_url = criteria_url
        .filter(|s| !s.trim().is_empty())
        .map(|s| validate::url("criteria_url", s))
        .transpose()?;
    if criteria_narrative.is_none() && criteria_url.is_none() {
        return Err(ApiError::field(
            "criteria_narrative",
            "give criteria as a narrative or a URL",
        ));
    }
    if tags.len() > 10 {
        return Err(ApiError::field("tags", "at most 10 tags"));
    }
    let mut clean = Vec::new();
    for t in tags {
        let t = validate::text("tags", t, 50)?;
        if !clean.contains(&t) {
            clean.push(t);
        }
    }
    Ok(Fields {
        name,
        description,
        criteria_narrative,
        criteria_url,
        tags: clean,
    })
}

async fn check_scope(
    conn: &impl sea_orm::ConnectionTrait,
    school_id: Uuid,
    scope: BadgeScope,
    class_ids: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    match scope {
        BadgeScope::School => Ok(Vec::new()),
        BadgeScope::Classes => {
            if class_ids.is_empty() || class_ids.len() > 100 {
                return Err(ApiError::field(
                    "class_ids",
                    "choose 1–100 classes for scope `classes`",
                ));
            }
            let mut out = Vec::new();
            for id in class_ids {
                accolade_db::classes::by_id(conn, school_id, *id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::field("class_ids", format!("no class {id} in this school"))
                    })?;
                if !out.contains(id) {
                    out.push(*id);
                }
            }
            Ok(out)
        }
    }
}

/// Create a badge class (teachers and admins).
///
/// Errors: 422 `invalid_input` (e.g. no criteria, unknown image or class).
#[utoipa::path(post, path = "/api/v1/badge-classes", tag = "badges", request_body = CreateBadgeClassRequest,
    responses((status = 201, body = BadgeClass), (status = 422, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<CreateBadgeClassRequest>,
) -> ApiResult<(StatusCode, Json<BadgeClass>)> {
    policy::require_staff(&auth)?;
    let f = check_fields(
        &req.name,
        &req.description,
        req.criteria_narrative.as_deref(),
        req.criteria_url.as_deref(),
        &req.tags,
    )?;
    if let Some(d) = req.expires_after_days {
        if !(1..=3650).contains(&d) {
            return Err(ApiError::field("expires_after_days", "must be 1–3650"));
        }
    }
    let base = state.config.base_url().to_owned();
    let txn = state.db.begin_write().await?;
    accolade_db::badges::image_in_school(&*txn, auth.school_id(), req.image_id)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "image_id",
                "upload the image first with POST /api/v1/images",
            )
        })?;
    let scope = req.scope.unwrap_or(BadgeScope::School);
    let class_ids = check_scope(&*txn, auth.school_id(), scope, &req.class_ids).await?;
    let now = accolade_db::now();
    let mut row = accolade_db::badges::insert_class(
        &*txn,
        BadgeClassRow {
            id: Uuid::now_v7(),
            school_id: auth.school_id(),
            created_by: Some(auth.id()),
            name: f.name,
            description: f.description,
            criteria_narrative: f.criteria_narrative,
            criteria_url: f.criteria_url,
            image_id: req.image_id,
            tags: serde_json::json!(f.tags),
            expires_after_days: req.expires_after_days.map(|d| d as i32),
            scope: scope_str(scope).into(),
            peer_nominable: req.peer_nominable.unwrap_or(true),
            moderation: moderation_str(req.moderation.unwrap_or(Moderation::Required)).into(),
            repeatable: req.repeatable.unwrap_or(false),
            current_revision_id: None,
            archived_at: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    accolade_db::badges::set_scope(&*txn, row.id, &class_ids).await?;
    svc::sync_revision(&txn, &base, &mut row).await?;
    let row = accolade_db::badges::save_class(&*txn, row).await?;
    audit(&txn, &auth, "badge_class.create", &row, None).await?;
    let view = svc::badge_class_view(&*txn, &base, &row).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

fn scope_str(s: BadgeScope) -> &'static str {
    match s {
        BadgeScope::School => "school",
        BadgeScope::Classes => "classes",
    }
}

fn moderation_str(m: Moderation) -> &'static str {
    match m {
        Moderation::Required => "required",
        Moderation::AutoApprove => "auto_approve",
    }
}

fn snapshot(c: &BadgeClassRow) -> serde_json::Value {
    serde_json::json!({
        "name": c.name, "description": c.description,
        "criteria_narrative": c.criteria_narrative, "criteria_url": c.criteria_url,
        "image_id": c.image_id, "tags": c.tags, "expires_after_days": c.expires_after_days,
        "scope": c.scope, "peer_nominable": c.peer_nominable, "moderation": c.moderation,
        "repeatable": c.repeatable, "archived": c.archived_at.is_some(),
        "revision_id": c.current_revision_id,
    })
}

async fn audit(
    txn: &accolade_db::WriteTxn,
    auth: &AuthUser,
    action: &str,
    after: &BadgeClassRow,
    before: Option<&BadgeClassRow>,
) -> ApiResult<()> {
    accolade_db::audit::record(
        &**txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action,
            target_type: "badge_class",
            target_id: Some(after.id.to_string()),
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await?;
    Ok(())
}

async fn load_editable(
    txn: &accolade_db::WriteTxn,
    auth: &AuthUser,
    id: Uuid,
) -> ApiResult<BadgeClassRow> {
    policy::require_staff(auth)?;
    let c = accolade_db::badges::lock_class(&**txn, id)
        .await?
        .filter(|c| c.school_id == auth.school_id())
        .ok_or(ApiError::NotFound("badge class"))?;
    if !policy::can_edit_badge_class(auth, &c) {
        return Err(ApiError::Forbidden(
            "only the badge's creator and admins can change it",
        ));
    }
    Ok(c)
}

/// Change a badge class (its creator and admins). A change to name, description, criteria or
/// image after the first award makes a new revision; issued assertions keep theirs.
#[utoipa::path(patch, path = "/api/v1/badge-classes/{id}", tag = "badges", params(("id" = Uuid, Path)),
    request_body = UpdateBadgeClassRequest,
    responses((status = 200, body = BadgeClass), (status = 403, body = accolade_proto::Problem),
              (status = 404, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateBadgeClassRequest>,
) -> ApiResult<Json<BadgeClass>> {
    let base = state.config.base_url().to_owned();
    let txn = state.db.begin_write().await?;
    let before = load_editable(&txn, &auth, id).await?;
    let mut c = before.clone();
    let tags: Vec<String> = match &req.tags {
        Some(t) => t.clone(),
        None => serde_json::from_value(c.tags.clone()).unwrap_or_default(),
    };
    let narrative = match &req.criteria_narrative {
        Some(n) => Some(n.as_str()).filter(|s| !s.is_empty()),
        None => c.criteria_narrative.as_deref(),
    }
    .map(str::to_owned);
    let url = match &req.criteria_url {
        Some(u) => Some(u.as_str()).filter(|s| !s.is_empty()),
        None => c.criteria_url.as_deref(),
    }
    .map(str::to_owned);
    let f = check_fields(
        req.name.as_deref().unwrap_or(&c.name),
        req.description.as_deref().unwrap_or(&c.description),
        narrative.as_deref(),
        url.as_deref(),
        &tags,
    )?;
    c.name = f.name;
    c.description = f.description;
    c.criteria_narrative = f.criteria_narrative;
    c.criteria_url = f.criteria_url;
    c.tags = serde_json::json!(f.tags);
    if let Some(image_id) = req.image_id {
        accolade_db::badges::image_in_school(&*txn, auth.school_id(), image_id)
            .await?
            .ok_or_else(|| ApiError::field("image_id", "unknown image"))?;
        c.image_id = image_id;
    }
    if let Some(d) = req.expires_after_days {
        if d > 3650 {
            return Err(ApiError::field("expires_after_days", "must be 0–3650"));
        }
        c.expires_after_days = (d > 0).then_some(d as i32);
    }
    if req.scope.is_some() || req.class_ids.is_some() {
        let scope = req.scope.unwrap_or(if c.scope == "classes" {
            BadgeScope::Classes
        } else {
            BadgeScope::School
        });
        let ids = match &req.class_ids {
            Some(ids) => ids.clone(),
            None => accolade_db::badges::scope_class_ids(&*txn, c.id).await?,
        };
        let ids = check_scope(&*txn, auth.school_id(), scope, &ids).await?;
        accolade_db::badges::set_scope(&*txn, c.id, &ids).await?;
        c.scope = scope_str(scope).into();
    }
    if let Some(p) = req.peer_nominable {
        c.peer_nominable = p;
    }
    if let Some(m) = req.moderation {
        c.moderation = moderation_str(m).into();
    }
    if let Some(r) = req.repeatable {
        c.repeatable = r;
    }
    if let Some(a) = req.archived {
        c.archived_at = if a {
            c.archived_at.or_else(|| Some(accolade_db::now()))
        } else {
            None
        };
    }
    svc::sync_revision(&txn, &base, &mut c).await?;
    let saved = accolade_db::badges::save_class(&*txn, c).await?;
    audit(&txn, &auth, "badge_class.update", &saved, Some(&before)).await?;
    let view = svc::badge_class_view(&*txn, &base, &saved).await?;
    txn.commit().await?;
    Ok(Json(view))
}

/// Delete a badge class (its creator and admins): only when it has no awards, or all of its
/// awards are revoked. Otherwise archive it.
///
/// Errors: 409 `conflict` while live awards exist.
#[utoipa::path(delete, path = "/api/v1/badge-classes/{id}", tag = "badges", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 409, body = accolade_proto::Problem)),
    security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let txn = state.db.begin_write().await?;
    let c = load_editable(&txn, &auth, id).await?;
    let (live, _) = accolade_db::badges::award_counts(&*txn, c.id).await?;
    if live > 0 {
        return Err(ApiError::Conflict(format!(
            "{live} award(s) of this badge are not revoked: archive it instead"
        )));
    }
    accolade_db::audit::record(
        &*txn,
        accolade_db::audit::Record {
            school_id: auth.school_id(),
            actor_id: Some(auth.id()),
            action: "badge_class.delete",
            target_type: "badge_class",
            target_id: Some(c.id.to_string()),
            before: Some(snapshot(&c)),
            after: None,
        },
    )
    .await?;
    accolade_db::badges::delete_class(&*txn, c.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
